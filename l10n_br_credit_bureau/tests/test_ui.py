from odoo.tests import HttpCase, tagged


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
