import io

from odoo import api, fields, models
from odoo.tools import format_datetime
from odoo.tools.pdf import merge_pdf

from ..tools import clean_document, format_document

# Our reports: they carry their own layout (report/credit_bureau_consultation_report.xml).
OWN_LAYOUT_REPORTS = (
    "l10n_br_credit_bureau.report_consultation",
    "l10n_br_credit_bureau.report_negativation_receipt",
)


class IrActionsReport(models.Model):
    """Our reports print fast and never depend on the company's document layout: the
    company block is in the flow of each page (no header/footer page that wkhtmltopdf
    renders again for every page, which also made the address overlap the title), the
    styles are inline (no asset bundle compiled and fetched over HTTP by wkhtmltopdf) and,
    having no JavaScript, nothing to wait for (``report.print_delay``, one second by
    default). Measured in docs/performance.md."""

    _inherit = "ir.actions.report"

    def _bureau_own_layout(self):
        return len(self) == 1 and self.report_name in OWN_LAYOUT_REPORTS

    def _get_layout(self):
        if self._bureau_own_layout():
            return self.env.ref("l10n_br_credit_bureau.report_pdf_layout")
        return super()._get_layout()

    def _prepare_html(self, html, report_model=False):
        result = super()._prepare_html(html, report_model=report_model)
        if self._bureau_own_layout() and result:
            bodies, res_ids, _header, _footer, paperformat_args = result
            return bodies, res_ids, None, None, paperformat_args
        return result

    def _run_wkhtmltopdf(self, bodies, report_ref=False, header=None, footer=None, **kwargs):
        report = self._get_report(report_ref) if report_ref else self
        if report._bureau_own_layout():
            self = self.with_context(credit_bureau_no_print_delay=True)
        return super()._run_wkhtmltopdf(
            bodies, report_ref=report_ref, header=header, footer=footer, **kwargs
        )

    def _build_wkhtmltopdf_args(self, paperformat_id, landscape, *args, **kwargs):
        command_args = super()._build_wkhtmltopdf_args(paperformat_id, landscape, *args, **kwargs)
        if self.env.context.get("credit_bureau_no_print_delay") and (
            "--javascript-delay" in command_args
        ):
            index = command_args.index("--javascript-delay")
            command_args[index + 1] = "0"
        return command_args

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """Our reports only for who may read their records; the consultation's report
        followed by the provider's own PDF report when the provider sent one (Crédito na
        Medida)."""
        report = self._get_report(report_ref)
        if report._bureau_own_layout() and res_ids:
            # Only for who may read the records (a negativation's receipt: the negativation
            # group), refused before anything is rendered.
            self.env[report.model].browse(res_ids).check_access("read")
        streams = super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        if report.report_name != "l10n_br_credit_bureau.report_consultation":
            return streams
        consultations = self.env["credit.bureau.consultation"].browse(
            [res_id for res_id in streams if res_id]
        )
        for consultation in consultations:
            attachment = consultation.sudo().report_attachment_id
            entry = streams.get(consultation.id)
            if not (entry and entry.get("stream")) or consultation.report_format != "pdf":
                continue
            if not attachment.raw:
                continue
            merged = merge_pdf([entry["stream"].getvalue(), attachment.raw])
            entry["stream"] = io.BytesIO(merged)
        return streams

    # ------------------------------------------------------------------ template helpers
    @api.model
    def _bureau_report_document(self, value):
        """A CPF/CNPJ punctuated, whatever way it was typed."""
        return format_document(clean_document(value or "")) if value else ""

    @api.model
    def _bureau_report_address(self, partner):
        """A Brazilian one-line address: street, district, city - UF, CEP (no country)."""
        city = " - ".join(part for part in (partner.city, partner.state_id.code) if part)
        parts = [partner.street, partner.street2, city]
        if partner.zip:
            parts.append(self.env._("CEP %s", partner.zip))
        return ", ".join(part for part in parts if part)

    @api.model
    def _bureau_report_code(self, integration, kind, code):
        """A natureza or removal code with its name ("TI - Serviços de telecomunicação")
        as the integration synchronised it; the code alone when it is not (or no longer)
        in the integration's list."""
        if not code:
            return ""
        known = (
            self.env["credit.bureau.code"]
            .with_context(active_test=False)
            .search(
                [("integration_id", "=", integration.id), ("kind", "=", kind), ("code", "=", code)],
                limit=1,
            )
        )
        return known.display_name if known else code

    @api.model
    def _bureau_report_now(self):
        """Now, in the user's time zone and language (the moment a document is printed)."""
        return format_datetime(self.env, fields.Datetime.now())
