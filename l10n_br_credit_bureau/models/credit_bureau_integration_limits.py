"""What a provider accepts in each field it is sent, and the amount a user must confirm.

The provider contract has one more method here, ``_bureau_field_limits``: a provider addon
declares the widths of its fields (from its ``const.py``), the core applies them before
anything is sent: a value too long is shortened at a word boundary (and the shortening noted
on the negativation) or refused by a blocker that says which field, its length and the limit.
"""

from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import control_character, control_character_message, one_line, printable, shorten

DEFAULT_MAX_AMOUNT = 1_000_000.0
LIMIT_MODES = ("truncate", "refuse")
# The keys of ``_bureau_field_limits``: the debtor's texts, then the invoice's, then the
# amount (its length is its number of digits, cents included).
DEBTOR_LIMIT_KEYS = ("name", "street", "number", "complement", "district", "city")
ADDRESS_KEYS = ("street", "number", "complement", "district", "city")
INVOICE_LIMIT_KEYS = ("contract", "our_number")
LIMIT_KEYS = (*DEBTOR_LIMIT_KEYS, *INVOICE_LIMIT_KEYS, "amount")


def amount_digits(amount):
    """The number of digits of an amount written with its two decimals (1234.56: 6)."""
    cents = abs(Decimal(str(amount or 0)).quantize(Decimal("0.01")))
    return len(str(int(cents * 100)))


