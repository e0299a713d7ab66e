import logging
from datetime import timedelta
from functools import partial

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import RETRY_BASE_MINUTES
from ..tools import CreditBureauError
from .credit_bureau_negativation import ALARM_ACTIVITY_TYPE
from .credit_bureau_negativation_send import Outcomes
from .credit_bureau_routine import RoutineTally

_logger = logging.getLogger(__name__)

# A failed removal is tried again after 15, 30, then every 60 minutes: never given up (the
# removal is legally due), never hammered (the job runs until nothing due is left).
REMOVAL_RETRY_MAX_MINUTES = 60


def _removal_call(debt, reference, code, removal_date, integration):
    """The provider's side of one removal (see ``_include_call``). Without a reference
    (sent with an unknown outcome, never confirmed) the inclusion is looked up first.
    Returns ``("removed", (reference, answer))``, ``("never_received", None)`` or
    ``("failed", CreditBureauError)``."""
    try:
        if not reference:
            found = integration._bureau_find_inclusion(debt)
            if not found:
                return "never_received", None
            reference = found.get("reference")
        return "removed", (reference, integration._bureau_remove(reference, code, removal_date))
    except CreditBureauError as error:
        return "failed", error


class RemovalOutcomes(Outcomes):
    """What the removal job writes for a group of records, in bulk (see ``Outcomes``)."""

    def removed(self, record, reference, result):
        message = self.mask(record, result.get("message")) or False
        self.put(
            record,
            outcome_unknown=False,
            state="removed",
            removed_date=self.now,
            message=message,
            next_retry=False,
        )
        if reference != record.reference:
            self.references[record.id] = reference
        self.cleared.append(record.id)
        if result.get("already_removed"):
            # E.g. the answer to an earlier request was lost: the provider holds it removed.
            body = self.env._(
                "The provider had already removed it (code %(code)s): %(message)s",
                code=record.removal_code,
                message=message or "-",
            )
        else:
            body = self.env._(
                "Removed at the provider (code %(code)s): %(message)s",
                code=record.removal_code,
                message=message or "-",
            )
        self.note(record, body)

    def failed(self, record, message, detail=""):
        """The removal stays requested, retried by the cron after a pause that grows with the
        failures (``REMOVAL_RETRY_MAX_MINUTES`` at most); the responsible user gets an
        activity, once."""
        message = self.mask(record, message)
        minutes = min(
            RETRY_BASE_MINUTES * 2 ** min(max(record.attempts - 1, 0), 8),
            REMOVAL_RETRY_MAX_MINUTES,
        )
        self.put(
            record,
            message=message,
            attempts=record.attempts + 1,
            next_retry=self.now + timedelta(minutes=minutes),
        )
        if detail:
            _logger.warning("Negativation %s removal: %s", record.name, self.mask(record, detail))
        self.note(record, self.env._("Removal failed, will be retried: %s", message))
        self.alarm(
            record,
            self.env._(
                "The removal of negativation %(name)s failed: %(message)s",
                name=record.name,
                message=message,
            ),
        )


