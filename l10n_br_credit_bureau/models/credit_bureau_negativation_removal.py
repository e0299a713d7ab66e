import logging
from functools import partial

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import CreditBureauError
from .credit_bureau_negativation import ALARM_ACTIVITY_TYPE

_logger = logging.getLogger(__name__)


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
        if to_remove:
            self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_removal")._trigger()
        return to_remove

    def _bureau_request_default_removal(self, reason):
        """Queue the removal of these records with their integration's default removal code
        (``01``, payment of the debt, when the integration has none: rules.md)."""
        for integration, negativations in self.grouped("integration_id").items():
            code = integration.default_removal_code_id.code or "01"
            negativations._bureau_request_removal(code, reason)

    def _bureau_send_removals(self):
        """Send the removals requested (see ``_bureau_dispatch``)."""
        negativations = self._bureau_lock(["removal_requested"])
        # A record never confirmed by the provider is looked up by its debt first.
        debts = negativations.filtered(lambda n: not n.reference)._bureau_debts()
        negativations._bureau_dispatch(debts, "remove")

    def _bureau_removal_prepare(self, debt):
        """The provider call of this removal (``_removal_call``); None when the debt that
        must be looked up first cannot be built."""
        if isinstance(debt, UserError):
            self._bureau_removal_failed(debt.args[0])
            return None
        today = fields.Date.context_today(self)
        return partial(_removal_call, debt, self.reference, self.removal_code, today)

    def _bureau_removal_outcome(self, outcome, crash):
        """Record what ``_removal_call`` brought back (or the exception it raised)."""
        self.ensure_one()
        if crash is not None:
            self._bureau_removal_failed(
                self.env._(
                    "Unexpected error while removing; the technical detail is in the server log."
                )
            )
            return
        kind, answer = outcome
        if kind == "failed":
            self._bureau_removal_failed(answer.args[0], detail=answer.detail)
            return
        if kind == "never_received":
            self.write({"state": "cancelled", "outcome_unknown": False})
            self.message_post(body=self.env._("The provider never received it: nothing to remove."))
            return
        reference, result = answer
        self.write(
            {
                "reference": reference,
                "outcome_unknown": False,
                "state": "removed",
                "removed_date": fields.Datetime.now(),
                "message": self._bureau_masked(result.get("message")) or False,
                "next_retry": False,
            }
        )
        self._bureau_unlink_alarms()
        self.message_post(
            body=self.env._(
                "Removed at the provider (code %(code)s): %(message)s",
                code=self.removal_code,
                message=self.message or "-",
            )
        )

    def _bureau_removal_failed(self, message, detail=""):
        """The removal stays requested (retried by the cron); the responsible user gets an
        activity, once."""
        message = self._bureau_masked(message)
        self.write({"message": message, "attempts": self.attempts + 1})
        if detail:
            _logger.warning("Negativation %s removal: %s", self.name, self._bureau_masked(detail))
        self.message_post(body=self.env._("Removal failed, will be retried: %s", message))
        self._bureau_alarm(
            self.env._(
                "The removal of negativation %(name)s failed: %(message)s",
                name=self.name,
                message=message,
            )
        )

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
    def _cron_remove(self, batch_size=100):
        """Remoção automática: paid invoices, five-year-old debts, then every removal
        requested (including the retries of failed ones)."""
        self = self._bureau_flow_env()
        paid = self.search(
            [
                ("invoice_paid", "=", True),
                ("state", "in", ("pending", "active", "error", "sending")),
            ],
            limit=batch_size * 10,
        )
        paid._bureau_request_default_removal(self.env._("Invoice paid"))
        limit_date = fields.Date.context_today(self) - relativedelta(years=5)
        expired = self.search(
            [("due_date", "<=", limit_date), ("state", "in", ("pending", "active", "error"))],
            limit=batch_size * 10,
        )
        expired._bureau_request_default_removal(
            self.env._("Five-year limit reached (CDC art. 43 §1)")
        )
        self._bureau_commit()
        requested = self.search([("state", "=", "removal_requested")], order="id", limit=batch_size)
        requested._bureau_send_removals()
        # Those not alarmed yet: the alarmed ones must not hide the others from the batch.
        alarm_type = self.env.ref(ALARM_ACTIVITY_TYPE)
        late = self.search(
            [
                ("removal_late", "=", True),
                ("activity_ids", "not any", [("activity_type_id", "=", alarm_type.id)]),
            ],
            limit=batch_size,
        )
        late._bureau_alarm(self.env._("The removal deadline has passed (STJ Súmula 548)."))
