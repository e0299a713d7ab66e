import base64
import io
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from .common import CreditBureauCommon


@tagged("post_install", "-at_install")
class TestConsultation(CreditBureauCommon):
    def test_consultation_from_partner_stores_everything(self):
        action = self.partner.with_user(self.consult_user).action_credit_consult()
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.consult_user)
            .with_context(**action["context"])
            .create({"reason": "Contrato de internet"})
        )
        self.assertEqual(wizard.integration_id, self.integration)  # the head office's
        self.assertEqual(wizard.product_id.code, "BASICO")
        self.assertEqual(wizard.price, 4.5)
        self.assertEqual(wizard.cost, 0.0)  # homologation: free, nothing recorded
        consultation = self.env["credit.bureau.consultation"].browse(
            wizard.action_consult()["res_id"]
        )
        self.assertRecordValues(
            consultation,
            [
                {
                    "state": "done",
                    "document": "52998224725",
                    "document_type": "cpf",
                    "partner_id": self.partner.id,
                    "company_id": self.branch.id,
                    "user_id": self.consult_user.id,
                    "cost": 0.0,
                    "reason": "Contrato de internet",
                    "has_score": True,
                    "financial_count": 2,
                    "total_count": 2,
                }
            ],
        )
        self.assertTrue(consultation.name.startswith("CONS/"))
        self.assertEqual(len(consultation.line_ids), 2)
        self.assertEqual(consultation.report_format, "html")
        html = base64.b64decode(consultation.report_attachment_id.datas).decode()
        self.assertIn("529.982.247-25", html)  # punctuated
        self.assertIn("Score", consultation.report_html)
        # summary on the partner
        partner = self.partner.with_user(self.consult_user)
        self.assertEqual(partner.credit_last_consultation_id, consultation)
        self.assertEqual(partner.credit_last_score, consultation.score)
        self.assertEqual(partner.credit_open_pendencies, 2)
        self.assertEqual(partner.credit_consultation_count, 1)

    def test_consultation_from_lead_and_free_document(self):
        # The salesman's own lead: a salesman reads only his own (and unassigned) leads.
        lead = self.env["crm.lead"].create(
            {
                "name": "Prospect",
                "credit_document": "11.222.333/0001-81",
                "company_id": self.branch.id,
                "user_id": self.consult_user.id,
            }
        )
        context = lead.with_user(self.consult_user).action_credit_consult()["context"]
        consultation = self._consult(context["default_document"], lead_id=lead.id)
        self.assertEqual(consultation.lead_id, lead)
        self.assertEqual(consultation.document_type, "cnpj")
        self.assertEqual(lead.credit_last_consultation_id, consultation)
        # A document not in the database at all (menu "Consulta de crédito").
        free = self._consult("390.533.447-05")
        self.assertFalse(free.partner_id)
        self.assertEqual(free.state, "done")

    def test_invalid_document_refused_before_anything_is_sent(self):
        count = self.env["credit.bureau.consultation"].search_count([])
        with self.assertRaises(UserError) as caught:
            self._consult("123.456.789-00")
        self.assertIn("CPF", caught.exception.args[0])
        self.assertEqual(self.env["credit.bureau.consultation"].search_count([]), count)

    def test_interval_guard_offers_reuse_and_asks_confirmation(self):
        first = self._consult("529.982.247-25")
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.consult_user)
            .create({"document": "52998224725", "company_id": self.branch.id})
        )
        self.assertEqual(wizard.previous_consultation_id, first)
        self.assertIn(self.consult_user.name, wizard.previous_summary)
        # Opening the earlier report is free: nothing is created.
        count = self.env["credit.bureau.consultation"].search_count([])
        self.assertEqual(wizard.action_open_previous()["res_id"], first.id)
        with self.assertRaises(UserError):
            wizard.action_consult()
        wizard.confirm_repeat = True
        with self.assertRaises(UserError):
            wizard.action_consult()  # no reason
        self.assertEqual(self.env["credit.bureau.consultation"].search_count([]), count)
        wizard.repeat_reason = "Cliente pediu aumento de plano"
        second = self.env["credit.bureau.consultation"].browse(wizard.action_consult()["res_id"])
        self.assertEqual(second.repeat_of_id, first)
        self.assertIn("aumento de plano", second.reason)
        # Outside the interval, no question asked.
        first.date = second.date = fields.Datetime.now() - timedelta(days=31)
        wizard = self.env["credit.bureau.consult.wizard"].create(
            {"document": "52998224725", "company_id": self.branch.id}
        )
        self.assertFalse(wizard.previous_consultation_id)

    def test_failure_leaves_a_failed_record(self):
        self.integration.dummy_fail = "timeout"
        consultation = self._consult("529.982.247-25")
        self.assertEqual(consultation.state, "failed")
        self.assertTrue(consultation.error_message)
        self.assertFalse(consultation.report_attachment_id)
        self.integration.dummy_fail = "error"
        self.assertEqual(self._consult("390.533.447-05").state, "failed")
        # A failed consultation does not count as an earlier one for the interval guard.
        self.integration.dummy_fail = False
        self.assertEqual(self._consult("529.982.247-25").state, "done")

    def test_unexpected_error_is_recorded_too(self):
        def broken(*args, **kwargs):
            raise KeyError("bug")

        self.patch(type(self.integration), "_bureau_consult", broken)
        with self.assertLogs(
            "odoo.addons.l10n_br_credit_bureau.models.credit_bureau_consultation", "ERROR"
        ):
            consultation = self._consult("529.982.247-25")
        self.assertEqual(consultation.state, "failed")

    def test_retention_purges_reports_and_keeps_summary(self):
        old = self._consult("529.982.247-25")
        recent = self._consult("390.533.447-05")
        attachment = old.report_attachment_id
        old.date = fields.Datetime.now() - timedelta(days=181)
        self.env["credit.bureau.consultation"]._cron_purge_reports()
        self.assertFalse(attachment.exists())
        self.assertTrue(old.report_purged)
        self.assertEqual(old.total_count, 2)
        self.assertTrue(old.has_score)
        self.assertTrue(recent.report_attachment_id)
        self.env["ir.config_parameter"].set_param("l10n_br_credit_bureau.report_retention_days", 0)
        recent.date = fields.Datetime.now() - timedelta(minutes=1)
        self.env["credit.bureau.consultation"]._cron_purge_reports()
        self.assertTrue(recent.report_purged)

    def test_simulated_provider_answers_in_the_users_language(self):
        expected = {
            "en_US": ("Nothing recorded", "Restrictions recorded", "Simulated report", "Protest"),
            "pt_BR": ("Nada consta", "Constam restrições", "Relatório simulado", "Protesto"),
        }
        self.env["res.lang"]._activate_lang("pt_BR")
        for lang, (clean, restricted, title, protest) in expected.items():
            with self.subTest(lang):
                integration = self.integration.with_context(lang=lang)
                # The last character picks the profile: "0" clean, "2" protest.
                self.assertEqual(
                    integration._bureau_consult("00000000000", "BASICO")["message"], clean
                )
                result = integration._bureau_consult("00000000002", "BASICO")
                self.assertEqual(result["message"], restricted)
                self.assertEqual(result["lines"][0]["description"], protest)
                self.assertIn(f"<h3>{title}</h3>", result["report_html"])
        # Through the wizard, the consultation is stored in the consulting user's language.
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.consult_user)
            .with_company(self.branch)
            .with_context(lang="pt_BR")
            .create({"document": "529.982.247-25", "company_id": self.branch.id})
        )
        consultation = self.env["credit.bureau.consultation"].browse(
            wizard.action_consult()["res_id"]
        )
        self.assertEqual(consultation.message, "Constam restrições")
        html = base64.b64decode(consultation.report_attachment_id.datas).decode()
        self.assertIn("Documento: 529.982.247-25", html)

    def test_report_html_is_sanitized(self):
        consultation = self._consult("529.982.247-25")
        consultation.report_attachment_id.raw = b"<p>ok</p><script>alert(1)</script>"
        consultation.invalidate_recordset(["report_html"])
        self.assertIn("ok", consultation.report_html)
        self.assertNotIn("script", consultation.report_html)

    def test_qweb_report_renders_our_layout(self):
        consultation = self._consult("529.982.247-25")
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "l10n_br_credit_bureau.report_consultation", consultation.ids
        )
        html = html.decode()
        self.assertIn(consultation.name, html)
        self.assertIn("Veloz Fibra Filial", html)
        self.assertIn("529.982.247-25", html)
        self.assertIn("Banco Exemplo", html)  # detail lines
        self.assertIn("Simulated report", html)  # provider HTML embedded


