"""The product follows the document (PF/PJ) and the cost recorded is the one the wizard
showed: the product's price where the environment is charged, nothing in a free
homologation (issue 13, section 2)."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.credit_bureau_catalog import audience_from_text
from .common import CreditBureauCommon

CPF = "529.982.247-25"
CNPJ = "11.222.333/0001-81"
PERSON_WORDS = ("PF", "PESSOA FISICA", "CPF")
COMPANY_WORDS = ("PJ", "PESSOA JURIDICA", "CNPJ")


@tagged("post_install", "-at_install")
class TestProductAudience(CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pt_BR")
        Product = cls.env["credit.bureau.product"]
        cls.pf = Product.create(
            {
                "integration_id": cls.integration.id,
                "code": "PF",
                "name": "Consulta Pessoa Física",
                "audience": "cpf",
                "price": 3.9,
            }
        )
        cls.pj = Product.create(
            {
                "integration_id": cls.integration.id,
                "code": "PJ",
                "name": "Consulta Pessoa Jurídica",
                "audience": "cnpj",
                "price": 5.9,
            }
        )
        cls.both = cls.integration.default_product_id  # BASICO, serves both
        cls.integration.default_product_id = cls.pf

    def _wizard(self, document, **values):
        return (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.consult_user)
            .with_context(lang="pt_BR")
            .with_company(self.branch)
            .create(dict({"document": document, "company_id": self.branch.id}, **values))
        )

    def test_audience_from_code_and_name(self):
        cases = {
            "CNM-CONSULTA-PF Consulta Pessoa Física": "cpf",
            "CONSULTA_PJ Consulta Pessoa Jurídica": "cnpj",
            "X Relatório para CNPJ": "cnpj",
            "CREDNET_LIGHT Crednet Light": "both",
            "SCORE Consulta Completa com Score": "both",
            "PFX Consulta": "both",  # whole words only
            "PF-PJ Consulta PF e PJ": "both",  # both named: both
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(audience_from_text(text, PERSON_WORDS, COMPANY_WORDS), expected)

    def test_wizard_proposes_a_product_for_the_document(self):
        # The default product (persons only) for a CPF ...
        self.assertEqual(self._wizard(CPF).product_id, self.pf)
        # ... a product for companies for a CNPJ ...
        wizard = self._wizard(CNPJ)
        self.assertEqual(wizard.document_kind, "cnpj")
        self.assertEqual(wizard.product_id, self.pj)
        self.assertIn(self.both, wizard.allowed_product_ids)
        self.assertNotIn(self.pf, wizard.allowed_product_ids)
        # ... a product that serves both when none is made for companies.
        self.pj.active = False
        self.assertEqual(self._wizard(CNPJ).product_id, self.both)
        # The product chosen stays while it serves the document typed.
        wizard = self._wizard(CPF, product_id=self.both.id)
        self.assertEqual(wizard.product_id, self.both)
        wizard.document = CNPJ
        self.assertEqual(wizard.product_id, self.both)

    def test_person_product_refused_for_a_cnpj_in_the_wizard_and_the_model(self):
        wizard = self._wizard(CNPJ)
        wizard.product_id = self.pf  # as an RPC call could, whatever the view's domain
        with self.assertRaisesRegex(UserError, "somente pessoas físicas.*CNPJ 11.222.333/0001-81"):
            wizard.action_consult()
        wizard = self._wizard(CPF)
        wizard.product_id = self.pj
        with self.assertRaisesRegex(UserError, "somente pessoas jurídicas.*CPF 529.982.247-25"):
            wizard.action_consult()
        Consultation = self.env["credit.bureau.consultation"].with_context(lang="pt_BR")
        self.assertFalse(Consultation.search([("document", "in", ("11222333000181",))]))
        # The consultation itself refuses it, whoever creates it.
        values = {
            "document": "11222333000181",
            "integration_id": self.integration.id,
            "company_id": self.branch.id,
            "product_id": self.pf.id,
            "product_code": self.pf.code,
        }
        with self.assertRaisesRegex(UserError, "somente pessoas físicas"):
            Consultation.sudo().create(values)
        with self.assertRaisesRegex(UserError, "somente pessoas jurídicas"):
            Consultation.sudo().create(
                dict(values, document="52998224725", product_id=self.pj.id, document_type="cpf")
            )
        # The right products go through.
        consultation = self._consult(CNPJ, product_id=self.pj.id)
        self.assertEqual((consultation.state, consultation.product_id), ("done", self.pj))
        consultation = self._consult(CPF, product_id=self.pf.id)
        self.assertEqual((consultation.state, consultation.product_id), ("done", self.pf))


@tagged("post_install", "-at_install")
class TestConsultationCost(CreditBureauCommon):
    def _wizard(self, document=CPF):
        return (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.consult_user)
            .with_context(lang="pt_BR")
            .with_company(self.branch)
            .create({"document": document, "company_id": self.branch.id})
        )

    def _recorded(self, wizard):
        return self.env["credit.bureau.consultation"].browse(wizard.action_consult()["res_id"])

    def test_homologation_is_free_production_costs_the_price(self):
        product = self.integration.default_product_id
        self.assertEqual(product.price, 4.5)
        self.assertTrue(product.price_known)
        # Homologation: the price is shown as the production one, nothing is recorded.
        wizard = self._wizard()
        self.assertEqual((wizard.cost, wizard.price), (0.0, 4.5))
        self.assertEqual(wizard.cost_notice_level, "info")
        self.assertIn("Homologação", wizard.cost_notice)
        self.assertIn("Nenhum custo é registrado", wizard.cost_notice)
        consultation = self._recorded(wizard)
        self.assertEqual(consultation.cost, wizard.cost)
        # Production: the price, shown and recorded.
        self.integration.environment = "producao"
        wizard = self._wizard("111.444.777-35")
        self.assertEqual(wizard.cost, 4.5)
        self.assertEqual(wizard.cost_notice_level, "warning")
        self.assertIn("cobrada", wizard.cost_notice)
        self.assertNotIn("Homologação", wizard.cost_notice)
        consultation = self._recorded(wizard)
        self.assertEqual(consultation.cost, 4.5)
        # A price typed by an administrator is the next cost.
        product.with_user(self.admin_user).price = 6.25
        wizard = self._wizard("390.533.447-05")
        self.assertEqual(wizard.cost, 6.25)
        self.assertEqual(self._recorded(wizard).cost, 6.25)

    def test_unknown_price_is_said_in_production(self):
        product = self.integration.default_product_id
        product.write({"price": 0.0, "price_known": False})
        self.integration.environment = "producao"
        wizard = self._wizard()
        self.assertEqual(wizard.cost, 0.0)
        self.assertIn("não é conhecido", wizard.cost_notice)
        # Typed by an administrator: known from then on, even at R$ 0,00 (a free product).
        product.with_user(self.admin_user).price = 0.0
        self.assertTrue(product.price_known)
        self.assertNotIn("não é conhecido", self._wizard().cost_notice)

    def test_a_provider_without_free_environment_is_charged_in_homologation(self):
        # The sync keeps what the provider says, a price it does not publish is kept.
        product = self.integration.default_product_id
        self.env["credit.bureau.product"]._bureau_sync(
            self.integration,
            [{"code": product.code, "name": product.name, "kind": "consulta"}],
        )
        self.assertEqual(
            (product.price, product.price_known, product.audience), (4.5, True, "both")
        )
        # A provider that charges every call, whatever the environment.
        integration = self.integration
        features = dict(integration._bureau_get_features(), costs_money_always=True)
        with patch.object(type(integration), "_bureau_get_features", lambda self: features):
            integration.invalidate_recordset(["costs_money_always", "is_paid_environment"])
            wizard = self._wizard()
            self.assertTrue(integration.is_paid_environment)
            self.assertEqual(wizard.cost, 4.5)
            self.assertEqual(wizard.cost_notice_level, "warning")
            self.assertIn("não tem ambiente de teste gratuito", wizard.cost_notice)
            self.assertEqual(self._recorded(wizard).cost, 4.5)
        integration.invalidate_recordset(["costs_money_always", "is_paid_environment"])
