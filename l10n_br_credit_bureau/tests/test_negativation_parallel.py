"""Sending inclusions and removals several at a time, each provider call in a thread with a
cursor of its own (``credit.bureau.integration._bureau_parallel``).

Under a test the registry hands out test cursors that share the test's transaction and a
lock: the threads run one after the other here, so these tests prove the threaded path's
outcomes (each call in its own thread and cursor, results written by the caller, a crash
confined to its record), not its speed; the benchmarks measure that
(``tests/benchmarks/run --only mass``).
"""

import queue
import threading
import time
from unittest.mock import patch

from odoo import modules
from odoo.tests import tagged
from odoo.tests.common import release_test_lock
from odoo.tools import mute_logger

from ..models.credit_bureau_dispatch import CallLane
from ..models.credit_bureau_integration import MAX_CONSECUTIVE_TIMEOUTS
from ..models.credit_bureau_negativation_send import _Lane
from ..tools import CreditBureauError
from .test_negativation import NegativationCommon


class ThreadsCommon(NegativationCommon):
    """Provider calls in worker threads, as in a scheduled action, two at a time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Integration = type(cls.env["credit.bureau.integration"])
        cls.Negativation = cls.env["credit.bureau.negativation"]
        cls.integration.send_concurrency = 2

    def setUp(self):
        super().setUp()
        self.registry_enter_test_mode()
        self.startPatcher(
            patch.object(self.Integration, "_bureau_threads_allowed", return_value=True)
        )


@tagged("post_install", "-at_install")
class TestParallelSending(ThreadsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.debtors = [
            cls._debtor(f"Devedor {index}", vat)
            for index, vat in enumerate(
                ("390.533.447-05", "111.444.777-35", "123.456.789-09", "935.411.347-80")
            )
        ]

    def setUp(self):
        super().setUp()
        self.calls = []

    def _queue(self):
        moves = self.env["account.move"]
        for debtor in self.debtors:
            moves |= self._invoice(partner=debtor)
        negativations = self._negativate(moves)
        self.assertEqual(len(negativations), 4)
        self.assertEqual(set(negativations.mapped("state")), {"sending"})
        return negativations

    def _spy(self, operation, fail_document=None):
        """Wrap the provider's ``operation`` to note the thread and cursor of each call."""
        original = getattr(self.Integration, operation)
        main_cursor = self.env.cr

        def spy(integration, *args):
            self.calls.append(
                (threading.current_thread().name, integration.env.cr is not main_cursor)
            )
            if fail_document and args[0].get("document") == fail_document:
                raise RuntimeError("provider library crashed")
            return original(integration, *args)

        return patch.object(self.Integration, operation, spy)

    def test_inclusions_in_threads_with_their_own_cursors(self):
        negativations = self._queue()
        crashing = self.debtors[2]
        with (
            self._spy("_bureau_include", fail_document="12345678909"),
            mute_logger("odoo.addons.l10n_br_credit_bureau.models.credit_bureau_negativation_send"),
            release_test_lock(),
        ):
            self.Negativation._cron_send()
        self.assertEqual(len(self.calls), 4)
        for thread_name, own_cursor in self.calls:
            self.assertTrue(thread_name.startswith("credit_bureau"), thread_name)
            self.assertTrue(own_cursor)
        failed = negativations.filtered(lambda n: n.partner_id == crashing)
        sent = negativations - failed
        self.assertEqual(set(sent.mapped("state")), {"pending"})
        self.assertTrue(all(n.reference.startswith("SIM-") for n in sent))
        self.assertFalse(any(sent.mapped("outcome_unknown")))
        # The crash is the crashing record's alone; its outcome stays unknown, so the retry
        # asks the provider before sending again.
        self.assertEqual(failed.state, "error")
        self.assertTrue(failed.outcome_unknown)
        self.assertTrue(failed.next_retry)
        self.assertEqual(negativations.mapped("attempts"), [1, 1, 1, 1])
        # The retry looks the inclusion up first (the simulator finds nothing) and sends.
        failed.action_send_now()
        with self._spy("_bureau_find_inclusion"), release_test_lock():
            self.Negativation._cron_send()
        self.assertEqual(failed.state, "pending")
        self.assertEqual(failed.attempts, 2)
        self.assertEqual(len(self.calls), 5)  # 4 inclusions, then 1 lookup

    def test_timeouts_in_threads_are_asked_for_first(self):
        negativations = self._queue()
        self.integration.dummy_fail = "timeout_after_commit"
        with release_test_lock():
            self.Negativation._cron_send()
        timed_out = negativations.filtered(lambda n: n.state == "error")
        self.assertIn(len(timed_out), (MAX_CONSECUTIVE_TIMEOUTS, MAX_CONSECUTIVE_TIMEOUTS + 1))
        self.assertTrue(all(timed_out.mapped("outcome_unknown")))
        waiting = negativations - timed_out
        self.assertEqual(set(waiting.mapped("state")), {"sending"})
        # Three timeouts in a row: the jobs leave the provider alone for a while.
        self.assertTrue(self.integration.dispatch_paused_until)
        self.integration.sudo().dispatch_paused_until = False  # the pause is over
        # The provider had recorded them: the retry adopts them, nothing is sent twice (the
        # record never sent is sent, for the first time).
        timed_out.action_send_now()
        with self._spy("_bureau_include"), release_test_lock():
            self.Negativation._cron_send()
        self.assertEqual(len(self.calls), len(waiting))
        self.assertEqual(set(timed_out.mapped("state")), {"pending"})
        self.assertFalse(any(timed_out.mapped("outcome_unknown")))

    def test_removals_in_threads(self):
        negativations = self._queue()
        with release_test_lock():
            self.Negativation._cron_send()
        for move in negativations.move_id:
            self._pay(move)
        failing_reference = negativations[0].reference
        original = self.Integration._bureau_remove

        def remove(integration, reference, code, removal_date):
            self.calls.append(threading.current_thread().name)
            if reference == failing_reference:
                raise CreditBureauError("Fora do ar", retryable=True)
            return original(integration, reference, code, removal_date)

        with patch.object(self.Integration, "_bureau_remove", remove), release_test_lock():
            self.Negativation._cron_remove()
        self.assertEqual(len(self.calls), 4)
        self.assertTrue(all(name.startswith("credit_bureau") for name in self.calls))
        self.assertEqual(negativations[0].state, "removal_requested")
        self.assertEqual(negativations[0].message, "Fora do ar")
        self.assertTrue(negativations[0].activity_ids)
        self.assertEqual(set(negativations[1:].mapped("state")), {"removed"})

    def test_one_at_a_time_in_one_thread(self):
        # One call at a time still runs in a worker thread: the job writes the outcomes and
        # prepares the next records while the provider answers.
        self.integration.send_concurrency = 1
        negativations = self._queue()
        with self._spy("_bureau_include"), release_test_lock():
            self.Negativation._cron_send()
        self.assertEqual(set(negativations.mapped("state")), {"pending"})
        self.assertEqual(
            {name for name, _own in self.calls}, {f"credit_bureau_{self.integration.id}_0"}
        )
        self.assertEqual(len(self.calls), 4)
        self.assertTrue(all(own for _name, own in self.calls))

    def test_without_a_scheduled_action_in_the_callers_thread(self):
        self.Integration._bureau_threads_allowed.return_value = False
        negativations = self._queue()
        with self._spy("_bureau_include"):
            self.Negativation._cron_send()
        self.assertEqual(set(negativations.mapped("state")), {"pending"})
        self.assertEqual({name for name, _own in self.calls}, {threading.current_thread().name})
        self.assertFalse(any(own for _name, own in self.calls))

    def test_the_calls_of_a_last_round_not_filled_start_first(self):
        # Four records at three calls at a time: the last round makes one call. The thread
        # that makes it starts first (a group of one), then the rest of the first round
        # (two), then the rest.
        self.integration.send_concurrency = 3
        negativations = self._queue()
        sizes = []
        original = type(self.Negativation)._bureau_include_prepare

        def prepare(records):
            sizes.append(len(records))
            return original(records)

        with (
            patch.object(type(self.Negativation), "_bureau_include_prepare", prepare),
            release_test_lock(),
        ):
            self.Negativation._cron_send()
        self.assertEqual(sizes, [1, 2, 1])
        self.assertEqual(set(negativations.mapped("state")), {"pending"})
        # A multiple of the calls at a time: a full round first.
        self.integration.send_concurrency = 2
        lane = _Lane(self.integration, negativations, queue.SimpleQueue())
        lane.calls.close()
        self.assertEqual(lane.first_groups, [2])

    def test_the_last_outcomes_wait_for_an_answer_due_before_their_write_is_over(self):
        negativations = self._queue()
        lane = _Lane(self.integration, negativations, queue.SimpleQueue())
        try:
            lane.todo = []
            lane.done = [(negativations[0].id, ("sent", {}), None)]
            lane.calls.queued = 2
            lane.call_seconds, lane.write_seconds = 0.2, 0.05
            # Fewer back than still out: they wait for half of them at least.
            lane.calls.started = {"a": time.monotonic()}
            self.assertFalse(lane.ready_to_record())
            # As many: the oldest call out started just now, the outcomes are written while
            # it runs.
            lane.done.append((negativations[1].id, ("sent", {}), None))
            self.assertTrue(lane.ready_to_record())
            # It started 0.18 s ago: its answer comes before the write would be over.
            lane.calls.started = {"a": time.monotonic() - 0.18}
            self.assertFalse(lane.ready_to_record())
            # Records still to prepare: outcomes go by groups.
            lane.todo = negativations[2:].ids
            lane.calls.started = {"a": time.monotonic()}
            self.assertFalse(lane.ready_to_record())
            # No call out: everything is written.
            lane.calls.queued = 0
            self.assertTrue(lane.ready_to_record())
        finally:
            lane.calls.queued = 0
            lane.calls.close()

    def _stops_after_timeouts_in_a_row(self, concurrency):
        self.integration.send_concurrency = concurrency
        moves = self.env["account.move"]
        for index in range(12):
            moves |= self._invoice(partner=self.debtors[index % 4])
        negativations = self._negativate(moves)
        self.assertEqual(len(negativations), 12)
        self.integration.dummy_fail = "timeout"
        with self._spy("_bureau_include"), release_test_lock():
            self.Negativation._cron_send()
        # The threads stopped calling the provider after three timeouts in a row (at most a
        # call per other thread already in flight): the others were not made, their records
        # wait for the end of the pause untouched.
        timed_out = negativations.filtered(lambda n: n.state == "error")
        self.assertEqual(len(self.calls), len(timed_out))
        self.assertTrue(all(timed_out.mapped("outcome_unknown")))
        waiting = negativations - timed_out
        self.assertEqual(set(waiting.mapped("state")), {"sending"})
        self.assertFalse(any(waiting.mapped("outcome_unknown")))
        self.assertEqual(set(waiting.mapped("attempts")), {0})
        self.assertTrue(self.integration.dispatch_paused_until)
        return timed_out

    def test_one_thread_stops_after_timeouts_in_a_row(self):
        timed_out = self._stops_after_timeouts_in_a_row(1)
        self.assertEqual(len(timed_out), MAX_CONSECUTIVE_TIMEOUTS)

    def test_threads_stop_after_timeouts_in_a_row(self):
        timed_out = self._stops_after_timeouts_in_a_row(3)
        self.assertGreaterEqual(len(timed_out), MAX_CONSECUTIVE_TIMEOUTS)
        self.assertLessEqual(len(timed_out), MAX_CONSECUTIVE_TIMEOUTS + 2)


