from odoo.tests import HttpCase, tagged

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
