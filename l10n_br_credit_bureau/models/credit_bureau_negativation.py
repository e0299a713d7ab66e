from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..const import OPEN_NEGATIVATION_STATES, REMOVAL_BUSINESS_DAYS
from ..tools import clean_document, format_document
from .br_calendar import add_business_days

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
# Set (with sudo) by ``_bureau_queue`` on the records it checked itself: create() does not
# check them again. Without superuser rights the key is ignored: an RPC call cannot use it.
PRECHECKED_CONTEXT_KEY = "credit_bureau_prechecked"
# What was sent and what the provider answered: written by the flows only (``write``).
PROTECTED_FIELDS = frozenset(
    {
        "name",
        "partner_id",
        "document",
        "move_id",
        "company_id",
        "integration_id",
        "batch_id",
        "amount",
        "due_date",
        "contract_number",
        "our_number",
        "restriction_code",
        "send_sms",
        "origin",
        "state",
        "reference",
        "idempotency_key",
        "outcome_unknown",
        "sent_date",
        "expected_visible_date",
        "active_date",
        "message",
        "attempts",
        "next_retry",
        "invoice_paid",
        "paid_date",
        "removal_deadline",
        "removal_code",
        "removal_reason",
        "removal_requested_date",
        "removed_date",
    }
)
# What a user may give when creating one directly (RPC, import): the invoice and the
# choices of the negativation wizard. Everything else is derived from the invoice.
USER_CREATE_FIELDS = frozenset({"move_id", "restriction_code", "send_sms", "amount"})