class CreditBureauIntegrationLimits(models.Model):
    """Field limits of the provider and the amount ceiling of the integration."""

    # One model extended by topic over files of this addon, like the negativation's flows.
    _inherit = "credit.bureau.integration"  # pylint: disable=consider-merging-classes-inherited

    max_amount = fields.Monetary(
        string="Maximum amount without confirmation",
        default=DEFAULT_MAX_AMOUNT,
        help="A debt above this amount is negativated only when a user confirms it in the "
        "negativation wizard; the automatic routine never sends it (a typing error of one "
        "digit turns R$ 1.000,00 into R$ 10.000,00 against a person).",
    )

    @api.constrains("max_amount", "min_amount")
    def _check_max_amount(self):
        for integration in self:
            if integration.max_amount <= 0 or integration.max_amount < integration.min_amount:
                raise ValidationError(
                    self.env._(
                        "The maximum amount without confirmation must be positive and not "
                        "below the minimum amount."
                    )
                )

    # ------------------------------------------------------------------ the contract
    def _bureau_field_limits(self):
        """What the provider accepts: ``{key: (max_length, mode)}``, ``key`` one of
        ``LIMIT_KEYS`` (name, street, number, complement, district, city: the debtor's;
        contract, our_number: the invoice's; amount: its number of digits, cents included),
        ``mode`` "truncate" (shortened at the last whole word, the shortening noted on the
        negativation) or "refuse" (a blocker: the user fixes the contact or the invoice). A
        key left out has no limit, or is not sent by the provider. Override for your
        provider (values in its ``const.py``); the default declares none."""
        return {}

    # ------------------------------------------------------------------ applying them
    def _bureau_limit_labels(self):
        return {
            "name": self.env._("name"),
            "street": self.env._("street"),
            "number": self.env._("number"),
            "complement": self.env._("complement"),
            "district": self.env._("district"),
            "city": self.env._("city"),
            "contract": self.env._("contract number (the invoice number)"),
            "our_number": self.env._("our number (the invoice's payment reference)"),
            "amount": self.env._("amount"),
        }

    @api.model
    def _bureau_limited_values(self, debt):
        """``{key: value}`` of the ``LIMIT_KEYS`` in a debt dict (see ``_bureau_include``),
        the texts on one line."""
        address = debt.get("address") or {}
        values = {"name": one_line(debt.get("name"))}
        values.update((key, one_line(address.get(key))) for key in ADDRESS_KEYS)
        values.update((key, str(debt.get(key) or "").strip()) for key in INVOICE_LIMIT_KEYS)
        values["amount"] = debt.get("amount") or 0.0
        return values

    def _bureau_apply_limits(self, debt):
        """Fit a debt dict (or the same keys read from an invoice, for the blockers) to the
        provider's limits. Returns ``(values, shortened, refused)``: the values to send
        (``_bureau_limited_values``, shortened where allowed), ``[(key, length, limit,
        value sent)]`` and ``[(key, length, limit)]``."""
        self.ensure_one()
        values = self._bureau_limited_values(debt)
        shortened, refused = [], []
        for key, (limit, mode) in self._bureau_field_limits().items():
            value = values.get(key)
            if key == "amount":
                length = amount_digits(value)
                if length > limit:  # an amount is never shortened
                    refused.append((key, length, limit))
                continue
            if not value or len(value) <= limit:
                continue
            if mode == "truncate":
                values[key] = shorten(value, limit)
                shortened.append((key, len(value), limit, values[key]))
            else:
                refused.append((key, len(value), limit))
        return values, shortened, refused

    def _bureau_limit_refusals(self, refused, values, debtor=None):
        """The sentences (Portuguese) of ``refused`` (see ``_bureau_apply_limits``)."""
        labels = self._bureau_limit_labels()
        provider = self._provider_label()
        sentences = []
        for key, length, limit in refused:
            if key == "amount":
                sentences.append(
                    self.env._(
                        "The amount %(amount)s has %(length)s digits (cents included) and "
                        "%(provider)s accepts at most %(limit)s.",
                        amount=self.currency_id.format(values["amount"]),
                        length=length,
                        provider=provider,
                        limit=limit,
                    )
                )
            elif key in DEBTOR_LIMIT_KEYS:
                sentences.append(
                    self.env._(
                        "Debtor %(name)s: the field %(field)s has %(length)s characters and "
                        "%(provider)s accepts at most %(limit)s: shorten it on the contact.",
                        name=printable(debtor or values["name"]),
                        field=labels[key],
                        length=length,
                        provider=provider,
                        limit=limit,
                    )
                )
            else:
                sentences.append(
                    self.env._(
                        'The field %(field)s ("%(value)s") has %(length)s characters and '
                        "%(provider)s accepts at most %(limit)s.",
                        field=labels[key],
                        value=printable(values[key]),
                        length=length,
                        provider=provider,
                        limit=limit,
                    )
                )
        return sentences

    def _bureau_limit_notes(self, shortened):
        """The sentences (Portuguese) of ``shortened`` (see ``_bureau_apply_limits``)."""
        labels = self._bureau_limit_labels()
        return [
            self.env._(
                "The field %(field)s has %(length)s characters and %(provider)s accepts at "
                'most %(limit)s: it is sent shortened at a word boundary, as "%(value)s".',
                field=labels[key],
                length=length,
                provider=self._provider_label(),
                limit=limit,
                value=printable(value),
            )
            for key, length, limit, value in shortened
        ]

    def _bureau_fit_debt(self, debt):
        """The debt dict as it is sent to the provider: its texts on one line, shortened to
        the provider's limits where it allows. A control character in any text, or a value
        that the provider's limits refuse, raises a UserError (nothing is sent): the
        blockers refuse them before queueing, this is the last check before sending, on the
        data as it is then."""
        self.ensure_one()
        labels = self._bureau_limit_labels()
        address = debt.get("address") or {}
        texts = [("name", debt.get("name"), False)]
        texts += [(key, address.get(key), False) for key in (*ADDRESS_KEYS, "zip", "state")]
        texts += [
            ("phone", debt.get("phone"), False),
            ("email", debt.get("email"), True),
            ("contract", debt.get("contract"), True),
            ("our_number", debt.get("our_number"), True),
        ]
        for key, value, strict in texts:
            char = control_character(value, strict=strict)
            if char is not None:
                label = (
                    labels.get(key)
                    or {
                        "zip": self.env._("CEP"),
                        "state": self.env._("state"),
                        "phone": self.env._("phone"),
                        "email": self.env._("e-mail"),
                    }[key]
                )
                raise UserError(
                    control_character_message(
                        self.env,
                        self.env._("The field %(field)s of the debt", field=label),
                        char,
                    )
                )
        values, _shortened, refused = self._bureau_apply_limits(debt)
        if refused:
            raise UserError("\n".join(self._bureau_limit_refusals(refused, values)))
        fitted = dict(debt, name=values["name"], contract=values["contract"])
        fitted["our_number"] = values["our_number"]
        fitted["address"] = dict(address, **{key: values[key] for key in ADDRESS_KEYS})
        return fitted
