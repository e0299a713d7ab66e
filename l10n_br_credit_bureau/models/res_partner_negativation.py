from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from ..const import NEGATIVATION_GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_bureau_no_negativation = fields.Boolean(
        string="Do not negativate",
        help="Never negativate this customer (manual, mass or automatic).",
    )
    credit_birth_date = fields.Date(
        string="Birth date",
        help="Sent with negativations when known: some bureaus refuse debtors under 18.",
    )
    credit_negativation_ids = fields.One2many(
        "credit.bureau.negativation",
        "partner_id",
        string="Negativations",
        groups=NEGATIVATION_GROUP,
    )
    credit_negativation_count = fields.Integer(
        compute="_compute_credit_negativation_count", groups=NEGATIVATION_GROUP
    )

    @api.depends("credit_negativation_ids")
    def _compute_credit_negativation_count(self):
        counts = {
            partner.id: count
            for partner, count in self.env["credit.bureau.negativation"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        }
        for partner in self:
            partner.credit_negativation_count = counts.get(partner.id, 0)

    def _bureau_foreign_country(self):
        """The country outside Brazil this partner's address is in, else an empty recordset.

        The bureau mails the notice letter (CDC art. 43 §2) to a Brazilian address, with a CEP
        and a UF: a foreign country, or a state of another country, cannot receive it. An
        empty country counts as Brazil when the state is a Brazilian UF (the CEP and the UF
        make the address complete); when both are empty the missing state is reported by
        ``_bureau_missing_address_fields``."""
        self.ensure_one()
        countries = self.country_id | self.state_id.country_id
        return countries.filtered(lambda country: country.code != "BR")[:1]

    def _bureau_age(self, on_date):
        """Age in whole years on ``on_date`` of a person whose birth date is known, else
        None (companies have no age)."""
        self.ensure_one()
        birth_date = self._bureau_birth_date()
        if self.is_company or not birth_date:
            return None
        return relativedelta(on_date, birth_date).years

    def action_credit_negativate(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Negativate"),
            "res_model": "credit.bureau.mass.negativate.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "dialog_size": "extra-large",
                "default_origin": "manual",
                "default_partner_id": self.commercial_partner_id.id,
            },
        }

    def action_view_credit_negativations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_br_credit_bureau.action_credit_negativation"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action