class CreditBureauNegativationRemoval(models.Model):
    """Removal (baixa): on payment, at five years or on request, with its legal deadline."""

    # One model split by flow over files of this addon, on purpose (see the record file).
    _inherit = "credit.bureau.negativation"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ removal
    def _bureau_request_removal(self, code, reason):
        """Queue the removal (baixa) of sent negativations; drafts and queued ones that never
        left are simply cancelled."""
        now = fields.Datetime.now()
        never_sent = self.filtered(
            lambda n: n.state in ("draft", "sending", "error")
            and not n.reference
            and not n.outcome_unknown
        )
        never_sent.write({"state": "cancelled", "removal_reason": reason})
        never_sent._bureau_log_bulk(self.env._("Cancelled before being sent: %s", reason))
        to_remove = (self - never_sent).filtered(
            lambda n: n.state in ("pending", "active", "error", "sending", "removal_requested")
        )
        to_remove.write(
            {
                "state": "removal_requested",
                "removal_code": code,
                "removal_reason": reason,
                "removal_requested_date": now,
                "next_retry": False,
            }
        )
        to_remove._bureau_log_bulk(
            self.env._("Removal requested (code %(code)s): %(reason)s", code=code, reason=reason)
        )
        removal_job = self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_removal")
        # Within the removal job itself, they are sent in the same run (it goes on while
        # anything is due): no trigger for another run.
        if to_remove and self.env.context.get("cron_id") != removal_job.id:
            removal_job._trigger()
        return to_remove

    def _bureau_request_default_removal(self, reason):
        """Queue the removal of these records with their integration's default removal code
        (``01``, payment of the debt, when the integration has none: rules.md). Returns
        those whose removal is requested (the others, never sent, are cancelled)."""
        requested = self.browse()
        for integration, negativations in self.grouped("integration_id").items():
            code = integration.default_removal_code_id.code or "01"
            requested |= negativations._bureau_request_removal(code, reason)
        return requested

    def _bureau_send_removals(self):
        """Send the removals of these records, those still requested (see
        ``_bureau_dispatch``)."""
        self._bureau_lock(["removal_requested"])._bureau_dispatch("remove")

    def _bureau_removal_prepare(self):
        """Prepare the removals of this group: ``(items, finished)`` as
        ``_bureau_include_prepare`` (a removal marks nothing: asking twice is answered
        "already removed"), those whose debt must be looked up first and cannot be built
        failed here."""
        # A record never confirmed by the provider is looked up by its debt first.
        debts = self.filtered(lambda n: not n.reference)._bureau_debts()
        today = fields.Date.context_today(self)
        writer = RemovalOutcomes(self)
        items = []
        for negativation in self:
            debt = debts.get(negativation.id)
            if isinstance(debt, UserError):
                writer.failed(negativation, debt.args[0])
                continue
            call = partial(
                _removal_call, debt, negativation.reference, negativation.removal_code, today
            )
            items.append((negativation.id, call, None))
        writer.flush()
        return items, len(self) - len(items)

    def _bureau_removal_outcomes(self, outcomes):
        """Record what ``_removal_call`` brought back for these records (``outcomes``: a
        ``(value, exception)`` per record, in their order), in bulk."""
        writer = RemovalOutcomes(self)
        for negativation, (outcome, crash) in zip(self, outcomes, strict=True):
            if crash is not None:
                writer.failed(
                    negativation,
                    self.env._(
                        "Unexpected error while removing; the technical detail is in the "
                        "server log."
                    ),
                )
                continue
            kind, answer = outcome
            if kind == "failed":
                writer.failed(negativation, answer.args[0], detail=answer.detail)
            elif kind == "never_received":
                writer.put(negativation, state="cancelled", outcome_unknown=False)
                writer.note(
                    negativation,
                    self.env._("The provider never received it: nothing to remove."),
                )
            else:
                writer.removed(negativation, *answer)
        writer.flush()

    def _bureau_alarm(self, note, summary=None):
        """Give the responsible user a to-do on each record, unless one is already open."""
        activity_type = self.env.ref(ALARM_ACTIVITY_TYPE)
        for negativation in self:
            if negativation.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
                continue
            negativation.activity_schedule(
                ALARM_ACTIVITY_TYPE,
                date_deadline=negativation.removal_deadline or fields.Date.context_today(self),
                summary=summary or self.env._("Remove the negativation"),
                note=note,
                user_id=(negativation.user_id or self.env.user).id,
            )

    def _bureau_unlink_alarms(self):
        """Close the to-dos of ``_bureau_alarm`` (not the activities users planned)."""
        self.activity_unlink([ALARM_ACTIVITY_TYPE])

    def action_open_removal_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Remove negativation"),
            "res_model": "credit.bureau.negativation.remove.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_negativation_ids": self.ids},
        }

    # ------------------------------------------------------------------ crons
    @api.model
    def _bureau_removals_due_domain(self):
        """Removals the job sends now: requested, not waiting for a retry, of an integration
        that is not paused after timeouts."""
        paused = self.env["credit.bureau.integration"]._bureau_paused_ids()
        return [
            ("state", "=", "removal_requested"),
            "|",
            ("next_retry", "=", False),
            ("next_retry", "<=", fields.Datetime.now()),
            ("integration_id", "not in", paused),
        ]

    @api.model
    def _cron_remove(self, batch_size=100):
        """The removal job: run at once when a payment arrives or a removal is requested
        (``_trigger``), and whenever a failed removal may be retried, whatever the schedule
        of the routines (the legal deadline does not wait). It does the whole removal
        routine for every integration (``_bureau_remove_due``), writes a line of log per
        integration that had something done, and calls itself again (``ir.cron`` progress)
        until nothing due is left."""
        self = self._bureau_flow_env()
        tally = self._bureau_remove_due(batch_size)
        self.env["credit.bureau.routine.run"]._bureau_log_event("removal", tally)
        if tally.remaining and self.env.context.get("ir_cron_progress_id"):
            self.env["ir.cron"]._commit_progress(remaining=tally.remaining)

    @api.model
    def _bureau_remove_due(self, batch_size=100, integrations=None):
        """Remoção automática: paid invoices, five-year-old debts, then every removal
        requested (including the retries of failed ones), the earliest removal deadline
        first (STJ Súmula 548), then the oldest request; of ``integrations`` only when
        given (the task scheduler's routine of each). Returns a ``RoutineTally`` whose
        ``remaining`` says how much is left for another call."""
        self = self._bureau_flow_env()
        tally = RoutineTally()
        scope = [] if integrations is None else [("integration_id", "in", integrations.ids)]
        scan_limit = batch_size * 10
        paid = self.search(
            [
                *scope,
                ("invoice_paid", "=", True),
                ("state", "in", ("pending", "active", "error", "sending")),
            ],
            limit=scan_limit,
        )
        requested = paid._bureau_request_default_removal(self.env._("Invoice paid"))
        limit_date = fields.Date.context_today(self) - relativedelta(years=5)
        expired = self.search(
            [
                *scope,
                ("due_date", "<=", limit_date),
                ("state", "in", ("pending", "active", "error")),
            ],
            limit=scan_limit,
        )
        requested |= expired._bureau_request_default_removal(
            self.env._("Five-year limit reached (CDC art. 43 §1)")
        )
        tally.add_states(requested, {"removal_requested": "queued"})
        self._bureau_commit()
        due_domain = [*scope, *self._bureau_removals_due_domain()]
        # As for inclusions (``_cron_send``): more per call for more simultaneous requests.
        if integrations is not None:
            concurrency = max(integrations.mapped("send_concurrency"), default=1)
        else:
            [(concurrency,)] = self.env["credit.bureau.integration"]._read_group(
                [], aggregates=["send_concurrency:max"]
            )
        to_send = self.search(
            due_domain,
            order="removal_deadline ASC NULLS LAST, removal_requested_date, id",
            limit=self._bureau_batch_limit(batch_size, concurrency or 1),
        )
        sent_here = to_send._bureau_enqueue_or_run("remove")
        for negativation in to_send - sent_here - requested:
            tally.add(negativation.integration_id.id, "queued")
        tally.add_states(
            sent_here.with_prefetch(sent_here._ids),
            {"removed": "removed", "cancelled": "removed", "removal_requested": "failed"},
        )
        # Those not alarmed yet: the alarmed ones must not hide the others from the batch.
        alarm_type = self.env.ref(ALARM_ACTIVITY_TYPE)
        late = self.search(
            [
                *scope,
                ("removal_late", "=", True),
                ("activity_ids", "not any", [("activity_type_id", "=", alarm_type.id)]),
            ],
            limit=batch_size,
        )
        late._bureau_alarm(self.env._("The removal deadline has passed (STJ Súmula 548)."))
        for integration in late.integration_id:
            tally.note(
                integration.id,
                self.env._(
                    "Removals past the legal deadline: %s (a to-do was given).",
                    len(late.filtered(lambda n, i=integration: n.integration_id == i)),
                ),
            )
        if not self.env.context.get("ir_cron_progress_id"):
            return tally
        # A full scan may have left more behind it: one more call looks again.
        tally.remaining = self.search_count(due_domain) + sum(
            len(found) == limit
            for found, limit in ((paid, scan_limit), (expired, scan_limit), (late, batch_size))
        )
        if tally.remaining:
            return tally
        # Nothing due now: the job runs again when the first failed removal may be retried
        # (those of a paused integration: when its pause is over, see ``_bureau_pause``).
        waiting = self.search(
            [("state", "=", "removal_requested"), ("next_retry", ">", fields.Datetime.now())],
            order="next_retry",
            limit=1,
        )
        if waiting:
            self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_removal")._trigger(
                waiting.next_retry
            )
        return tally
