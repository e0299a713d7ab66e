"""The sending and removal jobs at volume, and one provider never holding the others up.

The jobs are run here the way Odoo's cron workers run them (``ir.cron._process_job``, which
calls the job's method again while it reports records remaining, and a worker takes the
job again while it is ready, i.e. when it re-triggered itself): nothing is run by hand a
second time.
"""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.credit_bureau_integration import MAX_CONSECUTIVE_TIMEOUTS
from .test_negativation import NegativationCommon

SEND_JOB = "l10n_br_credit_bureau.ir_cron_negativation_send"
REMOVAL_JOB = "l10n_br_credit_bureau.ir_cron_negativation_removal"


def _columns(cr, table):
    cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND column_name <> 'id' ORDER BY ordinal_position",
            table,
        )
    )
    return [row[0] for row in cr.fetchall()]


class SchedulingCommon(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Negativation = cls.env["credit.bureau.negativation"]
        cls.NegativationClass = type(cls.Negativation)
        cls.IntegrationClass = type(cls.integration)

    def _run_job(self, xmlid):
        """Run a scheduled action as a cron worker does, until it is no longer ready.
        Returns how many times a worker took the job."""
        cron = self.env.ref(xmlid)
        IrCron = self.registry["ir.cron"]
        taken = 0
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            job = IrCron._acquire_one_job(cr, cron.id, include_not_ready=True)
            while job:
                taken += 1
                self.assertLess(taken, 30, "the job keeps re-triggering itself")
                IrCron._process_job(cr, job)
                job = IrCron._acquire_one_job(cr, cron.id)
        self.env.invalidate_all()
        return taken

    def _count_calls(self, model_class, method):
        """Patch ``method`` to note each call (its arguments) and go on."""
        calls = []
        original = getattr(model_class, method)

        def counting(record, *args, **kwargs):
            calls.append((record, args))
            return original(record, *args, **kwargs)

        self.startPatcher(patch.object(model_class, method, counting))
        return calls

    @classmethod
    def _invoices(cls, count, partner=None, company=None):
        """``count`` posted overdue invoices: one made by the ORM, the others copied from it
        with SQL (header and lines, each with its own number): creating a thousand invoices
        through the ORM takes minutes. No tax, one line: every amount is the first one's."""
        first = cls._invoice(amount=99.9, partner=partner, company=company)
        if count == 1:
            return first
        cr = cls.env.cr
        cls.env.flush_all()
        name = SQL("t.name || '/' || n")
        move_values = {"name": name, "payment_reference": name, "access_token": SQL("NULL")}
        columns = _columns(cr, "account_move")
        cr.execute(
            SQL(
                "INSERT INTO account_move (%s) SELECT %s FROM account_move t, "
                "generate_series(1, %s) AS n WHERE t.id = %s ORDER BY n RETURNING id",
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(
                    move_values.get(column, SQL("t.%s", SQL.identifier(column)))
                    for column in columns
                ),
                count - 1,
                first.id,
            )
        )
        ids = sorted(row[0] for row in cr.fetchall())
        line_values = {"move_id": SQL("m.id"), "move_name": SQL("m.name")}
        columns = _columns(cr, "account_move_line")
        cr.execute(
            SQL(
                "INSERT INTO account_move_line (%s) SELECT %s FROM account_move_line t, "
                "account_move m WHERE t.move_id = %s AND m.id = ANY(%s) ORDER BY m.id, t.id",
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(
                    line_values.get(column, SQL("t.%s", SQL.identifier(column)))
                    for column in columns
                ),
                first.id,
                ids,
            )
        )
        cls.env.invalidate_all()
        return first | cls.env["account.move"].browse(ids)

    def _active_negativations(self, moves):
        """Negativations of ``moves`` already active at the simulated provider."""
        Negativation = self.Negativation.sudo()
        now = fields.Datetime.now()
        return Negativation.create(
            [
                dict(
                    Negativation._bureau_prepare(move, self.integration, origin="manual"),
                    state="active",
                    reference=f"SIM-{move.id}",
                    sent_date=now,
                    active_date=now,
                    attempts=1,
                )
                for move in moves
            ]
        )


@tagged("post_install", "-at_install")
class TestRemovalsAtVolume(SchedulingCommon):
    def test_a_thousand_paid_debts_removed_without_a_second_run(self):
        moves = self._invoices(1000)
        self.assertEqual(len(set(moves.mapped("name"))), 1000)
        self.assertEqual(set(moves.mapped("amount_residual")), {99.9})
        negativations = self._active_negativations(moves)
        # One payment settles them all (the same debtor).
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=moves.ids
        ).create({"group_payment": True, "payment_date": self.today})._create_payments()
        self.assertEqual(set(negativations.mapped("invoice_paid")), {True})
        cron_calls = self._count_calls(self.NegativationClass, "_cron_remove")
        removals = self._count_calls(self.IntegrationClass, "_bureau_remove")
        taken = self._run_job(REMOVAL_JOB)
        self.assertEqual(set(negativations.mapped("state")), {"removed"})
        self.assertTrue(all(negativations.mapped("removed_date")))
        self.assertEqual(set(negativations.mapped("removal_code")), {"01"})
        self.assertEqual(len(removals), 1000)  # each removal sent once
        # The job called itself again until nothing was due (batches of 100 rounds of calls:
        # 100 records times the simultaneous requests), then stopped.
        per_call = self.Negativation._bureau_batch_limit(100, self.integration.send_concurrency)
        self.assertLess(per_call, 1000)
        self.assertGreaterEqual(len(cron_calls), -(-1000 // per_call))
        self.assertGreaterEqual(taken, 1)
        self.assertFalse(
            self.Negativation.search_count([("state", "=", "removal_requested")]),
        )

    def test_earliest_deadline_first_then_oldest_request(self):
        moves = self._invoices(4)
        first, second, third, fourth = self._active_negativations(moves)
        for move in moves:
            self._pay(move)
        self.env.flush_all()  # the deadlines of the payments, before setting others
        now = fields.Datetime.now()
        # Removals requested in this order: fourth (no deadline: asked by a user), third
        # (deadline in 3 days), second then first (deadline tomorrow).
        requests = [
            (fourth, False, now - timedelta(hours=4)),
            (third, self.today + timedelta(days=3), now - timedelta(hours=3)),
            (second, self.today + timedelta(days=1), now - timedelta(hours=2)),
            (first, self.today + timedelta(days=1), now - timedelta(hours=1)),
        ]
        for negativation, deadline, requested in requests:
            negativation.sudo().write(
                {
                    "state": "removal_requested",
                    "removal_code": "01",
                    "removal_requested_date": requested,
                    "removal_deadline": deadline,
                }
            )
        removals = self._count_calls(self.IntegrationClass, "_bureau_remove")
        for _run in range(4):
            self.Negativation._cron_remove(batch_size=1)
        self.assertEqual(
            [args[0] for _integration, args in removals],
            [second.reference, first.reference, third.reference, fourth.reference],
        )

    def test_failed_removals_wait_their_retry_instead_of_looping(self):
        moves = self._invoices(3)
        negativations = self._active_negativations(moves)
        for move in moves:
            self._pay(move)
        self.integration.dummy_fail = "error"
        removals = self._count_calls(self.IntegrationClass, "_bureau_remove")
        taken = self._run_job(REMOVAL_JOB)
        # Each one tried once in the run, then left for its retry: the job ended.
        self.assertEqual(taken, 1)
        self.assertEqual(len(removals), 3)
        self.assertEqual(set(negativations.mapped("state")), {"removal_requested"})
        self.assertTrue(all(n.next_retry > fields.Datetime.now() for n in negativations))
        # The job runs again by itself when the first retry is due.
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref(REMOVAL_JOB).id)], order="call_at desc", limit=1
        )
        self.assertEqual(trigger.call_at, min(negativations.mapped("next_retry")))
        # Due again and the provider back: removed.
        self.integration.dummy_fail = False
        negativations.sudo().write({"next_retry": fields.Datetime.now() - timedelta(minutes=1)})
        self._run_job(REMOVAL_JOB)
        self.assertEqual(set(negativations.mapped("state")), {"removed"})
        self.assertFalse(negativations.activity_ids)


