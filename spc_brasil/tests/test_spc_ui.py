"""Consulting with SPC Brasil in a real browser: the core's consultation tour, from the
customer's form to the result, over the SPC simulator."""

from odoo.tests import HttpCase, tagged

from odoo.addons.l10n_br_credit_bureau.soap import forget_clients
from odoo.addons.spc_brasil.simulator.app import SPCBrasilSimulator

from .test_spc_brasil import OPERATOR, PASSWORD


@tagged("post_install", "-at_install")
class TestSPCBrasilUi(HttpCase):
    def setUp(self):
        super().setUp()
        forget_clients()
        self.addCleanup(forget_clients)
        self.sim = SPCBrasilSimulator(operator=OPERATOR, password=PASSWORD, timeout_seconds=3)
        self.sim.start()
        self.addCleanup(self.sim.stop)
        self.spc = self.env["credit.bureau.integration"].create(
            {
                "name": "SPC Campinas",
                "provider": "spc_brasil",
                "api_base_url": self.sim.url,
                "spc_operator": OPERATOR,
                "spc_password": PASSWORD,
                "spc_cdl_name": "CDL Campinas",
            }
        )
        self.spc.action_sync_products()
        # The product with the score ("insumo opcional" SCORE) is the one proposed.
        self.spc.default_product_id = self.spc.product_ids.filtered(lambda p: p.code == "319")

    def test_consult_tour_with_spc(self):
        partner = self.env["res.partner"].create(
            {"name": "Cliente Tour da Silva", "vat": "529.982.247-25", "is_company": False}
        )
        self.start_tour(f"/odoo/contacts/{partner.id}", "credit_bureau_consult_tour", login="admin")
        consultation = self.env["credit.bureau.consultation"].search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual(len(consultation), 1)
        self.assertEqual(consultation.integration_id, self.spc)
        self.assertEqual(consultation.state, "done")
        self.assertEqual(consultation.product_id.code, "319")
        # 52998224725: score 300 + 725 % 700 = 325, the simulator's "full" report.
        self.assertEqual(consultation.score, 325)
        self.assertGreater(consultation.total_count, 0)
        (call,) = self.sim.calls("consultar")
        self.assertIn("52998224725", str(call))
        self.assertEqual(len(self.sim.calls("consultaScore")), 1)
