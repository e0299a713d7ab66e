from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class CreditBureauMassNegativateWizard(models.TransientModel):
    """Preview invoices with their blockers, then queue the clean ones the user keeps
    selected. Used for the manual negativation of one invoice or of a partner's invoices too
    (same checks, same path)."""

    _name = "credit.bureau.mass.negativate.wizard"
    _description = "Negativate invoices"

    origin = fields.Selection(
        [("manual", "Manual"), ("mass", "Mass")],
        default="mass",
        required=True,
        help="Manual: from an invoice or a debtor's form. Mass: from the lists or the filter, "
        "sent in the background as a batch.",
    )
    partner_id = fields.Many2one("res.partner", string="Debtor")
    move_ids = fields.Many2many("account.move", string="Invoices")
    days_overdue = fields.Integer(string="Overdue for more than (days)")
    min_amount = fields.Monetary(string="Amount at least")
    company_id = fields.Many2one("res.company", string="Branch")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    allowed_restriction_code_ids = fields.Many2many(
        "credit.bureau.code", compute="_compute_restriction_warning"
    )
    restriction_code_id = fields.Many2one(
        "credit.bureau.code",
        string="Restriction code (natureza)",
        compute="_compute_restriction_code_id",
        store=True,
        readonly=False,
        domain="[('id', 'in', allowed_restriction_code_ids)]",
        help="The natureza of the debts, among the codes synchronised from the integration; "
        "proposed: the integration's default. When the invoices go to several integrations "
        "(branches with their own contract), only the codes all of them offer are listed and "
        "each integration receives its own code of that value; left empty, each integration "
        "sends its own default natureza.",
    )
    restriction_warning = fields.Text(compute="_compute_restriction_warning")
    send_sms = fields.Selection(
        [("default", "As set on the integration"), ("yes", "Yes"), ("no", "No")],
        string="Send SMS",
        default="default",
        required=True,
    )
    dry_run = fields.Boolean(help="Preview only: nothing is sent.")
    line_ids = fields.One2many("credit.bureau.mass.negativate.line", "wizard_id")
    ok_count = fields.Integer(compute="_compute_totals", string="Ready")
    # Its own label: the count is plural ("Bloqueadas"), the line's flag singular.
    blocked_count = fields.Integer(compute="_compute_totals", string="Blocked invoices")
    ok_amount = fields.Monetary(compute="_compute_totals", string="Amount to send")
    debtor_count = fields.Integer(compute="_compute_totals", string="Debtors")
    above_ceiling_count = fields.Integer(
        compute="_compute_totals",
        string="Above the maximum without confirmation",
        help="Selected invoices whose open amount is above their integration's maximum "
        "amount without confirmation.",
    )
    confirm_above_ceiling = fields.Boolean(
        string="I confirm the amounts above the ceiling",
        help="The selected invoices above their integration's maximum amount without "
        "confirmation are negativated only when this is ticked (a typing error of one digit "
        "multiplies a debt by ten). The confirmation is written on each negativation.",
    )

    def _bureau_selected_lines(self):
        """The lines that would be sent: without blocker, and kept selected by the user."""
        return self.line_ids.filtered(lambda line: line.include and not line.blocked)

    @api.depends(
        "line_ids.blocked", "line_ids.include", "line_ids.amount", "line_ids.above_ceiling"
    )
    def _compute_totals(self):
        for wizard in self:
            ok = wizard._bureau_selected_lines()
            wizard.ok_count = len(ok)
            wizard.blocked_count = len(wizard.line_ids.filtered("blocked"))
            wizard.ok_amount = sum(ok.mapped("amount"))
            wizard.debtor_count = len(ok.partner_id)
            wizard.above_ceiling_count = len(ok.filtered("above_ceiling"))

    # ------------------------------------------------------------------ natureza
    def _bureau_target_integrations(self):
        return self._bureau_selected_lines().integration_id.sorted("id")

    @api.model
    def _bureau_allowed_codes(self, integrations):
        """The restriction codes of the first integration whose value all of them offer."""
        if not integrations:
            return self.env["credit.bureau.code"]
        common = set.intersection(
            *(set(integration.restriction_code_ids.mapped("code")) for integration in integrations)
        )
        return integrations[0].restriction_code_ids.filtered(lambda code: code.code in common)

    def _bureau_default_code(self, integration):
        """The natureza an integration sends when none is chosen: its default, or for the
        preview of the automatic routine, the routine's own."""
        candidates = [integration.default_restriction_code_id]
        if self.dry_run:
            candidates.insert(0, integration.auto_restriction_code_id)
        return next((code for code in candidates if code.active), self.env["credit.bureau.code"])

    @api.depends("line_ids.integration_id", "line_ids.include", "line_ids.blocked", "dry_run")
    def _compute_restriction_code_id(self):
        for wizard in self:
            integrations = wizard._bureau_target_integrations()
            allowed = wizard._bureau_allowed_codes(integrations)
            current = wizard.restriction_code_id
            kept = current and allowed.filtered(lambda code, c=current: code.code == c.code)[:1]
            if not kept:
                # Propose the default natureza when all the integrations share it.
                defaults = {wizard._bureau_default_code(i).code for i in integrations}
                kept = allowed.filtered(lambda code, d=defaults: {code.code} == d)[:1]
            wizard.restriction_code_id = kept

    def _bureau_restriction_problems(self):
        """Why the chosen natureza cannot be sent to an integration of the selected lines."""
        self.ensure_one()
        problems = []
        chosen = self.restriction_code_id.code
        for integration in self._bureau_target_integrations():
            codes = integration.restriction_code_ids.mapped("code")
            if not codes:
                problems.append(
                    self.env._(
                        "The integration %(name)s has no restriction code (natureza): "
                        'synchronise its catalog (button "Synchronise products" on the '
                        "integration).",
                        name=integration.name,
                    )
                )
            elif chosen and chosen not in codes:
                problems.append(
                    self.env._(
                        "The integration %(name)s does not offer the restriction code "
                        "%(code)s: choose another natureza.",
                        name=integration.name,
                        code=chosen,
                    )
                )
            elif not chosen and not self._bureau_default_code(integration):
                problems.append(
                    self.env._(
                        "The integration %(name)s has no default restriction code "
                        "(natureza): choose the natureza.",
                        name=integration.name,
                    )
                )
        return problems

    @api.depends(
        "line_ids.integration_id",
        "line_ids.include",
        "line_ids.blocked",
        "restriction_code_id",
        "dry_run",
    )
    def _compute_restriction_warning(self):
        for wizard in self:
            wizard.allowed_restriction_code_ids = wizard._bureau_allowed_codes(
                wizard._bureau_target_integrations()
            )
            wizard.restriction_warning = "\n".join(wizard._bureau_restriction_problems())

    # ------------------------------------------------------------------ invoices and lines
    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if values.get("move_ids"):
            pass  # given (the invoice's button)
        elif context.get("active_model") == "account.move" and context.get("active_ids"):
            values["move_ids"] = [fields.Command.set(context["active_ids"])]
        elif context.get("active_model") == "res.partner" and context.get("active_ids"):
            moves = self._bureau_overdue_moves(
                [("commercial_partner_id", "in", context["active_ids"])]
            )
            values["move_ids"] = [fields.Command.set(moves.ids)]
        elif values.get("partner_id"):
            moves = self._bureau_overdue_moves(
                [("commercial_partner_id", "=", values["partner_id"])]
            )
            values["move_ids"] = [fields.Command.set(moves.ids)]
        return values

    @api.model
    def _bureau_overdue_moves(self, domain):
        return self.env["account.move"].search(
            [
                *domain,
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", fields.Date.context_today(self)),
            ],
            order="invoice_date_due, id",
        )

    @api.model_create_multi
    def create(self, vals_list):
        # The lines are always computed here, never taken from the client: only the choice
        # of the user (the invoices unticked in the preview) is kept.
        excluded = [self._bureau_unticked_moves(vals.pop("line_ids", None)) for vals in vals_list]
        wizards = super().create(vals_list)
        for wizard, moves, vals in zip(wizards, excluded, vals_list, strict=True):
            wizard._bureau_preview(excluded=moves)
            if "restriction_code_id" in vals:  # the user's choice, not the proposal
                wizard.restriction_code_id = vals["restriction_code_id"]
        return wizards

    @api.model
    def _bureau_unticked_moves(self, commands):
        """The invoices unticked among the preview lines sent by the client."""
        ids = [
            command[2]["move_id"]
            for command in commands or []
            if isinstance(command, (list, tuple))
            and command[0] == fields.Command.CREATE
            and command[2].get("move_id")
            and not command[2].get("include", True)
        ]
        return self.env["account.move"].browse(ids)

    def action_apply_filter(self):
        """Select the invoices overdue by more than N days, of at least X, of branch Y."""
        self.ensure_one()
        if self.days_overdue < 0 or self.min_amount < 0:
            raise UserError(
                self.env._("The number of days and the amount of the filter cannot be negative.")
            )
        domain = []
        if self.days_overdue:
            limit = fields.Date.context_today(self) - relativedelta(days=self.days_overdue)
            domain.append(("invoice_date_due", "<", limit))
        if self.min_amount:
            domain.append(("amount_residual", ">=", self.min_amount))
        if self.company_id:
            domain.append(("company_id", "=", self.company_id.id))
        if self.partner_id:
            domain.append(("commercial_partner_id", "=", self.partner_id.id))
        self.move_ids = self._bureau_overdue_moves(domain)
        self._bureau_preview()
        return self._bureau_open()

    def _bureau_preview_commands(self, excluded=None):
        excluded_ids = set(excluded.ids) if excluded else set()
        Negativation = self.env["credit.bureau.negativation"]
        # An amount above the ceiling is the user's to confirm here (see
        # ``confirm_above_ceiling``), not a blocker; in the preview of the automatic routine,
        # which never confirms, it is one.
        confirmable = self.env["account.move"] if self.dry_run else self.move_ids
        checked = Negativation._bureau_check(self.move_ids, confirmed_above_ceiling=confirmable)
        commands = [fields.Command.clear()]
        for move, integration, blockers in checked:
            above = bool(integration) and move.amount_residual > integration.max_amount
            warnings = []
            if above and not blockers:
                warnings.append(
                    self.env._(
                        "Above the maximum without confirmation (%(maximum)s): sent only if "
                        'you tick "I confirm the amounts above the ceiling".',
                        maximum=move.currency_id.format(integration.max_amount),
                    )
                )
            if integration and not blockers:
                shortened = integration._bureau_apply_limits(
                    Negativation._bureau_preview_debt(move)
                )
                warnings += integration._bureau_limit_notes(shortened[1])
            commands.append(
                fields.Command.create(
                    {
                        "move_id": move.id,
                        "integration_id": integration.id,
                        "blockers": "\n".join(blockers),
                        "blocked": bool(blockers),
                        "above_ceiling": above,
                        "warnings": "\n".join(warnings),
                        "include": not blockers and move.id not in excluded_ids,
                    }
                )
            )
        return commands

    @api.onchange("move_ids")
    def _onchange_move_ids(self):
        self.line_ids = self._bureau_preview_commands()

    def _bureau_preview(self, excluded=None):
        """Check the invoices (again) and list them; ``excluded`` stay unticked."""
        self.ensure_one()
        self.line_ids = self._bureau_preview_commands(excluded)

    def _bureau_open(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Negativate"),
            # Wide enough for the invoice, debtor, branch and integration names at 1366 px.
            "context": {"dialog_size": "extra-large"},
        }

    def _bureau_check_before_sending(self, selected_before):
        """Every reason to send nothing, in Portuguese, checked on the fresh preview."""
        selected = self._bureau_selected_lines()
        if not self.line_ids:
            raise UserError(self.env._("There is no overdue invoice to negativate."))
        if not self.line_ids.filtered(lambda line: not line.blocked):
            raise UserError(
                self.env._(
                    "Nothing can be negativated:\n%s", "\n".join(self.line_ids.mapped("blockers"))
                )
            )
        if not selected:
            raise UserError(
                self.env._("Select at least one invoice without blocker to negativate.")
            )
        changed = self.line_ids.filtered(
            lambda line: line.blocked and line.move_id in selected_before
        )
        if changed and self.origin == "manual":
            raise UserError(
                self.env._(
                    "Since the preview, these invoices can no longer be negativated; nothing was "
                    "sent:\n%s",
                    "\n".join(f"{line.move_id.name}: {line.blockers}" for line in changed),
                )
            )
        problems = self._bureau_restriction_problems()
        if problems:
            raise UserError("\n".join(problems))
        above = selected.filtered("above_ceiling")
        if above and not self.confirm_above_ceiling:
            raise UserError(
                self.env._(
                    "These invoices are above their integration's maximum amount without "
                    'confirmation; nothing was sent. Tick "I confirm the amounts above the '
                    'ceiling" if the amounts are right, or untick them:\n%s',
                    "\n".join(
                        f"{line.move_id.name}: {line.move_id.currency_id.format(line.amount)}"
                        for line in above
                    ),
                )
            )

    def action_negativate(self):
        self.ensure_one()
        if self.dry_run:
            raise UserError(self.env._("This is a preview: nothing is sent."))
        selected_before = self._bureau_selected_lines().move_id
        unticked = self.line_ids.filtered(lambda line: not line.include).move_id
        chosen = self.restriction_code_id
        self._bureau_preview(excluded=unticked)  # the data may have changed since the preview
        self.restriction_code_id = chosen  # checked below, never replaced silently
        self._bureau_check_before_sending(selected_before)
        moves = self._bureau_selected_lines().move_id
        confirmed = self._bureau_selected_lines().filtered("above_ceiling").move_id
        send_sms = {"default": None, "yes": True, "no": False}[self.send_sms]
        batch = self.env["credit.bureau.negativation.batch"]
        if self.origin == "mass":
            blocked = self.line_ids.filtered("blocked")
            # Users only read batches: this flow creates them (the user stays the author).
            batch = (
                batch.sudo()
                .create(
                    {
                        "refused_count": len(blocked),
                        "refused_summary": "\n".join(
                            f"{line.move_id.name}: {line.blockers}" for line in blocked
                        ),
                    }
                )
                .sudo(False)
            )
        negativations, _refused = self.env["credit.bureau.negativation"]._bureau_queue(
            moves,
            origin=self.origin,
            restriction_code=self.restriction_code_id.code or None,
            send_sms=send_sms,
            batch=batch or None,
            confirmed_above_ceiling=confirmed,
        )
        if batch:
            return {
                "type": "ir.actions.act_window",
                "res_model": batch._name,
                "res_id": batch.id,
                "view_mode": "form",
                "target": "current",
            }
        if len(negativations) > 1:
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "l10n_br_credit_bureau.action_credit_negativation"
            )
            action["domain"] = [("id", "in", negativations.ids)]
            action["context"] = {}
            return action
        return {
            "type": "ir.actions.act_window",
            "res_model": negativations._name,
            "res_id": negativations.id,
            "view_mode": "form",
            "target": "current",
        }


