"""SOA WebServices in the suite's words: the result said by the core from the numbers, the
probability only when the Score block came, the cartório of a protest never its creditor,
and our report in Portuguese with accents and Brazilian formats (PDF read back)."""

import re
from datetime import date

from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.soap import forget_clients
from odoo.addons.l10n_br_credit_bureau.tests.common import CreditBureauCommon
from odoo.addons.l10n_br_credit_bureau.tests.test_result_vocabulary import (
    PT,
    VocabularyMixin,
    documents_by_count,
)
from odoo.addons.soa_webservices.simulator import app as simulator_app
from odoo.addons.soa_webservices.simulator.app import SOAWebServicesSimulator

EMAIL = "cobranca@velozfibra.com.br"
PASSWORD = "S3nh@-SOA-Secreta"
REPORT = "l10n_br_credit_bureau.report_consultation"


def concentre_count(document):
    """The number of occurrences of the simulator's Concentre answer for ``document``."""
    data = simulator_app._dossier(document, date.today())
    return sum(len(data[block]) for block in simulator_app.BLOCKS)


def brl(value):
    """'1234.5' -> 'R$ 1.234,50' (Brazilian separators)."""
    digits = f"{float(value):,.2f}".translate(str.maketrans(",.", ".,"))
    return f"R$ {digits}"


@tagged("post_install", "-at_install")
class TestSOAVocabulary(VocabularyMixin, CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        forget_clients()
        cls.addClassCleanup(forget_clients)
        cls.sim = SOAWebServicesSimulator(email=EMAIL, senha=PASSWORD, activation_delay=None)
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        currency = cls.env.ref("base.BRL")
        currency.active = True
        cls.head_office.currency_id = currency  # the branch's too
        cls.soa = cls.env["credit.bureau.integration"].create(
            {
                "name": "SOA WebServices Filial",
                "provider": "soa_webservices",
                "company_id": cls.branch.id,
                "api_base_url": cls.sim.url,
                "soa_email": EMAIL,
                "soa_password": PASSWORD,
                "soa_timeout": 3,
            }
        )
        cls.soa.action_sync_products()
        cls._load_portuguese("soa_webservices")

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.env = self.env(context=dict(self.env.context, lang=PT))

    def consult(self, document, product="CONCENTRE_SCORE"):
        product = self.soa.product_ids.filtered(lambda p: p.code == product)
        return self._consult(document, integration_id=self.soa.id, product_id=product.id)

    def test_result_and_probability(self):
        for count, document in documents_by_count(concentre_count).items():
            with self.subTest(count=count):
                # Without the Score additional item: no probability (not a 0).
                plain = self.consult(document, product="CONCENTRE")
                self.assertVocabulary(plain, count)
                self.assertFalse(plain.has_default_probability)
                self.assertFalse(plain.has_score)
                (first, *_rest) = self.render_pdf(REPORT, plain)
                self.assertNotIn("Probabilidade de inadimplência", first)
                # With it: the probability the Score block gives, shown.
                scored = self._consult(
                    document,
                    integration_id=self.soa.id,
                    product_id=self.soa.product_ids.filtered(
                        lambda p: p.code == "CONCENTRE_SCORE"
                    ).id,
                    confirm_repeat=True,
                    repeat_reason="Com score",
                )
                self.assertVocabulary(scored, count)
                self.assertTrue(scored.has_default_probability)
                self.assertGreater(scored.default_probability, 0)
                self.assertIn("Probabilidade de inadimplência", self.render_pdf(REPORT, scored)[0])
                # Our rendering of the answer says it in the same words, per block too.
                expected = scored.result_summary
                self.assertIn(expected, scored.report_html)
                self.assertNotIn("(s)", scored.report_html)

    def test_the_creditor_of_a_protest_is_never_its_cartorio(self):
        document = next(
            doc
            for doc in simulator_app.EXAMPLE_DOCUMENTS["protestos"]
            + simulator_app.EXAMPLE_DOCUMENTS["completo"]
            if len(doc) == 11
        )
        protests = simulator_app._dossier(document, date.today())["Protestos"]
        self.assertTrue(protests)
        consultation = self.consult(document)
        lines = consultation.line_ids.filtered(lambda line: line.kind == "protest")
        self.assertEqual(len(lines), len(protests))
        self.assertEqual(
            sorted((line.office, line.city, line.amount) for line in lines),
            sorted(
                (item["Cartorio"], f"{item['Cidade']} - {item['UF']}", float(item["Valor"]))
                for item in protests
            ),
        )
        # SOA names no creditor of a protest: none, rather than the cartório's number.
        self.assertFalse(any(lines.mapped("creditor")))
        # A lawsuit's court (vara) is not its creditor either.
        completo = simulator_app.EXAMPLE_DOCUMENTS["completo"][0]
        lawsuit = self.consult(completo).line_ids.filtered(lambda line: line.kind == "lawsuit")
        court = simulator_app._dossier(completo, date.today())["AcoesJudiciais"][0]["Vara"]
        self.assertEqual(lawsuit.office, court)
        self.assertFalse(lawsuit.creditor)

    def test_report_in_portuguese_with_brazilian_formats(self):
        document = simulator_app.EXAMPLE_DOCUMENTS["completo"][0]
        data = simulator_app._dossier(document, date.today())
        consultation = self.consult(document)
        pages = self.render_pdf(REPORT, consultation)
        text = " ".join(pages)
        # Our words, with their accents (the blocks of the answer, the table's headings).
        for words in (
            "Pendências financeiras",
            "Pendências internas",
            "Restrições financeiras",
            "Ações judiciais",
            "Cheques sem fundo (Bacen)",
            "Relatório do intermediador",
            "Cartório/Vara",
            "Data",
            "Valor",
            "Credor",
            "Não",  # Avalista "NAO"
        ):
            self.assertIn(words, text)
        for ascii_words in ("Pendencias Financeiras", "Acoes Judiciais", "Data Ocorrencia"):
            self.assertNotIn(ascii_words, text)
        # Amounts as R$ 1.234,56 and dates dd/mm/aaaa, never as the vendor sent them.
        items = [
            item
            for block in simulator_app.BLOCKS
            for item in data[block]
            if item.get("Valor") is not None
        ]
        self.assertTrue(items)
        for item in items:
            self.assertIn(brl(item["Valor"]), text)
            self.assertNotRegex(text, rf"(?<![\d.,]){re.escape(item['Valor'])}(?!\d)")
            self.assertIn(item["DataOcorrencia"], text)  # dd/mm/yyyy
        total = sum(float(item["Valor"]) for item in items)
        self.assertIn(brl(total), text)
        # The consulted document punctuated, in our page and in the rendered answer.
        punctuated = f"{document[:3]}.{document[3:6]}.{document[6:9]}-{document[9:]}"
        self.assertIn(punctuated, pages[0])
        self.assertIn(punctuated, consultation.report_html)
        self.assertNotIn(document, text)
        self.assertNotIn("(s)", text)