@tagged("post_install", "-at_install")
class TestConsultationPdf(HttpCase, CreditBureauCommon):
    def test_pdf_download(self):
        layout = self.env.ref("web.external_layout_standard")
        (self.branch | self.env.company).external_report_layout_id = layout
        consultation = self._consult("529.982.247-25")
        action = consultation.action_print_report()
        self.assertEqual(action["type"], "ir.actions.report")
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("l10n_br_credit_bureau.report_consultation", consultation.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        # A provider that sends its own PDF (Crédito na Medida): our report is printed all
        # the same, the provider's PDF following it in the same file; its PDF alone is
        # downloaded with its own button.
        provider_pdf = self._one_page_pdf()
        consultation.report_format = "pdf"
        consultation.report_attachment_id.write(
            {"raw": provider_pdf, "mimetype": "application/pdf"}
        )
        action = consultation.action_print_report()
        self.assertEqual(action["type"], "ir.actions.report")
        ours_alone = len(PdfFileReader(io.BytesIO(pdf)).pages)
        merged, _kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("l10n_br_credit_bureau.report_consultation", consultation.ids)
        )
        # Our report without its embedded HTML report (a PDF consultation has none) plus
        # the provider's page.
        self.assertEqual(len(PdfFileReader(io.BytesIO(merged)).pages), ours_alone)
        self.assertIn("Credit consultation", self._pdf_text(merged))
        action = consultation.action_download_provider_report()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(str(consultation.report_attachment_id.id), action["url"])

    def _one_page_pdf(self):
        writer = PdfFileWriter()
        writer.add_blank_page(width=595, height=842)
        stream = io.BytesIO()
        writer.write(stream)
        return stream.getvalue()

    @staticmethod
    def _pdf_text(pdf):
        return "\n".join(page.extract_text() for page in PdfFileReader(io.BytesIO(pdf)).pages)

    @staticmethod
    def _text_boxes(pdf):
        """``[[(text, bottom, top)]]`` per page: each text run with its vertical extent in
        PDF points (origin at the bottom of the page)."""
        pages = []
        for page in PdfFileReader(io.BytesIO(pdf)).pages:
            runs = []
            pages.append(runs)

            def visit(text, cm, tm, _font, size):
                if not text.strip():
                    return
                # The run's matrix (text matrix x current matrix): its baseline and scale.
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                scale = abs(tm[3] * cm[3]) or 1.0
                height = size * scale
                pages[-1].append((text.strip(), y - 0.25 * height, y + height))

            page.extract_text(visitor_text=visit)
        return pages

    def test_header_address_never_overlaps_the_title(self):
        """On both pages (the summary and the provider's report), the company block ends
        above the page's title: read from the positions of the PDF's text."""
        self.branch.partner_id.write(
            {
                "street": "Rua Barão de Jaguara, 1000",
                "street2": "Centro",
                "city": "Campinas",
                "state_id": self.env.ref("base.state_br_sp").id,
                "zip": "13015-002",
                "country_id": self.env.ref("base.br").id,
                "vat": "11.222.333/0001-81",
            }
        )
        consultation = self._consult("529.982.247-25")
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("l10n_br_credit_bureau.report_consultation", consultation.ids)
        )
        pages = self._text_boxes(pdf)
        self.assertGreaterEqual(len(pages), 2, "the provider's report has its own page")
        for number, (runs, title) in enumerate(
            zip(pages[:2], ("Credit consultation", "Provider's report"), strict=True), 1
        ):
            header = [run for run in runs if "CEP" in run[0] or "Campinas" in run[0]]
            titles = [run for run in runs if title in run[0]]
            self.assertTrue(header, f"page {number}: the company's address is printed")
            self.assertTrue(titles, f"page {number}: the title {title!r} is printed")
            header_bottom = min(bottom for _text, bottom, _top in header)
            title_top = max(top for _text, _bottom, top in titles)
            self.assertGreater(
                header_bottom,
                title_top,
                f"page {number}: the address ({header}) overlaps the title ({titles})",
            )
            self.assertFalse(
                [run for run in runs if run[0] in ("Brasil", "Brazil")],
                f"page {number}: no country line in a Brazilian address",
            )
        self.assertNotIn("Your logo", self._pdf_text(pdf))
