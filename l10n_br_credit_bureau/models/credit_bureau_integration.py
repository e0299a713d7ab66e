import logging
import queue
import time
from datetime import timedelta

import requests
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, modules
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_amount, format_datetime

from ..const import DEFAULT_TIMEOUT, PREFERRED_REMOVAL_CODES, PREFERRED_RESTRICTION_CODES
from ..tools import (
    CreditBureauError,
    mask_secrets,
    nearest_for_company,
    to_log_text,
    validate_document,
)
from .credit_bureau_dispatch import CallLane
from .credit_bureau_routine import RoutineTally

_logger = logging.getLogger(__name__)

# Advisory-lock namespace of the automatic negativation runs (any constant int4).
AUTO_RUN_LOCK = 0x4E454741
# Simultaneous requests to one provider: bounds of the integration's setting.
MAX_CONCURRENCY = 16
# The sending and removal jobs leave a provider alone for a while after this many of its
# calls in a row timed out: each one held the job (and every other provider's queue) for the
# whole timeout. Its records wait, untouched, for the job's run once the pause is over.
MAX_CONSECUTIVE_TIMEOUTS = 3
DISPATCH_PAUSE_MINUTES = 10
# Written only by the flows (connection test, balance, automatic run, the sending jobs): a
# user who writes them (RPC included) is refused; the buttons write them as superuser once
# the user's right to change the integration is checked.
FLOW_FIELDS = frozenset(
    {
        "connection_state",
        "connection_message",
        "connection_date",
        "balance",
        "balance_date",
        "auto_last_run",
        "dispatch_timeouts",
        "dispatch_paused_until",
    }
)


