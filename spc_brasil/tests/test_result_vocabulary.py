"""SPC Brasil in the suite's words: the result said by the core from the occurrences, the
probability of default only with a score product, the documents of its answer punctuated."""

from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.soap import forget_clients
from odoo.addons.l10n_br_credit_bureau.tests.common import CreditBureauCommon
from odoo.addons.l10n_br_credit_bureau.tests.test_result_vocabulary import (
    PT,
    VocabularyMixin,
    documents_by_count,
)
from odoo.addons.spc_brasil.simulator.app import SPCBrasilSimulator

OPERATOR = "778899"
PASSWORD = "S3nh@-SPC-Secreta"
REPORT = "l10n_br_credit_bureau.report_consultation"
PLAIN, SCORED = "127", "319"  # SPC MIX MAIS, and the same with the score


@tagged("post_install", "-at_install")
class TestSPCBrasilVocabulary(VocabularyMixin, CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        forget_clients()
        cls.addClassCleanup(forget_clients)
        cls.sim = SPCBrasilSimulator(operator=OPERATOR, password=PASSWORD, timeout_seconds=3)
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.spc = cls.env["credit.bureau.integration"].create(
            {
                "name": "SPC Filial",
                "provider": "spc_brasil",
                "company_id": cls.branch.id,
                "api_base_url": cls.sim.url,
                "spc_operator": OPERATOR,
                "spc_password": PASSWORD,
                "spc_cdl_name": "CDL Campinas",
                "spc_timeout": 3,
            }
        )
        cls.spc.action_sync_products()
        cls._load_portuguese("spc_brasil")

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.env = self.env(context=dict(self.env.context, lang=PT))

    def count_of(self, document):
        """The occurrences the simulator answers for ``document`` (its own consultation)."""
        filtro = {
            "codigo-produto": PLAIN,
            "tipo-consumidor": "F",
            "documento-consumidor": document,
        }
        answer = self.sim._op_consultar({"filtro": filtro})["resultado"]
        return len(answer["ocorrencias"]["ocorrencia"])

    def consult(self, document, product, **values):
        product = self.spc.product_ids.filtered(lambda p: p.code == product)
        return self._consult(document, integration_id=self.spc.id, product_id=product.id, **values)

    def test_result_and_probability(self):
        for count, document in documents_by_count(self.count_of).items():
            with self.subTest(count=count):
                plain = self.consult(document, PLAIN)
                expected = self.assertVocabulary(plain, count)
                self.assertFalse(plain.has_default_probability)
                first = self.render_pdf(REPORT, plain)[0]
                self.assertIn(expected, first)
                self.assertNotIn("Probabilidade de inadimplência", first)
                scored = self.consult(
                    document, SCORED, confirm_repeat=True, repeat_reason="Com score"
                )
                self.assertVocabulary(scored, count)
                self.assertTrue(scored.has_default_probability)
                self.assertIn("Probabilidade de inadimplência", self.render_pdf(REPORT, scored)[0])
                # The answer as SPC sent it, its documents punctuated.
                self.assertIn(scored.document_display, scored.report_html)
                self.assertNotIn(f">{document}<", scored.report_html)
