import logging
import re
from collections import defaultdict
from datetime import timedelta
from functools import partial

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, clean_context, format_date

from ..const import (
    MAX_SEND_ATTEMPTS,
    NOTICE_DAYS,
    OPEN_NEGATIVATION_STATES,
    REMOVAL_BUSINESS_DAYS,
    RETRY_BASE_MINUTES,
)
from ..tools import CreditBureauError, clean_document, mask_secrets, validate_document
from .br_calendar import add_business_days

_logger = logging.getLogger(__name__)

SEQUENCE_CODE = "credit.bureau.negativation"
STATES = [
    ("draft", "Draft"),
    ("sending", "Sending"),
    ("pending", "Pending (notice period)"),
    ("active", "Active"),
    ("removal_requested", "Removal requested"),
    ("removed", "Removed"),
    ("error", "Error"),
    ("cancelled", "Cancelled"),
]
PAID_STATES = ("paid", "in_payment", "reversed")
ALARM_ACTIVITY_TYPE = "l10n_br_credit_bureau.mail_activity_type_negativation"
# Provider operations of the sending jobs: (method preparing a record's call, method
# recording its outcome), see ``_bureau_dispatch``.
DISPATCH = {
    "include": ("_bureau_include_prepare", "_bureau_send_outcome"),
    "remove": ("_bureau_removal_prepare", "_bureau_removal_outcome"),
}


def _include_call(debt, ask_first, integration):
    """The provider's side of one inclusion, run by ``_bureau_parallel`` (perhaps in a
    thread of its own: it touches only the integration and the debt). Returns
    ``(kind, answer)``: ``found`` (already at the provider, not sent again), ``sent``,
    ``adopted`` (refused as a duplicate, the provider's record found), ``failed`` or
    ``lookup_failed`` with the ``CreditBureauError``."""
    if ask_first:
        try:
            found = integration._bureau_find_inclusion(debt)
        except CreditBureauError as error:
            return "lookup_failed", error
        if found:
            return "found", found
    try:
        return "sent", integration._bureau_include(debt)
    except CreditBureauError as error:
        if error.duplicate:
            # The provider already holds this debt (an earlier attempt whose answer was
            # lost): adopt its record instead of failing.
            try:
                found = integration._bureau_find_inclusion(debt)
            except CreditBureauError:
                found = None
            if found:
                return "adopted", found
        return "failed", error


def _removal_call(debt, reference, code, removal_date, integration):
    """The provider's side of one removal (see ``_include_call``). Without a reference
    (sent with an unknown outcome, never confirmed) the inclusion is looked up first.
    Returns ``("removed", (reference, answer))``, ``("never_received", None)`` or
    ``("failed", CreditBureauError)``."""
    try:
        if not reference:
            found = integration._bureau_find_inclusion(debt)
            if not found:
                return "never_received", None
            reference = found.get("reference")
        return "removed", (reference, integration._bureau_remove(reference, code, removal_date))
    except CreditBureauError as error:
        return "failed", error


