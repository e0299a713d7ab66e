import logging
import uuid
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import CreditBureauError
from .credit_bureau_negativation import STATES
from .credit_bureau_routine import RoutineTally

_logger = logging.getLogger(__name__)


class CreditBureauNegativationStatus(models.Model):
    """The provider's status of what was sent (notice period, active, removed)."""

    # One model split by flow over files of this addon, on purpose (see the record file).
    _inherit = "credit.bureau.negativation"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ status
    def _bureau_apply_statuses(self, statuses):
        """Apply the provider's answers ``{reference: {'state', 'message'}}`` to these
        records: one write per (new state, message), not one per record (a status poll
        answers for thousands at a time), the answer in each record's tracking line of the
        change, the lines stored together (``_bureau_write_state``). Returns the changed
        ones."""
        # The provider's state, and the states of ours it moves a record from.
        moves = {
            "active": ("pending",),
            "error": ("pending", "sending"),
            "removed": tuple(s for s, _l in STATES if s not in ("removed", "cancelled")),
        }
        groups = defaultdict(list)
        masked = {}
        for negativation in self:
            status = statuses.get(negativation.reference) or {}
            state = status.get("state")
            if state in moves and negativation.state in moves[state]:
                # The same answer for thousands of records: masked once.
                key = (negativation.integration_id.id, status.get("message"))
                if key not in masked:
                    masked[key] = negativation._bureau_masked(status.get("message")) or ""
                groups[state, masked[key]].append(negativation.id)
        now = fields.Datetime.now()
        labels = dict(self._fields["state"]._description_selection(self.env))
        changed = self.browse()
        for (state, message), ids in groups.items():
            records = self.browse(ids)
            values = {"state": state}
            if message:
                values["message"] = message
            if state == "active":
                values["active_date"] = now
            elif state == "error":
                values["next_retry"] = False
            else:
                values["removed_date"] = now
            records._bureau_write_state(
                values,
                self.env._(
                    "Status at the provider: %(state)s. %(message)s",
                    state=labels[state],
                    message=message,
                ),
            )
            changed |= records
        return changed

    def action_refresh_status(self):
        """Ask the provider the status of what it received; the answer is applied by the
        status flow (the user's rights checked first). Returns a notification of the result."""
        sent = self.filtered("reference")
        if not sent:
            raise UserError(
                self.env._("The provider has not confirmed these negativations yet: no status.")
            )
        sent.check_access("write")
        changed = self.browse()
        for integration, negativations in sent.grouped("integration_id").items():
            statuses = integration._bureau_fetch_status(negativations.mapped("reference"))
            integration._bureau_connection_restored()
            changed |= negativations.sudo()._bureau_apply_statuses(statuses)
        labels = dict(self._fields["state"]._description_selection(self.env))
        if changed:
            message = self.env._(
                "Status changed for %(count)s of %(total)s: %(states)s.",
                count=len(changed),
                total=len(sent),
                states=", ".join(
                    f"{record.name}: {labels[record.state]}" for record in changed[:10]
                ),
            )
        else:
            message = self.env._(
                "Status checked at the provider: no change (%(states)s).",
                states=", ".join(sorted({labels[state] for state in sent.sudo().mapped("state")})),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------ crons
    @api.model
    def _cron_poll_status(self, batch_size=1000, integrations=None):
        """Consultar situação: one status call per integration and chunk of references (of
        ``integrations`` only, when given: the task scheduler's routine of each). Returns
        a ``RoutineTally``."""
        # The author of the chatter lines, the same for every chunk (_bureau_log_author).
        self = self._bureau_flow_env().with_context(bureau_log_run=uuid.uuid4().hex)
        tally = RoutineTally()
        domain = [("state", "in", ("pending", "sending")), ("reference", "!=", False)]
        if integrations is not None:
            domain.append(("integration_id", "in", integrations.ids))
        waiting = self.search(domain, order="id")
        for integration, negativations in waiting.grouped("integration_id").items():
            for start in range(0, len(negativations), batch_size):
                chunk = negativations[start : start + batch_size]
                try:
                    statuses = integration._bureau_fetch_status(chunk.mapped("reference"))
                except CreditBureauError as error:
                    _logger.warning("Status poll of %s failed: %s", integration.name, error.detail)
                    tally.add(integration.id, "failed", len(chunk))
                    tally.note(integration.id, error.args[0])
                    break
                integration._bureau_connection_restored()
                changed = chunk._bureau_apply_statuses(statuses)
                tally.add(integration.id, "status_changes", len(changed))
                if self._bureau_commit(len(chunk)) <= 0:
                    return tally
        return tally
