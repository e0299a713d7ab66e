"""Crédito na Medida in the suite's words: the result said by the core from its
pendências, and no probability of default (the distributor gives none: not a 0,00)."""

from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.tests.common import CreditBureauCommon
from odoo.addons.l10n_br_credit_bureau.tests.test_result_vocabulary import (
    PT,
    VocabularyMixin,
    documents_by_count,
)

from ..simulator.app import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    CreditoNaMedidaSimulator,
    consultation_data,
)

REPORT = "l10n_br_credit_bureau.report_consultation"


@tagged("post_install", "-at_install")
class TestCreditoNaMedidaVocabulary(VocabularyMixin, CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
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
        cls.addClassCleanup(cls.cnm._cnm_forget_token)
        cls._load_portuguese("credito_na_medida")

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.cnm._cnm_forget_token()
        self.env = self.env(context=dict(self.env.context, lang=PT))

    def test_result_without_probability(self):
        product = self.cnm.product_ids.filtered(lambda p: p.code == "CNM-CONSULTA-SCORE")
        counts = documents_by_count(lambda doc: len(consultation_data(doc)["pendencias"]))
        for count, document in counts.items():
            with self.subTest(count=count):
                consultation = self._consult(
                    document, integration_id=self.cnm.id, product_id=product.id
                )
                expected = self.assertVocabulary(consultation, count)
                self.assertFalse(consultation.message)  # no words of its own
                # A score, but no probability of default: not given, not 0.
                self.assertTrue(consultation.has_score)
                self.assertFalse(consultation.has_default_probability)
                # Our page (the distributor's PDF follows it): the result, no probability.
                ours = self.render_pdf(REPORT, consultation)[0]
                self.assertIn(expected, ours)
                self.assertIn(consultation.document_display, ours)
                self.assertNotIn("Probabilidade de inadimplência", ours)
                self.assertNotIn("(s)", ours)