class CreditBureauMassNegativateLine(models.TransientModel):
    _name = "credit.bureau.mass.negativate.line"
    _description = "Negativation preview line"
    _order = "blocked, id"

    wizard_id = fields.Many2one(
        "credit.bureau.mass.negativate.wizard", required=True, ondelete="cascade"
    )
    include = fields.Boolean(
        string="Negativate",
        default=True,
        help="Untick the invoices not to negativate; those with a blocker cannot be chosen.",
    )
    move_id = fields.Many2one("account.move", string="Invoice", required=True)
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", string="Debtor")
    company_id = fields.Many2one(related="move_id.company_id", string="Branch")
    due_date = fields.Date(related="move_id.invoice_date_due")
    currency_id = fields.Many2one(related="move_id.currency_id")
    amount = fields.Monetary(related="move_id.amount_residual", string="Open amount")
    integration_id = fields.Many2one("credit.bureau.integration")
    blocked = fields.Boolean()
    blockers = fields.Text()
    above_ceiling = fields.Boolean(
        string="Above the ceiling",
        help="The open amount is above the integration's maximum amount without confirmation.",
    )
    warnings = fields.Text(string="Notes")


class CreditBureauNegativationRemoveWizard(models.TransientModel):
    _name = "credit.bureau.negativation.remove.wizard"
    _description = "Remove negativation"

    negativation_ids = fields.Many2many(
        "credit.bureau.negativation",
        "credit_bureau_negativation_remove_rel",
        "wizard_id",
        "negativation_id",
        required=True,
    )
    integration_id = fields.Many2one("credit.bureau.integration", compute="_compute_integration_id")
    removal_code_id = fields.Many2one(
        "credit.bureau.code",
        string="Removal reason (baixa)",
        compute="_compute_removal_code_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('integration_id', '=', integration_id), ('kind', '=', 'removal')]",
    )
    reason = fields.Char(string="Note")

    @api.depends("negativation_ids")
    def _compute_integration_id(self):
        for wizard in self:
            wizard.integration_id = wizard.negativation_ids.integration_id[:1]

    @api.depends("negativation_ids")
    def _compute_removal_code_id(self):
        """The integration's default removal code is proposed (e.g. 01, payment of the debt)."""
        for wizard in self:
            integration = wizard.negativation_ids.integration_id[:1]
            if wizard.removal_code_id.integration_id != integration:
                wizard.removal_code_id = integration.default_removal_code_id

    def action_remove(self):
        self.ensure_one()
        if len(self.negativation_ids.integration_id) > 1:
            raise UserError(self.env._("Remove the negativations of one integration at a time."))
        code = self.removal_code_id.code or self.integration_id.default_removal_code_id.code
        if not code:
            raise UserError(self.env._("Choose the removal reason (baixa code)."))
        reason = self.reason or self.removal_code_id.name or code
        self.negativation_ids.action_request_removal(code, reason)
        return {"type": "ir.actions.act_window_close"}
