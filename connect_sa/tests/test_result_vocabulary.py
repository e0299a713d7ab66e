"""Connect SA in the suite's words: the result said by the core from the numbers (whatever
the platform's own "CONSTAM RESTRIÇÕES"), its probability of default shown, the cartório of
a protest in its own field."""

from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.tests.test_result_vocabulary import (
    PT,
    VocabularyMixin,
    documents_by_count,
    valid_cpfs,
)

from ..simulator.app import build_report, profile_for
from .common import ConnectSACommon

REPORT = "l10n_br_credit_bureau.report_consultation"


def answer(document):
    return build_report(document, "F", "CREDNET_LIGHT", "X", "S")


def occurrence_count(document):
    return answer(document)["resultado"]["quadroResumoConsta"]["quantidadeTotalOcorrencias"]


@tagged("post_install", "-at_install")
class TestConnectSAVocabulary(VocabularyMixin, ConnectSACommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_portuguese("connect_sa")

    def setUp(self):
        super().setUp()
        self.env = self.env(context=dict(self.env.context, lang=PT))

    def test_result_and_probability(self):
        for count, document in documents_by_count(occurrence_count).items():
            with self.subTest(count=count):
                consultation = self.consult(document)
                expected = self.assertVocabulary(consultation, count)
                # Connect SA gives a probability of default: shown, form and PDF.
                self.assertTrue(consultation.has_default_probability)
                first = self.render_pdf(REPORT, consultation)[0]
                self.assertIn(expected, first)
                self.assertIn("Probabilidade de inadimplência", first)
                self.assertIn(consultation.document_display, first)
                self.assertNotIn("(s)", first)

    def test_only_the_summary_came(self):
        """A block with its summary and no detail: one line, its description in the same
        words, the cartório of a protest (the summary's "nomeMaisRecente") out of the
        creditor."""
        blocks = {}
        for document in valid_cpfs():
            if profile_for(document) == "protestos":
                block = answer(document)["resultado"]["quadroResumoConsta"]["registros"]
                block = block["protestos"]
                blocks.setdefault(min(block["quantidade"], 2), block)
            if len(blocks) == 2:
                break
        self.assertEqual(sorted(blocks), [1, 2])
        for block in blocks.values():
            count = block["quantidade"]
            with self.subTest(count=count):
                line = self.integration.with_context(lang=PT)._connect_sa_summary_line(
                    "protest", block, count, 10.0
                )
                words = {1: "Consta 1 ocorrência"}.get(count, f"Constam {count} ocorrências")
                self.assertEqual(
                    line["description"],
                    f"{words}, de {block['dataMaisAntigo']} a {block['dataMaisRecente']}",
                )
                self.assertFalse(line["creditor"])
                self.assertIn("TABELIÃO DE PROTESTO", line["office"])
                self.assertEqual(line["office"], block["nomeMaisRecente"])