class CreditBureauIntegration(models.Model):
    """A contracted integration with a credit bureau distributor, for one company/branch.

    The provider contract: provider addons add their code to ``provider`` with
    ``selection_add`` and override the ``_bureau_*`` methods, calling ``super()`` for the
    other providers. Every request goes through ``_bureau_send_request``.
    """

    _name = "credit.bureau.integration"
    _description = "Credit Bureau Integration"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"
    _check_company_auto = True
    _check_company_domain = models.check_company_domain_parent_of

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    provider = fields.Selection(
        selection=[("none", "No provider set"), ("dummy", "Simulated (tests)")],
        string="Intermediary",
        required=True,
        default="none",
        tracking=True,
        help="The distributor through which the bureau is reached.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        default=lambda self: self.env.company,
        tracking=True,
        help="The company or branch that contracted this integration. A branch without an "
        "integration of its own uses its head office's.",
    )
    environment = fields.Selection(
        [("homologacao", "Homologation"), ("producao", "Production")],
        required=True,
        default="homologacao",
        tracking=True,
        help="Homologation uses the provider's test services; production is real and costs money.",
    )
    api_base_url = fields.Char(
        string="Base URL",
        groups="base.group_system",
        copy=False,
        help="Replaces the provider's own address (developer mode: simulators, proxies).",
    )
    default_product_id = fields.Many2one(
        "credit.bureau.product",
        string="Default consultation product",
        domain="[('integration_id', '=', id), ('kind', '=', 'consulta')]",
    )
    send_sms = fields.Boolean(
        string="Send SMS on inclusion",
        help="The distributor sends an SMS to the debtor when the debt is included. The postal "
        "notice is sent anyway.",
    )
    responsible_cpf = fields.Char(
        string="CPF responsible for negativations",
        help="CPF of the person legally responsible for the negativations sent.",
    )
    auto_negativate = fields.Boolean(
        string="Include/remove automatically",
        tracking=True,
        help="Overdue invoices are negativated and paid ones removed by the scheduled actions.",
    )
    default_restriction_code_id = fields.Many2one(
        "credit.bureau.code",
        string="Default restriction code",
        domain="[('integration_id', '=', id), ('kind', '=', 'restriction')]",
    )
    default_removal_code_id = fields.Many2one(
        "credit.bureau.code",
        string="Default removal code",
        domain="[('integration_id', '=', id), ('kind', '=', 'removal')]",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    min_amount = fields.Monetary(
        string="Minimum amount",
        default=10.0,
        help="Debts below this amount are never negativated (Serasa refuses under R$ 10,00).",
    )
    send_concurrency = fields.Integer(
        string="Simultaneous requests",
        default=4,
        help="How many inclusions, removals or status queries the scheduled actions send to "
        "the provider at the same time. Each waits for the provider's answer: more at once "
        "means a large queue is sent sooner. Use 1 if the provider limits simultaneous "
        "connections.",
    )
    product_ids = fields.One2many("credit.bureau.product", "integration_id", string="Products")
    code_ids = fields.One2many("credit.bureau.code", "integration_id", string="Codes")
    restriction_code_ids = fields.One2many(
        "credit.bureau.code",
        "integration_id",
        string="Restriction codes",
        domain=[("kind", "=", "restriction")],
    )
    removal_code_ids = fields.One2many(
        "credit.bureau.code",
        "integration_id",
        string="Removal codes",
        domain=[("kind", "=", "removal")],
    )
    connection_state = fields.Selection(
        [
            ("untested", "Not tested"),
            ("ok", "Working"),
            ("unstable", "Unstable"),
            ("failed", "Failed"),
        ],
        default="untested",
        readonly=True,
        copy=False,
        help="Failed: the provider refused the credentials or the contract, an administrator "
        "must fix the integration (nothing is negativated until then). Unstable: the provider "
        "did not answer or answered with an error of its own; nothing is blocked, and the next "
        "call that goes through sets it back to working.",
    )
    connection_message = fields.Char(readonly=True, copy=False)
    connection_date = fields.Datetime(string="Last test", readonly=True, copy=False)
    dispatch_timeouts = fields.Integer(
        string="Timeouts in a row",
        readonly=True,
        copy=False,
        help="Calls of the sending and removal jobs to this provider that timed out in a row.",
    )
    dispatch_paused_until = fields.Datetime(
        string="Sending paused until",
        readonly=True,
        copy=False,
        help="The provider timed out several times in a row: the sending and removal jobs "
        "leave it alone until then, so that the other integrations' queues are not held up.",
    )
    balance = fields.Monetary(readonly=True, copy=False, help="Prepaid balance at the provider.")
    balance_date = fields.Datetime(readonly=True, copy=False)
    # Capabilities, from `_bureau_get_features`.
    supports_consultation = fields.Boolean(compute="_compute_features")
    supports_negativation = fields.Boolean(compute="_compute_features")
    supports_balance = fields.Boolean(compute="_compute_features")
    supports_status_list = fields.Boolean(compute="_compute_features")
    supports_address_update = fields.Boolean(compute="_compute_features")
    report_format = fields.Selection(
        [("html", "HTML"), ("pdf", "PDF")], compute="_compute_features"
    )
    costs_money_always = fields.Boolean(
        compute="_compute_features",
        help="The provider has no free test environment: every call is charged.",
    )
    is_paid_environment = fields.Boolean(compute="_compute_features")
    missing_defaults = fields.Char(
        string="Missing defaults",
        compute="_compute_missing_defaults",
        help="Defaults the integration still lacks (the mass and automatic runs need them).",
    )
    # Task scheduler (Agenda de tarefas): the routines of this integration and their log.
    routine_ids = fields.One2many(
        "credit.bureau.routine",
        "integration_id",
        string="Routines",
        context={"active_test": False},
    )
    routine_run_ids = fields.One2many(
        "credit.bureau.routine.run", "integration_id", string="Runs of the routines"
    )

    def _valid_field_parameter(self, field, name):
        # `required_if_provider="code"` on a provider's credential field (as payment does).
        return name == "required_if_provider" or super()._valid_field_parameter(field, name)

    # ------------------------------------------------------------------ constraints
    @api.constrains("responsible_cpf")
    def _check_responsible_cpf(self):
        for integration in self.filtered("responsible_cpf"):
            try:
                _document, kind = validate_document(self.env, integration.responsible_cpf)
            except UserError as error:
                raise ValidationError(error.args[0]) from error
            if kind != "cpf":
                raise ValidationError(
                    self.env._("The person responsible for negativations needs a CPF.")
                )

    @api.constrains("min_amount")
    def _check_min_amount(self):
        if any(integration.min_amount < 0 for integration in self):
            raise ValidationError(self.env._("The minimum amount cannot be negative."))

    @api.constrains("send_concurrency")
    def _check_send_concurrency(self):
        if any(not 1 <= integration.send_concurrency <= MAX_CONCURRENCY for integration in self):
            raise ValidationError(
                self.env._(
                    "Simultaneous requests must be between 1 and %(maximum)s.",
                    maximum=MAX_CONCURRENCY,
                )
            )

    @api.constrains("provider", "active")
    def _check_required_credentials(self):
        """Credentials that a provider requires, declared with ``required_if_provider``."""
        for integration in self.filtered(lambda i: i.active and i.provider != "none"):
            missing = [
                field.string
                for field in integration._fields.values()
                if getattr(field, "required_if_provider", None) == integration.provider
                and not integration.sudo()[field.name]
            ]
            if missing:
                raise ValidationError(
                    self.env._(
                        "Fill in for %(provider)s: %(fields)s",
                        provider=integration._provider_label(),
                        fields=", ".join(missing),
                    )
                )

    # ------------------------------------------------------------------ computes
    @api.depends("provider", "environment")
    def _compute_features(self):
        for integration in self:
            features = integration._bureau_get_features()
            integration.supports_consultation = features.get("consultation", False)
            integration.supports_negativation = features.get("negativation", False)
            integration.supports_balance = features.get("balance", False)
            integration.supports_status_list = features.get("status_list", False)
            integration.supports_address_update = features.get("address_update", False)
            integration.report_format = features.get("report_format", "html")
            integration.costs_money_always = features.get("costs_money_always", False)
            integration.is_paid_environment = (
                integration.environment == "producao" or integration.costs_money_always
            )

    def _provider_label(self):
        self.ensure_one()
        return dict(self._fields["provider"]._description_selection(self.env)).get(
            self.provider, self.provider
        )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        defaults = self.default_get(list(FLOW_FIELDS))
        for vals in vals_list:
            self._bureau_check_flow_fields(
                name
                for name in FLOW_FIELDS & set(vals)
                if vals[name] and vals[name] != defaults.get(name)
            )
        integrations = super().create(vals_list)
        self._bureau_update_feature_flag()
        self.env["credit.bureau.routine"]._bureau_ensure_routines(integrations)
        return integrations

    def write(self, vals):
        self._bureau_check_flow_fields(vals)
        result = super().write(vals)
        if "active" in vals or "provider" in vals:
            self._bureau_update_feature_flag()
        required = {
            name
            for name, field in self._fields.items()
            if getattr(field, "required_if_provider", None)
        }
        if required & set(vals):
            self._check_required_credentials()
        return result

    def _bureau_check_flow_fields(self, names):
        """Refuse, unless running as superuser (code of the flows), the fields that only the
        flows write (``FLOW_FIELDS``): a user never sets what the provider answered."""
        if self.env.su:
            return
        touched = sorted(FLOW_FIELDS & set(names))
        if touched:
            raise UserError(
                self.env._(
                    "These fields of the integration are written only by its own actions "
                    "(Test connection, the balance, the automatic routine, the sending jobs) "
                    "and cannot be changed: %(fields)s.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env) for name in touched
                    ),
                )
            )

    def copy_data(self, default=None):
        # Credentials are never copied: the copy starts archived until they are filled in.
        default = dict(default or {})
        default.setdefault("active", False)
        vals_list = super().copy_data(default=default)
        for integration, vals in zip(self, vals_list, strict=True):
            vals.setdefault("name", self.env._("%s (copy)", integration.name))
        return vals_list

    def unlink(self):
        result = super().unlink()
        self._bureau_update_feature_flag()
        return result

    @api.model
    def _bureau_update_feature_flag(self):
        """The setting "Uses credit bureau integration" follows the active integrations."""
        enabled = bool(self.sudo().with_context(active_test=True).search_count([], limit=1))
        user_group = self.env.ref("base.group_user").sudo()
        feature = self.env.ref("l10n_br_credit_bureau.group_credit_bureau_enabled").sudo()
        if enabled and feature not in user_group.all_implied_ids:
            user_group._apply_group(feature)
        elif not enabled and feature in user_group.all_implied_ids:
            user_group._remove_group(feature)

    @api.model
    def _remove_provider(self, provider_code):
        """Called by a provider addon's uninstall hook: archive its integrations."""
        self.sudo().search([("provider", "=", provider_code)]).write(
            {"active": False, "provider": "none"}
        )

    # ------------------------------------------------------------------ routing
    @api.model
    def _bureau_for_company(self, company=None):
        """The integration a company uses: its own, else the nearest parent's (branches)."""
        return nearest_for_company(self, company or self.env.company, [("provider", "!=", "none")])

    # ------------------------------------------------------------------ actions
    def action_test_connection(self):
        """Test the credentials with a cheap call. A refusal that needs a person (credentials,
        contract) marks the integration failed, which blocks its negativations; any other
        failure (the provider down, a timeout, an HTTP 500) is tried once more at once, then
        reported as unstable, which blocks nothing."""
        self.ensure_one()
        self.check_access("write")
        try:
            try:
                message = self._bureau_test_connection()
            except CreditBureauError as error:
                if error.needs_admin or not error.retryable or error.timeout:
                    raise
                _logger.info("Connection test of integration %s: retried once", self.id)
                message = self._bureau_test_connection()
        except CreditBureauError as error:
            self.sudo().write(
                {
                    "connection_state": "failed" if error.needs_admin else "unstable",
                    "connection_message": error.args[0],
                    "connection_date": fields.Datetime.now(),
                }
            )
            return self._bureau_notify(error.args[0], "danger" if error.needs_admin else "warning")
        values = {
            "connection_state": "ok",
            "connection_message": message or self.env._("Connection working."),
            "connection_date": fields.Datetime.now(),
            "dispatch_timeouts": 0,
            "dispatch_paused_until": False,
        }
        if self.supports_balance:
            try:
                values.update(
                    balance=self._bureau_fetch_balance(), balance_date=values["connection_date"]
                )
            except CreditBureauError as error:
                _logger.warning("Balance of integration %s unavailable: %s", self.id, error.detail)
        self.sudo().write(values)
        return self._bureau_notify(values["connection_message"], "success")

    def action_sync_products(self):
        """Synchronise products and code lists from the provider into records."""
        self.ensure_one()
        catalog = self._bureau_fetch_catalog()
        self.env["credit.bureau.product"]._bureau_sync(self, catalog.get("products", []))
        self.env["credit.bureau.code"]._bureau_sync(
            self, "restriction", catalog.get("restriction_codes", [])
        )
        self.env["credit.bureau.code"]._bureau_sync(
            self, "removal", catalog.get("removal_codes", [])
        )
        if not self.default_product_id:
            self.default_product_id = self.product_ids.filtered(lambda p: p.kind == "consulta")[:1]
        message = self.env._(
            "%(products)s products, %(restrictions)s restriction codes and %(removals)s "
            "removal codes synchronised.",
            products=len(catalog.get("products", [])),
            restrictions=len(catalog.get("restriction_codes", [])),
            removals=len(catalog.get("removal_codes", [])),
        )
        proposed = self._bureau_propose_default_codes()
        if proposed:
            message = f"{message} {proposed}"
        self.message_post(body=message)
        return self._bureau_notify(message, "success" if not self.missing_defaults else "warning")

    def _bureau_propose_default_codes(self):
        """After a synchronisation, the usual codes as defaults where none is set: the
        natureza of unpaid services (TI, else TP) and the removal for the payment of the debt
        (01), when the synchronised list has them (``PREFERRED_*_CODES``). Returns a message
        of what was set, or an empty string."""
        self.ensure_one()
        done = []
        for field_name, kind, preferred in (
            ("default_restriction_code_id", "restriction", PREFERRED_RESTRICTION_CODES),
            ("default_removal_code_id", "removal", PREFERRED_REMOVAL_CODES),
        ):
            if self[field_name]:
                continue
            codes = self.code_ids.filtered(lambda c, k=kind: c.kind == k)
            for preferred_code in preferred:
                code = codes.filtered(lambda c, p=preferred_code: c.code == p)[:1]
                if code:
                    self[field_name] = code
                    done.append(
                        self.env._(
                            "%(field)s: %(code)s - %(name)s.",
                            field=self._fields[field_name]._description_string(self.env),
                            code=code.code,
                            name=code.name,
                        )
                    )
                    break
        if not done:
            return ""
        return self.env._("Proposed defaults: %s", " ".join(done))

    @api.depends(
        "provider",
        "default_product_id",
        "default_restriction_code_id",
        "default_removal_code_id",
    )
    def _compute_missing_defaults(self):
        for integration in self:
            missing = []
            if integration.provider != "none":
                names = []
                if integration.supports_consultation:
                    names.append("default_product_id")
                if integration.supports_negativation:
                    names += ["default_restriction_code_id", "default_removal_code_id"]
                missing = [
                    integration._fields[name]._description_string(self.env)
                    for name in names
                    if not integration[name]
                ]
            integration.missing_defaults = ", ".join(missing)

    def action_refresh_balance(self):
        """Atualizar saldo: ask the provider the prepaid balance, and show it."""
        self.ensure_one()
        self.check_access("write")
        balance = self._bureau_fetch_balance()
        self.sudo().write({"balance": balance, "balance_date": fields.Datetime.now()})
        self._bureau_connection_restored()
        return self._bureau_notify(
            self.env._(
                "Balance at %(provider)s: %(balance)s.",
                provider=self._provider_label(),
                balance=format_amount(self.env, balance, self.currency_id),
            ),
            "success",
        )

    def action_resend_errors(self):
        """Reenviar negativações com erro: queue this integration's failed inclusions again.
        Safe against duplicates: a record whose outcome is unknown is looked up at the
        provider before anything is sent."""
        self.ensure_one()
        failed = self.env["credit.bureau.negativation"].search(
            [("integration_id", "=", self.id), ("state", "=", "error")]
        )
        failed.action_send_now()
        return self._bureau_notify(
            self.env._("%(count)s negativation(s) with errors queued again.", count=len(failed)),
            "success",
        )

    def _bureau_notify(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------ automatic negativation
    auto_days_after_due = fields.Integer(
        string="Days after due date",
        default=30,
        help="Automatic negativation: invoices overdue by at least this many days.",
    )
    auto_restriction_code_id = fields.Many2one(
        "credit.bureau.code",
        string="Restriction code (automatic)",
        domain="[('integration_id', '=', id), ('kind', '=', 'restriction')]",
        help="Natureza of automatic inclusions; the default restriction code when empty.",
    )
    auto_last_run = fields.Datetime(string="Last automatic run", readonly=True, copy=False)

    def _bureau_auto_companies(self):
        """The companies this integration negativates for: its own, and its branches that
        have no integration of their own."""
        self.ensure_one()
        companies = self.env["res.company"].sudo().search([("id", "child_of", self.company_id.id)])
        return companies.filtered(lambda c: self.sudo()._bureau_for_company(c) == self)

    def _bureau_auto_candidates(self):
        """Invoices the next automatic run would consider (before the blocker checks)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        limit_due = today - relativedelta(days=self.auto_days_after_due)
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("company_id", "in", self._bureau_auto_companies().ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date_due", "<=", limit_due),
                    ("invoice_date_due", ">", today - relativedelta(years=5)),
                    ("amount_residual", ">=", self.min_amount),
                    ("commercial_partner_id.credit_bureau_no_negativation", "=", False),
                    (
                        "credit_negativation_ids",
                        "not any",
                        [("state", "not in", ("removed", "cancelled"))],
                    ),
                ],
                order="invoice_date_due, id",
            )
        )

    def action_auto_preview(self):
        """Dry run: what the next automatic run would send, with the blockers."""
        self.ensure_one()
        wizard = self.env["credit.bureau.mass.negativate.wizard"].create(
            {"move_ids": [fields.Command.set(self._bureau_auto_candidates().ids)], "dry_run": True}
        )
        return wizard._bureau_open()

    def _bureau_run_auto(self):
        """Create and queue the negativations of one integration's routine. Locked: two runs
        of the same integration never overlap."""
        self.ensure_one()
        # A transaction-level advisory lock per integration: released at commit/rollback.
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", AUTO_RUN_LOCK, self.id))
        if not self.env.cr.fetchone()[0]:
            _logger.info("Automatic negativation of %s already running: skipped", self.name)
            return self.env["credit.bureau.negativation"], {}
        code = self.auto_restriction_code_id or self.default_restriction_code_id
        if not code:
            # No natureza to send: nothing is guessed, the administrator is told.
            _logger.warning("Automatic negativation of %s skipped: no restriction code", self.name)
            self.message_post(
                body=self.env._(
                    "Automatic negativation skipped: choose the restriction code (natureza) of "
                    "the automatic routine or the default one (synchronise the catalog first)."
                )
            )
            return self.env["credit.bureau.negativation"], {}
        moves = self._bureau_auto_candidates()
        negativations, refused = self.env["credit.bureau.negativation"]._bureau_queue(
            moves, origin="auto", restriction_code=code.code
        )
        self.sudo().auto_last_run = fields.Datetime.now()
        if refused:
            _logger.info(
                "Automatic negativation of %s: %s queued, %s refused",
                self.name,
                len(negativations),
                len(refused),
            )
        return negativations, refused

    @api.model
    def _cron_auto_negativate(self, integrations=None):
        """Negativação automática, for every integration that has it on (of
        ``integrations`` only, when given: the task scheduler's routine of each). Returns a
        ``RoutineTally``: negativations queued (the sending job sends them at once) and
        invoices refused by a blocker."""
        self = self.env["credit.bureau.negativation"]._bureau_flow_env().env[self._name]
        tally = RoutineTally()
        if integrations is None:
            integrations = self.search([("auto_negativate", "=", True)])
        for integration in integrations.with_env(self.env):
            if not integration.auto_negativate:
                tally.note(
                    integration.id,
                    self.env._(
                        "Automatic negativation is off on this integration (Include/remove "
                        "automatically)."
                    ),
                )
                continue
            if not (
                integration.auto_restriction_code_id or integration.default_restriction_code_id
            ):
                tally.note(
                    integration.id,
                    self.env._("Skipped: the integration has no restriction code (natureza)."),
                )
            negativations, refused = integration._bureau_run_auto()
            tally.add(integration.id, "queued", len(negativations))
            tally.add(integration.id, "refused", len(refused))
            self.env["credit.bureau.negativation"]._bureau_commit()
        return tally

    # ------------------------------------------------------------------ the contract
    def _bureau_get_features(self):
        """What the provider supports. Override and update the dict for your provider.

        Keys: consultation, negativation, balance, status_list (one call answers the status
        of many records), co_obligor, address_update (``_bureau_update_address``),
        report_format ('html' or 'pdf'), costs_money_always, responsible_cpf (inclusions
        need the CPF of the person responsible for negativations: without it the core
        blocks them). Credentials a provider requires are declared on their fields with
        ``required_if_provider``; an empty one blocks negativations too.
        """
        return {"consultation": False, "negativation": False, "report_format": "html"}

    def _bureau_unsupported(self, operation):
        raise CreditBureauError(
            self.env._(
                "%(provider)s does not support: %(operation)s.",
                provider=self._provider_label(),
                operation=operation,
            )
        )

    def _bureau_test_connection(self):
        """Check the credentials with a cheap call. Return a message for the user."""
        self.ensure_one()
        return self._bureau_unsupported(self.env._("connection test"))

    def _bureau_fetch_catalog(self):
        """Return ``{'products': [{'code', 'name', 'kind' (consulta|inclusao|baixa),
        'price'}], 'restriction_codes': [{'code', 'name'}], 'removal_codes': [...]}``."""
        self.ensure_one()
        return self._bureau_unsupported(self.env._("product synchronisation"))

    def _bureau_consult(self, document, product_code):
        """Consult a CPF/CNPJ (clean, validated). Return a normalised result dict:

        ``name``, ``protocol``, ``score`` (int or None), ``risk_class``,
        ``default_probability`` (percent, or None when the provider gave none: never 0 for
        "not given"), ``message`` (the provider's own words, or None; never the number of
        occurrences told in words: the core says the result, see ``tools.occurrences_text``),
        ``cost`` (or None), ``lines``: [{'kind' (financial|protest|check|lawsuit|other),
        'date', 'amount', 'creditor' (who is owed, never a registry office), 'office' (the
        cartório of a protest, the vara of a lawsuit), 'city', 'description'}],
        ``report_html`` (str or None), ``report_pdf`` (bytes or None). Counts and totals are
        computed by the core from the lines unless given as ``totals``: {kind: (count,
        amount)}.
        """
        self.ensure_one()
        return self._bureau_unsupported(self.env._("credit consultation"))

    def _bureau_include(self, debt):
        """Send a negativation. ``debt`` keys: document, kind (cpf|cnpj), name, birth_date,
        address {zip, street, number, complement, district, city, state}, phone, email,
        amount, due_date (date), contract, our_number, restriction_code, send_sms,
        responsible_cpf, idempotency_key, co_obligor (same keys, optional).
        Return ``{'reference', 'state' (pending|active|error), 'message'}``.
        """
        self.ensure_one()
        return self._bureau_unsupported(self.env._("negativation"))

    def _bureau_find_inclusion(self, debt):
        """After a timeout: return the result dict of an inclusion of ``debt`` the provider
        already holds, or None when it has none. Never re-send before asking this."""
        self.ensure_one()
        return self._bureau_unsupported(self.env._("negativation lookup"))

    def _bureau_remove(self, reference, removal_code, removal_date):
        """Request the removal (baixa). Return ``{'state', 'message'}``, with
        ``'already_removed': True`` when the provider answers that it had removed the record
        already (a second request, an earlier answer lost): that is a removal too, never an
        error retried forever. Raise ``CreditBureauError`` (``needs_admin`` for credentials
        or a contract refused) otherwise."""
        self.ensure_one()
        return self._bureau_unsupported(self.env._("removal"))

    def _bureau_fetch_status(self, references):
        """Return ``{reference: {'state', 'message'}}`` for the given references; use the
        provider's list operation where there is one rather than one call per record."""
        self.ensure_one()
        return self._bureau_unsupported(self.env._("status query"))

    def _bureau_update_address(self, debt):
        """Send a corrected postal address of the debtor of ``debt`` (same keys as for
        ``_bureau_include``) for the notice letter. Return a message."""
        self.ensure_one()
        return self._bureau_unsupported(self.env._("address correction"))

    def _bureau_fetch_balance(self):
        """Return the prepaid balance (a float)."""
        self.ensure_one()
        return self._bureau_unsupported(self.env._("balance"))

    @api.model
    def _bureau_demo_values(self, provider_code):
        """Values of a demo integration of ``provider_code`` pointing at the provider's
        simulator (used by ./setup/demo), or None. Providers override for their code."""
        return None

    # ------------------------------------------------------------------ the request seam
    def _bureau_sensitive_keys(self):
        """Names of request/response fields to mask in logs, beyond the common ones."""
        return set()

    def _bureau_secret_values(self):
        """The secret values themselves (passwords, tokens), masked wherever they appear.
        Providers extend it with their credential fields."""
        return []

    def _bureau_base_url(self, default_url):
        """The base URL to use: the developer-mode override, else the provider's."""
        self.ensure_one()
        return (self.sudo().api_base_url or default_url or "").rstrip("/")

    def _bureau_mask(self, data):
        return mask_secrets(
            data, self._bureau_sensitive_keys(), self.sudo()._bureau_secret_values()
        )

    # ------------------------------------------------------------------ simultaneous calls
    def _bureau_threads_allowed(self):
        """Whether provider calls may run in threads with cursors of their own: only in a
        scheduled action, which commits what the threads must read before starting them,
        and not under a test, whose data lives in a transaction that a new cursor cannot
        see (the tests of the threaded path allow it, with the registry in test mode)."""
        return bool(self.env.context.get("ir_cron_progress_id")) and not modules.module.current_test

    def _bureau_lane_size(self):
        """How many calls of this integration one ``CallLane`` makes at a time: its
        Simultaneous requests (a bridge that spreads them over processes makes fewer)."""
        self.ensure_one()
        return max(self.send_concurrency, 1)

    def _bureau_lane(self, results):
        """A ``CallLane`` of this integration for one run of a sending job or of the status
        poll: its provider calls ``_bureau_lane_size`` at a time, their outcomes put on
        ``results``."""
        self.ensure_one()
        return CallLane(self, results)

    def _bureau_parallel(self, calls):
        """Run ``calls``, functions taking this integration, ``send_concurrency`` at a time
        (see ``CallLane``). Returns, in the order of ``calls``, ``(value, exception)`` pairs:
        an exception a call raises is handed back, never raised here."""
        self.ensure_one()
        results = queue.SimpleQueue()
        lane = self._bureau_lane(results)
        try:
            self.env.flush_all()
            lane.submit(list(enumerate(calls)))
            outcomes = {}
            while len(outcomes) < len(calls):
                _lane, key, outcome, crash, _seconds = results.get()
                lane.queued -= 1
                outcomes[key] = (outcome, crash)
        finally:
            lane.close()
        return [outcomes[key] for key in range(len(calls))]

    def _bureau_cache_snapshot(self):
        """This integration's stored values as the ORM caches them, for the threads of a
        ``CallLane``: each call's new cursor starts with them instead of reading the
        integration again (fields that depend on the context, e.g. translated ones, are left
        to be read if a call needs them)."""
        self.ensure_one()
        record = self.sudo()
        names = [
            name
            for name, field in self._fields.items()
            if field.store and field.column_type and field not in self.env._field_depends_context
        ]
        record.fetch(names)
        snapshot = []
        for name in names:
            field = self._fields[name]
            cache = field._get_cache(record.env)
            if record.id in cache:
                snapshot.append((field, cache[record.id]))
        return snapshot

    def _bureau_call(self, call):
        try:
            return call(self), None
        except Exception as error:  # handed back to the caller, which records it
            return None, error

    # ------------------------------------------------------------------ the provider's health
    @api.model
    def _bureau_paused_ids(self):
        """Integrations the sending and removal jobs leave alone for now (``_bureau_pause``)."""
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("dispatch_paused_until", ">", fields.Datetime.now())])
            .ids
        )

    def _bureau_health(self):
        """What ``_bureau_note_calls`` needs to know of this integration, read once: the
        jobs commit after each group, which empties the cache."""
        self.ensure_one()
        return {
            "timeouts": self.sudo().dispatch_timeouts,
            "state": self.connection_state,
            "paused": False,
        }

    def _bureau_note_calls(self, outcomes, health=None):
        """What one group of the sending or removal job's calls tells about the provider
        (``outcomes``: each call's ``(kind, answer)``, None for a call that crashed): timeouts
        in a row pause it (``MAX_CONSECUTIVE_TIMEOUTS``, counted across groups and runs), a
        refusal that needs a person marks the connection failed, an answer sets an unstable
        or failed connection back to working. ``health`` (``_bureau_health``, kept by the
        caller from one group to the next) is updated; ``health['paused']`` says the
        integration was paused."""
        self.ensure_one()
        health = health if health is not None else self._bureau_health()
        streak = health["timeouts"]
        answered, refused = False, None
        for outcome in outcomes:
            if outcome is None:
                continue
            error = outcome[1] if isinstance(outcome[1], CreditBureauError) else None
            if error is not None and error.timeout:
                streak += 1
                continue
            streak = 0
            if error is None:
                answered = True
            elif error.needs_admin:
                refused = error
        if refused is not None:
            self._bureau_connection_failed(refused)
            health["state"] = "failed"
        elif answered and health["state"] in ("unstable", "failed"):
            self._bureau_connection_restored()
            health["state"] = "ok"
        if streak >= MAX_CONSECUTIVE_TIMEOUTS:
            self._bureau_pause(streak)
            health.update(timeouts=0, paused=True)
            if health["state"] != "failed":
                health["state"] = "unstable"
        elif streak != health["timeouts"]:
            self.sudo().dispatch_timeouts = streak
            health["timeouts"] = streak

    def _bureau_pause(self, timeouts):
        """Leave this provider alone for ``DISPATCH_PAUSE_MINUTES``: its queued records wait
        (nothing is marked, nothing is lost) and the jobs run again when the pause is over."""
        self.ensure_one()
        now = fields.Datetime.now()
        until = now + timedelta(minutes=DISPATCH_PAUSE_MINUTES)
        message = self.env._(
            "%(provider)s did not answer %(count)s calls in a row: the sending and removal "
            "jobs leave the integration %(name)s alone until %(time)s, so that the other "
            "integrations are not held up.",
            provider=self._provider_label(),
            count=timeouts,
            name=self.name,
            time=format_datetime(self.env, until),
        )
        values = {"dispatch_timeouts": 0, "dispatch_paused_until": until}
        if self.connection_state != "failed":
            values.update(connection_state="unstable", connection_message=message)
        self.sudo().write(values)
        self.sudo().message_post(body=message)
        _logger.warning(
            "Credit bureau integration %s: %s timeouts in a row, paused until %s",
            self.id,
            timeouts,
            until,
        )
        for xmlid in (
            "l10n_br_credit_bureau.ir_cron_negativation_send",
            "l10n_br_credit_bureau.ir_cron_negativation_removal",
        ):
            self.env.ref(xmlid)._trigger(until)

    def _bureau_connection_failed(self, error):
        """A call was refused in a way only a person can fix (``error.needs_admin``)."""
        self.ensure_one()
        message = str(self._bureau_mask(error.args[0]))
        if self.connection_state != "failed" or self.connection_message != message:
            self.sudo().write(
                {
                    "connection_state": "failed",
                    "connection_message": message,
                    "connection_date": fields.Datetime.now(),
                }
            )

    def _bureau_connection_restored(self):
        """A call to the provider went through: an unstable or failed connection works."""
        self.ensure_one()
        if self.connection_state in ("unstable", "failed"):
            self.sudo().write(
                {
                    "connection_state": "ok",
                    "connection_message": self.env._(
                        "Working again: a call to the provider went through."
                    ),
                    "connection_date": fields.Datetime.now(),
                    "dispatch_paused_until": False,
                }
            )

    def _bureau_send_request(
        self,
        method,
        url,
        *,
        operation,
        params=None,
        data=None,
        json=None,
        headers=None,
        auth=None,
        timeout=None,
        session=None,
        accept_statuses=(),
    ):
        """Send one HTTP request to the provider: the only way any provider reaches the
        network. Applies the timeout, logs request and response with secrets masked, and
        turns transport failures and HTTP 5xx into a ``CreditBureauError``. Other answers
        (including 4xx, and the 5xx that ``accept_statuses`` accepts: a tuple of statuses, or
        a function of the response, e.g. ``soap.is_soap_fault`` for SOAP faults sent with
        HTTP 500) are returned for the provider to interpret.
        """
        self.ensure_one()
        payload = data if data is not None else json
        _logger.info(
            "Credit bureau %s [%s] %s %s %s payload=%s",
            self.provider,
            operation,
            method,
            url,
            to_log_text(self._bureau_mask(params or {})),
            to_log_text(self._bureau_mask(payload)) if payload is not None else "-",
        )
        started = time.monotonic()
        sender = session or requests
        try:
            response = sender.request(
                method,
                url,
                params=params,
                data=data,
                json=json,
                headers=headers,
                auth=auth,
                timeout=timeout or DEFAULT_TIMEOUT,
            )
        except requests.exceptions.Timeout as error:
            raise CreditBureauError(
                self.env._(
                    "%(provider)s did not answer in time (%(operation)s). The request may "
                    "have been processed: its status will be checked before anything is sent "
                    "again.",
                    provider=self._provider_label(),
                    operation=operation,
                ),
                detail=str(self._bureau_mask(str(error))),
                timeout=True,
            ) from None
        except requests.exceptions.RequestException as error:
            raise CreditBureauError(
                self.env._(
                    "Could not reach %(provider)s (%(operation)s). Check the network or try "
                    "again later.",
                    provider=self._provider_label(),
                    operation=operation,
                ),
                detail=str(self._bureau_mask(str(error))),
                retryable=True,
            ) from None
        elapsed = time.monotonic() - started
        _logger.info(
            "Credit bureau %s [%s] answered HTTP %s in %.2fs: %s",
            self.provider,
            operation,
            response.status_code,
            elapsed,
            to_log_text(self._bureau_mask(response.text), limit=2000),
        )
        if callable(accept_statuses):
            accepted = accept_statuses(response)
        else:
            accepted = response.status_code in accept_statuses
        if response.status_code >= 500 and not accepted:
            raise CreditBureauError(
                self.env._(
                    "%(provider)s is unavailable (HTTP %(status)s, %(operation)s). "
                    "Try again later.",
                    provider=self._provider_label(),
                    status=response.status_code,
                    operation=operation,
                ),
                detail=to_log_text(self._bureau_mask(response.text), limit=500),
                retryable=True,
                code=str(response.status_code),
            )
        return response

    def _bureau_soap_answer(self, response, operation):
        """The HTTP answer to a SOAP request (``soap.py``), before zeep reads it: a provider
        may raise a ``CreditBureauError`` of its own here (e.g. for an HTTP 401). Returns
        the response."""
        return response

    def _bureau_json(self, response, operation):
        """Decode a JSON answer, or raise a clear error for a malformed one."""
        try:
            return response.json()
        except ValueError:
            raise CreditBureauError(
                self.env._(
                    "%(provider)s sent an unreadable answer (%(operation)s). Try again later.",
                    provider=self._provider_label(),
                    operation=operation,
                ),
                detail=to_log_text(self._bureau_mask(response.text), limit=500),
                retryable=True,
            ) from None
