import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..tools import clean_document, validate_document
from .credit_bureau_negativation import PAID_STATES

_logger = logging.getLogger(__name__)


class CreditBureauNegativationRules(models.Model):
    """The rules of negativation: what blocks an invoice, and the queueing of those that may go."""

    # One model split by flow over files of this addon, on purpose (see the record file).
    _inherit = "credit.bureau.negativation"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _bureau_check(self, moves):
        """``_bureau_blockers`` of many invoices: the integration of each company, the open
        negativations of all the invoices and each debtor's own checks are computed once for
        the batch, not once per invoice. Returns ``[(move, integration, blockers)]`` in the
        order of ``moves``."""
        Integration = self.env["credit.bureau.integration"].sudo()
        integrations = {}
        prefetched = {
            "open": self._bureau_open_negativations(moves),
            "debtors": {},
            "integrations": {},
        }
        result = []
        for move in moves:
            company = move.company_id
            if company not in integrations:
                integrations[company] = Integration._bureau_for_company(company)
            integration = integrations[company]
            blockers = self._bureau_blockers(move, integration, prefetched=prefetched)
            result.append((move, integration, blockers))
        return result

    @api.model
    def _bureau_open_negativations(self, moves):
        """``{invoice id: its open negativation}``, with one query."""
        negativations = self.sudo().search_fetch(
            [("move_id", "in", moves.ids), ("state", "not in", ("removed", "cancelled"))],
            ["move_id", "name"],
        )
        result = {}
        for negativation in negativations:  # newest first, as the search by invoice found it
            result.setdefault(negativation.move_id.id, negativation)
        return result

    @api.model
    def _bureau_blockers(self, move, integration, *, prefetched=None):
        """Everything that forbids negativating ``move``, as sentences in Portuguese.
        Checked before anything is sent; an empty list means the invoice may go.
        ``prefetched`` is given by ``_bureau_check`` (batches); alone, it reads what it needs."""
        blockers = []
        partner = move.partner_id.commercial_partner_id
        today = fields.Date.context_today(self)
        if move.move_type != "out_invoice" or move.state != "posted":
            blockers.append(self.env._("Only posted customer invoices can be negativated."))
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
            if move.amount_residual < integration.min_amount:
                blockers.append(
                    self.env._(
                        "The open amount %(amount)s is below the integration's minimum of "
                        "%(minimum)s.",
                        amount=move.currency_id.format(move.amount_residual),
                        minimum=move.currency_id.format(integration.min_amount),
                    )
                )
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
        a company's CNPJ, age, a complete postal address in Brazil, opt-out."""
        blockers = []
        try:
            _document, kind = validate_document(self.env, partner.vat or "")
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
            "document": clean_document(partner.vat),
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
    def _bureau_queue(self, moves, *, origin, restriction_code=None, send_sms=None, batch=None):
        """Create negativations, in state "sending", for the invoices that have no blocker,
        and wake the sending job. Returns (negativations, {move: blockers})."""
        vals_list, refused = [], {}
        for move, integration, blockers in self._bureau_check(moves):
            if blockers:
                refused[move] = blockers
                continue
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
        negativations = self.create(vals_list)
        if negativations:
            self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_send")._trigger()
        return negativations, refused