@tagged("post_install", "-at_install")
class TestOneProviderNeverStallsAnother(SchedulingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Provedor B")["company"]
        cls.integration_b = cls.env["credit.bureau.integration"].create(
            {"name": "Simulado B", "provider": "dummy", "company_id": cls.company_b.id}
        )
        cls.integration_b.action_sync_products()
        cls.integration_b.default_restriction_code_id = (
            cls.integration_b.restriction_code_ids.filtered(lambda c: c.code == "TI")
        )
        # The failing provider's queue is the oldest: the sending job used to go through it
        # first, one timeout after the other, before any other integration's.
        cls.integration.send_concurrency = 1
        cls.queue_a, _refused = cls.env["credit.bureau.negativation"]._bureau_queue(
            cls._invoices(8), origin="manual"
        )
        cls.queue_b, _refused = cls.env["credit.bureau.negativation"]._bureau_queue(
            cls._invoices(8, company=cls.company_b), origin="manual"
        )

    def test_a_provider_timing_out_on_every_call_does_not_hold_the_others(self):
        self.assertEqual(len(self.queue_a), 8)
        self.assertEqual(len(self.queue_b), 8)
        self.assertEqual(self.queue_b.integration_id, self.integration_b)
        self.integration.write({"dummy_fail": "timeout", "dummy_latency_ms": 30})
        calls = self._count_calls(self.IntegrationClass, "_bureau_include")
        taken = self._run_job(SEND_JOB)
        # One run of the job: B's whole queue sent; A left alone after a few timeouts.
        self.assertEqual(taken, 1)
        self.assertEqual(set(self.queue_b.mapped("state")), {"pending"})
        calls_a = [args for integration, args in calls if integration == self.integration]
        self.assertEqual(len(calls_a), MAX_CONSECUTIVE_TIMEOUTS)
        timed_out = self.queue_a.filtered(lambda n: n.state == "error")
        self.assertEqual(len(timed_out), MAX_CONSECUTIVE_TIMEOUTS)
        # The outcome semantics are those of any timeout: unknown, asked before re-sending.
        self.assertTrue(all(timed_out.mapped("outcome_unknown")))
        self.assertTrue(all(timed_out.mapped("next_retry")))
        waiting = self.queue_a - timed_out
        self.assertEqual(set(waiting.mapped("state")), {"sending"})
        self.assertFalse(any(waiting.mapped("outcome_unknown")))
        self.assertEqual(set(waiting.mapped("attempts")), {0})
        # The pause is said on the integration, and blocks nothing.
        self.assertGreater(self.integration.dispatch_paused_until, fields.Datetime.now())
        self.assertEqual(self.integration.connection_state, "unstable")
        self.assertIn(self.integration.name, self.integration.connection_message)
        self.assertEqual(
            self.Negativation._bureau_integration_blockers(self.integration.sudo()), []
        )
        send_cron = self.env.ref(SEND_JOB)
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [
                    ("cron_id", "=", send_cron.id),
                    ("call_at", "=", self.integration.dispatch_paused_until),
                ]
            )
        )
        # While paused, the retry job leaves its records alone too.
        timed_out.sudo().write({"next_retry": fields.Datetime.now() - timedelta(minutes=1)})
        self.Negativation._cron_retry_errors()
        self.assertEqual(set(timed_out.mapped("state")), {"error"})
        self.assertEqual(len(calls), MAX_CONSECUTIVE_TIMEOUTS + 8)
        # The pause over and the provider back: the rest is sent, the connection works.
        self.integration.write({"dummy_fail": False, "dummy_latency_ms": 0})
        self.integration.sudo().dispatch_paused_until = fields.Datetime.now() - timedelta(minutes=1)
        self._run_job(SEND_JOB)
        self.assertEqual(set(waiting.mapped("state")), {"pending"})
        self.assertEqual(self.integration.connection_state, "ok")
        self.assertFalse(self.integration.dispatch_paused_until)
        # The timed-out ones are looked up first, then sent: nothing twice.
        lookups = self._count_calls(self.IntegrationClass, "_bureau_find_inclusion")
        self.Negativation._cron_retry_errors()
        self.assertEqual(set(timed_out.mapped("state")), {"pending"})
        self.assertEqual(len(lookups), MAX_CONSECUTIVE_TIMEOUTS)

    def test_timeouts_in_a_row_are_counted_across_runs(self):
        self.integration.write({"dummy_fail": "timeout"})
        # One call per run of the job: the streak survives from one run to the next.
        for expected in range(1, MAX_CONSECUTIVE_TIMEOUTS):
            self.queue_a[expected - 1].sudo()._bureau_send()
            self.assertEqual(self.integration.dispatch_timeouts, expected)
            self.assertFalse(self.integration.dispatch_paused_until)
        self.queue_a[MAX_CONSECUTIVE_TIMEOUTS - 1].sudo()._bureau_send()
        self.assertTrue(self.integration.dispatch_paused_until)
        self.assertEqual(self.integration.dispatch_timeouts, 0)
        # An answer in between starts the count again.
        self.integration.sudo().dispatch_paused_until = False
        self.queue_a[MAX_CONSECUTIVE_TIMEOUTS].sudo()._bureau_send()
        self.assertEqual(self.integration.dispatch_timeouts, 1)
        self.integration.dummy_fail = False
        self.queue_a[MAX_CONSECUTIVE_TIMEOUTS + 1].sudo()._bureau_send()
        self.assertEqual(self.integration.dispatch_timeouts, 0)