class _AheadLane:
    """A ``CallLane`` that makes its calls at once in the test's thread (its cursor) but
    lets the job work as with worker threads of their own (neither inline nor lockstep),
    noting each call asked in ``events``."""

    inline = lockstep = False
    size = 2

    def __init__(self, integration, results, events):
        self.integration, self.results, self.events = integration, results, events
        self.queued = 0

    def submit(self, items, *_args):
        for key, call in items:
            self.queued += 1
            self.events.append(("ask", key))
            self.results.put((self, key, *self.integration._bureau_call(call), 0.0))

    def take_back(self):
        return []

    def close(self):
        self.events.append(("close",))


@tagged("post_install", "-at_install")
class TestParallelStatusPoll(ThreadsCommon):
    """The status poll's calls in the integration's ``CallLane``, one chunk of references
    each (``_bureau_poll_integration``)."""

    def setUp(self):
        super().setUp()
        self.pending = self.Negativation.browse()
        for amount in (110, 120, 130, 140):
            self.pending |= self._pending(self._invoice(amount=amount))
        self.calls = []
        original = self.Integration._bureau_fetch_status
        main_cursor = self.env.cr
        test = self

        def fetch(integration, references):
            test.calls.append(
                (threading.current_thread().name, integration.env.cr is not main_cursor)
            )
            if integration.env.context.get("fail_reference") in references:
                raise integration.env.context["fail_with"]
            return original(integration, references)

        self.startPatcher(patch.object(self.Integration, "_bureau_fetch_status", fetch))

    def _poll(self, **context):
        with release_test_lock():
            return self.Negativation.with_context(**context)._cron_poll_status(batch_size=1)

    def test_status_calls_in_threads_with_their_own_cursors(self):
        tally = self._poll()
        self.assertEqual(set(self.pending.mapped("state")), {"active"})
        self.assertEqual(tally.counts[self.integration.id]["status_changes"], 4)
        self.assertEqual(len(self.calls), 4)
        for thread_name, own_cursor in self.calls:
            self.assertTrue(thread_name.startswith("credit_bureau"), thread_name)
            self.assertTrue(own_cursor)

    @mute_logger("odoo.addons.l10n_br_credit_bureau.models.credit_bureau_negativation_status")
    def test_a_failed_status_call_stops_the_poll_of_its_integration(self):
        tally = self._poll(
            fail_reference=self.pending[1].reference,
            fail_with=CreditBureauError("Fora do ar", retryable=True),
        )
        # Under a test one call at a time: the first applied, the second failed, the
        # others asked at the next run.
        self.assertEqual(self.pending.mapped("state"), ["active", "pending", "pending", "pending"])
        self.assertEqual(len(self.calls), 2)
        counts = tally.counts[self.integration.id]
        self.assertEqual((counts["status_changes"], counts["failed"]), (1, 1))
        self.assertIn("Fora do ar", tally.notes[self.integration.id][0])
        self._poll()
        self.assertEqual(set(self.pending.mapped("state")), {"active"})

    def test_a_crash_of_a_status_call_is_raised(self):
        with self.assertRaisesRegex(RuntimeError, "provider library crashed"):
            self._poll(
                fail_reference=self.pending[2].reference,
                fail_with=RuntimeError("provider library crashed"),
            )
        self.assertEqual(self.pending.mapped("state"), ["active", "active", "pending", "pending"])

    def test_once_the_time_is_up_no_status_call_more(self):
        with patch.object(type(self.Negativation), "_bureau_commit", return_value=0):
            self._poll()
        self.assertEqual(self.pending.mapped("state"), ["active", "pending", "pending", "pending"])
        self.assertEqual(len(self.calls), 1)

    def _poll_ahead(self, **context):
        """``_poll`` with an ``_AheadLane``: the calls asked and the answers applied."""
        events = []
        original = type(self.Negativation)._bureau_apply_statuses

        def apply(records, statuses):
            events.append(("apply", records.id))
            return original(records, statuses)

        with (
            patch.object(
                self.Integration,
                "_bureau_lane",
                lambda integration, results: _AheadLane(integration, results, events),
            ),
            patch.object(type(self.Negativation), "_bureau_apply_statuses", apply),
        ):
            tally = self._poll(**context)
        return events, tally

    def test_the_next_chunks_are_asked_while_an_answer_is_applied(self):
        events, _tally = self._poll_ahead()
        first, second, third, fourth = self.pending.ids
        # Two calls out at most (the lane's size); the next one asked as soon as an answer
        # is taken, before it is applied.
        self.assertEqual(
            events,
            [
                ("ask", 0),
                ("ask", 1),
                ("ask", 2),
                ("apply", first),
                ("ask", 3),
                ("apply", second),
                ("apply", third),
                ("apply", fourth),
                ("close",),
            ],
        )
        self.assertEqual(set(self.pending.mapped("state")), {"active"})

    @mute_logger("odoo.addons.l10n_br_credit_bureau.models.credit_bureau_negativation_status")
    def test_no_chunk_is_asked_after_a_failed_call(self):
        events, tally = self._poll_ahead(
            fail_reference=self.pending[1].reference,
            fail_with=CreditBureauError("Fora do ar", retryable=True),
        )
        first, _second, third, _fourth = self.pending.ids
        # The third was asked while the first was applied; the failed second stops the
        # poll: the fourth is not asked, the third's answer is still applied.
        self.assertEqual(
            events,
            [("ask", 0), ("ask", 1), ("ask", 2), ("apply", first), ("apply", third), ("close",)],
        )
        self.assertEqual(self.pending.mapped("state"), ["active", "pending", "active", "pending"])
        self.assertEqual(tally.counts[self.integration.id]["failed"], 1)


