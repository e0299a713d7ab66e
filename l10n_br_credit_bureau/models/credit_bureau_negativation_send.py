import logging
import queue
import time
import uuid
from collections import defaultdict
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
from .credit_bureau_dispatch import HELD
from .credit_bureau_integration import MAX_CONSECUTIVE_TIMEOUTS
from .credit_bureau_routine import RoutineTally

_logger = logging.getLogger(__name__)

# Provider operations of the sending jobs: (method marking a group of records and returning
# their calls, method recording a group's outcomes), see ``_bureau_dispatch``.
DISPATCH = {
    "include": ("_bureau_include_prepare", "_bureau_send_outcomes"),
    "remove": ("_bureau_removal_prepare", "_bureau_removal_outcomes"),
}
# The sending jobs mark (and commit) the records of an integration this many at a time at
# least (four rounds of calls, ``4 × send_concurrency``, when higher), and write their
# outcomes in groups of that size. A new group is prepared while at most one group's calls
# wait for a free thread: an integration has at most three groups marked and not yet
# recorded (``_bureau_dispatch``).
# Each group costs a few queries and two commits (its records, their partners and the
# integration read again after each commit): 32 brings that to about 3 ms per record at 4
# simultaneous requests (16: 3.1 to 3.6 ms, docs/performance.md).
MIN_DISPATCH_GROUP = 32
# Seconds between two progress notifications of the batches being sent (bus).
PROGRESS_NOTIFY_SECONDS = 1.0

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


class _Lane:
    """One integration's records in a run of ``_bureau_dispatch``: those still to prepare,
    the outcomes back from its ``CallLane`` and not written yet, the marks to undo."""

    def __init__(self, integration, records, results):
        self.id = integration.id
        self.integration = integration
        self.records = records
        self.calls = integration._bureau_lane(results)
        self.calls.lane = self
        self.size = max(4 * self.calls.size, MIN_DISPATCH_GROUP)
        self.todo = list(records._ids)
        # The first groups, prepared while no call is made yet: one round of calls. When the
        # records do not fill the last round (N not a multiple of the calls at a time, r
        # over), r threads make one call more than the others: they start first, with a
        # group of r calls, then the others with the rest of the round (they have one
        # call fewer to make up for it). The calls made in the job's own thread, one by
        # one, go by full groups from the first.
        rest = len(self.todo) % self.calls.size
        self.first_groups = [rest, self.calls.size - rest] if rest else [self.calls.size]
        if self.calls.inline:
            self.first_groups = []
        self.done = []
        self.held = []  # the calls a halted CallLane did not make
        self.undo = {}
        # What _bureau_note_calls needs to know, read once: each commit empties the cache.
        self.health = integration._bureau_health()
        self.paused = False
        # How long the last call took, and the last write of outcomes with its commit
        # (seconds): when to write the last outcomes (ready_to_record).
        self.call_seconds = 0.0
        self.write_seconds = 0.0

    def ready_to_record(self):
        """Whether to write the outcomes back so far: a group's worth; once nothing is left
        to prepare, as many as the calls still out, in halves, when the write (and its
        commit, as long as the last ones took) is over before the next answer is due (the
        oldest call still out started a call's time ago, as long as the last call took):
        the last ones are written while the provider answers the others, and what is left
        to write after the last answer is as little as the last calls (the last round's,
        when the records do not fill it); all of them when no call is out or the calls
        halted."""
        if not (self.done or self.held):
            return False
        if self.calls.inline or self.calls.halted or not self.calls.queued:
            return True
        if len(self.done) >= self.size:
            return True
        if self.todo or len(self.done) < self.calls.queued:
            return False
        started = self.calls.first_started()
        if started is None:  # the calls still out wait for a thread
            return self.call_seconds > self.write_seconds
        return started + self.call_seconds - time.monotonic() > self.write_seconds

    def preparing(self):
        """Whether groups of this lane are still to prepare."""
        return bool(self.todo) and not (self.paused or self.calls.halted)

    def _group(self, ids):
        # Each commit empties the cache: reading a group again fetches it alone.
        return self.records.browse(ids).with_prefetch(tuple(ids))

    def prepare(self, prepare):
        """Prepare the next group (``prepare``: a method of ``DISPATCH``): its ``(record id,
        call)`` pairs and how many of its records need no call."""
        size = self.first_groups.pop(0) if self.first_groups else self.size
        ids, self.todo = self.todo[:size], self.todo[size:]
        items, finished = getattr(self._group(ids), prepare)()
        for record_id, _call, undo in items:
            if undo:
                self.undo[record_id] = undo
        return [(record_id, call) for record_id, call, _undo in items], finished

    def record(self, record_outcomes):
        """Write the outcomes back so far (``record_outcomes``: a method of ``DISPATCH``);
        returns their records. Pauses the lane when the provider timed out too often."""
        done, self.done = self.done, []
        group = self._group([key for key, _value, _error in done])
        if done:
            self._record(group, done, record_outcomes)
        if (self.health["paused"] or self.calls.halted) and not self.paused:
            # Its records wait for the end of the pause, untouched: the calls not started
            # are withdrawn, their marks undone.
            self.paused, self.todo = True, []
            self.held += self.calls.take_back()
        if self.held:
            undo = {key: self.undo.pop(key) for key in self.held if key in self.undo}
            self.held = []
            if undo:
                self.records.browse(list(undo))._bureau_write_grouped(undo)
        return group

    def _record(self, group, done, record_outcomes):
        for negativation, (_key, _value, error) in zip(group, done, strict=True):
            if error is not None:
                _logger.error(
                    "Negativation %s: unexpected error (%s): %s",
                    negativation.name,
                    record_outcomes,
                    self.integration._bureau_mask(repr(error)),
                )
            self.undo.pop(negativation.id, None)
        getattr(group, record_outcomes)([(value, error) for _key, value, error in done])
        self.integration._bureau_note_calls(
            [value if error is None else None for _key, value, error in done], self.health
        )


