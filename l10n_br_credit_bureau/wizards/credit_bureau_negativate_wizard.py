from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class CreditBureauMassNegativateWizard(models.TransientModel):
    """Preview invoices with their blockers, then queue the clean ones. Used for the manual
    negativation of one invoice or of a partner's invoices too (same checks, same path)."""

    _name = "credit.bureau.mass.negativate.wizard"
    _description = "Negativate invoices"

    partner_id = fields.Many2one("res.partner", string="Debtor")
    move_ids = fields.Many2many("account.move", string="Invoices")
    days_overdue = fields.Integer(string="Overdue for more than (days)")
    min_amount = fields.Monetary(string="Amount at least")
    company_id = fields.Many2one("res.company", string="Branch")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    restriction_code = fields.Char(
        string="Restriction code (natureza)",
        help="Leave empty to use each integration's default restriction code.",
    )
    send_sms = fields.Selection(
        [("default", "As set on the integration"), ("yes", "Yes"), ("no", "No")],
        string="Send SMS",
        default="default",
        required=True,
    )
    dry_run = fields.Boolean(help="Preview only: nothing is sent.")
    line_ids = fields.One2many("credit.bureau.mass.negativate.line", "wizard_id", readonly=True)
    ok_count = fields.Integer(compute="_compute_totals", string="Ready")
    blocked_count = fields.Integer(compute="_compute_totals", string="Blocked")
    ok_amount = fields.Monetary(compute="_compute_totals", string="Amount to send")
    debtor_count = fields.Integer(compute="_compute_totals", string="Debtors")

    @api.depends("line_ids.blocked", "line_ids.amount")
    def _compute_totals(self):
        for wizard in self:
            ok = wizard.line_ids.filtered(lambda line: not line.blocked)
            wizard.ok_count = len(ok)
            wizard.blocked_count = len(wizard.line_ids) - len(ok)
            wizard.ok_amount = sum(ok.mapped("amount"))
            wizard.debtor_count = len(ok.partner_id)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "account.move" and context.get("active_ids"):
            values["move_ids"] = [fields.Command.set(context["active_ids"])]
        elif context.get("active_model") == "res.partner" and context.get("active_ids"):
            moves = self._bureau_overdue_moves(
                [("commercial_partner_id", "in", context["active_ids"])]
            )
            values["move_ids"] = [fields.Command.set(moves.ids)]
        elif values.get("partner_id") and not values.get("move_ids"):
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
        wizards = super().create(vals_list)
        for wizard in wizards:
            wizard._bureau_preview()
        return wizards

    def action_apply_filter(self):
        """Select the invoices overdue by more than N days, of at least X, of branch Y."""
        self.ensure_one()
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

    def _bureau_preview_commands(self):
        checked = self.env["credit.bureau.negativation"]._bureau_check(self.move_ids)
        commands = [fields.Command.clear()]
        for move, integration, blockers in checked:
            commands.append(
                fields.Command.create(
                    {
                        "move_id": move.id,
                        "integration_id": integration.id,
                        "blockers": "\n".join(blockers),
                        "blocked": bool(blockers),
                    }
                )
            )
        return commands

    @api.onchange("move_ids")
    def _onchange_move_ids(self):
        self.line_ids = self._bureau_preview_commands()

    def _bureau_preview(self):
        self.ensure_one()
        self.line_ids = self._bureau_preview_commands()

    def _bureau_open(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Negativate"),
        }

    def action_negativate(self):
        self.ensure_one()
        if self.dry_run:
            raise UserError(self.env._("This is a preview: nothing is sent."))
        self._bureau_preview()  # the data may have changed since the preview
        moves = self.line_ids.filtered(lambda line: not line.blocked).move_id
        if not moves:
            raise UserError(
                self.env._(
                    "Nothing can be negativated:\n%s", "\n".join(self.line_ids.mapped("blockers"))
                )
            )
        send_sms = {"default": None, "yes": True, "no": False}[self.send_sms]
        blocked = self.line_ids.filtered("blocked")
        batch = self.env["credit.bureau.negativation.batch"]
        if len(moves) > 1:
            batch = batch.create(
                {
                    "refused_count": len(blocked),
                    "refused_summary": "\n".join(
                        f"{line.move_id.name}: {line.blockers}" for line in blocked
                    ),
                }
            )
        negativations, _refused = self.env["credit.bureau.negativation"]._bureau_queue(
            moves,
            origin="mass" if batch else "manual",
            restriction_code=self.restriction_code or None,
            send_sms=send_sms,
            batch=batch or None,
        )
        if batch:
            return {
                "type": "ir.actions.act_window",
                "res_model": batch._name,
                "res_id": batch.id,
                "view_mode": "form",
                "target": "current",
            }
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
    move_id = fields.Many2one("account.move", string="Invoice", required=True)
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", string="Debtor")
    company_id = fields.Many2one(related="move_id.company_id", string="Branch")
    due_date = fields.Date(related="move_id.invoice_date_due")
    currency_id = fields.Many2one(related="move_id.currency_id")
    amount = fields.Monetary(related="move_id.amount_residual", string="Open amount")
    integration_id = fields.Many2one("credit.bureau.integration")
    blocked = fields.Boolean()
    blockers = fields.Text()


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
        domain="[('integration_id', '=', integration_id), ('kind', '=', 'removal')]",
    )
    reason = fields.Char(string="Note")

    @api.depends("negativation_ids")
    def _compute_integration_id(self):
        for wizard in self:
            wizard.integration_id = wizard.negativation_ids.integration_id[:1]

    def action_remove(self):
        self.ensure_one()
        if len(self.negativation_ids.integration_id) > 1:
            raise UserError(self.env._("Remove the negativations of one integration at a time."))
        code = self.removal_code_id.code or self.integration_id.default_removal_code_id.code
        if not code:
            raise UserError(self.env._("Choose the removal reason (baixa code)."))
        reason = self.reason or self.removal_code_id.name or code
        self.negativation_ids._bureau_request_removal(code, reason)
        return {"type": "ir.actions.act_window_close"}