class _Cursor:
    """A cursor of ``TestWorkerThreadCursor``'s registry: counts its commits."""

    def __init__(self, fail_commit):
        self.fail_commit = fail_commit
        self.commits = 0
        self.closed = False

    def commit(self):
        self.commits += 1
        if self.commits == self.fail_commit:
            raise OSError("connection lost")

    def close(self):
        self.closed = True


@tagged("post_install", "-at_install")
class TestWorkerThreadCursor(NegativationCommon):
    """Outside Odoo's tests a worker thread of a ``CallLane`` keeps one cursor from one call
    to the next (under a test each call has its own test cursor, which holds the test's
    transaction while open): driven here with a registry whose cursors count what is done
    with them, so that the threads' own path runs as in a scheduled action."""

    def _lane(self, concurrency, fail_commit=None):
        self.integration.send_concurrency = concurrency
        self.opened = []
        test = self

        class Registry:
            def cursor(self):
                cursor = _Cursor(fail_commit if not test.opened else None)
                test.opened.append(cursor)
                return cursor

        self.made = []

        def call(lane, cr, call):
            self.made.append(cr)
            return call(lane.integration), None

        self.startPatcher(
            patch.object(type(self.integration), "_bureau_threads_allowed", return_value=True)
        )
        self.startPatcher(patch.object(CallLane, "_call", call))
        registry = Registry()
        self.startPatcher(
            patch.object(type(self.env.registry), "cursor", lambda _registry: registry.cursor())
        )
        results = queue.SimpleQueue()
        with patch.object(modules.module, "current_test", None):  # as in a scheduled action
            lane = self.integration._bureau_lane(results)
        self.assertFalse(lane.lockstep)
        return lane, results

    def _wait_for(self, condition):
        deadline = time.monotonic() + 30
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.01)
        return condition()

    def _outcomes(self, lane, results, count):
        lane.submit([(index, lambda integration, index=index: index) for index in range(count)])
        outcomes = {}
        for _index in range(count):
            _lane, key, value, error, _seconds = results.get(timeout=30)
            outcomes[key] = (value, error)
        lane.close()
        return outcomes

    def test_one_cursor_per_thread_committed_after_each_call(self):
        lane, results = self._lane(2)
        # Each thread opens its cursor as it starts, before any call is made.
        self.assertTrue(self._wait_for(lambda: len(self.opened) == 2))
        self.assertEqual(self.made, [])
        outcomes = self._outcomes(lane, results, 6)
        self.assertEqual(outcomes, {index: (index, None) for index in range(6)})
        self.assertEqual(len(self.opened), 2)
        self.assertEqual(sum(cursor.commits for cursor in self.opened), 6)
        # (A thread may make no call: the other one was free first each time.)
        self.assertLessEqual({id(cursor) for cursor in self.made}, {id(c) for c in self.opened})
        self.assertTrue(all(cursor.closed for cursor in self.opened))

    def test_a_cursor_that_fails_is_replaced(self):
        # The second call's commit fails: its outcome is unknown (handed back as an
        # error), its cursor closed; the next call opens another one.
        lane, results = self._lane(1, fail_commit=2)
        outcomes = self._outcomes(lane, results, 4)
        self.assertEqual(
            [outcomes[index] for index in (0, 2, 3)], [(0, None), (2, None), (3, None)]
        )
        self.assertIsNone(outcomes[1][0])
        self.assertIsInstance(outcomes[1][1], OSError)
        self.assertEqual(len(self.opened), 2)
        self.assertEqual([cursor.commits for cursor in self.opened], [2, 2])
        self.assertEqual(self.made, [self.opened[0]] * 2 + [self.opened[1]] * 2)
        self.assertTrue(all(cursor.closed for cursor in self.opened))