class Outcomes:
    """What a sending job writes for a group of records, in bulk: one ``write`` per distinct
    set of values (the provider's reference, one per record, set apart:
    ``_bureau_set_references``), the chatter lines with ``_bureau_log_each`` (a line per
    record, stored together), the to-dos."""

    def __init__(self, records):
        self.records = records
        self.env = records.env
        self.now = fields.Datetime.now()
        self.today = fields.Date.context_today(records)
        self.values = defaultdict(dict)
        self.references = {}
        # Two passes of chatter lines: a record may get one line in each, in this order.
        self.notes = ({}, {})
        self.alarms = []
        self.cleared = []
        self._masked = {}
        self._labels = {}

    def mask(self, record, text):
        if not text:
            return text
        key = (record.integration_id.id, text)
        if key not in self._masked:
            self._masked[key] = record._bureau_masked(text)
        return self._masked[key]

    def label(self, record):
        integration = record.integration_id
        if integration.id not in self._labels:
            self._labels[integration.id] = integration._provider_label()
        return self._labels[integration.id]

    def put(self, record, **values):
        """Values to write on ``record`` (merged with those put before)."""
        self.values[record.id].update(values)

    def note(self, record, body, first=False):
        self.notes[0 if first else 1][record.id] = body

    def alarm(self, record, note, summary=None):
        self.alarms.append((record, note, summary))

    def error(self, record, message, *, retryable, detail=""):
        """An inclusion failed: retried later (``retryable``, up to ``MAX_SEND_ATTEMPTS``) or
        given to somebody (an alarm)."""
        message = self.mask(record, message)
        values = {"state": "error", "message": message, "next_retry": False}
        if retryable and record.attempts < MAX_SEND_ATTEMPTS:
            minutes = RETRY_BASE_MINUTES * 2 ** max(record.attempts - 1, 0)
            values["next_retry"] = self.now + timedelta(minutes=minutes)
        self.put(record, **values)
        if detail:
            _logger.warning("Negativation %s: %s", record.name, self.mask(record, detail))
        self.note(record, self.env._("Error: %s", message))
        if not values["next_retry"]:
            # No automatic retry left: somebody has to look at it.
            self.alarm(
                record,
                self.env._(
                    "The inclusion of negativation %(name)s failed and will not be retried "
                    "automatically: %(message)s",
                    name=record.name,
                    message=message,
                ),
                summary=self.env._("Negativation not sent"),
            )

    def accepted(self, record, result):
        """The provider holds the inclusion (sent, found or adopted): ``result`` is its
        answer (``_bureau_include``)."""
        state = result.get("state") or "pending"
        reference = result.get("reference") or record.reference
        values = {
            "outcome_unknown": False,
            "expected_visible_date": self.today + timedelta(days=NOTICE_DAYS),
            "message": self.mask(record, result.get("message")) or False,
            "next_retry": False,
        }
        if not record.sent_date:
            values["sent_date"] = self.now
        if reference != record.reference:
            self.references[record.id] = reference
        if state == "error":
            self.put(record, **values)
            self.error(
                record,
                result.get("message") or self.env._("Refused by the provider."),
                retryable=False,
            )
            return
        values["state"] = "active" if state == "active" else "pending"
        if values["state"] == "active":
            values["active_date"] = self.now
        self.put(record, **values)
        if record.attempts > 1:
            # An earlier attempt failed and may have given somebody a to-do: it is done.
            self.cleared.append(record.id)
        self.note(
            record,
            self.env._(
                "Sent to %(provider)s: reference %(reference)s, %(message)s",
                provider=self.label(record),
                reference=reference or "-",
                message=values["message"] or "-",
            ),
        )

    def flush(self):
        records = self.records
        records.browse(list(self.values))._bureau_write_grouped(self.values)
        if self.references:
            records.browse(list(self.references))._bureau_set_references(self.references)
        for bodies in self.notes:
            if bodies:
                records.browse(list(bodies))._bureau_log_each(bodies)
        if self.cleared:
            records.browse(self.cleared)._bureau_unlink_alarms()
        for record, note, summary in self.alarms:
            record._bureau_alarm(note, summary=summary)


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

    def _bureau_commit_only(self):
        """``_bureau_commit`` without reporting progress to the cron (for the commits of a
        sending job between two reports). Returns the time left to the cron (seconds).
        Outside a scheduled action it is ``_bureau_commit`` itself, so that whoever decides
        the commits elsewhere (a job runner) overrides that one method."""
        if not self.env.context.get("ir_cron_progress_id"):
            return self._bureau_commit()
        # What _commit_progress does, without writing the progress record each time.
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return max(self.env.context.get("cron_end_time", float("inf")) - time.monotonic(), 0)

    def _bureau_lock(self, states):
        """Lock the records still in ``states``, skipping those another worker holds; in the
        order given (the removals' deadlines), the locks taken in the order of their ids."""
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
        locked = {row[0] for row in self.env.cr.fetchall()}
        return self.browse([record_id for record_id in self._ids if record_id in locked])

    # ------------------------------------------------------------------ sending
    def _bureau_send(self):
        """Send the inclusions of these records, those still in "sending" (see
        ``_bureau_dispatch``)."""
        self._bureau_lock(["sending"])._bureau_dispatch("include")

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

    def _bureau_dispatch(self, operation):
        """Make these records' provider calls (``operation``: a key of ``DISPATCH``), as many
        at a time as each integration allows (``send_concurrency``), in a bounded pipeline.

        Each integration's records go by groups (``MIN_DISPATCH_GROUP`` or four times
        ``send_concurrency``, the larger; the first one a round of calls): a group is prepared
        (its debts built, its blockers checked again, each record marked "outcome unknown")
        and committed before any of its calls is made, so that a crash from then on means
        "ask the provider first". Its calls go to the integration's ``CallLane``, whose
        threads start them as soon as they are free; the outcomes are written in bulk a
        group at a time and committed. While the provider works, the job writes the previous
        outcomes and prepares the next group, once at most one group's calls wait for a
        thread: the pipeline is bounded (at most three groups of an integration are marked
        and not yet recorded; a crash means that many lookups before sending again).

        The integrations' lanes run side by side; the one with the least provider time in
        this run of the job is served first, and an integration that timed out too often in
        a row (``_bureau_note_calls``) gets no new group: the calls of its groups not started
        yet are withdrawn and their marks undone. Once the cron's time is up, no new group is
        prepared; what was marked is still called and recorded."""
        prepare, record_outcomes = DISPATCH[operation]
        # The author of the chatter lines, the same for every group (_bureau_log_author).
        self = self.with_context(bureau_log_run=uuid.uuid4().hex)
        spent = _run_spent(self.env)
        results = queue.SimpleQueue()
        lanes = []
        # Only the column they are grouped by: each group is read again after its commit.
        self.fetch(["integration_id"])
        try:
            for integration, records in self.grouped("integration_id").items():
                lanes.append(_Lane(integration, records, results))
            self._bureau_pipeline(lanes, results, prepare, record_outcomes, spent)
        finally:
            for lane in lanes:
                lane.calls.close()

    def _bureau_pipeline(self, lanes, results, prepare, record_outcomes, spent):
        """The loop of ``_bureau_dispatch``."""
        time_left, processed = float("inf"), 0
        unnotified, last_notice = self.browse(), time.monotonic()
        while True:
            # What came back, without waiting.
            self._bureau_take_outcomes(results, spent)
            # The outcomes of a full group (or of the last ones; those of calls made in this
            # thread at once: nothing to wait for), in bulk.
            writing = time.monotonic()
            wrote = [lane for lane in lanes if lane.ready_to_record()]
            written = self.browse().union(*(lane.record(record_outcomes) for lane in wrote))
            # The next groups, marked, while the provider works on the current ones.
            ready = []
            if time_left > 0:
                for lane in sorted(lanes, key=lambda la: (spent.get(la.id, 0.0), la.id)):
                    if lane.preparing() and lane.calls.queued <= lane.size:
                        items, finished = lane.prepare(prepare)
                        processed += finished
                        ready.append((lane, items))
            if not (written or ready):
                if not any(lane.calls.queued for lane in lanes):
                    break
                self._bureau_take_outcome(results.get(), spent)
                continue
            processed += len(written)
            unnotified |= written
            if not ready and not any(
                lane.calls.queued or (time_left > 0 and lane.preparing()) for lane in lanes
            ):
                break  # the last outcomes: committed below, with the progress
            now = time.monotonic()
            if now - last_notice >= PROGRESS_NOTIFY_SECONDS:
                # The open batch forms and the cron's progress follow, about once a second:
                # pushed with this commit.
                if unnotified:
                    unnotified.batch_id.sudo()._bureau_notify_progress()
                time_left = self._bureau_commit(processed)
                unnotified, processed, last_notice = self.browse(), 0, now
            else:
                time_left = self._bureau_commit_only()
            for lane in wrote:
                lane.write_seconds = time.monotonic() - writing
            for lane, items in ready:
                lane.calls.submit(items, lane.health["timeouts"], MAX_CONSECUTIVE_TIMEOUTS)
                if not lane.todo:
                    lane.calls.finish()
                while lane.calls.lockstep and lane.calls.queued:
                    self._bureau_take_outcome(results.get(), spent)
        batches = unnotified.batch_id.sudo()
        if self.env.context.get("bureau_close_batches"):
            batches -= self._bureau_close_batches()
        if batches:
            batches._bureau_notify_progress()
        self._bureau_commit(processed)

    @api.model
    def _bureau_close_batches(self):
        """Close the batches with nothing left to send (``_bureau_close_finished``, their
        progress pushed), in the transaction of the last outcomes (one commit for both),
        apart from them: if it fails, the outcomes are still committed and the batches are
        left for the next run. Returns the batches closed."""
        Batch = self.env["credit.bureau.negativation.batch"].sudo()
        try:
            with self.env.cr.savepoint():
                return Batch._bureau_close_finished()
        except Exception:
            _logger.exception(
                "Closing the finished mass negativations failed: left for the next run"
            )
            return Batch

    @api.model
    def _bureau_take_outcomes(self, results, spent):
        """Take the outcomes back so far (``_bureau_take_outcome``), without waiting."""
        while True:
            try:
                self._bureau_take_outcome(results.get_nowait(), spent)
            except queue.Empty:
                return

    @api.model
    def _bureau_take_outcome(self, result, spent):
        calls, key, value, error, seconds = result
        calls.queued -= 1
        lane = calls.lane
        if value is HELD:
            lane.held.append(key)
            return
        lane.done.append((key, value, error))
        lane.call_seconds = seconds
        spent[lane.id] = spent.get(lane.id, 0.0) + seconds / calls.size

    def _bureau_include_prepare(self):
        """Prepare the inclusions of this group: ``(items, finished)``, the ``(record id,
        call, undo)`` of those to send (``_include_call``), each marked possibly sent
        (``undo``: the values that take the mark back), and how many need no call (refused
        now: cancelled, their removal requested or failed, written here)."""
        debts = self._bureau_debts()
        # Every blocker is checked again: the invoice may have changed since it was queued.
        for negativation_id, blockers in self._bureau_recheck().items():
            if not isinstance(debts.get(negativation_id), UserError):
                debts[negativation_id] = Blocked(*blockers)
        outcomes = Outcomes(self)
        removals = defaultdict(lambda: self.browse())
        marks = defaultdict(lambda: self.browse())
        items = []
        limit = fields.Date.context_today(self) - relativedelta(years=5)
        for negativation in self:
            debt = debts.get(negativation.id)
            if isinstance(debt, UserError):
                outcomes.error(negativation, debt.args[0], retryable=False)
                continue
            # Queued (or failed) a while ago: the debt may have been paid or reached five
            # years since. Not sent then: cancelled if it never left, its removal requested
            # if an earlier attempt may have reached the provider.
            reason = None
            if negativation.invoice_paid:
                reason = self.env._("Invoice paid")
            elif negativation.due_date and negativation.due_date <= limit:
                reason = self.env._("Five-year limit reached (CDC art. 43 §1)")
            elif isinstance(debt, Blocked) and debt.debt_blockers:
                reason = "; ".join(debt.debt_blockers)
            if reason:
                removals[reason] |= negativation
                continue
            if isinstance(debt, Blocked):
                # The debt may go, the integration cannot send now (archived, incomplete...):
                # not sent, retried later, the reason on the record.
                outcomes.error(negativation, "; ".join(debt.integration_blockers), retryable=True)
                continue
            # A record whose outcome is unknown (an earlier attempt may have reached the
            # provider) is looked up before anything is sent again.
            undo = {
                "outcome_unknown": negativation.outcome_unknown,
                "attempts": negativation.attempts,
            }
            call = partial(_include_call, debt, negativation.outcome_unknown)
            marks[negativation.attempts + 1] |= negativation
            items.append((negativation.id, call, undo))
        for attempts, negativations in marks.items():
            negativations.write({"outcome_unknown": True, "attempts": attempts})
        for reason, negativations in removals.items():
            negativations._bureau_request_default_removal(reason)
        outcomes.flush()
        return items, len(self) - len(items)

    def _bureau_send_outcomes(self, outcomes):
        """Record what ``_include_call`` brought back for these records (``outcomes``: a
        ``(value, exception)`` per record, in their order), in bulk."""
        writer = Outcomes(self)
        for negativation, (outcome, crash) in zip(self, outcomes, strict=True):
            if crash is not None:
                # The outcome stays unknown: the next attempt asks the provider first.
                writer.error(
                    negativation,
                    self.env._(
                        "Unexpected error while sending; the technical detail is in the server log."
                    ),
                    retryable=True,
                )
                continue
            kind, answer = outcome
            if kind == "lookup_failed":
                writer.error(negativation, answer.args[0], retryable=True, detail=answer.detail)
            elif kind == "failed":
                writer.put(negativation, outcome_unknown=answer.timeout)
                writer.error(
                    negativation, answer.args[0], retryable=answer.retryable, detail=answer.detail
                )
            else:
                if kind == "found":
                    writer.note(
                        negativation,
                        self.env._("The provider already had this inclusion: not sent again."),
                        first=True,
                    )
                elif kind == "adopted":
                    writer.note(
                        negativation,
                        self.env._("The provider already had this debt: its record was adopted."),
                        first=True,
                    )
                writer.accepted(negativation, answer)
        writer.flush()

    def _bureau_write_grouped(self, values):
        """Write ``values`` (``{record id: values}``) with one ``write`` per distinct set of
        values, not one per record."""
        groups = defaultdict(list)
        for record_id, record_values in values.items():
            groups[tuple(sorted(record_values.items()))].append(record_id)
        for key, ids in groups.items():
            self.browse(ids).write(dict(key))

    def _bureau_set_references(self, references):
        """Set each record's provider reference (``{record id: reference}``), different for
        each one, like a computed value (nothing depends on it): no ``write`` per record.
        The change is tracked as a ``write`` would track it (in the record's tracking line
        with its state), and stored with the group's other values."""
        if not (self.env.context.get("tracking_disable") or self.env.context.get("mail_notrack")):
            self._track_prepare(["reference"])
        with self.env.protecting([self._fields["reference"]], self):
            for record in self:
                record.reference = references[record.id]

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
    def _bureau_batch_limit(self, batch_size, concurrency):
        """How many records of an integration one call of a sending job takes: ``batch_size``
        rounds of calls whatever the simultaneous requests, so that starting and ending a
        call's pipeline (its first group prepared and its last outcomes written while no call
        is made, the job's own queries between two calls) stays a small part of the call.
        The pipeline still stops preparing new groups once the cron's time is up."""
        return batch_size * max(1, concurrency)

    @api.model
    def _cron_send(self, batch_size=100):
        """Negativação: send what is queued, up to ``batch_size`` records of each integration
        per call, times its simultaneous requests (``_bureau_batch_limit``; the job
        calls again while records remain). The integrations paused after timeouts
        (``_bureau_pause``) wait for the end of their pause."""
        self = self._bureau_flow_env()
        paused = self.env["credit.bureau.integration"]._bureau_paused_ids()
        domain = [("state", "=", "sending"), ("integration_id", "not in", paused)]
        records = self.browse()
        for (integration,) in self._read_group(domain, ["integration_id"]):
            limit = self._bureau_batch_limit(batch_size, integration.send_concurrency)
            records |= self.search(
                [*domain, ("integration_id", "=", integration.id)], order="id", limit=limit
            )
        # The batches with nothing left to send are closed with the last outcomes (even when
        # there is nothing to send: a batch whose records were all refused).
        records.with_context(bureau_close_batches=True)._bureau_send()
        remaining = self.search_count(domain)
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
