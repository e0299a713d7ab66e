"""SOA WebServices: the fixed catalog says whom each report serves, publishes no price (the
price stays unknown until typed, and the wizard says so in production), and the cost
recorded is the one shown (test-drive free), against the simulator."""

from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.tests.common import CreditBureauCommon
from odoo.addons.soa_webservices import const
from odoo.addons.soa_webservices.simulator.app import SOAWebServicesSimulator

from .test_soa_webservices import EMAIL, PASSWORD

CPF = "123.456.788-10"
CNPJ = "11.222.333/0001-81"


@tagged("post_install", "-at_install")
class TestSOAProductsAndCosts(CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pt_BR")
        cls.sim = SOAWebServicesSimulator(email=EMAIL, senha=PASSWORD, activation_delay=None)
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.soa = cls.env["credit.bureau.integration"].create(
            {
                "name": "SOA WebServices Filial",
                "provider": "soa_webservices",
                "company_id": cls.branch.id,
                "api_base_url": cls.sim.url,
                "soa_email": EMAIL,
                "soa_password": PASSWORD,
                "soa_timeout": 2,
            }
        )
        cls.soa.action_sync_products()

    def setUp(self):
        super().setUp()
        self.sim.reset()

    def product(self, code):
        return self.soa.product_ids.filtered(lambda p: p.code == code)

    def wizard(self, document):
        return (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.consult_user)
            .with_context(lang="pt_BR")
            .with_company(self.branch)
            .create({"document": document, "company_id": self.branch.id})
        )

    def test_catalog_serves_both_and_prices_are_unknown_until_typed(self):
        reports = self.soa.product_ids.filtered(lambda p: p.kind == "consulta")
        self.assertEqual(
            sorted(reports.mapped("code")),
            sorted(p["code"] for p in const.CATALOG_PRODUCTS if p["kind"] == "consulta"),
        )
        self.assertEqual(set(reports.mapped("audience")), {"both"})
        self.assertEqual(set(reports.mapped("price")), {0.0})
        self.assertFalse(any(self.soa.product_ids.mapped("price_known")))
        # Typed by the administrator: known, and kept by the next synchronisation.
        concentre = self.product("CONCENTRE")
        concentre.with_user(self.admin_user).price = 12.9
        self.soa.action_sync_products()
        self.assertEqual((concentre.price, concentre.price_known), (12.9, True))
        self.assertFalse(self.product("CREDNET").price_known)
        # Both kinds of document are consulted with each report.
        for document in (CPF, CNPJ):
            with self.subTest(document=document):
                self.assertEqual(self.wizard(document).product_id, self.soa.default_product_id)

    def test_cost_shown_is_the_cost_recorded(self):
        product = self.soa.default_product_id
        # Homologation (test-drive): free, whatever the price.
        product.with_user(self.admin_user).price = 8.5
        wizard = self.wizard(CPF)
        self.assertEqual(wizard.cost_notice_level, "info")
        self.assertIn("test-drive", wizard.cost_notice)
        self.assertEqual(wizard.cost, 0.0)
        consultation = self.env["credit.bureau.consultation"].browse(
            wizard.action_consult()["res_id"]
        )
        self.assertEqual((consultation.state, consultation.cost), ("done", 0.0))
        # Production with the typed price: shown and recorded.
        self.soa.environment = "producao"
        wizard = self.wizard(CNPJ)
        self.assertEqual(wizard.cost, 8.5)
        self.assertNotIn("não é conhecido", wizard.cost_notice)
        consultation = self.env["credit.bureau.consultation"].browse(
            wizard.action_consult()["res_id"]
        )
        self.assertEqual((consultation.state, consultation.cost), ("done", 8.5))
        # Production with a price nobody typed: R$ 0,00, and the wizard says why.
        untyped = self.product("CREDNET")
        self.soa.default_product_id = untyped
        wizard = self.wizard("390.533.447-05")
        self.assertEqual(wizard.product_id, untyped)
        self.assertEqual(wizard.cost, 0.0)
        self.assertIn("não é conhecido", wizard.cost_notice)
        self.assertIn(untyped.display_name, wizard.cost_notice)