class CreditBureauNegativation(models.Model):
    """One debt (a customer invoice) sent to a credit bureau, from inclusion to removal.

    Sending is always done by the scheduled actions, never inside the user's transaction:
    a record is marked ``outcome_unknown`` and committed before the provider is called, so
    that a crash or a timeout leads to asking the provider first, never to a blind re-send.
    """

    _name = "credit.bureau.negativation"
    _description = "Negativation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Number", readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        "res.partner", string="Debtor", required=True, readonly=True, index=True, tracking=True
    )
    document = fields.Char(string="CPF/CNPJ", readonly=True)
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", string="Branch", required=True, readonly=True, index=True
    )
    integration_id = fields.Many2one(
        "credit.bureau.integration",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    # Related fields inherit ``tracking`` from their target; tracked here, they were read
    # before every write (the currency fetched the whole invoice) and never logged anything.
    provider = fields.Selection(related="integration_id.provider", store=True, tracking=False)
    supports_address_update = fields.Boolean(related="integration_id.supports_address_update")
    batch_id = fields.Many2one("credit.bureau.negativation.batch", readonly=True, index=True)
    currency_id = fields.Many2one(related="move_id.currency_id", tracking=False)
    # A Float shown with the monetary widget, not a Monetary: to round a Monetary column,
    # create() builds a new record per row to read its currency through the invoice, a third
    # of the time of an automatic run over thousands of invoices. The amount is the invoice's
    # open amount, already rounded in its currency.
    amount = fields.Float(string="Amount sent", digits="Account", readonly=True)
    amount_residual = fields.Monetary(related="move_id.amount_residual", string="Open amount")
    due_date = fields.Date(readonly=True, index=True)
    contract_number = fields.Char(readonly=True)
    our_number = fields.Char(string="Nosso número", readonly=True)
    restriction_code = fields.Char(string="Restriction code (natureza)", readonly=True)
    send_sms = fields.Boolean(string="Send SMS", readonly=True)
    origin = fields.Selection(
        [("manual", "Manual"), ("mass", "Mass"), ("auto", "Automatic")],
        required=True,
        default="manual",
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        readonly=True,
        tracking=True,
    )
    state = fields.Selection(
        STATES, default="draft", required=True, readonly=True, tracking=True, index=True
    )
    reference = fields.Char(
        string="Provider reference", readonly=True, copy=False, tracking=True, index=True
    )
    idempotency_key = fields.Char(readonly=True, copy=False)
    outcome_unknown = fields.Boolean(
        readonly=True,
        copy=False,
        help="A request was sent and no answer came back (timeout, crash): the provider is "
        "asked before anything is sent again.",
    )
    sent_date = fields.Datetime(readonly=True, copy=False)
    expected_visible_date = fields.Date(
        string="Visible from",
        readonly=True,
        copy=False,
        help="The end of the notice period: the restriction becomes visible to the market.",
    )
    active_date = fields.Datetime(readonly=True, copy=False)
    message = fields.Text(string="Last message", readonly=True, copy=False)
    attempts = fields.Integer(readonly=True, copy=False)
    next_retry = fields.Datetime(readonly=True, copy=False, index=True)
    # removal
    invoice_paid = fields.Boolean(
        compute="_compute_invoice_paid", store=True, readonly=True, index=True
    )
    paid_date = fields.Date(compute="_compute_invoice_paid", store=True, readonly=True)
    removal_deadline = fields.Date(
        compute="_compute_invoice_paid",
        store=True,
        readonly=True,
        help="Five Brazilian business days after payment (STJ Súmula 548).",
    )
    removal_code = fields.Char(readonly=True, copy=False)
    removal_reason = fields.Char(readonly=True, copy=False)
    removal_requested_date = fields.Datetime(readonly=True, copy=False)
    removed_date = fields.Datetime(readonly=True, copy=False)
    removal_late = fields.Boolean(
        string="Late removal",
        compute="_compute_removal_late",
        search="_search_removal_late",
    )

    _one_open_per_invoice = models.UniqueIndex(
        "(move_id) WHERE state NOT IN ('removed', 'cancelled')",
        "This invoice already has an open negativation.",
    )
    # The removal cron's searches, written as the ORM writes them so that PostgreSQL can use
    # them: their size follows the paid (and the late) negativations, not all of them.
    _paid_to_remove_idx = models.Index(
        "(id) WHERE invoice_paid IS TRUE AND state IN ('pending', 'active', 'error', 'sending')"
    )
    _late_removal_idx = models.Index(
        "(removal_deadline) WHERE removal_deadline IS NOT NULL "
        "AND state NOT IN ('removed', 'cancelled')"
    )

    # ------------------------------------------------------------------ computes
    @api.depends("move_id.payment_state")
    def _compute_invoice_paid(self):
        today = fields.Date.context_today(self)
        newly_paid = self.browse()
        for negativation in self:
            paid = negativation.move_id.payment_state in PAID_STATES
            if paid and not negativation.invoice_paid:
                newly_paid |= negativation
                negativation.paid_date = negativation._bureau_payment_date() or today
                negativation.removal_deadline = add_business_days(
                    negativation.paid_date, REMOVAL_BUSINESS_DAYS
                )
            elif not paid:
                negativation.paid_date = False
                negativation.removal_deadline = False
            negativation.invoice_paid = paid
        if newly_paid.filtered(lambda n: n.state in OPEN_NEGATIVATION_STATES):
            # Removal after payment is queued at once (Súmula 548): run the cron now.
            self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_removal")._trigger()

    def _bureau_payment_date(self):
        """The date of the payment that settled the invoice."""
        self.ensure_one()
        lines = self.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        dates = (
            lines.matched_credit_ids.credit_move_id | lines.matched_debit_ids.debit_move_id
        ).mapped("date")
        return max(dates) if dates else False

    def _compute_removal_late(self):
        today = fields.Date.context_today(self)
        for negativation in self:
            negativation.removal_late = bool(
                negativation.removal_deadline
                and negativation.state not in ("removed", "cancelled")
                and negativation.removal_deadline < today
            )

    def _search_removal_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on late removals."))
        domain = [
            ("removal_deadline", "<", fields.Date.context_today(self)),
            ("state", "not in", ("removed", "cancelled")),
        ]
        positive = (operator == "=") == value
        return domain if positive else ["!", "&", *domain]

    # ------------------------------------------------------------------ creation
    @api.model_create_multi
    def create(self, vals_list):
        unnamed = [vals for vals in vals_list if vals.get("name", "/") == "/"]
        for vals, name in zip(unnamed, self._bureau_next_names(len(unnamed)), strict=True):
            vals["name"] = name
        records = super().create(vals_list)
        # The key holds the id, known only now. Set like a computed value (nothing depends on
        # it): no write() per record, and the batch's keys go out with the UPDATE that stores
        # its computed fields.
        with self.env.protecting([self._fields["idempotency_key"]], records):
            for record in records:
                record.idempotency_key = (
                    f"{record.company_id.id}-{record.move_id.id}-{record.integration_id.id}-"
                    f"{record.id}-include"
                )
        return records

    def _creation_message(self):
        """The first line of the audit trail (inserted in bulk, see ``_message_create``)."""
        if self.state == "sending":
            return self.env._("Queued for sending.")
        return super()._creation_message()

    def _check_company(self, fnames=None):
        """Its outcome depends only on the companies (the record's, its invoice's, its
        integration's: both models check on ``company_id``): a batch is checked on one record
        per combination of them, and again in full when that fails, for the whole message."""
        checked = {
            name for name, field in self._fields.items() if field.relational and field.check_company
        }
        if len(self) < 2 or checked != {"move_id", "integration_id"}:
            return super()._check_company(fnames)
        representatives = {}
        for record in self:
            key = (record.company_id, record.move_id.company_id, record.integration_id.company_id)
            representatives.setdefault(key, record.id)
        try:
            return super(
                CreditBureauNegativation, self.browse(list(representatives.values()))
            )._check_company(fnames)
        except UserError:
            return super()._check_company(fnames)

    @api.model
    def _bureau_next_names(self, count):
        """``count`` numbers of the negativation sequence: what ``next_by_code`` gives one
        at a time, drawn with one query for a batch."""
        Sequence = self.env["ir.sequence"]
        if count <= 1:
            return [Sequence.next_by_code(SEQUENCE_CODE) or "/" for _i in range(count)]
        Sequence.browse().check_access("read")
        sequence = Sequence.search(
            [("code", "=", SEQUENCE_CODE), ("company_id", "in", [self.env.company.id, False])],
            order="company_id",
            limit=1,
        )
        if not sequence:
            return ["/"] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for _i in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        numbers = sorted(number for (number,) in self.env.cr.fetchall())
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]

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
        or a connection whose last test failed."""
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
        if integration.connection_state == "failed":
            blockers.append(
                self.env._(
                    "The last connection test of the integration %(name)s failed "
                    "(%(message)s): an administrator must fix its settings and run "
                    '"Test connection" again before anything is negativated.',
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

    def _bureau_log_bulk(self, body):
        """The same chatter line on many records with one insert (audit trail)."""
        if not self:
            return
        subtype = self.env.ref("mail.mt_note")
        author = self.env.user.partner_id
        self.sudo()._message_create(
            [
                {
                    "model": self._name,
                    "res_id": record.id,
                    "body": body,
                    "message_type": "notification",
                    "subtype_id": subtype.id,
                    "author_id": author.id,
                }
                for record in self
            ]
        )

    # Keys of the plain chatter lines that _message_create inserts in bulk.
    _BULK_MESSAGE_KEYS = frozenset(
        {
            "author_id",
            "body",
            "date",
            "email_add_signature",
            "email_from",
            "is_internal",
            "message_id",
            "message_type",
            "model",
            "record_alias_domain_id",
            "record_company_id",
            "reply_to",
            "res_id",
            "subject",
            "subtype_id",
        }
    )
    _BULK_MESSAGE_EMPTY_KEYS = frozenset({"attachment_ids", "partner_ids", "tracking_value_ids"})

    def _message_create(self, values_list):
        """Plain chatter lines on many records (the creation line of a batch, the lines of
        ``_bureau_log_bulk``) are inserted with one query. ``mail.message.create`` stores the
        same rows but spends about 0.3 ms of Python per message (the inverse caches of the
        70 models that have a chatter, defaults, sanitising the same body again), which made
        the automatic run of 10 000 invoices take seconds. Anything else (one message,
        attachments, tracking values, recipients, embedded images) goes the usual way."""
        values_list = self._bureau_mask_messages(values_list)
        if len(values_list) < 2 or not self.env.su or not self._bureau_plain_messages(values_list):
            return super()._message_create(values_list)
        ignored = self._get_message_create_ignore_field_names()
        values_list = [
            {key: value for key, value in values.items() if key not in ignored}
            for values in values_list
        ]
        self._raise_for_invalid_parameters(
            {key for values in values_list for key in values},
            restricting_names=self._get_message_create_valid_field_names(),
        )
        Message = self.env["mail.message"].with_context(clean_context(self.env.context))
        rows = [
            {key: value for key, value in values.items() if key in self._BULK_MESSAGE_KEYS}
            for values in values_list
        ]
        self._bureau_message_values(Message, rows)
        # Defaults of the fields not given, as mail.message.create would add them.
        defaults = Message._add_missing_default_values(dict(rows[0]))
        fnames = sorted(
            name
            for name in defaults
            if Message._fields[name].store and Message._fields[name].column_type
        )
        converted = {}

        def column(name, row):
            # The same value is converted once (the body is sanitised once for the batch).
            value = row[name] if name in row else defaults[name]
            key = (name, value)
            try:
                hash(key)
            except TypeError:
                return Message._fields[name].convert_to_column_insert(value, Message, row)
            if key not in converted:
                converted[key] = Message._fields[name].convert_to_column_insert(value, Message, row)
            return converted[key]

        now = self.env.cr.now()
        uid = self.env.uid
        columns = ", ".join(f'"{name}"' for name in fnames)  # field names of mail.message
        ids = self.env.cr.execute_values(
            f"INSERT INTO mail_message ({columns}, create_uid, create_date, write_uid, "
            "write_date) VALUES %s RETURNING id",
            [(*(column(name, row) for name in fnames), uid, now, uid, now) for row in rows],
            page_size=1000,
            fetch=True,
        )
        messages = Message.browse([id_ for (id_,) in ids])
        messages.modified(fnames, create=True)
        # What mail.message.create does for each message: the documents' chatter changed.
        res_ids = defaultdict(list)
        for row in rows:
            if row.get("message_type") != "user_notification":
                res_ids[row["model"]].append(row["res_id"])
        for model, ids_of_model in res_ids.items():
            self.env[model].browse(ids_of_model).invalidate_recordset(
                ["message_ids", "message_needaction", "message_needaction_counter"]
            )
        return messages

    def _bureau_mask_messages(self, values_list):
        """The chatter lines with the integrations' secrets masked, as in the logs: a provider
        may echo a password or a token in the answer (or the error) that is posted."""
        keys, values = set(), []
        for integration in self.sudo().integration_id:
            keys |= set(integration._bureau_sensitive_keys())
            values += integration._bureau_secret_values()
        # The bodies are HTML: a secret holding "&" or "<" is there escaped.
        values += [str(escape(value)) for value in values if value]
        masked = {}

        def mask(body):
            if body not in masked:
                text = mask_secrets(str(body), keys, values)
                if text == str(body):
                    masked[body] = body
                else:
                    masked[body] = Markup(text) if isinstance(body, Markup) else text
            return masked[body]

        return [
            dict(vals, body=mask(vals["body"])) if vals.get("body") else vals
            for vals in values_list
        ]

    @api.model
    def _bureau_plain_messages(self, values_list):
        """Whether ``_message_create`` may insert these messages in bulk: the same keys on
        every line, only plain ones, no attachment/recipient/tracking value, no embedded
        image, all on records."""
        keys = set(values_list[0])
        for values in values_list:
            if set(values) != keys or not values.get("model") or not values.get("res_id"):
                return False
            if any(values[key] for key in self._BULK_MESSAGE_EMPTY_KEYS & keys):
                return False
            if "data:image/" in str(values.get("body") or ""):
                return False
        return keys <= self._BULK_MESSAGE_KEYS | self._BULK_MESSAGE_EMPTY_KEYS

    @api.model
    def _bureau_message_values(self, Message, rows):
        """Complete ``rows`` like ``mail.message.create`` does for each message (author's
        address, Message-Id, Reply-To), computing what is common once."""
        thread = Message.env["mail.thread"]
        authors = {}
        for row in rows:
            if "email_from" not in row:
                author_id = row.get("author_id")
                if author_id not in authors:
                    authors[author_id] = thread._message_compute_author(author_id)[1]
                row["email_from"] = authors[author_id]
            if not row.get("message_id"):
                row["message_id"] = Message._get_message_id(row)
        groups = defaultdict(list)
        for row in rows:
            if "reply_to" not in row:
                groups[(row["model"], row.get("author_id"), row["email_from"])].append(row)
        for (model, author_id, email_from), group in groups.items():
            records = self.env[model].browse([row["res_id"] for row in group]).sudo()
            reply_to = records._notify_get_reply_to(default=email_from, author_id=author_id)
            for row in group:
                row["reply_to"] = reply_to[row["res_id"]]

    # ------------------------------------------------------------------ debt for the provider
    def _bureau_debt(self):
        self.ensure_one()
        partner = self.partner_id
        document, kind = validate_document(self.env, partner.vat or "")
        integration = self.integration_id
        return {
            "document": document,
            "kind": kind,
            "name": partner.name,
            # Companies have no age: a date in that field is not theirs to send.
            "birth_date": (kind == "cpf" and partner.credit_birth_date) or False,
            "address": partner._bureau_address(),
            "phone": re.sub(r"\D", "", partner.phone or ""),
            "email": partner.email or "",
            "amount": self.amount,
            "due_date": self.due_date,
            "contract": self.contract_number,
            "our_number": self.our_number,
            "restriction_code": self.restriction_code,
            "send_sms": self.send_sms,
            "responsible_cpf": clean_document(integration.responsible_cpf or ""),
            "idempotency_key": self.idempotency_key,
            "co_obligor": None,
        }

    # ------------------------------------------------------------------ commits
    def _bureau_commit(self, processed=0):
        """Commit a batch's progress when running as a scheduled action, so that each
        record's outcome survives a later crash. Elsewhere (a user's request, a test) the
        caller's transaction decides. Returns the time left to the cron (seconds)."""
        if self.env.context.get("ir_cron_progress_id"):
            return self.env["ir.cron"]._commit_progress(processed)
        return float("inf")

    def _bureau_lock(self, states):
        """Lock the records still in ``states``, skipping those another worker holds."""
        if not self:
            return self
        self.flush_model(["state"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM credit_bureau_negativation WHERE id IN %s AND state IN %s "
                "ORDER BY id FOR UPDATE SKIP LOCKED",
                tuple(self.ids),
                tuple(states),
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    # ------------------------------------------------------------------ sending
    def _bureau_send(self):
        """Send the inclusions of records in "sending" (see ``_bureau_dispatch``)."""
        negativations = self._bureau_lock(["sending"])
        # The debts of the whole batch are read together, before the commits of the loop
        # empty the cache (one query per table for the batch instead of one per record).
        negativations._bureau_dispatch(negativations._bureau_debts(), "include")

    def _bureau_debts(self):
        """``{id: debt}`` of these records, a UserError in place of the debt that cannot be
        built (invalid document)."""
        debts = {}
        for negativation in self:
            try:
                debts[negativation.id] = negativation._bureau_debt()
            except UserError as error:
                debts[negativation.id] = error
        return debts

    def _bureau_dispatch(self, debts, operation):
        """Make these records' provider calls (``operation``: a key of ``DISPATCH``), per
        integration, as many at a time as it allows (``send_concurrency``). Each group is
        marked and committed before its calls, and its outcomes committed once they are
        all back, in the caller's transaction."""
        for integration, group in self.grouped("integration_id").items():
            size = max(integration.send_concurrency, 1)
            for start in range(0, len(group), size):
                # Each commit empties the cache: reading a group again must fetch it alone,
                # not the whole batch each time.
                chunk = group[start : start + size]
                chunk = chunk.with_prefetch(chunk._ids)
                if chunk._bureau_dispatch_group(integration, debts, operation) <= 0:
                    return

    def _bureau_dispatch_group(self, integration, debts, operation):
        """Returns the time left to the cron."""
        prepare, record_outcome = DISPATCH[operation]
        ready, calls = self.browse(), []
        for negativation in self:
            call = getattr(negativation, prepare)(debts.get(negativation.id))
            if call:
                ready |= negativation
                calls.append(call)
        # The marks of the preparation are committed before calling: a crash from here on
        # means "ask first".
        self._bureau_commit()
        outcomes = integration._bureau_parallel(calls) if calls else []
        for negativation, (outcome, crash) in zip(ready, outcomes, strict=True):
            if crash is not None:
                _logger.error(
                    "Negativation %s: unexpected error (%s): %s",
                    negativation.name,
                    operation,
                    integration._bureau_mask(repr(crash)),
                )
            getattr(negativation, record_outcome)(outcome, crash)
        return self._bureau_commit(len(self))

    def _bureau_include_prepare(self, debt):
        """The provider call of this inclusion (``_include_call``), the record marked as
        possibly sent; None when its debt cannot be built."""
        if isinstance(debt, UserError):
            self._bureau_error(debt.args[0], retryable=False)
            return None
        # Queued (or failed) a while ago: the debt may have been paid or reached five years
        # since. Not sent then: cancelled if it never left, its removal requested if an
        # earlier attempt may have reached the provider.
        reason = None
        if self.invoice_paid:
            reason = self.env._("Invoice paid")
        elif self.due_date and self.due_date <= fields.Date.context_today(self) - relativedelta(
            years=5
        ):
            reason = self.env._("Five-year limit reached (CDC art. 43 §1)")
        if reason:
            self._bureau_request_default_removal(reason)
            return None
        # A record whose outcome is unknown (an earlier attempt may have reached the
        # provider) is looked up before anything is sent again.
        call = partial(_include_call, debt, self.outcome_unknown)
        self.write({"outcome_unknown": True, "attempts": self.attempts + 1})
        return call

    def _bureau_send_outcome(self, outcome, crash):
        """Record what ``_include_call`` brought back (or the exception it raised)."""
        self.ensure_one()
        if crash is not None:
            # The outcome stays unknown: the next attempt asks the provider first.
            self._bureau_error(
                self.env._(
                    "Unexpected error while sending; the technical detail is in the server log."
                ),
                retryable=True,
            )
            return
        kind, answer = outcome
        if kind == "lookup_failed":
            self._bureau_error(answer.args[0], retryable=True, detail=answer.detail)
        elif kind == "failed":
            self.outcome_unknown = answer.timeout
            self._bureau_error(answer.args[0], retryable=answer.retryable, detail=answer.detail)
        else:
            if kind == "found":
                self.message_post(
                    body=self.env._("The provider already had this inclusion: not sent again.")
                )
            elif kind == "adopted":
                self.message_post(
                    body=self.env._("The provider already had this debt: its record was adopted.")
                )
            self._bureau_accepted(answer)

    def _bureau_accepted(self, result):
        now = fields.Datetime.now()
        state = result.get("state") or "pending"
        values = {
            "reference": result.get("reference") or self.reference,
            "outcome_unknown": False,
            "sent_date": self.sent_date or now,
            "expected_visible_date": fields.Date.context_today(self) + timedelta(days=NOTICE_DAYS),
            "message": self._bureau_masked(result.get("message")) or False,
            "next_retry": False,
        }
        if state == "error":
            self.write(values)
            self._bureau_error(
                result.get("message") or self.env._("Refused by the provider."), retryable=False
            )
            return
        values["state"] = "active" if state == "active" else "pending"
        if values["state"] == "active":
            values["active_date"] = now
        self.write(values)
        if self.attempts > 1:
            # An earlier attempt failed and may have given somebody a to-do: it is done.
            self._bureau_unlink_alarms()
        self.message_post(
            body=self.env._(
                "Sent to %(provider)s: reference %(reference)s, %(message)s",
                provider=self.integration_id._provider_label(),
                reference=values["reference"] or "-",
                message=values["message"] or "-",
            )
        )

    def _bureau_error(self, message, *, retryable, detail=""):
        message = self._bureau_masked(message)
        values = {"state": "error", "message": message}
        if retryable and self.attempts < MAX_SEND_ATTEMPTS:
            minutes = RETRY_BASE_MINUTES * 2 ** max(self.attempts - 1, 0)
            values["next_retry"] = fields.Datetime.now() + timedelta(minutes=minutes)
        else:
            values["next_retry"] = False
        self.write(values)
        if detail:
            _logger.warning("Negativation %s: %s", self.name, self._bureau_masked(detail))
        self.message_post(body=self.env._("Error: %s", message))
        if not values["next_retry"]:
            # No automatic retry left: somebody has to look at it.
            self._bureau_alarm(
                self.env._(
                    "The inclusion of negativation %(name)s failed and will not be retried "
                    "automatically: %(message)s",
                    name=self.name,
                    message=message,
                ),
                summary=self.env._("Negativation not sent"),
            )

    def _bureau_masked(self, text):
        """``text`` from or about the provider, the integration's secrets masked: what goes
        to the record, its chatter and the log."""
        if not text:
            return text
        return str(self.integration_id._bureau_mask(str(text)))

    # ------------------------------------------------------------------ removal
    def _bureau_request_removal(self, code, reason):
        """Queue the removal (baixa) of sent negativations; drafts and queued ones that never
        left are simply cancelled."""
        now = fields.Datetime.now()
        never_sent = self.filtered(
            lambda n: n.state in ("draft", "sending", "error")
            and not n.reference
            and not n.outcome_unknown
        )
        never_sent.write({"state": "cancelled", "removal_reason": reason})
        never_sent._bureau_log_bulk(self.env._("Cancelled before being sent: %s", reason))
        to_remove = (self - never_sent).filtered(
            lambda n: n.state in ("pending", "active", "error", "sending", "removal_requested")
        )
        to_remove.write(
            {
                "state": "removal_requested",
                "removal_code": code,
                "removal_reason": reason,
                "removal_requested_date": now,
                "next_retry": False,
            }
        )
        to_remove._bureau_log_bulk(
            self.env._("Removal requested (code %(code)s): %(reason)s", code=code, reason=reason)
        )
        if to_remove:
            self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_removal")._trigger()
        return to_remove

    def _bureau_request_default_removal(self, reason):
        """Queue the removal of these records with their integration's default removal code
        (``01``, payment of the debt, when the integration has none: rules.md)."""
        for integration, negativations in self.grouped("integration_id").items():
            code = integration.default_removal_code_id.code or "01"
            negativations._bureau_request_removal(code, reason)

    def _bureau_send_removals(self):
        """Send the removals requested (see ``_bureau_dispatch``)."""
        negativations = self._bureau_lock(["removal_requested"])
        # A record never confirmed by the provider is looked up by its debt first.
        debts = negativations.filtered(lambda n: not n.reference)._bureau_debts()
        negativations._bureau_dispatch(debts, "remove")

    def _bureau_removal_prepare(self, debt):
        """The provider call of this removal (``_removal_call``); None when the debt that
        must be looked up first cannot be built."""
        if isinstance(debt, UserError):
            self._bureau_removal_failed(debt.args[0])
            return None
        today = fields.Date.context_today(self)
        return partial(_removal_call, debt, self.reference, self.removal_code, today)

    def _bureau_removal_outcome(self, outcome, crash):
        """Record what ``_removal_call`` brought back (or the exception it raised)."""
        self.ensure_one()
        if crash is not None:
            self._bureau_removal_failed(
                self.env._(
                    "Unexpected error while removing; the technical detail is in the server log."
                )
            )
            return
        kind, answer = outcome
        if kind == "failed":
            self._bureau_removal_failed(answer.args[0], detail=answer.detail)
            return
        if kind == "never_received":
            self.write({"state": "cancelled", "outcome_unknown": False})
            self.message_post(body=self.env._("The provider never received it: nothing to remove."))
            return
        reference, result = answer
        self.write(
            {
                "reference": reference,
                "outcome_unknown": False,
                "state": "removed",
                "removed_date": fields.Datetime.now(),
                "message": self._bureau_masked(result.get("message")) or False,
                "next_retry": False,
            }
        )
        self._bureau_unlink_alarms()
        self.message_post(
            body=self.env._(
                "Removed at the provider (code %(code)s): %(message)s",
                code=self.removal_code,
                message=self.message or "-",
            )
        )

    def _bureau_removal_failed(self, message, detail=""):
        """The removal stays requested (retried by the cron); the responsible user gets an
        activity, once."""
        message = self._bureau_masked(message)
        self.write({"message": message, "attempts": self.attempts + 1})
        if detail:
            _logger.warning("Negativation %s removal: %s", self.name, self._bureau_masked(detail))
        self.message_post(body=self.env._("Removal failed, will be retried: %s", message))
        self._bureau_alarm(
            self.env._(
                "The removal of negativation %(name)s failed: %(message)s",
                name=self.name,
                message=message,
            )
        )

    def _bureau_alarm(self, note, summary=None):
        """Give the responsible user a to-do on each record, unless one is already open."""
        activity_type = self.env.ref(ALARM_ACTIVITY_TYPE)
        for negativation in self:
            if negativation.activity_ids.filtered(lambda a: a.activity_type_id == activity_type):
                continue
            negativation.activity_schedule(
                ALARM_ACTIVITY_TYPE,
                date_deadline=negativation.removal_deadline or fields.Date.context_today(self),
                summary=summary or self.env._("Remove the negativation"),
                note=note,
                user_id=(negativation.user_id or self.env.user).id,
            )

    def _bureau_unlink_alarms(self):
        """Close the to-dos of ``_bureau_alarm`` (not the activities users planned)."""
        self.activity_unlink([ALARM_ACTIVITY_TYPE])

    # ------------------------------------------------------------------ status
    def _bureau_apply_statuses(self, statuses):
        """Apply the provider's answers ``{reference: {'state', 'message'}}`` to these
        records: one write and one chatter insert per (new state, message), not one per
        record (a status poll answers for thousands at a time). Returns the changed ones."""
        # The provider's state, and the states of ours it moves a record from.
        moves = {
            "active": ("pending",),
            "error": ("pending", "sending"),
            "removed": tuple(s for s, _l in STATES if s not in ("removed", "cancelled")),
        }
        groups = defaultdict(lambda: self.browse())
        for negativation in self:
            status = statuses.get(negativation.reference) or {}
            state = status.get("state")
            if state in moves and negativation.state in moves[state]:
                message = negativation._bureau_masked(status.get("message")) or ""
                groups[state, message] |= negativation
        now = fields.Datetime.now()
        labels = dict(self._fields["state"]._description_selection(self.env))
        changed = self.browse()
        for (state, message), records in groups.items():
            values = {"state": state}
            if message:
                values["message"] = message
            if state == "active":
                values["active_date"] = now
            elif state == "error":
                values["next_retry"] = False
            else:
                values["removed_date"] = now
            records.write(values)
            records._bureau_log_bulk(
                self.env._(
                    "Status at the provider: %(state)s. %(message)s",
                    state=labels[state],
                    message=message,
                )
            )
            changed |= records
        return changed

    # ------------------------------------------------------------------ user actions
    def action_send_now(self):
        """Queue again (error) and run the sending job now."""
        retry = self.filtered(lambda n: n.state == "error")
        retry.write({"state": "sending", "next_retry": False})
        self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_send")._trigger()
        return True

    def action_cancel(self):
        for negativation in self:
            if (
                negativation.state not in ("draft", "error")
                or negativation.reference
                or negativation.outcome_unknown
            ):
                raise UserError(
                    self.env._(
                        "%(name)s was sent to the provider: request its removal instead.",
                        name=negativation.name,
                    )
                )
        self.write({"state": "cancelled"})
        return True

    def action_refresh_status(self):
        for integration, negativations in (
            self.filtered("reference").grouped("integration_id").items()
        ):
            statuses = integration._bureau_fetch_status(negativations.mapped("reference"))
            negativations._bureau_apply_statuses(statuses)
        return True

    def action_update_address(self):
        """Send the debtor's current postal address to the provider: the notice letter goes
        there (the provider's address correction, where it has one)."""
        for negativation in self:
            integration = negativation.integration_id
            if not integration.supports_address_update:
                raise UserError(
                    self.env._(
                        "%(provider)s does not take address corrections: remove the "
                        "negativation and send it again with the new address.",
                        provider=integration._provider_label(),
                    )
                )
            missing = negativation.partner_id._bureau_missing_address_fields()
            if missing:
                raise UserError(
                    self.env._(
                        "Complete the debtor's address first (missing: %(fields)s).",
                        fields=", ".join(missing),
                    )
                )
            message = integration._bureau_update_address(negativation._bureau_debt())
            negativation.message_post(
                body=self.env._("Address sent to the provider: %(message)s", message=message or "-")
            )
        return True

    def action_open_removal_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Remove negativation"),
            "res_model": "credit.bureau.negativation.remove.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_negativation_ids": self.ids},
        }

    # ------------------------------------------------------------------ crons
    @api.model
    def _cron_send(self, batch_size=100):
        """Negativação: send what is queued."""
        records = self.search([("state", "=", "sending")], order="id", limit=batch_size)
        records._bureau_send()
        remaining = self.search_count([("state", "=", "sending")])
        self.env["credit.bureau.negativation.batch"]._bureau_close_finished()
        if remaining and self.env.context.get("ir_cron_progress_id"):
            self.env["ir.cron"]._commit_progress(remaining=remaining)

    @api.model
    def _cron_retry_errors(self, batch_size=100):
        """Reenviar negativações com erro: those due for a retry go back to sending."""
        due = self.search(
            [
                ("state", "=", "error"),
                ("next_retry", "!=", False),
                ("next_retry", "<=", fields.Datetime.now()),
                ("attempts", "<", MAX_SEND_ATTEMPTS),
            ],
            limit=batch_size,
        )
        due.write({"state": "sending", "next_retry": False})
        due._bureau_send()

    @api.model
    def _cron_remove(self, batch_size=100):
        """Remoção automática: paid invoices, five-year-old debts, then every removal
        requested (including the retries of failed ones)."""
        paid = self.search(
            [
                ("invoice_paid", "=", True),
                ("state", "in", ("pending", "active", "error", "sending")),
            ],
            limit=batch_size * 10,
        )
        paid._bureau_request_default_removal(self.env._("Invoice paid"))
        limit_date = fields.Date.context_today(self) - relativedelta(years=5)
        expired = self.search(
            [("due_date", "<=", limit_date), ("state", "in", ("pending", "active", "error"))],
            limit=batch_size * 10,
        )
        expired._bureau_request_default_removal(
            self.env._("Five-year limit reached (CDC art. 43 §1)")
        )
        self._bureau_commit()
        requested = self.search([("state", "=", "removal_requested")], order="id", limit=batch_size)
        requested._bureau_send_removals()
        # Those not alarmed yet: the alarmed ones must not hide the others from the batch.
        alarm_type = self.env.ref(ALARM_ACTIVITY_TYPE)
        late = self.search(
            [
                ("removal_late", "=", True),
                ("activity_ids", "not any", [("activity_type_id", "=", alarm_type.id)]),
            ],
            limit=batch_size,
        )
        late._bureau_alarm(self.env._("The removal deadline has passed (STJ Súmula 548)."))

    @api.model
    def _cron_poll_status(self, batch_size=1000):
        """Consultar situação: one status call per integration and chunk of references."""
        waiting = self.search(
            [("state", "in", ("pending", "sending")), ("reference", "!=", False)], order="id"
        )
        for integration, negativations in waiting.grouped("integration_id").items():
            for start in range(0, len(negativations), batch_size):
                chunk = negativations[start : start + batch_size]
                try:
                    statuses = integration._bureau_fetch_status(chunk.mapped("reference"))
                except CreditBureauError as error:
                    _logger.warning("Status poll of %s failed: %s", integration.name, error.detail)
                    break
                chunk._bureau_apply_statuses(statuses)
                if self._bureau_commit(len(chunk)) <= 0:
                    return
