"""Connect SA: whom each product serves (from its code and name, const.py) and the cost
recorded per environment (estatica=S is free), against the simulator."""

from decimal import Decimal
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..simulator import app as simulator_app
from ..simulator.app import EXAMPLE_DOCUMENTS
from .common import ConnectSACommon

CPF = EXAMPLE_DOCUMENTS["nada_consta"]["F"]
CNPJ = EXAMPLE_DOCUMENTS["nada_consta"]["J"]


@tagged("post_install", "-at_install")
class TestConnectSAProductsAndCosts(ConnectSACommon):
    def wizard(self, document):
        return (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.consult_user)
            .with_context(lang="pt_BR")
            .with_company(self.company)
            .create({"document": document, "company_id": self.company.id})
        )

    def product(self, code):
        return self.integration.product_ids.filtered(lambda p: p.code == code)

    def test_sync_sets_whom_each_product_serves(self):
        # The simulator's products (Crednet, Relatório Básico) serve both ...
        consultation_products = self.integration.product_ids.filtered(
            lambda p: p.kind == "consulta"
        )
        self.assertEqual(set(consultation_products.mapped("audience")), {"both"})
        self.assertTrue(all(consultation_products.mapped("price_known")))
        # ... and products for persons or companies are told by their code and name.
        products = (
            *simulator_app.PRODUCTS,
            ("CREDNET_PF", "Crednet Pessoa Física", "CONSULTA", Decimal("3.90")),
            ("RELATORIO_PJ", "Relatório Pessoa Jurídica", "CONSULTA", Decimal("6.90")),
        )
        with patch.object(simulator_app, "PRODUCTS", products):
            self.integration.action_sync_products()
        self.assertEqual(self.product("CREDNET_PF").audience, "cpf")
        self.assertEqual(self.product("RELATORIO_PJ").audience, "cnpj")
        self.assertEqual(self.product("CREDNET_LIGHT").audience, "both")
        # The wizard proposes and refuses by the document typed.
        self.integration.default_product_id = self.product("CREDNET_PF")
        self.assertEqual(self.wizard(CPF).product_id, self.product("CREDNET_PF"))
        wizard = self.wizard(CNPJ)
        self.assertEqual(wizard.product_id, self.product("RELATORIO_PJ"))
        wizard.product_id = self.product("CREDNET_PF")
        sent = len(self.sim.requests)
        with self.assertRaisesRegex(UserError, "somente pessoas físicas"):
            wizard.action_consult()
        self.assertEqual(len(self.sim.requests), sent)  # nothing was sent nor paid for

    def test_cost_shown_is_the_cost_recorded(self):
        product = self.integration.default_product_id
        self.assertEqual(product.price, 4.9)  # "R$ 4,90" in the product list
        # Homologation: the canned answer (estatica=S) is free; the price is shown as the
        # production price, never as what is recorded.
        wizard = self.wizard(CPF)
        self.assertEqual((wizard.cost, wizard.price), (0.0, 4.9))
        self.assertEqual(wizard.cost_notice_level, "info")
        self.assertIn("estatica=S", wizard.cost_notice)
        self.assertIn("Nenhum custo é registrado", wizard.cost_notice)
        canned = self.env["credit.bureau.consultation"].browse(wizard.action_consult()["res_id"])
        self.assertEqual(self.sim.requests[-1].form["estatica"], "S")
        self.assertEqual(canned.cost, wizard.cost)
        # Production: the price, shown and recorded.
        self.integration.environment = "producao"
        wizard = self.wizard(CNPJ)
        self.assertEqual(wizard.cost, 4.9)
        self.assertEqual(wizard.cost_notice_level, "warning")
        self.assertIn("cobrada", wizard.cost_notice)
        paid = self.env["credit.bureau.consultation"].browse(wizard.action_consult()["res_id"])
        self.assertEqual(self.sim.requests[-1].form["estatica"], "N")
        self.assertEqual((paid.state, paid.cost), ("done", 4.9))