class CreditBureauNegativation(models.Model):
    """One debt (a customer invoice) sent to a credit bureau, from inclusion to removal.

    Sending is always done by the scheduled actions, never inside the user's transaction:
    a record is marked ``outcome_unknown`` and committed before the provider is called, so
    that a crash or a timeout leads to asking the provider first, never to a blind re-send.

    The model is split by flow: this file holds the record and its states; the rules that
    block an invoice and the queueing are in ``credit_bureau_negativation_rules.py``, the
    audit trail in ``..._chatter.py``, sending in ``..._send.py``, removal in
    ``..._removal.py`` and the provider's status in ``..._status.py``.
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
    document = fields.Char(string="Document sent", readonly=True)
    document_display = fields.Char(
        string="CPF/CNPJ",
        compute="_compute_document_display",
        search="_search_document_display",
        help="The CPF/CNPJ sent, punctuated.",
    )
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
    @api.depends("document")
    def _compute_document_display(self):
        for negativation in self:
            negativation.document_display = format_document(negativation.document or "")

    def _search_document_display(self, operator, value):
        """Typed punctuated or not, the CPF/CNPJ is searched as stored (clean)."""
        if isinstance(value, str):
            value = clean_document(value)
        return [("document", operator, value)]

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
        # Every way in (RPC, import, wizards, the automatic routine, a bridge) passes the
        # blockers, and what is sent is derived from the invoice. ``_bureau_queue`` checks a
        # whole batch itself before creating with sudo: only such a caller skips the check.
        if not (self.env.su and self.env.context.get(PRECHECKED_CONTEXT_KEY)):
            vals_list = self._bureau_guard_create(vals_list)
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
        if any(record.state == "sending" for record in records):
            self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_send")._trigger()
        return records

    def write(self, vals):
        """What was sent and what the provider answered is written by the flows only (run
        as superuser, which no RPC call is): a user changes it through the record's actions."""
        if not self.env.su:
            forbidden = PROTECTED_FIELDS & set(vals)
            if forbidden:
                raise UserError(
                    self.env._(
                        "These fields of a negativation are written only by its own actions "
                        "(send, cancel, request removal, refresh status): %(fields)s. Nothing "
                        "was changed.",
                        fields=self._bureau_field_labels(forbidden),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_never_sent(self):
        """A negativation sent to a bureau is a legal record: it is removed at the provider,
        never deleted here. Only drafts and cancelled ones that never left may be deleted."""
        sent = self.filtered(
            lambda n: n.state not in ("draft", "cancelled") or n.reference or n.sent_date
        )
        if sent:
            raise UserError(
                self.env._(
                    "Only draft negativations, or cancelled ones that never reached the "
                    "provider, can be deleted: %(names)s. Request the removal instead.",
                    names=", ".join(sent.mapped("name")),
                )
            )

    @api.model
    def _bureau_flow_env(self):
        """This model in the environment of the flows a scheduled action runs: superuser
        (they write what only the flows write) and the language of the company's users,
        since a scheduled action has none: what it writes in the chatter, the records and
        the to-dos reads as a user-triggered action's would."""
        lang = self.env.context.get("lang") or self.env.company._bureau_lang()
        return self.sudo().with_context(lang=lang)

    def _bureau_enqueue_or_run(self, flow):
        """The hook of the routines that make provider calls (the re-send of errors and the
        removal): make the calls of these records here and now, ``flow`` "include"
        (``_bureau_send``) or "remove" (``_bureau_send_removals``), and return the records
        whose calls were made. ``l10n_br_credit_bureau_queue`` overrides it to hand them to
        OCA queue_job jobs instead, and returns the records it did not hand over; the caller
        counts those handed over as queued."""
        if flow == "include":
            self._bureau_send()
        else:
            self._bureau_send_removals()
        return self

    def _bureau_field_labels(self, names):
        return ", ".join(sorted(self._fields[name]._description_string(self.env) for name in names))

    def _creation_message(self):
        """The first line of the audit trail (logged by ``mail.thread.create`` for the whole
        batch with ``_message_log_batch``, masked in ``_message_create``)."""
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
        if fnames is not None and not ({"company_id", "company_ids"} | checked) & set(fnames):
            return None  # nothing to check (a change of state, a status poll's write)
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

    # ------------------------------------------------------------------ user actions
    def action_cancel(self):
        """Cancel negativations that never left: drafts, queued ones not picked by the
        sending job yet, and failed ones whose request never reached the provider."""
        for negativation in self:
            if (
                negativation.state not in ("draft", "sending", "error")
                or negativation.reference
                or negativation.outcome_unknown
            ):
                raise UserError(
                    self.env._(
                        "%(name)s was sent to the provider (or is not open any more): request "
                        "its removal instead.",
                        name=negativation.name,
                    )
                )
        self.check_access("write")
        # The sending job holds the records it is sending: those cannot be cancelled now.
        free = self.sudo()._bureau_lock(["draft", "sending", "error"])
        busy = self - free.with_env(self.env)
        if busy:
            raise UserError(
                self.env._(
                    "%(names)s is being sent right now: wait for the answer, then request its "
                    "removal if needed.",
                    names=", ".join(busy.mapped("name")),
                )
            )
        free.write({"state": "cancelled", "next_retry": False})
        free._bureau_log_bulk(self.env._("Cancelled by %(user)s.", user=self.env.user.name))
        return True

    def action_request_removal(self, code, reason):
        """Request the removal (baixa) of sent negativations with a removal code of their
        integration; those that never left are cancelled instead."""
        closed = self.filtered(lambda n: n.state in ("removed", "cancelled"))
        if closed:
            raise UserError(
                self.env._(
                    "%(names)s is already removed or cancelled: nothing to remove.",
                    names=", ".join(closed.mapped("name")),
                )
            )
        self.check_access("write")
        for integration in self.integration_id:
            codes = integration.sudo().removal_code_ids.filtered("active").mapped("code")
            if code not in codes:
                raise UserError(
                    self.env._(
                        "The removal code %(code)s is not among those of the integration "
                        "%(name)s: synchronise its catalog or choose another.",
                        code=code or "-",
                        name=integration.name,
                    )
                )
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the negativation is removed."))
        return self.sudo()._bureau_request_removal(code, reason).with_env(self.env)

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

    def action_print_receipt(self):
        """The receipt of the negativations ("Comprovante de negativação", a PDF in our own
        layout): only for who may read them."""
        self.check_access("read")
        return self.env.ref(
            "l10n_br_credit_bureau.action_report_negativation_receipt"
        ).report_action(self, config=False)
