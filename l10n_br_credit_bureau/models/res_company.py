from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_bureau_integration_id = fields.Many2one(
        "credit.bureau.integration",
        string="Credit bureau integration",
        compute="_compute_credit_bureau_integration_id",
        help="The integration this company or branch uses: its own, else its head office's.",
    )
    credit_bureau_integration_ids = fields.One2many(
        "credit.bureau.integration", "company_id", string="Credit bureau integrations"
    )

    def _compute_credit_bureau_integration_id(self):
        Integration = self.env["credit.bureau.integration"]
        for company in self:
            company.credit_bureau_integration_id = Integration._bureau_for_company(company)
