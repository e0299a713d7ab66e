"""One vocabulary for the result of a consultation ("Nada consta", "Consta 1 ocorrência",
"Constam N ocorrências"), said by the core from the numbers the providers give; a
probability of default shown only when the provider gave one."""

import importlib.util
import io

from odoo.modules.module import get_module_path
from odoo.tests import Form, tagged
from odoo.tools.pdf import PdfFileReader

from ..tools import occurrences_text
from .common import CreditBureauCommon

PT = "pt_BR"
# Valid CPFs whose last character picks the simulated provider's profile: "0" nothing on
# record, "2" one protest, "5" two financial pendencies.
CLEAN, ONE, TWO = "100.000.002-80", "100.000.004-42", "529.982.247-25"


def pdf_pages(pdf):
    """The text of each page of a PDF, its runs of white space (line breaks between the
    text runs of a table cell, non-breaking spaces) as one space."""
    return [" ".join(page.extract_text().split()) for page in PdfFileReader(io.BytesIO(pdf)).pages]


def cpf_check_digits(nine):
    """The two check digits of the first nine digits of a CPF."""
    digits = [int(char) for char in nine]
    for weight in (10, 11):
        total = sum(d * (weight - i) for i, d in enumerate(digits))
        digits.append(total * 10 % 11 % 10)
    return "".join(str(d) for d in digits[-2:])


def valid_cpfs(start=100000001, limit=2000):
    """Valid CPFs, in order, from the nine digits ``start``."""
    for base in range(start, start + limit):
        yield f"{base:09d}" + cpf_check_digits(f"{base:09d}")


def documents_by_count(count_of, start=100000001, limit=2000):
    """``{0: cpf, 1: cpf, n: cpf}``: valid CPFs whose consultation gives no occurrence, one,
    and several (n >= 2), as ``count_of(cpf)`` says, read from the provider's simulator."""
    found = {}
    for document in valid_cpfs(start, limit):
        count = count_of(document)
        key = min(count, 2)
        if key not in found:
            found[key] = (document, count)
        if len(found) == 3:
            return {count: document for document, count in found.values()}
    raise AssertionError(f"no CPF with 0, 1 and several occurrences: {found}")


