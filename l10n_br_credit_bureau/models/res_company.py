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
        run without a user language): its partner's language, unless that is the English
        every database starts with and the company is Brazilian with Portuguese installed
        (a database created in English then set up in Portuguese keeps en_US there)."""
        self.ensure_one()
        Lang = self.env["res.lang"]
        own = self.partner_id.lang
        candidates = [own] if own and own != "en_US" else []
        if self.country_id.code == "BR" or self.partner_id.country_id.code == "BR":
            candidates.append("pt_BR")
        for code in candidates:
            if Lang._get_data(code=code):
                return code
        return own or self.env.context.get("lang") or "en_US"
