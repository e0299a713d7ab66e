from odoo import api, fields, models
from odoo.exceptions import UserError


class CreditControlNegativator(models.TransientModel):
    """Send credit-control lines of the channel Negativate: a preview of what will be queued
    and what is blocked (and why), then the lines' own ``_bureau_negativate``."""

    _name = "credit.control.negativator"
    _description = "Negativate credit control lines"

    @api.model
    def _default_line_ids(self):
        context = self.env.context
        if context.get("active_model") != "credit.control.line" or not context.get("active_ids"):
            return False
        lines = self.env["credit.control.line"].browse(context["active_ids"])
        return lines._bureau_sendable()

    line_ids = fields.Many2many(
        "credit.control.line",
        string="Credit control lines",
        default=lambda self: self._default_line_ids(),
        domain="[('channel', '=', 'negativate'), ('state', 'in', ('draft', 'to_be_sent', "
        "'error'))]",
    )
    ready_count = fields.Integer(string="Invoices to negativate", compute="_compute_preview")
    already_count = fields.Integer(
        string="Invoices already negativated",
        compute="_compute_preview",
        help="Their lines follow the open negativation of their invoice.",
    )
    blocked_count = fields.Integer(string="Blocked invoices", compute="_compute_preview")
    blocked_summary = fields.Text(string="Why blocked", compute="_compute_preview")

    @api.depends("line_ids")
    def _compute_preview(self):
        for wizard in self:
            _lines, already, blocked, ready = wizard.line_ids._bureau_preview()
            wizard.ready_count = len(ready)
            wizard.already_count = len(already)
            wizard.blocked_count = len(blocked)
            wizard.blocked_summary = "\n".join(
                f"{move.display_name}: {blocker}"
                for move, blockers in blocked.items()
                for blocker in blockers
            )

    def action_negativate(self):
        self.ensure_one()
        if not self.line_ids._bureau_sendable():
            raise UserError(
                self.env._(
                    "None of the selected lines is a line of the channel Negativate to send "
                    "(draft, to do or in error)."
                )
            )
        done, blocked = self.line_ids._bureau_negativate()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_credit_control.credit_control_line_action"
        )
        action.update(
            name=self.env._("Negativated lines"),
            domain=[("id", "in", (done | blocked).ids)],
            context={},
        )
        return action