def load_migration(version):
    path = f"{get_module_path('l10n_br_credit_bureau')}/migrations/{version}/post-migrate.py"
    spec = importlib.util.spec_from_file_location(f"cb_migration_{version}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class VocabularyMixin:
    """pt_BR active, the core's (and the providers') translations as they are now."""

    @classmethod
    def _load_portuguese(cls, *modules):
        cls.env["res.lang"]._activate_lang(PT)
        cls.env["ir.module.module"]._load_module_terms(
            ["l10n_br_credit_bureau", *modules], [PT], overwrite=True
        )
        cls.env.invalidate_all()

    def assertVocabulary(self, consultation, count):
        """The consultation says its result in the suite's words, in pt_BR."""
        expected = {0: "Nada consta", 1: "Consta 1 ocorrência"}.get(
            count, f"Constam {count} ocorrências"
        )
        consultation = consultation.with_context(lang=PT)
        self.assertEqual(consultation.state, "done", consultation.error_message)
        self.assertEqual(consultation.total_count, count)
        self.assertEqual(consultation.result_summary, expected)
        self.assertNotIn("(s)", consultation.result_summary)
        return expected

    def render_pdf(self, report, records, lang=PT, user=None):
        """The PDF of ``report`` for ``records`` (wkhtmltopdf), as the text of its pages."""
        Report = self.env["ir.actions.report"]
        if user:
            Report = Report.with_user(user)
        pdf, kind = Report.with_context(force_report_rendering=True, lang=lang)._render_qweb_pdf(
            report, records.ids
        )
        self.assertEqual(kind, "pdf")
        return pdf_pages(pdf)


@tagged("post_install", "-at_install")
class TestResultVocabulary(VocabularyMixin, CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_portuguese()
        brl = cls.env.ref("base.BRL")
        brl.active = True
        # A branch has its head office's currency.
        cls.head_office.currency_id = brl
        assert cls.branch.currency_id == brl

    def _answered(self, result):
        """A consultation of the simulated provider given the normalised ``result``, as the
        provider path applies an answer (the core's side of the providers' contract)."""
        consultation = (
            self.env["credit.bureau.consultation"]
            .sudo()
            .create(
                {
                    "document": "52998224725",
                    "integration_id": self.integration.id,
                    "company_id": self.branch.id,
                }
            )
        )
        consultation._bureau_apply_result(result)
        return consultation

    def test_the_words_of_each_count(self):
        portuguese = self.env(context=dict(self.env.context, lang=PT))
        english = self.env(context=dict(self.env.context, lang="en_US"))
        self.assertEqual(occurrences_text(portuguese, 0), "Nada consta")
        self.assertEqual(occurrences_text(portuguese, 1), "Consta 1 ocorrência")
        self.assertEqual(occurrences_text(portuguese, 2), "Constam 2 ocorrências")
        self.assertEqual(occurrences_text(portuguese, 12), "Constam 12 ocorrências")
        self.assertEqual(occurrences_text(english, 0), "Nothing on record")
        self.assertEqual(occurrences_text(english, 1), "1 occurrence on record")
        self.assertEqual(occurrences_text(english, 3), "3 occurrences on record")

    def test_consultation_form_list_chatter_and_wizard_say_it(self):
        self.env = self.env(context=dict(self.env.context, lang=PT))
        for document, count in ((CLEAN, 0), (ONE, 1), (TWO, 2)):
            with self.subTest(document=document):
                consultation = self._consult(document)
                expected = self.assertVocabulary(consultation, count)
                # The chatter line of the answer, in the same words.
                bodies = " ".join(consultation.message_ids.mapped("body"))
                self.assertIn(expected, bodies)
                self.assertNotIn("(s)", bodies)
                # The wizard's warning about a recent consultation of the document.
                wizard = (
                    self.env["credit.bureau.consult.wizard"]
                    .with_user(self.consult_user)
                    .with_company(self.branch)
                    .create({"document": document, "company_id": self.branch.id})
                )
                self.assertIn(expected, wizard.previous_summary)
                self.assertNotIn("(s)", wizard.previous_summary)
        views = (
            self.env["credit.bureau.consultation"]
            .with_context(lang=PT)
            .get_views([(False, "form"), (False, "list")])["views"]
        )
        for kind in ("form", "list"):
            self.assertIn('name="result_summary"', views[kind]["arch"])
        fields = self.env["credit.bureau.consultation"].with_context(lang=PT).fields_get()
        self.assertEqual(fields["result_summary"]["string"], "Resultado")
        self.assertEqual(fields["message"]["string"], "Mensagem do intermediador")

    def test_probability_only_when_given(self):
        """None (not given) is not 0 (given, and 0%): the first is hidden in the form and
        in the PDF, the second shown."""
        consultation = self._consult(TWO)
        self.assertTrue(consultation.has_default_probability)  # the simulated one gives it
        form = (
            self.env["credit.bureau.consultation"]
            .with_context(lang=PT)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertRegex(
            form, r'<field name="default_probability"[^>]*invisible="not has_default_probability"'
        )
        cases = {None: False, 0.0: True, 12.5: True}
        for given, shown in cases.items():
            with self.subTest(given=given):
                pending = self._answered(
                    {"name": "Fulano", "score": 700, "default_probability": given, "lines": []}
                )
                self.assertEqual(pending.has_default_probability, shown)
                self.assertEqual(pending.default_probability, given or 0.0)
                html = (
                    self.env["ir.actions.report"]
                    .with_context(lang=PT)
                    ._render_qweb_html("l10n_br_credit_bureau.report_consultation", pending.ids)[0]
                    .decode()
                )
                self.assertEqual("Probabilidade de inadimplência" in html, shown, html)
        text = self.render_pdf("l10n_br_credit_bureau.report_consultation", pending)[0]
        self.assertIn("Probabilidade de inadimplência", text)
        self.assertRegex(text, r"12,50 ?%")
        self.assertIn("Nada consta", text)

    def test_migration_marks_the_probabilities_given_before(self):
        consultation = self._consult(TWO)
        self.assertGreater(consultation.default_probability, 0)
        consultation.sudo().write({"has_default_probability": False})
        migration = load_migration("19.0.1.2.0")
        self.assertIn(consultation, migration.mark_given_probabilities(self.env))
        self.assertTrue(consultation.has_default_probability)
        self.assertFalse(migration.mark_given_probabilities(self.env))

    def test_occurrence_office_is_not_the_creditor(self):
        """A line's registry office (cartório) or court has its own column in the PDF."""
        pending = self._answered(
            {
                "name": "Fulano",
                "lines": [
                    {
                        "kind": "protest",
                        "amount": 234.39,
                        "creditor": None,
                        "office": "7",
                        "city": "CAMPINAS - SP",
                        "description": "Protesto",
                    }
                ],
            }
        )
        self.assertRecordValues(
            pending.line_ids, [{"creditor": False, "office": "7", "city": "CAMPINAS - SP"}]
        )
        text = "\n".join(self.render_pdf("l10n_br_credit_bureau.report_consultation", pending))
        # Our headings in Portuguese, with their accents.
        for heading in ("Consulta de crédito", "Resumo", "Ocorrências", "Cartório/Vara"):
            self.assertIn(heading, text)
        self.assertIn("CAMPINAS - SP", text)
        self.assertIn("R$ 234,39", text)
        self.assertIn("Consta 1 ocorrência", text)

    def test_wizard_shows_the_document_punctuated(self):
        """From a contact whose CPF is stored without punctuation, the consultation wizard
        shows it punctuated; what is sent and stored stays the clean document."""
        self.partner.with_context(disable_cpf_cnpj_validation=True).vat = "52998224725"
        action = self.partner.with_user(self.consult_user).action_credit_consult()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.consult_user)
            .with_company(self.branch)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard.document, "529.982.247-25")
        wizard.document = "39053344705"
        self.assertEqual(wizard.document, "390.533.447-05")
        wizard.document = "3905334"  # not a document yet: left as typed
        self.assertEqual(wizard.document, "3905334")
        wizard.document = "529.982.247-25"
        consultation = self.env["credit.bureau.consultation"].browse(
            wizard.save().action_consult()["res_id"]
        )
        self.assertEqual(consultation.document, "52998224725")
        self.assertEqual(consultation.document_display, "529.982.247-25")
