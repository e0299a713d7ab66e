import threading
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.tests import HttpCase, tagged

from ..models.ir_websocket import IrWebsocket
from .test_negativation import NegativationCommon


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    def test_consult_tour(self):
        self.env["credit.bureau.integration"].create(
            {"name": "Simulado", "provider": "dummy"}
        ).action_sync_products()
        partner = self.env["res.partner"].create(
            {"name": "Cliente Tour da Silva", "vat": "529.982.247-25", "is_company": False}
        )
        self.start_tour(f"/odoo/contacts/{partner.id}", "credit_bureau_consult_tour", login="admin")
        consultation = self.env["credit.bureau.consultation"].search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual(consultation.state, "done")
        self.assertTrue(consultation.has_score)


@tagged("post_install", "-at_install")
class TestNegativationUi(NegativationCommon, HttpCase):
    def test_negativate_tour(self):
        move = self._invoice()
        self.env.ref("base.user_admin").write(
            {
                "company_ids": [(4, self.company.id)],
                "company_id": self.company.id,
                "group_ids": [(4, self.env.ref("l10n_br_credit_bureau.group_negativation").id)],
            }
        )
        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{move.id}?cids={self.company.id}",
            "credit_bureau_negativate_tour",
            login="admin",
        )
        self.assertEqual(move.credit_negativation_id.state, "sending")
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(move.credit_negativation_id.state, "pending")

    def test_negativate_partner_tour(self):
        """From the debtor's form, one of its two overdue invoices is unticked: only the
        other is negativated, and the negativation is manual."""
        kept = self._invoice(amount=150)
        unticked = self._invoice(amount=275)
        self.env.ref("base.user_admin").write(
            {
                "company_ids": [(4, self.company.id)],
                "company_id": self.company.id,
                "group_ids": [(4, self.env.ref("l10n_br_credit_bureau.group_negativation").id)],
            }
        )
        self.start_tour(
            f"/odoo/contacts/{self.debtor.id}?cids={self.company.id}",
            "credit_bureau_negativate_partner_tour",
            login="admin",
        )
        self.assertRecordValues(
            kept.credit_negativation_id, [{"state": "sending", "origin": "manual"}]
        )
        self.assertFalse(unticked.credit_negativation_id)

    def test_batch_progress_tour(self):
        """A running batch's form follows the sending job by itself: the test runs the job
        (one group, then the rest) while the tour waits on the open form."""
        moves = self._invoice(amount=150) | self._invoice(amount=275)
        self.env.ref("base.user_admin").write(
            {
                "company_ids": [(4, self.company.id)],
                "company_id": self.company.id,
                "group_ids": [(4, self.env.ref("l10n_br_credit_bureau.group_negativation").id)],
            }
        )
        wizard = (
            self.env["credit.bureau.mass.negativate.wizard"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({})
        )
        batch = self.env["credit.bureau.negativation.batch"].browse(
            wizard.action_negativate()["res_id"]
        )
        self.assertRecordValues(batch, [{"state": "running", "sending_count": 2}])
        channel = f"credit_bureau_batch_{batch.id}"
        subscribed, reads, errors = threading.Event(), [], []
        build_channels = IrWebsocket._build_bus_channel_list
        Batch = type(self.env["credit.bureau.negativation.batch"])
        web_read = Batch.web_read

        def spy_channels(websocket, channels):
            result = build_channels(websocket, channels)
            if channel in channels and any(
                getattr(item, "_name", None) == batch._name and item.ids == batch.ids
                for item in result
            ):
                subscribed.set()
            return result

        def spy_web_read(records, *args, **kwargs):
            if batch.id in records.ids:
                reads.append(records.ids)
            return web_read(records, *args, **kwargs)

        def wait(condition, timeout=60.0):
            event = threading.Event()
            for _step in range(int(timeout * 10)):
                if condition():
                    return True
                event.wait(0.1)
            return False

        def run_job():
            """The sending job as the scheduler runs it, each step in its own transaction
            (a test cursor of the browser's requests)."""
            try:
                if not subscribed.wait(60):
                    raise AssertionError("the batch form never subscribed to its channel")
                before = len(reads)
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    first = env["credit.bureau.negativation"].search(
                        [("batch_id", "=", batch.id)], order="id", limit=1
                    )
                    first._bureau_send()
                # The form reloads on the notification before the job goes on.
                if not wait(lambda: len(reads) > before):
                    raise AssertionError("the batch form did not reload after the first group")
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["credit.bureau.negativation"]._cron_send()
            except Exception as error:  # reported by the test below
                errors.append(error)

        job = threading.Thread(target=run_job, name="credit_bureau_batch_job")
        with (
            patch.object(IrWebsocket, "_build_bus_channel_list", spy_channels),
            patch.object(Batch, "web_read", spy_web_read),
        ):
            job.start()
            try:
                self.start_tour(
                    f"/odoo/action-l10n_br_credit_bureau.action_credit_negativation_batch/"
                    f"{batch.id}?cids={self.company.id}",
                    "credit_bureau_batch_progress_tour",
                    login="admin",
                )
            finally:
                subscribed.set()  # the job thread never waits for a tour that ended
                job.join(120)
        self.assertFalse(errors, errors)
        batch.invalidate_recordset()
        self.assertRecordValues(batch, [{"state": "done", "sent_count": 2, "sending_count": 0}])


@tagged("post_install", "-at_install")
class TestRoutineUi(HttpCase):
    def test_routine_tour(self):
        """Agenda de tarefas: the administrator edits a routine's schedule on the
        integration, sees its next run, runs it now and reads its line of log."""
        integration = self.env["credit.bureau.integration"].create(
            {"name": "Simulado Agenda", "provider": "dummy"}
        )
        integration.action_sync_products()
        integration.routine_ids.sudo().write({"tz": "UTC"})
        # The users work in Portuguese: the tour reads the screens as they do.
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env.ref("base.user_admin").write({"lang": "pt_BR", "tz": "UTC"})
        self.start_tour(
            f"/odoo/action-l10n_br_credit_bureau.action_credit_bureau_integration/{integration.id}",
            "credit_bureau_routine_tour",
            login="admin",
        )
        status = integration.routine_ids.filtered(lambda r: r.routine == "status")
        self.assertRecordValues(
            status, [{"minutes": "30", "hours": "8", "month_days": "5,20", "weekdays": "seg-sex"}]
        )
        self.assertEqual(status.next_run, status._bureau_next_run())
        self.assertEqual((status.next_run.hour, status.next_run.minute), (8, 30))
        self.assertIn(status.next_run.day, (5, 20))
        self.assertLess(status.next_run.isoweekday(), 6)
        self.assertEqual(status.run_ids.trigger, "manual")
