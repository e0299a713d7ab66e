import re

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

    def _bureau_address(self):
        """The postal address the bureau sends the notice letter to (rules.md #1)."""
        self.ensure_one()
        street = self.street_name if "street_name" in self._fields else False
        return {
            "zip": re.sub(r"\D", "", self.zip or ""),
            "street": street or self.street or "",
            "number": (self.street_number if "street_number" in self._fields else "") or "",
            "complement": (self.street_number2 if "street_number2" in self._fields else "") or "",
            "district": self.street2 or "",
            "city": self.city or (self.city_id.name if "city_id" in self._fields else "") or "",
            "state": self.state_id.code or "",
        }

    def _bureau_missing_address_fields(self):
        """Labels of the address parts the notice letter needs and this partner lacks."""
        self.ensure_one()
        address = self._bureau_address()
        labels = {
            "zip": self.env._("ZIP (CEP)"),
            "street": self.env._("street"),
            "number": self.env._("number"),
            "district": self.env._("district"),
            "city": self.env._("city"),
            "state": self.env._("state"),
        }
        # Only spaces, tabs or line breaks (sent as one line, i.e. empty) count as missing.
        missing = [label for key, label in labels.items() if not address[key].strip()]
        if address["zip"] and len(address["zip"]) != 8:
            missing.append(self.env._("a CEP of 8 digits"))
        return missing

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
        if self.is_company or not self.credit_birth_date:
            return None
        return relativedelta(on_date, self.credit_birth_date).years

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
