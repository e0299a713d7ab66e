"""The core's removal flow on Crédito na Medida, end to end over the simulator: a removal
whose answer was lost is answered "já baixada" on its retry, and that is the removal."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.credito_na_medida import const
from odoo.addons.credito_na_medida.simulator.app import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    CreditoNaMedidaSimulator,
)
from odoo.addons.l10n_br_credit_bureau.tests.test_negativation import NegativationCommon


@tagged("post_install", "-at_install")
class TestCreditoNaMedidaNegativation(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = CreditoNaMedidaSimulator(timeout_seconds=1.5, activation_delay=None)
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.integration.active = False  # the core's simulated provider steps aside
        cls.integration = cls.env["credit.bureau.integration"].create(
            {
                "name": "Crédito na Medida",
                "provider": "credito_na_medida",
                "company_id": cls.company.id,
                "api_base_url": cls.sim.url,
                "cnm_client_id": DEFAULT_CLIENT_ID,
                "cnm_client_secret": DEFAULT_CLIENT_SECRET,
            }
        )
        cls.integration.action_sync_products()
        codes = cls.integration.code_ids
        cls.integration.default_removal_code_id = codes.filtered(
            lambda c: c.kind == "removal" and c.code == "01"
        )
        cls.integration.default_restriction_code_id = codes.filtered(
            lambda c: c.kind == "restriction" and c.code == "TI"
        )
        cls.Negativation = cls.env["credit.bureau.negativation"]

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.integration._cnm_forget_token()
        self.addCleanup(self.integration._cnm_forget_token)

    def test_already_removed_at_the_vendor_is_a_removal(self):
        move = self._invoice()
        negativation = self._negativate(move)
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        self.sim.activate_all()
        self._pay(move)
        path = f"/v1/negativacoes/{negativation.reference}/baixa"
        self.sim.misbehave("timeout_after_commit", path)
        with patch.object(const, "REQUEST_TIMEOUT", 0.5):
            self.Negativation._cron_remove()
        self.assertEqual(negativation.state, "removal_requested")
        self.assertTrue(negativation.activity_ids)
        self.assertEqual(self.sim.negativacao(negativation.reference)["situacao"], "baixada")
        negativation.sudo().next_retry = fields.Datetime.now() - timedelta(minutes=1)
        self.Negativation._cron_remove()
        self.assertEqual(negativation.state, "removed", negativation.message)
        self.assertTrue(negativation.removed_date)
        self.assertFalse(negativation.activity_ids)
        self.assertIn("já a tinha baixado", negativation.message_ids[0].body)
        removals = [r for r in self.sim.requests if r["path"] == path]
        self.assertEqual(len(removals), 2)
        self.assertEqual(removals[0].get("misbehaviour"), "timeout_after_commit")
        self.assertEqual(removals[1]["status"], 409)
        self.Negativation._cron_remove()
        self.assertEqual(len([r for r in self.sim.requests if r["path"] == path]), 2)
