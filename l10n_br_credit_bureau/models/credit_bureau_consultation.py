import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html_sanitize

from ..const import DEFAULT_RETENTION_DAYS, OCCURRENCE_KINDS, PARAM_RETENTION_DAYS
from ..tools import CreditBureauError, format_document, occurrences_text, validate_document

_logger = logging.getLogger(__name__)

KIND_SELECTION = [
    ("financial", "Financial pendency"),
    ("protest", "Protest"),
    ("check", "Bounced check"),
    ("lawsuit", "Lawsuit"),
    ("other", "Other"),
]

# What the provider answered: never given at creation (a consultation is created pending,
# and only the provider's answer makes it done or failed).
RESULT_FIELDS = frozenset(
    {
        "state",
        "error_message",
        "consulted_name",
        "protocol",
        "message",
        "score",
        "has_score",
        "risk_class",
        "default_probability",
        "has_default_probability",
        "financial_count",
        "financial_amount",
        "protest_count",
        "protest_amount",
        "check_count",
        "check_amount",
        "lawsuit_count",
        "lawsuit_amount",
        "total_count",
        "total_amount",
        "line_ids",
        "report_attachment_id",
        "report_format",
        "report_purged",
    }
)
# The result and what identifies the consultation (who asked, when, what, for whom, at what
# cost and why): written only by the provider path (``_bureau_run``, ``_bureau_apply_result``,
# ``_bureau_fail``, the retention purge), which runs as superuser. A user (any group, RPC
# included) never writes them; ``test_consultation_protection`` checks that every stored
# field of the model but the chatter's is here.
PROTECTED_FIELDS = RESULT_FIELDS | {
    "name",
    "document",
    "document_type",
    "partner_id",
    "lead_id",
    "integration_id",
    "provider",
    "company_id",
    "currency_id",
    "product_id",
    "product_code",
    "user_id",
    "date",
    "cost",
    "reason",
    "repeat_of_id",
}


