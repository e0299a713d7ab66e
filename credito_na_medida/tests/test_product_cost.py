"""Crédito na Medida: whom each product serves (from its code and name, const.py), the
consult wizard refusing "Consulta Pessoa Física" for a CNPJ, and one consistent banner and
cost per environment (Homologação is the simulator, free), against the simulator."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.tests.common import CreditBureauCommon

from ..simulator.app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, CreditoNaMedidaSimulator

CPF = "390.533.447-05"
CNPJ = "11.222.333/0001-81"


@tagged("post_install", "-at_install")
class TestCreditoNaMedidaProductsAndCosts(CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pt_BR")
        cls.sim = CreditoNaMedidaSimulator(activation_delay=None)
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.cnm = cls.env["credit.bureau.integration"].create(
            {
                "name": "Crédito na Medida Filial",
                "provider": "credito_na_medida",
                "company_id": cls.branch.id,
                "environment": "homologacao",
                "api_base_url": cls.sim.url,
                "cnm_client_id": DEFAULT_CLIENT_ID,
                "cnm_client_secret": DEFAULT_CLIENT_SECRET,
            }
        )
        cls.cnm.action_sync_products()

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.cnm._cnm_forget_token()
        self.addCleanup(self.cnm._cnm_forget_token)

    def product(self, code):
        return self.cnm.product_ids.filtered(lambda p: p.code == code)

    def wizard(self, document, **values):
        return (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.consult_user)
            .with_context(lang="pt_BR")
            .with_company(self.branch)
            .create(dict({"document": document, "company_id": self.branch.id}, **values))
        )

    def test_sync_sets_whom_each_product_serves(self):
        self.assertRecordValues(
            self.product("CNM-CONSULTA-PF") | self.product("CNM-CONSULTA-PJ"),
            [
                {"name": "Consulta Pessoa Física", "audience": "cpf", "price": 3.9},
                {"name": "Consulta Pessoa Jurídica", "audience": "cnpj", "price": 5.9},
            ],
        )
        self.assertEqual(self.product("CNM-CONSULTA-SCORE").audience, "both")

    def test_person_product_never_consults_a_cnpj(self):
        """The issue's case: a CNPJ consulted with "Consulta Pessoa Física"."""
        pf, pj = self.product("CNM-CONSULTA-PF"), self.product("CNM-CONSULTA-PJ")
        self.cnm.default_product_id = pf
        # The wizard proposes the product for persons for a CPF, for companies for a CNPJ.
        self.assertEqual(self.wizard(CPF).product_id, pf)
        wizard = self.wizard(CNPJ)
        self.assertEqual(wizard.product_id, pj)
        self.assertNotIn(pf, wizard.allowed_product_ids)
        # Forced (as an RPC call could), it is refused before anything is sent.
        wizard.product_id = pf
        sent = len(self.sim.consultas)
        with self.assertRaisesRegex(
            UserError, "Consulta Pessoa Física.*somente pessoas físicas.*CNPJ 11.222.333/0001-81"
        ):
            wizard.action_consult()
        with self.assertRaisesRegex(UserError, "somente pessoas jurídicas"):
            self.wizard(CPF, product_id=pj.id).action_consult()
        self.assertEqual(len(self.sim.consultas), sent)
        # The proposed one consults, and the simulator is asked for that product.
        consultation = self.env["credit.bureau.consultation"].browse(
            self.wizard(CNPJ).action_consult()["res_id"]
        )
        self.assertEqual((consultation.state, consultation.product_id), ("done", pj))
        self.assertEqual(self.sim.consultas[-1]["produto"], "CNM-CONSULTA-PJ")

    def test_one_banner_and_the_cost_recorded_per_environment(self):
        # Homologation: the simulator, free; the banner says so and nothing else.
        self.assertFalse(self.cnm.is_paid_environment)
        self.assertFalse(self.cnm.costs_money_always)
        wizard = self.wizard(CPF)
        self.assertEqual(wizard.cost_notice_level, "info")
        self.assertIn("simulador", wizard.cost_notice)
        self.assertNotIn("cobrada pelo", wizard.cost_notice)
        self.assertEqual(wizard.cost, 0.0)
        consultation = self.env["credit.bureau.consultation"].browse(
            wizard.action_consult()["res_id"]
        )
        self.assertEqual(consultation.cost, 0.0)
        # The integration's form no longer shows the core's "every call is charged,
        # whatever the environment" next to "it never reaches the vendor".
        arch = self.env["credit.bureau.integration"].get_view(view_type="form")["arch"]
        self.assertIn("never reaches the", arch)
        # Production (here still the simulator, through the Base URL): charged, the price.
        self.cnm.environment = "producao"
        wizard = self.wizard(CNPJ)
        product = wizard.product_id
        self.assertEqual(wizard.cost_notice_level, "warning")
        self.assertIn("cobrada", wizard.cost_notice)
        self.assertNotIn("simulador", wizard.cost_notice)
        self.assertEqual(wizard.cost, product.price)
        consultation = self.env["credit.bureau.consultation"].browse(
            wizard.action_consult()["res_id"]
        )
        self.assertEqual((consultation.state, consultation.cost), ("done", product.price))
