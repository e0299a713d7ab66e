import logging
import time
from datetime import timedelta
from functools import partial

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..const import (
    MAX_SEND_ATTEMPTS,
    NOTICE_DAYS,
    RETRY_BASE_MINUTES,
)
from ..tools import CreditBureauError, clean_document, validate_document
from .credit_bureau_routine import RoutineTally

_logger = logging.getLogger(__name__)

# Provider operations of the sending jobs: (method preparing a record's call, method
# recording its outcome), see ``_bureau_dispatch``.
DISPATCH = {
    "include": ("_bureau_include_prepare", "_bureau_send_outcome"),
    "remove": ("_bureau_removal_prepare", "_bureau_removal_outcome"),
}

# Seconds of provider calls each integration had in the current run of a sending job, keyed
# by (database, cron): ``ir.cron._run_job`` calls the job's method again and again while
# records remain, all under one ``cron_end_time``, which tells the runs apart. Each call
# serves first the integrations that had the least of the run, so that a slow provider
# never holds the others' queues up for more than one of its batches.
_RUN_SPENT = {}


def _run_spent(env):
    """``{integration id: seconds}`` of the current run (a fresh dict outside a cron)."""
    run = env.context.get("cron_end_time")
    if run is None:
        return {}
    key = (env.cr.dbname, env.context.get("cron_id"))
    entry = _RUN_SPENT.get(key)
    if entry is None or entry[0] != run:
        entry = _RUN_SPENT[key] = (run, {})
    return entry[1]


class Blocked:
    """In place of a debt, for ``_bureau_include_prepare``: what blocks it now, found when
    checked again before sending (``_bureau_recheck``)."""

    def __init__(self, debt_blockers, integration_blockers):
        self.debt_blockers = debt_blockers
        self.integration_blockers = integration_blockers


def _include_call(debt, ask_first, integration):
    """The provider's side of one inclusion, run by ``_bureau_parallel`` (perhaps in a
    thread of its own: it touches only the integration and the debt). Returns
    ``(kind, answer)``: ``found`` (already at the provider, not sent again), ``sent``,
    ``adopted`` (refused as a duplicate, the provider's record found), ``failed`` or
    ``lookup_failed`` with the ``CreditBureauError``."""
    if ask_first:
        try:
            found = integration._bureau_find_inclusion(debt)
        except CreditBureauError as error:
            return "lookup_failed", error
        if found:
            return "found", found
    try:
        return "sent", integration._bureau_include(debt)
    except CreditBureauError as error:
        if error.duplicate:
            # The provider already holds this debt (an earlier attempt whose answer was
            # lost): adopt its record instead of failing.
            try:
                found = integration._bureau_find_inclusion(debt)
            except CreditBureauError:
                found = None
            if found:
                return "adopted", found
        return "failed", error


