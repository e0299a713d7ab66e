from odoo import api, fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "credit.bureau.consultable.mixin"]

    credit_document = fields.Char(
        string="CPF/CNPJ",
        compute="_compute_credit_document",
        store=True,
        readonly=False,
        help="Document of the prospect, used for credit consultations.",
    )
    credit_consultation_ids = fields.One2many(
        "credit.bureau.consultation", "lead_id", string="Credit consultations"
    )

    @api.depends("partner_id.vat", "partner_id.commercial_partner_id.vat")
    def _compute_credit_document(self):
        for lead in self:
            document = lead.partner_id and lead.partner_id._bureau_document()
            if document:
                lead.credit_document = document

    def _credit_consultation_domain(self):
        return [("lead_id", "=", self.id)]

    def _credit_wizard_context(self):
        return {
            "default_lead_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_document": self.credit_document or "",
            "default_company_id": (self.company_id or self.env.company).id,
        }

    @api.depends("credit_consultation_ids.state", "credit_consultation_ids.date")
    def _compute_credit_consultation_summary(self):
        return super()._compute_credit_consultation_summary()
