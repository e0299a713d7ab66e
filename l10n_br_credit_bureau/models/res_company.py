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
        # Only what is needed, read at the start of every scheduled action of the flows (not
        # every column of the company and its partner, nor the company's computed address).
        self.fetch(["partner_id"])
        partner = self.partner_id
        partner.fetch(["lang", "country_id"])
        own = partner.lang
        candidates = [own] if own and own != "en_US" else []
        if partner.country_id.code == "BR" or self.country_id.code == "BR":
            candidates.append("pt_BR")
        for code in candidates:
            if Lang._get_data(code=code):
                return code
        return own or self.env.context.get("lang") or "en_US"
