import logging

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..tools import (
    clean_document,
    control_character,
    control_character_message,
    printable,
    validate_document,
)
from .credit_bureau_negativation import (
    PAID_STATES,
    PRECHECKED_CONTEXT_KEY,
    USER_CREATE_FIELDS,
)

# Values of a negativation derived from its invoice: given anyway, they must be the same.
DERIVED_FIELDS = frozenset(
    {
        "partner_id",
        "document",
        "company_id",
        "integration_id",
        "due_date",
        "contract_number",
        "our_number",
    }
)


_logger = logging.getLogger(__name__)


class CreditBureauNegativationRules(models.Model):
    """The rules of negativation: what blocks an invoice, and the queueing of those that may go."""

    # One model split by flow over files of this addon, on purpose (see the record file).
    _inherit = "credit.bureau.negativation"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _bureau_check(self, moves, *, confirmed_above_ceiling=None):
        """``_bureau_blockers`` of many invoices: the integration of each company, the open
        negativations of all the invoices and each debtor's own checks are computed once for
        the batch, not once per invoice. Returns ``[(move, integration, blockers)]`` in the
        order of ``moves``. ``confirmed_above_ceiling``: see ``_bureau_blockers``."""
        Integration = self.env["credit.bureau.integration"].sudo()
        integrations = {}
        prefetched = self._bureau_prefetch(moves)
        result = []
        for move in moves:
            company = move.company_id
            if company not in integrations:
                integrations[company] = Integration._bureau_for_company(company)
            integration = integrations[company]
            blockers = self._bureau_blockers(
                move,
                integration,
                prefetched=prefetched,
                confirmed_above_ceiling=confirmed_above_ceiling,
            )
            result.append((move, integration, blockers))
        return result

    @api.model
    def _bureau_prefetch(self, moves, exclude=None):
        """What ``_bureau_blockers`` reads once for a batch of invoices."""
        return {
            "open": self._bureau_open_negativations(moves, exclude=exclude),
            "debtors": {},
            "integrations": {},
        }

    @api.model
    def _bureau_open_negativations(self, moves, exclude=None):
        """``{invoice id: its open negativation}``, with one query; ``exclude``: records
        that do not count (those being checked again before sending)."""
        domain = [("move_id", "in", moves.ids), ("state", "not in", ("removed", "cancelled"))]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        negativations = self.sudo().search_fetch(domain, ["move_id", "name"])
        result = {}
        for negativation in negativations:  # newest first, as the search by invoice found it
            result.setdefault(negativation.move_id.id, negativation)
        return result

    @api.model
    def _bureau_preview_debt(self, move):
        """The texts and amount a negativation of ``move`` would send, as in the debt dict
        (``_bureau_prepare`` and ``_bureau_debt``): what the provider's field limits apply
        to before anything is queued."""
        partner = move.partner_id.commercial_partner_id
        return {
            "name": partner._bureau_name(),
            "address": partner._bureau_address(),
            "contract": move.name,
            "our_number": move.payment_reference or move.name,
            "amount": move.amount_residual,
        }

    @api.model
    def _bureau_blockers(self, move, integration, *, prefetched=None, confirmed_above_ceiling=None):
        """Everything that forbids negativating ``move``, as sentences in Portuguese.
        Checked before anything is sent; an empty list means the invoice may go.
        ``prefetched`` is given by ``_bureau_check`` (batches); alone, it reads what it needs.
        ``confirmed_above_ceiling``: invoices whose amount above the integration's ceiling
        (``max_amount``) a user confirmed in the wizard (see ``_bureau_queue``); none by
        default, so that a direct create() (RPC, import, a bridge) never passes the ceiling."""
        blockers = []
        partner = move.partner_id.commercial_partner_id
        today = fields.Date.context_today(self)
        confirmed_above_ceiling = confirmed_above_ceiling or self.env["account.move"]
        if integration and integration.env.lang != self.env.lang:
            integration = integration.with_context(lang=self.env.lang)  # its sentences
        if move.move_type != "out_invoice" or move.state != "posted":
            blockers.append(self.env._("Only posted customer invoices can be negativated."))
        blockers += self._bureau_invoice_text_blockers(move)
        if move.payment_state in PAID_STATES or move.amount_residual <= 0:
            blockers.append(self.env._("The invoice is paid."))
        if not move.invoice_date_due or move.invoice_date_due >= today:
            blockers.append(self.env._("The invoice is not overdue."))
        elif move.invoice_date_due <= today - relativedelta(years=5):
            # The same limit as the removal cron's (``due_date <= today - 5 years``): a debt
            # it would remove today is never included.
            blockers.append(
                self.env._(
                    "The debt is five years old or more (CDC art. 43 §1): it cannot be negativated."
                )
            )
        if not integration:
            blockers.append(
                self.env._(
                    "No credit bureau integration for %(company)s nor its head office.",
                    company=move.company_id.name,
                )
            )
        else:
            if prefetched is None:
                blockers += self._bureau_integration_blockers(integration)
            else:
                checked = prefetched.setdefault("integrations", {})
                if integration.id not in checked:
                    checked[integration.id] = self._bureau_integration_blockers(integration)
                blockers += checked[integration.id]
            blockers += self._bureau_amount_blockers(move, integration, confirmed_above_ceiling)
            # The provider's field limits: a value it would refuse is refused here, before
            # anything is queued (a value it allows to shorten is noted when queued).
            values, _shortened, refused = integration._bureau_apply_limits(
                self._bureau_preview_debt(move)
            )
            blockers += integration._bureau_limit_refusals(refused, values, debtor=partner.name)
        if prefetched is None:
            blockers += self._bureau_debtor_blockers(partner)
            open_negativation = self.sudo().search(
                [("move_id", "=", move.id), ("state", "not in", ("removed", "cancelled"))],
                limit=1,
            )
        else:
            debtors = prefetched["debtors"]
            if partner.id not in debtors:
                debtors[partner.id] = self._bureau_debtor_blockers(partner)
            blockers += debtors[partner.id]
            open_negativation = prefetched["open"].get(move.id)
        if open_negativation:
            blockers.append(
                self.env._(
                    "The invoice already has the negativation %(name)s.",
                    name=open_negativation.name,
                )
            )
        return blockers

    @api.model
    def _bureau_invoice_text_blockers(self, move):
        """A control character in the invoice's own texts, sent as the contract (its
        number) and our number (its payment reference): one word each, so tabs and line
        breaks are refused too."""
        blockers = []
        name = printable(move.name)
        for label, text in (
            (self.env._("The invoice number %(name)s", name=name), move.name),
            (
                self.env._("The payment reference of invoice %(name)s", name=name),
                move.payment_reference,
            ),
        ):
            char = control_character(text, strict=True)
            if char is not None:
                blockers.append(control_character_message(self.env, label, char))
        return blockers

    @api.model
    def _bureau_amount_blockers(self, move, integration, confirmed_above_ceiling):
        """The open amount against the integration's minimum and its maximum without
        confirmation (passed only for the invoices in ``confirmed_above_ceiling``)."""
        blockers = []
        amount = move.amount_residual
        if amount < integration.min_amount:
            blockers.append(
                self.env._(
                    "The open amount %(amount)s is below the integration's minimum of %(minimum)s.",
                    amount=move.currency_id.format(amount),
                    minimum=move.currency_id.format(integration.min_amount),
                )
            )
        if amount > integration.max_amount and move not in confirmed_above_ceiling:
            blockers.append(
                self.env._(
                    "The open amount %(amount)s is above the integration's maximum "
                    "without confirmation of %(maximum)s: a user must confirm it in the "
                    "negativation wizard (the automatic routine never sends it).",
                    amount=move.currency_id.format(amount),
                    maximum=move.currency_id.format(integration.max_amount),
                )
            )
        return blockers

    @api.model
    def _bureau_integration_blockers(self, integration):
        """What keeps an integration from sending negativations (rules of the integration
        only, the same for all its invoices): archived, no intermediary or one without
        negativation, a credential or the responsible CPF the provider requires left empty,
        or a connection the provider refused (``connection_state`` failed: credentials or
        contract, see ``CreditBureauError.needs_admin``)."""
        integration = integration.sudo()  # the credentials are readable by system only
        blockers = []
        name = integration.name
        if not integration.active:
            blockers.append(
                self.env._(
                    "The integration %(name)s is archived: it cannot send negativations.",
                    name=name,
                )
            )
        if integration.provider == "none":
            blockers.append(
                self.env._(
                    "The integration %(name)s has no intermediary set: choose one in its settings.",
                    name=name,
                )
            )
            return blockers
        if not integration.supports_negativation:
            blockers.append(
                self.env._(
                    "%(provider)s (integration %(name)s) does not send negativations.",
                    provider=integration._provider_label(),
                    name=name,
                )
            )
            return blockers
        # What the provider requires: its credentials (``required_if_provider``) and, when
        # its features say so, the CPF of the person responsible for negativations.
        missing = [
            field._description_string(self.env)
            for field in integration._fields.values()
            if getattr(field, "required_if_provider", None) == integration.provider
            and not integration[field.name]
        ]
        if integration._bureau_get_features().get("responsible_cpf") and not (
            integration.responsible_cpf
        ):
            missing.append(integration._fields["responsible_cpf"]._description_string(self.env))
        if missing:
            blockers.append(
                self.env._(
                    "The integration %(name)s is incomplete: %(provider)s requires %(fields)s.",
                    name=name,
                    provider=integration._provider_label(),
                    fields=", ".join(missing),
                )
            )
        # Only a refusal that needs a person blocks (credentials, contract): a provider that
        # did not answer once ("unstable") is retried by the jobs and blocks nothing.
        if integration.connection_state == "failed":
            blockers.append(
                self.env._(
                    "The provider refused the integration %(name)s (%(message)s): an "
                    'administrator must fix its settings and run "Test connection" again '
                    "before anything is negativated.",
                    name=name,
                    message=integration.connection_message or "-",
                )
            )
        return blockers

    @api.model
    def _bureau_debtor_blockers(self, partner):
        """The blockers that depend on the debtor only (rules.md 8 and 1): a person's CPF or
        a company's CNPJ, age, a complete postal address in Brazil, opt-out, and no control
        character in the texts sent (name, address, phone, e-mail; tabs and line breaks in
        the name and the address are sent as spaces, in the e-mail they are refused)."""
        blockers = []
        address = partner._bureau_address()
        for field, text, strict in (
            (self.env._("name"), partner._bureau_name(), False),
            (self.env._("street"), address["street"], False),
            (self.env._("number"), address["number"], False),
            (self.env._("complement"), address["complement"], False),
            (self.env._("district"), address["district"], False),
            (self.env._("city"), address["city"], False),
            (self.env._("phone"), partner.phone, False),
            (self.env._("e-mail"), partner._bureau_email(), True),
        ):
            char = control_character(text, strict=strict)
            if char is not None:
                blockers.append(
                    control_character_message(
                        self.env,
                        self.env._(
                            "The field %(field)s of debtor %(name)s",
                            field=field,
                            name=printable(partner.name),
                        ),
                        char,
                    )
                )
        try:
            _document, kind = validate_document(self.env, partner._bureau_document())
        except UserError as error:
            blockers.append(
                self.env._("Debtor %(name)s: %(error)s", name=partner.name, error=error.args[0])
            )
        else:
            if partner.is_company and kind != "cnpj":
                blockers.append(
                    self.env._(
                        "Debtor %(name)s is a company: its document must be a CNPJ, not a CPF.",
                        name=partner.name,
                    )
                )
            elif not partner.is_company and kind != "cpf":
                blockers.append(
                    self.env._(
                        "Debtor %(name)s is a person: the document must be a CPF, not a CNPJ "
                        "(mark the contact as a company if it is one).",
                        name=partner.name,
                    )
                )
        age = partner._bureau_age(fields.Date.context_today(self))
        if age is not None and age < 18:
            blockers.append(
                self.env._(
                    "Debtor %(name)s is under 18 (born on %(date)s): a minor cannot be "
                    "negativated.",
                    name=partner.name,
                    date=format_date(self.env, partner.credit_birth_date),
                )
            )
        foreign = partner._bureau_foreign_country()
        if foreign:
            blockers.append(
                self.env._(
                    "Debtor %(name)s: the address is in %(country)s, the notice letter is sent "
                    "only to an address in Brazil (an empty country counts as Brazil when the "
                    "state is a Brazilian UF).",
                    name=partner.name,
                    country=foreign.name,
                )
            )
        missing = partner._bureau_missing_address_fields()
        if missing:
            blockers.append(
                self.env._(
                    "Debtor %(name)s: incomplete address, the bureau could not send the notice "
                    "letter (missing: %(fields)s).",
                    name=partner.name,
                    fields=", ".join(missing),
                )
            )
        if partner.credit_bureau_no_negativation:
            blockers.append(
                self.env._('Debtor %(name)s is marked "do not negativate".', name=partner.name)
            )
        return blockers

    @api.model
    def _bureau_prepare(
        self, move, integration, *, origin, restriction_code=None, send_sms=None, batch=None
    ):
        partner = move.partner_id.commercial_partner_id
        return {
            "partner_id": partner.id,
            "document": clean_document(partner._bureau_document()),
            "move_id": move.id,
            "company_id": move.company_id.id,
            "integration_id": integration.id,
            "batch_id": batch.id if batch else False,
            "amount": move.amount_residual,
            "due_date": move.invoice_date_due,
            "contract_number": move.name,
            "our_number": move.payment_reference or move.name,
            "restriction_code": restriction_code or integration.default_restriction_code_id.code,
            "send_sms": integration.send_sms if send_sms is None else send_sms,
            "origin": origin,
            "state": "sending",
        }

    @api.model
    def _bureau_queue(
        self,
        moves,
        *,
        origin,
        restriction_code=None,
        send_sms=None,
        batch=None,
        confirmed_above_ceiling=None,
    ):
        """Create negativations, in state "sending", for the invoices that have no blocker,
        and wake the sending job. Returns (negativations, {move: blockers}).

        The invoices are checked here, in the caller's rights (an invoice it cannot read is
        an access error), for the whole batch at once; the records are then created with
        sudo, marked as checked so that create() does not check them a second time.

        ``confirmed_above_ceiling``: the invoices whose amount above the integration's
        maximum without confirmation a user confirmed (the negativation wizard's checkbox);
        any other caller (the automatic routine, a bridge) passes none, and such an invoice
        is refused with the reason. The confirmation and any shortening of a field to the
        provider's limits are written on the negativation's history."""
        confirmed = confirmed_above_ceiling or self.env["account.move"]
        vals_list, refused, queued = [], {}, []
        for move, integration, blockers in self._bureau_check(
            moves, confirmed_above_ceiling=confirmed
        ):
            if blockers:
                refused[move] = blockers
                continue
            queued.append((move, integration))
            vals_list.append(
                self._bureau_prepare(
                    move,
                    integration,
                    origin=origin,
                    restriction_code=restriction_code,
                    send_sms=send_sms,
                    batch=batch,
                )
            )
        trusted = self.sudo().with_context(**{PRECHECKED_CONTEXT_KEY: True})
        negativations = trusted.create(vals_list)
        for negativation, (move, integration) in zip(negativations, queued, strict=True):
            notes = integration._bureau_limit_notes(
                integration._bureau_apply_limits(self._bureau_preview_debt(move))[1]
            )
            if move.amount_residual > integration.max_amount:
                notes.insert(
                    0,
                    self.env._(
                        "The amount %(amount)s is above the integration's maximum without "
                        "confirmation (%(maximum)s): confirmed by %(user)s.",
                        amount=move.currency_id.format(move.amount_residual),
                        maximum=move.currency_id.format(integration.max_amount),
                        user=self.env.user.name,
                    ),
                )
            if notes:
                negativation.message_post(body=Markup("<br/>").join(notes))
        return negativations.with_env(self.env), refused

    # ------------------------------------------------------------------ direct creation
    @api.model
    def _bureau_guard_create(self, vals_list):
        """The values of negativations created directly (RPC, import, a bridge calling
        create()): each invoice passes the same blockers as in the wizards, and what is sent
        is derived from the invoice. A user gives only the invoice and the wizard's choices
        (natureza, SMS, an amount up to the open amount); a created record is a draft, sent
        by its "Send" action. Raises a UserError, creating nothing, on any problem."""
        if not vals_list:
            return vals_list
        self.check_access("create")
        if not self.env.su:
            given = set().union(*vals_list)
            forbidden = given - USER_CREATE_FIELDS - DERIVED_FIELDS
            if forbidden:
                raise UserError(
                    self.env._(
                        "A negativation is created from an invoice: these fields are derived "
                        "from it or written by the sending job, and cannot be given: "
                        "%(fields)s.",
                        fields=self._bureau_field_labels(forbidden),
                    )
                )
        if any(not vals.get("move_id") for vals in vals_list):
            raise UserError(self.env._("A negativation needs the invoice it negativates."))
        move_ids = [vals["move_id"] for vals in vals_list]
        if len(set(move_ids)) < len(move_ids):
            raise UserError(self.env._("The same invoice cannot be negativated twice."))
        moves = self.env["account.move"].browse(move_ids)
        problems, result = [], []
        for vals, (move, integration, blockers) in zip(
            vals_list, self._bureau_check(moves), strict=True
        ):
            derived = self._bureau_prepare(
                move,
                integration,
                origin=vals.get("origin", "manual") if self.env.su else "manual",
                restriction_code=vals.get("restriction_code"),
                send_sms=vals.get("send_sms"),
            )
            del derived["batch_id"]
            problems += [f"{move.display_name}: {blocker}" for blocker in blockers]
            if not blockers:
                problems += [
                    f"{move.display_name}: {problem}"
                    for problem in self._bureau_given_value_problems(vals, derived, move)
                ]
            if "amount" in vals:
                derived["amount"] = vals["amount"]
            # Code (a bridge, a migration, a test's set-up) may also give the flows' fields;
            # what the invoice says wins anyway. A user's record starts as a draft.
            extra = vals if self.env.su else {}
            result.append({**extra, **derived, "state": extra.get("state", "draft")})
        if problems:
            raise UserError(
                self.env._("Nothing was negativated:\n%(problems)s", problems="\n".join(problems))
            )
        return result

    @api.model
    def _bureau_given_value_problems(self, vals, derived, move):
        """What is wrong with the values given for a negativation of ``move``, besides its
        blockers: a value that differs from the invoice's, an amount above the open amount,
        a natureza the integration does not offer."""
        problems = []
        for name in sorted(DERIVED_FIELDS & set(vals)):
            field = self._fields[name]
            given = field.convert_to_cache(vals[name], self, validate=False)
            expected = field.convert_to_cache(derived[name], self, validate=False)
            if name == "document":
                given, expected = clean_document(given or ""), clean_document(expected or "")
            if given != expected:
                problems.append(
                    self.env._(
                        "%(field)s must be the invoice's: it is derived from it.",
                        field=field._description_string(self.env),
                    )
                )
        currency = move.currency_id
        amount = vals.get("amount", derived["amount"])
        if currency.compare_amounts(amount, 0) <= 0 or (
            currency.compare_amounts(amount, move.amount_residual) > 0
        ):
            problems.append(
                self.env._(
                    "The amount must be positive and at most the open amount %(open)s.",
                    open=currency.format(move.amount_residual),
                )
            )
        integration = self.env["credit.bureau.integration"].sudo().browse(derived["integration_id"])
        code = derived["restriction_code"]
        if code not in integration.restriction_code_ids.filtered("active").mapped("code"):
            problems.append(
                self.env._(
                    "The restriction code (natureza) %(code)s is not among the synchronised "
                    "codes of the integration %(name)s.",
                    code=code or "-",
                    name=integration.name,
                )
            )
        return problems

    def _bureau_recheck(self):
        """The blockers of these records' invoices, checked again before sending (the invoice
        may have been paid, reversed or changed since it was queued): ``{id: (debt
        blockers, integration blockers)}`` for the records that have any."""
        prefetched = self._bureau_prefetch(self.move_id, exclude=self)
        result = {}
        for negativation in self:
            integration = negativation.integration_id
            checked = prefetched["integrations"]
            if integration.id not in checked:
                checked[integration.id] = self._bureau_integration_blockers(integration)
            integration_blockers = checked[integration.id]
            # The amount ceiling was passed (or confirmed by a user) when it was created.
            blockers = self._bureau_blockers(
                negativation.move_id,
                integration,
                prefetched=prefetched,
                confirmed_above_ceiling=negativation.move_id,
            )
            debt_blockers = [b for b in blockers if b not in integration_blockers]
            move = negativation.move_id
            if move.currency_id.compare_amounts(negativation.amount, move.amount_residual) > 0:
                debt_blockers.append(
                    self.env._(
                        "The open amount of the invoice (%(open)s) is now below the amount "
                        "queued (%(amount)s).",
                        open=move.currency_id.format(move.amount_residual),
                        amount=move.currency_id.format(negativation.amount),
                    )
                )
            if negativation.partner_id != move.partner_id.commercial_partner_id:
                debt_blockers.append(self.env._("The invoice's customer changed."))
            if debt_blockers or integration_blockers:
                result[negativation.id] = (debt_blockers, integration_blockers)
        return result
