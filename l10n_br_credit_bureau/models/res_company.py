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

    def _bureau_lang(self):
        """The language of the company's users, for what the scheduled actions write (they
        run without a user language): the company's own (its partner's) when active, else
        Portuguese for a Brazilian company when it is installed, else the context's."""
        self.ensure_one()
        Lang = self.env["res.lang"]
        for code in (self.partner_id.lang, "pt_BR" if self.country_id.code == "BR" else None):
            if code and Lang._get_data(code=code):
                return code
        return self.env.context.get("lang") or "en_US"
