from odoo import api, fields, models


class CreditBureauConsultableMixin(models.AbstractModel):
    """What partners and leads share: their consultations, the summary of the last one, and
    the button that opens the consultation wizard."""

    _name = "credit.bureau.consultable.mixin"
    _description = "Consultable in a credit bureau"

    credit_consultation_count = fields.Integer(
        compute="_compute_credit_consultation_summary", string="Number of consultations"
    )
    credit_last_consultation_id = fields.Many2one(
        "credit.bureau.consultation",
        string="Last credit consultation",
        compute="_compute_credit_consultation_summary",
    )
    credit_last_consultation_date = fields.Datetime(
        compute="_compute_credit_consultation_summary", string="Last consultation"
    )
    credit_last_score = fields.Integer(
        compute="_compute_credit_consultation_summary", string="Last score"
    )
    credit_last_has_score = fields.Boolean(compute="_compute_credit_consultation_summary")
    credit_open_pendencies = fields.Integer(
        compute="_compute_credit_consultation_summary", string="Open pendencies"
    )
    credit_open_pendencies_amount = fields.Monetary(
        compute="_compute_credit_consultation_summary",
        string="Open pendencies amount",
        currency_field="credit_currency_id",
    )
    credit_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_credit_consultation_summary",
        string="Consultation currency",
    )
    credit_bureau_enabled = fields.Boolean(compute="_compute_credit_bureau_enabled")

    def _credit_consultation_domain(self):
        raise NotImplementedError

    def _compute_credit_consultation_summary(self):
        Consultation = self.env["credit.bureau.consultation"]
        # Users who may not read consultations (e.g. the negativation group alone) see none.
        readable = Consultation.has_access("read")
        for record in self:
            last = Consultation
            count = 0
            if record.id and readable:
                domain = record._credit_consultation_domain()
                count = Consultation.search_count(domain)
                last = Consultation.search(
                    [*domain, ("state", "=", "done")], order="date desc, id desc", limit=1
                )
            record.credit_consultation_count = count
            record.credit_last_consultation_id = last
            record.credit_last_consultation_date = last.date
            record.credit_last_score = last.score
            record.credit_last_has_score = last.has_score
            record.credit_open_pendencies = last.total_count
            record.credit_open_pendencies_amount = last.total_amount
            record.credit_currency_id = last.currency_id or self.env.company.currency_id

    def _compute_credit_bureau_enabled(self):
        user = self.env.user
        # The consultation and negativation parts each carry their own group in the views.
        enabled = user.has_group("l10n_br_credit_bureau.group_credit_bureau_enabled") and (
            user.has_group("l10n_br_credit_bureau.group_consult")
            or user.has_group("l10n_br_credit_bureau.group_negativation")
        )
        for record in self:
            record.credit_bureau_enabled = enabled

    def _credit_wizard_context(self):
        raise NotImplementedError

    def action_credit_consult(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit consultation"),
            "res_model": "credit.bureau.consult.wizard",
            "view_mode": "form",
            "target": "new",
            "context": self._credit_wizard_context(),
        }

    def action_view_credit_consultations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_br_credit_bureau.action_credit_consultation"
        )
        action["domain"] = self._credit_consultation_domain()
        action["context"] = {}
        return action


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "credit.bureau.consultable.mixin"]

    credit_consultation_ids = fields.One2many(
        "credit.bureau.consultation", "partner_id", string="Credit consultations"
    )

    def _credit_consultation_domain(self):
        return [("partner_id", "=", self.id)]

    def _credit_wizard_context(self):
        return {
            "default_partner_id": self.id,
            "default_document": self._bureau_document(),
            "default_company_id": (self.company_id or self.env.company).id,
        }

    @api.depends("credit_consultation_ids.state", "credit_consultation_ids.date")
    def _compute_credit_consultation_summary(self):
        return super()._compute_credit_consultation_summary()
