"""What the bureaus get from a partner, in one place, whichever Brazilian localization stores
it (docs/install.md, "Localizations").

Two ways of storing a Brazilian partner are supported, told apart by the fields the partner
model has, never by module names:

- Odoo's ``l10n_br`` (with ``base_address_extended``): the street in ``street_name``, the
  number in ``street_number``, the complement in ``street_number2``, the bairro in
  ``street2``; the CPF/CNPJ in ``vat`` as typed (punctuated or not); the name in ``name``.
- OCA's ``l10n_br_base`` (it adds ``district`` and ``legal_name``): the bairro in
  ``district``, ``street2`` shown as a second complement line; the CPF/CNPJ in ``vat``
  without punctuation; the razão social of a company in ``legal_name`` beside its trade
  name in ``name``; the city in ``city_id`` (``res.city``) beside ``city``. A branch keeps
  its own CNPJ (OCA does not copy ``vat`` from the head office to its children).

Everything that consults or negativates reads the partner through these methods: the
document, the name sent, the postal address, the phone and e-mail, the birth date, and the
address parts judged missing before a negativation.
"""

import re

from odoo import api, models

from ..tools import one_line

# Where each part of the postal address is written, per localization (see the docstring).
ADDRESS_FIELDS = {
    "odoo": {
        "street": "street_name",
        "number": "street_number",
        "complement": "street_number2",
        "district": "street2",
        "city": "city",
        "zip": "zip",
    },
    "oca": {
        "street": "street_name",
        "number": "street_number",
        "complement": "street_number2",
        "district": "district",
        "city": "city",
        "zip": "zip",
    },
}


class ResPartner(models.Model):
    # One place for the localization mapping, apart from the negativation fields on purpose.
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _bureau_localization(self):
        """``oca`` when OCA's ``l10n_br_base`` shapes the partner (its ``district`` field),
        else ``odoo`` (Odoo's ``l10n_br``, which this addon depends on)."""
        return "oca" if "district" in self._fields else "odoo"

    @api.model
    def _bureau_address_field(self, part):
        """The partner field holding ``part`` of the address (``street``, ``number``,
        ``complement``, ``district``, ``city``, ``zip``) in this database's localization."""
        return ADDRESS_FIELDS[self._bureau_localization()][part]

    @api.model
    def _bureau_address_values(self, address):
        """Values to write on a partner for ``address`` (the keys of ``_bureau_address``;
        ``state`` a UF code), in this database's localization: data scripts and tests write
        an address the way the localization's own form would."""
        address = dict(address)
        values = {}
        state_code = address.pop("state", None)
        if state_code:
            brazil = self.env.ref("base.br")
            state = self.env["res.country.state"].search(
                [("code", "=", state_code), ("country_id", "=", brazil.id)], limit=1
            )
            values.update(state_id=state.id, country_id=brazil.id)
        for part, value in address.items():
            values[self._bureau_address_field(part)] = value
        city = address.get("city")
        if city and values.get("state_id") and "city_id" in self._fields:
            city_record = self.env["res.city"].search(
                [("name", "=ilike", city), ("state_id", "=", values["state_id"])], limit=1
            )
            if city_record:
                values["city_id"] = city_record.id
        return values

    def _bureau_document(self):
        """The CPF/CNPJ as stored (``validate_document`` checks and cleans it: a control
        character in it must be refused, not stripped). A contact without one of its own
        (OCA does not copy the company's CNPJ to its people) has its company's."""
        self.ensure_one()
        return self.vat or self.commercial_partner_id.vat or ""

    def _bureau_name(self):
        """The name the bureau registers: a company's razão social (``legal_name``) when the
        localization keeps one apart from the trade name, else the partner's name."""
        self.ensure_one()
        legal_name = self.is_company and "legal_name" in self._fields and self.legal_name
        return legal_name or self.name or ""

    def _bureau_phone(self):
        self.ensure_one()
        return re.sub(r"\D", "", self.phone or "")

    def _bureau_email(self):
        self.ensure_one()
        return self.email or ""

    def _bureau_birth_date(self):
        self.ensure_one()
        return self.credit_birth_date or False

    def _bureau_address(self):
        """The postal address the bureau sends the notice letter to (rules.md #1)."""
        self.ensure_one()
        complement = self.street_number2 or ""
        district = self.street2 or ""
        if self._bureau_localization() == "oca":
            district = self.district or ""
            # OCA's form shows street2 as the complement line; the street's own complement
            # (street_number2) comes first when both are filled.
            parts = [one_line(part) for part in (self.street_number2, self.street2)]
            complement = " - ".join(dict.fromkeys(part for part in parts if part))
        # The forms of both keep city = city_id.name (onchange); city alone is the typed one.
        city = self.city or self.city_id.name or ""
        # OCA writes street as "name, number - complement"; Odoo's split of that text (a
        # contact's address synced from its company, an import of street alone) leaves the
        # comma at the end of street_name.
        street = (self.street_name or self.street or "").strip().rstrip(",").rstrip()
        return {
            "zip": re.sub(r"\D", "", self.zip or ""),
            "street": street,
            "number": self.street_number or "",
            "complement": complement,
            "district": district,
            "city": city,
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
