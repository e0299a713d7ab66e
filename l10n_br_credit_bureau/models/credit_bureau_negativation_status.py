import logging
import queue
import uuid
from collections import defaultdict
from functools import partial

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import CreditBureauError
from .credit_bureau_negativation import STATES
from .credit_bureau_routine import RoutineTally

_logger = logging.getLogger(__name__)


def _fetch_status(references, integration):
    """A status call of ``_bureau_poll_integration`` (made in a ``CallLane``)."""
    return integration._bureau_fetch_status(references)


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
        ``integrations`` only, when given: the task scheduler's routine of each), the calls
        of each integration made while the job applies the answers already back
        (``_bureau_poll_integration``). Returns a ``RoutineTally``."""
        # The author of the chatter lines, the same for every chunk (_bureau_log_author).
        self = self._bureau_flow_env().with_context(bureau_log_run=uuid.uuid4().hex)
        tally = RoutineTally()
        domain = [("state", "in", ("pending", "sending")), ("reference", "!=", False)]
        if integrations is not None:
            domain.append(("integration_id", "in", integrations.ids))
        waiting = self.search(domain, order="id")
        for integration, negativations in waiting.grouped("integration_id").items():
            if not negativations._bureau_poll_integration(integration, batch_size, tally):
                break  # the cron's time is up
        return tally

    def _bureau_poll_integration(self, integration, batch_size, tally):
        """The status calls of these records of ``integration``, ``batch_size`` references
        each, in the integration's ``CallLane``: in a scheduled action as many at a time as
        its Simultaneous requests, the next ones asked while the job applies an answer
        (``_bureau_apply_statuses``) and commits it; elsewhere one after the other. A call
        that fails stops the integration's poll: the calls not started are withdrawn, the
        answers of those under way still applied, the other records asked at the next run.
        Counts in ``tally``; returns False once the cron's time is up (what was asked is
        still applied)."""
        references = self.mapped("reference")
        chunks = [
            (self[start : start + batch_size], references[start : start + batch_size])
            for start in range(0, len(self), batch_size)
        ]
        results = queue.SimpleQueue()
        lane = integration._bureau_lane(results)
        # Ahead of the job only in worker threads with cursors of their own: a call made in
        # the job's thread, or sharing a test's cursor, is over before the job goes on.
        ahead = not (lane.inline or lane.lockstep)
        window = lane.size if ahead else 1
        todo = list(range(len(chunks)))
        time_left = float("inf")

        def submit():
            while todo and lane.queued < window:
                index = todo.pop(0)
                lane.submit([(index, partial(_fetch_status, chunks[index][1]))])

        try:
            submit()
            while lane.queued:
                _lane, index, statuses, error, _seconds = results.get()
                lane.queued -= 1
                chunk = chunks[index][0]
                if error is not None:
                    if not isinstance(error, CreditBureauError):
                        raise error
                    _logger.warning("Status poll of %s failed: %s", integration.name, error.detail)
                    tally.add(integration.id, "failed", len(chunk))
                    tally.note(integration.id, error.args[0])
                    todo.clear()
                    lane.take_back()
                    continue
                if ahead:  # the next chunk asked before this answer is applied
                    submit()
                integration._bureau_connection_restored()
                changed = chunk._bureau_apply_statuses(statuses)
                tally.add(integration.id, "status_changes", len(changed))
                time_left = self._bureau_commit(len(chunk))
                if time_left <= 0:
                    todo.clear()
                    lane.take_back()
                if not ahead:
                    submit()
        finally:
            lane.close()
        return time_left > 0