class CreditBureauNegativationSend(models.Model):
    """Sending inclusions to the provider: marked, committed, called, outcomes recorded."""

    # One model split by flow over files of this addon, on purpose (see the record file).
    _inherit = "credit.bureau.negativation"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ debt for the provider
    def _bureau_debt(self):
        self.ensure_one()
        partner = self.partner_id
        # What is read from the partner, in either localization: res_partner_localization.py.
        document, kind = validate_document(self.env, partner._bureau_document())
        integration = self.integration_id
        debt = {
            "document": document,
            "kind": kind,
            "name": partner._bureau_name(),
            # Companies have no age: a date in that field is not theirs to send.
            "birth_date": (kind == "cpf" and partner._bureau_birth_date()) or False,
            "address": partner._bureau_address(),
            "phone": partner._bureau_phone(),
            "email": partner._bureau_email(),
            "amount": self.amount,
            "due_date": self.due_date,
            "contract": self.contract_number,
            "our_number": self.our_number,
            "restriction_code": self.restriction_code,
            "send_sms": self.send_sms,
            "responsible_cpf": clean_document(integration.responsible_cpf or ""),
            "idempotency_key": self.idempotency_key,
            "co_obligor": None,
        }
        if self.state == "removal_requested":
            # Only looked up (document and contract) to be removed: nothing of it is sent as
            # an inclusion, and the removal is due whatever the debtor's data became since.
            return debt
        # No control character, texts on one line and within the provider's field limits
        # (a UserError otherwise: nothing is sent).
        return integration._bureau_fit_debt(debt)

    # ------------------------------------------------------------------ commits
    def _bureau_commit(self, processed=0):
        """Commit a batch's progress when running as a scheduled action, so that each
        record's outcome survives a later crash. Elsewhere (a user's request, a test) the
        caller's transaction decides. Returns the time left to the cron (seconds)."""
        if self.env.context.get("ir_cron_progress_id"):
            return self.env["ir.cron"]._commit_progress(processed)
        return float("inf")

    def _bureau_lock(self, states):
        """Lock the records still in ``states``, skipping those another worker holds."""
        if not self:
            return self
        self.flush_model(["state"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM credit_bureau_negativation WHERE id IN %s AND state IN %s "
                "ORDER BY id FOR UPDATE SKIP LOCKED",
                tuple(self.ids),
                tuple(states),
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    # ------------------------------------------------------------------ sending
    def _bureau_send(self):
        """Send the inclusions of records in "sending" (see ``_bureau_dispatch``)."""
        negativations = self._bureau_lock(["sending"])
        # The debts of the whole batch are read together, before the commits of the loop
        # empty the cache (one query per table for the batch instead of one per record).
        debts = negativations._bureau_debts()
        # Every blocker is checked again: the invoice may have changed since it was queued.
        for negativation_id, blockers in negativations._bureau_recheck().items():
            if not isinstance(debts.get(negativation_id), UserError):
                debts[negativation_id] = Blocked(*blockers)
        negativations._bureau_dispatch(debts, "include")

    def _bureau_debts(self):
        """``{id: debt}`` of these records, a UserError in place of the debt that cannot be
        built (invalid document)."""
        debts = {}
        for negativation in self:
            try:
                debts[negativation.id] = negativation._bureau_debt()
            except UserError as error:
                debts[negativation.id] = error
        return debts

    def _bureau_dispatch(self, debts, operation):
        """Make these records' provider calls (``operation``: a key of ``DISPATCH``), as many
        at a time as each integration allows (``send_concurrency``). Each group is marked and
        committed before its calls, and its outcomes committed once they are all back, in the
        caller's transaction.

        Each integration's work goes on its own: one group of each integration in turn, the
        integrations with the least provider time in this run of the job first, and an
        integration that timed out too often in a row is left for a later run
        (``_bureau_note_calls``): a slow or failing provider does not hold the others up."""
        spent = _run_spent(self.env)
        queues, health = {}, {}
        for integration, group in self.grouped("integration_id").items():
            size = max(integration.send_concurrency, 1)
            queues[integration] = [
                group[start : start + size] for start in range(0, len(group), size)
            ]
            health[integration] = integration._bureau_health()
        while queues:
            for integration in sorted(queues, key=lambda i: (spent.get(i.id, 0.0), i.id)):
                chunks = queues[integration]
                # Each commit empties the cache: reading a group again must fetch it alone,
                # not the whole batch each time.
                chunk = chunks.pop(0)
                chunk = chunk.with_prefetch(chunk._ids)
                started = time.monotonic()
                time_left = chunk._bureau_dispatch_group(
                    integration, debts, operation, health[integration]
                )
                spent[integration.id] = spent.get(integration.id, 0.0) + time.monotonic() - started
                if not chunks or health[integration]["paused"]:
                    del queues[integration]
                if time_left <= 0:
                    return

    def _bureau_dispatch_group(self, integration, debts, operation, health=None):
        """Returns the time left to the cron. ``health``: see ``_bureau_note_calls``."""
        prepare, record_outcome = DISPATCH[operation]
        ready, calls = self.browse(), []
        for negativation in self:
            call = getattr(negativation, prepare)(debts.get(negativation.id))
            if call:
                ready |= negativation
                calls.append(call)
        # The marks of the preparation are committed before calling: a crash from here on
        # means "ask first".
        self._bureau_commit()
        outcomes = integration._bureau_parallel(calls) if calls else []
        for negativation, (outcome, crash) in zip(ready, outcomes, strict=True):
            if crash is not None:
                _logger.error(
                    "Negativation %s: unexpected error (%s): %s",
                    negativation.name,
                    operation,
                    integration._bureau_mask(repr(crash)),
                )
            getattr(negativation, record_outcome)(outcome, crash)
        if outcomes:
            integration._bureau_note_calls(
                [outcome if crash is None else None for outcome, crash in outcomes], health
            )
        # The open batch forms follow the progress: pushed with this group's commit.
        self.batch_id.sudo()._bureau_notify_progress()
        return self._bureau_commit(len(self))

    def _bureau_include_prepare(self, debt):
        """The provider call of this inclusion (``_include_call``), the record marked as
        possibly sent; None when its debt cannot be built."""
        if isinstance(debt, UserError):
            self._bureau_error(debt.args[0], retryable=False)
            return None
        # Queued (or failed) a while ago: the debt may have been paid or reached five years
        # since. Not sent then: cancelled if it never left, its removal requested if an
        # earlier attempt may have reached the provider.
        reason = None
        if self.invoice_paid:
            reason = self.env._("Invoice paid")
        elif self.due_date and self.due_date <= fields.Date.context_today(self) - relativedelta(
            years=5
        ):
            reason = self.env._("Five-year limit reached (CDC art. 43 §1)")
        elif isinstance(debt, Blocked) and debt.debt_blockers:
            reason = "; ".join(debt.debt_blockers)
        if reason:
            self._bureau_request_default_removal(reason)
            return None
        if isinstance(debt, Blocked):
            # The debt may go, the integration cannot send now (archived, incomplete...):
            # not sent, retried later, the reason on the record.
            self._bureau_error("; ".join(debt.integration_blockers), retryable=True)
            return None
        # A record whose outcome is unknown (an earlier attempt may have reached the
        # provider) is looked up before anything is sent again.
        call = partial(_include_call, debt, self.outcome_unknown)
        self.write({"outcome_unknown": True, "attempts": self.attempts + 1})
        return call

    def _bureau_send_outcome(self, outcome, crash):
        """Record what ``_include_call`` brought back (or the exception it raised)."""
        self.ensure_one()
        if crash is not None:
            # The outcome stays unknown: the next attempt asks the provider first.
            self._bureau_error(
                self.env._(
                    "Unexpected error while sending; the technical detail is in the server log."
                ),
                retryable=True,
            )
            return
        kind, answer = outcome
        if kind == "lookup_failed":
            self._bureau_error(answer.args[0], retryable=True, detail=answer.detail)
        elif kind == "failed":
            self.outcome_unknown = answer.timeout
            self._bureau_error(answer.args[0], retryable=answer.retryable, detail=answer.detail)
        else:
            if kind == "found":
                self.message_post(
                    body=self.env._("The provider already had this inclusion: not sent again.")
                )
            elif kind == "adopted":
                self.message_post(
                    body=self.env._("The provider already had this debt: its record was adopted.")
                )
            self._bureau_accepted(answer)

    def _bureau_accepted(self, result):
        now = fields.Datetime.now()
        state = result.get("state") or "pending"
        values = {
            "reference": result.get("reference") or self.reference,
            "outcome_unknown": False,
            "sent_date": self.sent_date or now,
            "expected_visible_date": fields.Date.context_today(self) + timedelta(days=NOTICE_DAYS),
            "message": self._bureau_masked(result.get("message")) or False,
            "next_retry": False,
        }
        if state == "error":
            self.write(values)
            self._bureau_error(
                result.get("message") or self.env._("Refused by the provider."), retryable=False
            )
            return
        values["state"] = "active" if state == "active" else "pending"
        if values["state"] == "active":
            values["active_date"] = now
        self.write(values)
        if self.attempts > 1:
            # An earlier attempt failed and may have given somebody a to-do: it is done.
            self._bureau_unlink_alarms()
        self.message_post(
            body=self.env._(
                "Sent to %(provider)s: reference %(reference)s, %(message)s",
                provider=self.integration_id._provider_label(),
                reference=values["reference"] or "-",
                message=values["message"] or "-",
            )
        )

    def _bureau_error(self, message, *, retryable, detail=""):
        message = self._bureau_masked(message)
        values = {"state": "error", "message": message}
        if retryable and self.attempts < MAX_SEND_ATTEMPTS:
            minutes = RETRY_BASE_MINUTES * 2 ** max(self.attempts - 1, 0)
            values["next_retry"] = fields.Datetime.now() + timedelta(minutes=minutes)
        else:
            values["next_retry"] = False
        self.write(values)
        if detail:
            _logger.warning("Negativation %s: %s", self.name, self._bureau_masked(detail))
        self.message_post(body=self.env._("Error: %s", message))
        if not values["next_retry"]:
            # No automatic retry left: somebody has to look at it.
            self._bureau_alarm(
                self.env._(
                    "The inclusion of negativation %(name)s failed and will not be retried "
                    "automatically: %(message)s",
                    name=self.name,
                    message=message,
                ),
                summary=self.env._("Negativation not sent"),
            )

    def _bureau_masked(self, text):
        """``text`` from or about the provider, the integration's secrets masked: what goes
        to the record, its chatter and the log."""
        if not text:
            return text
        return str(self.integration_id._bureau_mask(str(text)))

    # ------------------------------------------------------------------ user actions
    def action_send_now(self):
        """Send a draft, or queue a failed one again, and run the sending job now (which
        checks every blocker again before sending)."""
        other = self.filtered(lambda n: n.state not in ("draft", "error"))
        if other:
            raise UserError(
                self.env._(
                    "Only draft negativations and those with an error can be sent: %(names)s.",
                    names=", ".join(other.mapped("name")),
                )
            )
        self.check_access("write")
        self.sudo().write({"state": "sending", "next_retry": False})
        self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_send")._trigger()
        return True

    # ------------------------------------------------------------------ crons
    @api.model
    def _cron_send(self, batch_size=100):
        """Negativação: send what is queued, up to ``batch_size`` records of each integration
        per call (the job calls again while records remain). The integrations paused after
        timeouts (``_bureau_pause``) wait for the end of their pause."""
        self = self._bureau_flow_env()
        paused = self.env["credit.bureau.integration"]._bureau_paused_ids()
        domain = [("state", "=", "sending"), ("integration_id", "not in", paused)]
        records = self.browse()
        for (integration,) in self._read_group(domain, ["integration_id"]):
            records |= self.search(
                [*domain, ("integration_id", "=", integration.id)], order="id", limit=batch_size
            )
        records._bureau_send()
        remaining = self.search_count(domain)
        self.env["credit.bureau.negativation.batch"]._bureau_close_finished()
        if remaining and self.env.context.get("ir_cron_progress_id"):
            self.env["ir.cron"]._commit_progress(remaining=remaining)

    @api.model
    def _cron_retry_errors(self, batch_size=100, integrations=None):
        """Reenviar negativações com erro: those due for a retry go back to sending (not
        those of an integration paused after timeouts: they wait for the end of its pause);
        of ``integrations`` only, when given (the task scheduler's routine of each).
        Returns a ``RoutineTally``."""
        self = self._bureau_flow_env()
        paused = self.env["credit.bureau.integration"]._bureau_paused_ids()
        domain = [
            ("state", "=", "error"),
            ("next_retry", "!=", False),
            ("next_retry", "<=", fields.Datetime.now()),
            ("attempts", "<", MAX_SEND_ATTEMPTS),
            ("integration_id", "not in", paused),
        ]
        if integrations is not None:
            domain.append(("integration_id", "in", integrations.ids))
        due = self.search(domain, limit=batch_size)
        due.write({"state": "sending", "next_retry": False})
        sent_here = due._bureau_enqueue_or_run("include")
        tally = RoutineTally()
        for negativation in due - sent_here:
            tally.add(negativation.integration_id.id, "queued")
        tally.add_states(
            sent_here.with_prefetch(sent_here._ids),
            {
                "pending": "sent",
                "active": "sent",
                "error": "failed",
                "cancelled": "refused",
                "removal_requested": "refused",
            },
        )
        return tally
