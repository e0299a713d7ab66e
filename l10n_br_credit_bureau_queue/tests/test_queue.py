"""The flows as jobs: what is enqueued (``trap_jobs``, and the jobs stored in the database),
what a job does when run (its method called directly: under a test, queue_job's own runner
would open a cursor that cannot see the test's data; ``test_job_runner`` runs the real one),
and the scheduled actions again once the queue is off."""

import threading
from contextlib import closing, contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.modules import module as odoo_module
from odoo.tests import tagged
from odoo.tests.common import release_test_lock
from odoo.tools import SQL

from odoo.addons.l10n_br_credit_bureau.const import MAX_SEND_ATTEMPTS
from odoo.addons.l10n_br_credit_bureau.tests.test_negativation import NegativationCommon
from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact
from odoo.addons.queue_job.tests.common import trap_jobs

from ..const import (
    JOB_CONTEXT,
    LOCK_RECORD,
    LOCK_SLOT,
    PARAM_ENABLED,
    PARAM_JOB_SIZE,
    SLOTS_PER_INTEGRATION,
)
from ..hooks import uninstall_hook

CPFS = ("390.533.447-05", "111.444.777-35", "123.456.789-09", "935.411.347-80")


@tagged("post_install", "-at_install")
class TestQueue(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Integration = type(cls.env["credit.bureau.integration"])
        cls.Negativation = cls.env["credit.bureau.negativation"]
        cls.debtors = [cls._debtor(f"Devedor {index}", vat) for index, vat in enumerate(CPFS)]
        cls.env["ir.config_parameter"].sudo().set_param(PARAM_JOB_SIZE, "2")
        # One request at a time: groups of job_size whatever the number of records (see
        # test_a_few_records_are_spread_over_the_slots).
        cls.integration.send_concurrency = 1

    def setUp(self):
        super().setUp()
        self.calls = []
        for operation in ("_bureau_include", "_bureau_find_inclusion", "_bureau_remove"):
            self.startPatcher(patch.object(self.Integration, operation, self._spy(operation)))

    def _spy(self, operation):
        original = getattr(self.Integration, operation)
        calls = self.calls

        def spy(integration, *args):
            calls.append((operation, args[0]["contract"] if isinstance(args[0], dict) else args[0]))
            return original(integration, *args)

        return spy

    def _queue(self, count=5):
        moves = self.env["account.move"]
        for index in range(count):
            moves |= self._invoice(partner=(self.debtor, *self.debtors)[index % 5])
        negativations = self._negativate(moves)
        self.assertEqual(len(negativations), count)
        self.assertEqual(set(negativations.mapped("state")), {"sending"})
        return negativations.sorted("id")

    def _retried(self, function):
        """The ``RetryableJobError`` that ``function`` raises, what it wrote kept (as the job
        commits before raising; ``assertRaises`` would roll it back)."""
        try:
            function()
        except RetryableJobError as error:
            return error
        self.fail("no RetryableJobError")

    @staticmethod
    def _trapped(trap, method):
        """The jobs of ``method`` (a name) that ``trap`` caught."""
        return [job for job in trap.enqueued_jobs if job.method_name == method]

    def _jobs(self, method):
        return (
            self.env["queue.job"]
            .sudo()
            .search([("method_name", "=", method), ("state", "=", "pending")], order="id")
        )

    @staticmethod
    def _run(job):
        """What queue_job runs for a stored or trapped job: its method on its records."""
        return getattr(job.records if hasattr(job, "records") else job.recordset, job.method_name)()

    @contextmanager
    def _other_connection(self):
        """A connection of its own, like another Odoo process's (advisory locks are held by
        connections), its locks released before it goes back to the pool."""
        with closing(self.registry.cursor()) as cr:
            try:
                yield cr
            finally:
                cr.execute("SELECT pg_advisory_unlock_all()")

    # ------------------------------------------------------------------ enqueuing
    def test_sending_job_hands_groups_to_jobs_on_the_integration_channel(self):
        negativations = self._queue(5)
        with trap_jobs() as trap:
            self.Negativation._cron_send()
            self.assertEqual(len(self._trapped(trap, "_bureau_job_include")), 3)
            for group in (negativations[:2], negativations[2:4], negativations[4:]):
                trap.assert_enqueued_job(
                    group.sudo()._bureau_job_include,
                    properties={
                        "channel": f"root.credit_bureau.integration_{self.integration.id}",
                        "identity_key": identity_exact,
                        "max_retries": 0,
                    },
                )
            # The same work enqueued twice: one job each (identity_key).
            self.Negativation._cron_send()
            trap.assert_jobs_count(3)
        self.assertFalse(self.calls, "nothing is sent by the sending job itself")
        self.assertEqual(set(negativations.mapped("state")), {"sending"})
        self.assertEqual(
            self.integration.queue_channel,
            f"root.credit_bureau.integration_{self.integration.id}",
        )
        channel = (
            self.env["queue.job.channel"]
            .sudo()
            .search([("complete_name", "=", self.integration.queue_channel)])
        )
        self.assertEqual(channel.parent_id.complete_name, "root.credit_bureau")

    def test_records_already_in_a_job_are_not_enqueued_again(self):
        negativations = self._queue(3)
        self.Negativation._cron_send()
        jobs = self._jobs("_bureau_job_include")
        self.assertEqual([len(job.records) for job in jobs], [2, 1])
        self.assertEqual(set(self.Negativation._bureau_queued_ids()), set(negativations.ids))
        # Another record queued since: only it goes to a new job.
        later = self._queue(1)
        self.Negativation._cron_send()
        jobs = self._jobs("_bureau_job_include")
        self.assertEqual(len(jobs), 3)
        self.assertEqual(jobs[-1].records, later.sudo())
        # The same group enqueued by hand while its job waits: still one job.
        later.sudo().with_delay(identity_key=identity_exact)._bureau_job_include()
        self.assertEqual(len(self._jobs("_bureau_job_include")), 3)

    def test_a_few_records_are_spread_over_the_slots(self):
        # Fewer records than job_size x Simultaneous requests: as many jobs as requests at
        # once (each job calls one at a time), not one or two jobs of job_size.
        self.env["ir.config_parameter"].sudo().set_param(PARAM_JOB_SIZE, "4")
        self.integration.send_concurrency = 3
        negativations = self._queue(7)
        self.Negativation._cron_send()
        jobs = self._jobs("_bureau_job_include")
        self.assertEqual([len(job.records) for job in jobs], [3, 2, 2])
        self.assertEqual(sorted(i for job in jobs for i in job.records.ids), negativations.ids)
        # Many records: jobs of job_size or one less, as many as a multiple of the slots
        # (100 records: 25 jobs of 4 would leave two slots idle for the last one).
        sizes = [
            len(group)
            for group in self.Negativation._bureau_queue_groups(
                self.integration, negativations.browse(range(1, 101))
            )
        ]
        self.assertEqual((len(sizes), sum(sizes), max(sizes), min(sizes)), (27, 100, 4, 3))
        groups = self.Negativation._bureau_queue_groups(self.integration, negativations[:2])
        self.assertEqual(groups, [negativations[0], negativations[1]])

    # ------------------------------------------------------------------ running the jobs
    def test_jobs_send_their_groups_once(self):
        negativations = self._queue(5)
        with trap_jobs() as trap:
            self.Negativation._cron_send()
            for job in trap.enqueued_jobs:
                self._run(job)
        self.assertEqual(set(negativations.mapped("state")), {"pending"})
        self.assertTrue(all(negativations.mapped("reference")))
        includes = [contract for operation, contract in self.calls if operation.endswith("include")]
        self.assertEqual(sorted(includes), sorted(negativations.mapped("contract_number")))
        self.assertEqual(negativations.batch_id.state, "done")
        # Run again (queue_job re-runs a job whose worker died after its work): nothing is
        # sent twice.
        self._run(trap.enqueued_jobs[0])
        self.assertEqual(len([c for c in self.calls if c[0] == "_bureau_include"]), 5)

    def test_a_job_calls_in_one_worker_thread(self):
        # Outside a test a job's calls run in one worker thread of its own (the job writes
        # the outcomes and marks the next records while the provider answers), one call at
        # a time whatever the integration's Simultaneous requests: those are the jobs'
        # slots. Under a test the registry in test mode lets the threads share the test's
        # transaction.
        self.integration.send_concurrency = 4
        negativations = self._queue(4)
        in_job = self.integration.with_context(**{JOB_CONTEXT: True})
        self.assertEqual(in_job._bureau_lane_size(), 1)
        self.assertEqual(self.integration._bureau_lane_size(), 4)
        with patch.object(odoo_module, "current_test", None):
            self.assertTrue(in_job._bureau_threads_allowed())
        self.assertFalse(in_job._bureau_threads_allowed())  # under a test
        self.registry_enter_test_mode()
        threads = []
        original = self.Integration._bureau_include

        def include(integration, debt):
            threads.append((threading.current_thread().name, integration.env.cr is not main))
            return original(integration, debt)

        main = self.env.cr
        with (
            patch.object(self.Integration, "_bureau_threads_allowed", return_value=True),
            patch.object(self.Integration, "_bureau_include", include),
            release_test_lock(),
        ):
            # One job of the four records (the sending job would spread them over the four
            # slots: see test_a_few_records_are_spread_over_the_slots).
            negativations.sudo()._bureau_job_include()
        self.assertEqual(set(negativations.mapped("state")), {"pending"})
        self.assertEqual(len(threads), 4)
        thread = f"credit_bureau_{self.integration.id}_0"
        self.assertEqual({name for name, _own in threads}, {thread})
        self.assertTrue(all(own for _name, own in threads))

    def test_a_job_killed_in_the_middle_asks_before_sending_again(self):
        """The worker died after the commit that marks "outcome unknown", before the
        provider's answer: queue_job runs the job again, which looks the records up."""
        reached, lost = self._queue(2)
        (reached | lost).sudo().write({"outcome_unknown": True, "attempts": 1})

        def find(integration, debt):
            self.calls.append(("_bureau_find_inclusion", debt["contract"]))
            if debt["contract"] == reached.contract_number:
                return {"reference": "SIM-REACHED", "state": "pending", "message": "ok"}
            return None

        with patch.object(self.Integration, "_bureau_find_inclusion", find):
            (reached | lost).sudo()._bureau_job_include()
        self.assertEqual(
            sorted(self.calls),
            sorted(
                [
                    ("_bureau_find_inclusion", reached.contract_number),
                    ("_bureau_find_inclusion", lost.contract_number),
                    ("_bureau_include", lost.contract_number),
                ]
            ),
        )
        self.assertEqual(reached.reference, "SIM-REACHED")
        self.assertEqual((reached | lost).mapped("state"), ["pending", "pending"])

    def test_retryable_provider_errors_retry_the_job_on_todays_backoff(self):
        negativations = self._queue(2)
        self.integration.dummy_fail = "error"
        raised = self._retried(negativations.sudo()._bureau_job_include)
        # The records' own retry date: 15 minutes after the first failure.
        self.assertIn(raised.seconds, range(890, 901))
        self.assertFalse(raised.ignore_retry)
        self.assertEqual(set(negativations.mapped("state")), {"error"})
        self.assertEqual(negativations.mapped("attempts"), [1, 1])
        retry = negativations[0].next_retry
        self.assertEqual(
            set(negativations.mapped("next_retry")), {retry}, "one write for the group"
        )
        # Run again before the retry date: nothing is sent, the job waits again.
        self.calls.clear()
        self._retried(negativations.sudo()._bureau_job_include)
        self.assertFalse(self.calls)
        # Due, the provider back: sent.
        self.integration.dummy_fail = False
        negativations.sudo().write({"next_retry": fields.Datetime.now() - timedelta(seconds=1)})
        result = negativations.sudo()._bureau_job_include()
        self.assertEqual(set(negativations.mapped("state")), {"pending"})
        self.assertEqual(negativations.mapped("attempts"), [2, 2])
        self.assertIn(": 2", result)
        # Attempts exhausted: the job ends, the record waits for a person (the core's alarm).
        last = self._queue(1)
        last.sudo().attempts = MAX_SEND_ATTEMPTS - 1
        self.integration.dummy_fail = "error"
        last.sudo()._bureau_job_include()
        self.assertEqual(last.state, "error")
        self.assertFalse(last.next_retry)
        self.assertTrue(last.activity_ids)

    def test_capacity_follows_simultaneous_requests(self):
        negativations = self._queue(2)
        self.integration.send_concurrency = 2
        base = self.integration.id * SLOTS_PER_INTEGRATION
        with self._other_connection() as cr1, self._other_connection() as cr2:
            # Two jobs of other processes hold both slots.
            for cr, slot in ((cr1, 0), (cr2, 1)):
                cr.execute(SQL("SELECT pg_try_advisory_lock(%s, %s)", LOCK_SLOT, base + slot))
                self.assertTrue(cr.fetchone()[0])
            raised = self._retried(negativations.sudo()._bureau_job_include)
            self.assertTrue(raised.ignore_retry)
            self.assertEqual(raised.seconds, 2)
            self.assertFalse(self.calls)
            self.assertEqual(negativations.mapped("attempts"), [0, 0])
            # Three simultaneous requests: a third job may call.
            self.integration.send_concurrency = 3
            with self.integration._bureau_queue_slot() as slot:
                self.assertEqual(slot, 2)
            self.integration.send_concurrency = 2
            # One of the others ends: this one runs.
            cr1.execute(SQL("SELECT pg_advisory_unlock(%s, %s)", LOCK_SLOT, base))
            negativations.sudo()._bureau_job_include()
        self.assertEqual(set(negativations.mapped("state")), {"pending"})
        # The slot was released with the job: taken again at once.
        with self.integration._bureau_queue_slot() as slot:
            self.assertEqual(slot, 0)

    def test_records_held_by_another_job_are_left_to_it(self):
        held, free = self._queue(2)
        with self._other_connection() as cr:
            cr.execute(SQL("SELECT pg_try_advisory_lock(%s, %s)", LOCK_RECORD, held.id))
            (held | free).sudo()._bureau_job_include()
        self.assertEqual((held.state, free.state), ("sending", "pending"))
        self.assertEqual(
            [c for c in self.calls if c[0] == "_bureau_include"],
            [("_bureau_include", free.contract_number)],
        )

    def test_a_paused_integration_postpones_its_jobs(self):
        negativations = self._queue(1)
        self.integration.sudo().dispatch_paused_until = fields.Datetime.now() + timedelta(
            minutes=10
        )
        raised = self._retried(negativations.sudo()._bureau_job_include)
        self.assertTrue(raised.ignore_retry)
        self.assertIn(raised.seconds, range(590, 601))
        self.assertFalse(self.calls)

    # ------------------------------------------------------------------ the routines
    def test_resend_of_errors_hands_the_due_ones_to_jobs(self):
        negativations = self._queue(2)
        negativations.sudo().write(
            {"state": "error", "attempts": 1, "next_retry": fields.Datetime.now()}
        )
        routine = self.integration.routine_ids.filtered(lambda r: r.routine == "retry")
        with trap_jobs() as trap:
            run = routine._bureau_execute("manual")
            self.assertEqual(len(self._trapped(trap, "_bureau_job_include")), 1)
            self.assertEqual(trap.enqueued_jobs[0].recordset, negativations.sudo())
        self.assertRecordValues(run, [{"queued": 2, "sent": 0, "failed": 0}])
        self.assertEqual(set(negativations.mapped("state")), {"sending"})

    def test_removals_go_to_jobs_and_log_what_they_did(self):
        negativations = self._queue(2)
        negativations.sudo()._bureau_job_include()
        for negativation in negativations:
            self._pay(negativation.move_id)
        self.calls.clear()
        with trap_jobs() as trap:
            self.Negativation._cron_remove()
            self.assertEqual(len(self._trapped(trap, "_bureau_job_remove")), 1)
        self.assertEqual(set(negativations.mapped("state")), {"removal_requested"})
        self.assertFalse(self.calls)
        event = self.env["credit.bureau.routine.run"].search(
            [("integration_id", "=", self.integration.id), ("trigger", "=", "event")]
        )
        self.assertRecordValues(event, [{"routine": "removal", "queued": 2, "removed": 0}])
        # Stored this time: handed over, the records are not due for the removal job any
        # more (it would count them as left, and call itself again).
        self.Negativation._cron_remove()
        self.assertFalse(
            self.Negativation.search(self.Negativation._bureau_removals_due_domain())
            & negativations
        )
        job = self._jobs("_bureau_job_remove")
        self.assertEqual(job.records, negativations.sudo())
        self._run(job)
        self.assertEqual(set(negativations.mapped("state")), {"removed"})
        self.assertEqual(len([c for c in self.calls if c[0] == "_bureau_remove"]), 2)
        run = self.env["credit.bureau.routine.run"].search(
            [("integration_id", "=", self.integration.id), ("trigger", "=", "job")]
        )
        self.assertRecordValues(run, [{"routine": "removal", "removed": 2}])

    def test_a_failed_removal_retries_the_job(self):
        negativations = self._queue(1)
        negativations.sudo()._bureau_job_include()
        negativations.sudo()._bureau_request_removal("01", "Pago")
        self.integration.dummy_fail = "error"
        raised = self._retried(negativations.sudo()._bureau_job_remove)
        self.assertIn(raised.seconds, range(890, 901))
        self.assertEqual(negativations.state, "removal_requested")

    def test_status_poll_is_one_job_per_integration(self):
        negativations = self._queue(3)
        negativations.sudo()._bureau_job_include()
        self.assertEqual(set(negativations.mapped("state")), {"pending"})
        routine = self.integration.routine_ids.filtered(lambda r: r.routine == "status")
        with trap_jobs() as trap:
            run = routine._bureau_execute("manual")
            routine._bureau_execute("manual")
            self.assertEqual(len(self._trapped(trap, "_bureau_job_poll_status")), 1)
            trap.assert_enqueued_job(
                self.integration.sudo()._bureau_job_poll_status,
                properties={"channel": self.integration.queue_channel, "max_retries": 4},
            )
            job = trap.enqueued_jobs[0]
        self.assertRecordValues(run, [{"queued": 3, "status_changes": 0}])
        self.assertEqual(set(negativations.mapped("state")), {"pending"})
        self._run(job)
        self.assertEqual(set(negativations.mapped("state")), {"active"})
        job_run = self.env["credit.bureau.routine.run"].search(
            [("routine_id", "=", routine.id), ("trigger", "=", "job")]
        )
        self.assertRecordValues(job_run, [{"status_changes": 3}])

    def test_a_failed_status_poll_retries_the_job(self):
        negativations = self._queue(1)
        negativations.sudo()._bureau_job_include()
        self.integration.dummy_fail = "error"
        raised = self._retried(self.integration.sudo()._bureau_job_poll_status)
        self.assertIsNone(raised.seconds, "the job function's retry pattern")
        function = self.env.ref(
            "l10n_br_credit_bureau_queue.job_function_integration_poll_status"
        ).sudo()
        self.assertEqual(function._parse_retry_pattern(), {1: 900, 2: 1800, 3: 3600, 4: 7200})
        self.assertTrue(function.allow_commit)

    # ------------------------------------------------------------------ back to the crons
    def test_without_the_queue_the_scheduled_actions_send(self):
        """The queue off (as after uninstalling this addon): records left by jobs in every
        state are sent by the core's scheduled actions, those of unknown outcome asked for
        first."""
        left = self._queue(3)
        _sending, unknown, failed = left
        unknown.sudo().write({"outcome_unknown": True, "attempts": 1})
        failed.sudo().write({"state": "error", "attempts": 1, "next_retry": fields.Datetime.now()})
        self.env["ir.config_parameter"].sudo().set_param(PARAM_ENABLED, "0")
        with trap_jobs() as trap:
            self.Negativation._cron_send()
            self.Negativation._cron_retry_errors()
            trap.assert_jobs_count(0)
        self.assertEqual(set(left.mapped("state")), {"pending"})
        self.assertEqual(
            sorted(self.calls),
            sorted(
                [
                    ("_bureau_find_inclusion", unknown.contract_number),
                    *(("_bureau_include", n.contract_number) for n in left),
                ]
            ),
        )
        self.assertEqual(left._bureau_enqueue_or_run("include"), left)

    def test_uninstall_cancels_the_waiting_jobs_and_wakes_the_crons(self):
        self._queue(3)
        self.Negativation._cron_send()
        jobs = self._jobs("_bureau_job_include")
        self.assertEqual(len(jobs), 2)
        send_cron = self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_send")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", send_cron.id)])
        uninstall_hook(self.env)
        self.assertEqual(set(jobs.mapped("state")), {"cancelled"})
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", send_cron.id)]), triggers
        )

    # ------------------------------------------------------------------ rate limit
    def test_rate_limit_spaces_the_requests_of_every_process(self):
        self.integration.requests_per_minute = 1200  # one request every 50 ms
        starts = [self.integration._bureau_queue_throttle() for _index in range(3)]
        # Each request took the next free start on the database's clock (not elapsed time).
        self.assertAlmostEqual(starts[1] - starts[0], 0.05, places=6)
        self.assertAlmostEqual(starts[2] - starts[1], 0.05, places=6)
        self.integration.requests_per_minute = 0
        self.assertIsNone(self.integration._bureau_queue_throttle())
        # Every request of a provider passes there.
        self.integration.requests_per_minute = 60000
        with (
            patch.object(
                self.Integration, "_bureau_queue_throttle", autospec=True, return_value=None
            ) as throttle,
            self.assertRaises(CreditBureauError),
        ):
            self.integration._bureau_send_request(
                "GET", "http://127.0.0.1:9/", operation="test", timeout=1
            )
        throttle.assert_called_once_with(self.integration)