class CreditBureauConsultation(models.Model):
    """One credit consultation of a CPF/CNPJ — paid, personal data: who, when, why, what
    it cost and what came back, success or failure."""

    _name = "credit.bureau.consultation"
    _description = "Credit Consultation"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Number", readonly=True, copy=False, default="/")
    document = fields.Char(string="CPF/CNPJ", required=True, readonly=True, index=True)
    document_type = fields.Selection([("cpf", "CPF"), ("cnpj", "CNPJ")], readonly=True)
    document_display = fields.Char(string="Document", compute="_compute_document_display")
    partner_id = fields.Many2one("res.partner", index=True, readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Lead/Opportunity", index=True, readonly=True)
    integration_id = fields.Many2one(
        "credit.bureau.integration",
        required=True,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    provider = fields.Selection(related="integration_id.provider", store=True)
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    product_id = fields.Many2one("credit.bureau.product", readonly=True)
    product_code = fields.Char(readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Requested by",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    cost = fields.Monetary(readonly=True)
    reason = fields.Text(string="Purpose", readonly=True)
    repeat_of_id = fields.Many2one(
        "credit.bureau.consultation",
        string="Repeats",
        readonly=True,
        help="An earlier consultation of the same document, within the interval, that the "
        "user chose to pay for again.",
    )
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")],
        default="pending",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    error_message = fields.Text(readonly=True)
    # normalised result
    consulted_name = fields.Char(readonly=True)
    protocol = fields.Char(readonly=True)
    # The provider's own words, kept as it sent them; the result shown to users is
    # ``result_summary``, in the suite's one vocabulary.
    message = fields.Char(string="Provider's message", readonly=True)
    result_summary = fields.Char(
        string="Result",
        compute="_compute_result_summary",
        help='"Nada consta", "Consta 1 ocorrência" or "Constam N ocorrências", whatever the '
        "provider.",
    )
    score = fields.Integer(readonly=True, aggregator="avg")
    has_score = fields.Boolean(readonly=True)
    risk_class = fields.Char(readonly=True)
    default_probability = fields.Float(string="Default probability (%)", readonly=True)
    has_default_probability = fields.Boolean(
        readonly=True,
        help="The provider gave a probability of default (a probability of 0% is one; "
        "no probability at all is not shown).",
    )
    financial_count = fields.Integer(string="Financial pendencies", readonly=True)
    financial_amount = fields.Monetary(string="Financial pendencies amount", readonly=True)
    protest_count = fields.Integer(string="Protests", readonly=True)
    protest_amount = fields.Monetary(string="Protests amount", readonly=True)
    check_count = fields.Integer(string="Bounced checks", readonly=True)
    check_amount = fields.Monetary(string="Bounced checks amount", readonly=True)
    lawsuit_count = fields.Integer(string="Lawsuits", readonly=True)
    lawsuit_amount = fields.Monetary(string="Lawsuits amount", readonly=True)
    total_count = fields.Integer(string="Occurrences", readonly=True)
    total_amount = fields.Monetary(string="Occurrences amount", readonly=True)
    line_ids = fields.One2many("credit.bureau.consultation.line", "consultation_id", readonly=True)
    report_attachment_id = fields.Many2one("ir.attachment", readonly=True, copy=False)
    report_format = fields.Selection([("html", "HTML"), ("pdf", "PDF")], readonly=True)
    report_purged = fields.Boolean(
        readonly=True, help="The provider's report was deleted at the end of the retention period."
    )
    report_html = fields.Html(compute="_compute_report_html", sanitize=False)

    @api.depends("document")
    def _compute_document_display(self):
        for consultation in self:
            consultation.document_display = format_document(consultation.document or "")

    @api.depends("state", "total_count")
    @api.depends_context("lang")
    def _compute_result_summary(self):
        for consultation in self:
            consultation.result_summary = (
                occurrences_text(self.env, consultation.total_count)
                if consultation.state == "done"
                else False
            )

    @api.depends("report_attachment_id", "report_format")
    def _compute_report_html(self):
        for consultation in self:
            html = ""
            attachment = consultation.sudo().report_attachment_id
            if consultation.report_format == "html" and attachment:
                raw = (attachment.with_context(bin_size=False).raw or b"").decode(
                    "utf-8", errors="replace"
                )
                # The provider's HTML is untrusted: no script, no external resource.
                html = html_sanitize(raw, sanitize_style=True, strip_classes=True)
            consultation.report_html = html

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "A credit consultation is created only by the consultation wizard, which "
                    'sends it to the provider: use the button "Consult credit analysis".'
                )
            )
        for vals in vals_list:
            given = sorted(
                name
                for name in RESULT_FIELDS.intersection(vals)
                if name != "state" or vals[name] != "pending"
            )
            if given:
                raise UserError(
                    self.env._(
                        "A credit consultation is created pending: its result (%(fields)s) "
                        "comes only from the provider's answer.",
                        fields=", ".join(self._bureau_field_labels(given)),
                    )
                )
            self._bureau_check_product_serves(vals)
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("credit.bureau.consultation") or "/"
                )
        return super().create(vals_list)

    @api.model
    def _bureau_check_product_serves(self, vals):
        """A product for persons (CPF) never consults a CNPJ, one for companies never a CPF:
        refused here too, whatever path creates the consultation."""
        product = self.env["credit.bureau.product"].browse(vals.get("product_id")).sudo()
        if not product or not vals.get("document"):
            return
        kind = vals.get("document_type")
        if not kind:
            _document, kind = validate_document(self.env, vals["document"])
        if not product._bureau_serves(kind):
            raise UserError(product._bureau_audience_error(kind, vals["document"]))

    def write(self, vals):
        if not self.env.su:
            protected = PROTECTED_FIELDS.intersection(vals)
            if protected:
                raise UserError(
                    self.env._(
                        "The data of a credit consultation (%(fields)s) is written only by the "
                        "provider's answer: it cannot be changed.",
                        fields=", ".join(self._bureau_field_labels(protected)),
                    )
                )
        return super().write(vals)

    def _bureau_field_labels(self, names):
        """The labels of the fields ``names``, in the user's language, sorted."""
        return sorted(self._fields[name]._description_string(self.env) for name in names)

    # ------------------------------------------------------------------ running
    def _bureau_run(self):
        """Ask the provider. Never raises: a failure becomes a failed consultation with the
        message, so that nothing paid for or attempted is lost."""
        for consultation in self.filtered(lambda c: c.state == "pending"):
            integration = consultation.integration_id
            try:
                result = integration._bureau_consult(
                    consultation.document, consultation.product_code
                )
            except CreditBureauError as error:
                _logger.warning(
                    "Consultation %s failed at %s: %s",
                    consultation.name,
                    integration.provider,
                    error.detail,
                )
                consultation._bureau_fail(error.args[0])
                continue
            except Exception:
                _logger.exception("Consultation %s failed unexpectedly", consultation.name)
                consultation._bureau_fail(
                    self.env._(
                        "Unexpected error while consulting. The technical detail is in the "
                        "server log."
                    )
                )
                continue
            consultation._bureau_apply_result(result)
        return True

    def _bureau_fail(self, message):
        self.write({"state": "failed", "error_message": message})
        self.message_post(body=self.env._("Consultation failed: %s", message))

    def _bureau_apply_result(self, result):
        self.ensure_one()
        lines = result.get("lines") or []
        totals = dict(result.get("totals") or {})
        for kind in OCCURRENCE_KINDS:
            if kind not in totals:
                of_kind = [line for line in lines if line.get("kind", "other") == kind]
                totals[kind] = (len(of_kind), sum(line.get("amount") or 0.0 for line in of_kind))
        values = {
            "state": "done",
            "error_message": False,
            "consulted_name": result.get("name"),
            "protocol": result.get("protocol"),
            "message": result.get("message"),
            "has_score": result.get("score") is not None,
            "score": result.get("score") or 0,
            "risk_class": result.get("risk_class"),
            "has_default_probability": result.get("default_probability") is not None,
            "default_probability": result.get("default_probability") or 0.0,
            "line_ids": [
                fields.Command.create(
                    {
                        "kind": line.get("kind", "other"),
                        "date": line.get("date"),
                        "amount": line.get("amount") or 0.0,
                        "creditor": line.get("creditor"),
                        "office": line.get("office"),
                        "city": line.get("city"),
                        "description": line.get("description"),
                    }
                )
                for line in lines
            ],
        }
        for kind in ("financial", "protest", "check", "lawsuit"):
            values[f"{kind}_count"], values[f"{kind}_amount"] = totals[kind]
        values["total_count"] = sum(count for count, _amount in totals.values())
        values["total_amount"] = sum(amount for _count, amount in totals.values())
        if result.get("cost") is not None:
            values["cost"] = result["cost"]
        pdf, html = result.get("report_pdf"), result.get("report_html")
        if pdf or html:
            extension = "pdf" if pdf else "html"
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"{self.name.replace('/', '-')}.{extension}",
                        "raw": pdf or html.encode("utf-8"),
                        "mimetype": "application/pdf" if pdf else "text/html",
                        "res_model": self._name,
                        "res_id": self.id,
                        "company_id": self.company_id.id,
                    }
                )
            )
            values.update(report_attachment_id=attachment.id, report_format=extension)
        self.write(values)
        self.message_post(
            body=self.env._(
                "Consultation done: %(result)s, score %(score)s.",
                result=self.result_summary,
                score=self.score if self.has_score else "-",
            )
        )

    # ------------------------------------------------------------------ actions
    def action_print_report(self):
        """Our printable report, for every provider; when the provider sent its own PDF
        (Crédito na Medida), it follows ours in the same file. Never asks for the company's
        document layout: our report has its own."""
        self.ensure_one()
        return self.env.ref("l10n_br_credit_bureau.action_report_consultation").report_action(
            self, config=False
        )

    def action_download_provider_report(self):
        """The provider's own PDF alone, as it sent it."""
        self.ensure_one()
        if not (self.report_format == "pdf" and self.report_attachment_id):
            raise UserError(self.env._("The provider sent no PDF report for this consultation."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.report_attachment_id.id}?download=true",
            "target": "download",
        }

    def action_open_partner(self):
        self.ensure_one()
        return self.partner_id._get_formview_action() if self.partner_id else False

    # ------------------------------------------------------------------ retention
    @api.model
    def _cron_purge_reports(self, batch_size=500):
        """LGPD: delete the providers' reports after the retention period; the summary
        fields stay."""
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(PARAM_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)
        )
        limit_date = fields.Datetime.now() - timedelta(days=days)
        while True:
            consultations = self.sudo().search(
                [("report_attachment_id", "!=", False), ("date", "<", limit_date)], limit=batch_size
            )
            if not consultations:
                break
            attachments = consultations.report_attachment_id
            consultations.write({"report_attachment_id": False, "report_purged": True})
            attachments.unlink()
            _logger.info(
                "Purged %s consultation reports older than %s days", len(consultations), days
            )
            if len(consultations) < batch_size:
                break
            if self.env["ir.cron"]._commit_progress(len(consultations)) <= 0:
                break


class CreditBureauConsultationLine(models.Model):
    _name = "credit.bureau.consultation.line"
    _description = "Credit Consultation Occurrence"
    _order = "consultation_id, date desc, id"

    consultation_id = fields.Many2one(
        "credit.bureau.consultation", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="consultation_id.company_id", store=True)
    currency_id = fields.Many2one(related="consultation_id.currency_id")
    kind = fields.Selection(KIND_SELECTION, required=True, default="other")
    date = fields.Date()
    amount = fields.Monetary()
    # Who is owed; never the registry office or the court that records the occurrence,
    # which have their own fields.
    creditor = fields.Char()
    office = fields.Char(
        string="Registry office/court",
        help="The registry office (cartório) of a protest, or the court (vara) of a lawsuit.",
    )
    city = fields.Char(help="Where the occurrence was recorded (city - UF).")
    description = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "The occurrences of a credit consultation come only from the provider's "
                    "answer: they cannot be created."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "The occurrences of a credit consultation come only from the provider's "
                    "answer: they cannot be changed."
                )
            )
        return super().write(vals)
