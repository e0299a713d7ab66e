from odoo import api, fields, models

from ..const import NEGATIVATION_GROUP


class AccountMove(models.Model):
    _inherit = "account.move"

    # Restricted like Odoo's own smart-button fields (sale_order_count...): an invoicing
    # user without the negativation group never reads them, and the form drops them.
    credit_negativation_ids = fields.One2many(
        "credit.bureau.negativation", "move_id", string="Negativations", groups=NEGATIVATION_GROUP
    )
    credit_negativation_id = fields.Many2one(
        "credit.bureau.negativation",
        string="Open negativation",
        compute="_compute_credit_negativation_id",
        groups=NEGATIVATION_GROUP,
    )
    credit_negativation_state = fields.Selection(
        lambda self: self.env["credit.bureau.negativation"]._fields["state"].selection,
        string="Negativation",
        compute="_compute_credit_negativation_id",
        groups=NEGATIVATION_GROUP,
    )
    credit_negativation_count = fields.Integer(
        compute="_compute_credit_negativation_id", groups=NEGATIVATION_GROUP
    )

    @api.depends("credit_negativation_ids.state")
    def _compute_credit_negativation_id(self):
        for move in self:
            negativations = move.credit_negativation_ids
            move.credit_negativation_count = len(negativations)
            current = negativations.filtered(lambda n: n.state not in ("removed", "cancelled"))[:1]
            move.credit_negativation_id = current
            move.credit_negativation_state = current.state

    def action_credit_negativate(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Negativate"),
            "res_model": "credit.bureau.mass.negativate.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "dialog_size": "extra-large",
                "default_origin": "manual",
                "default_partner_id": self[:1].partner_id.commercial_partner_id.id,
                "default_move_ids": self.ids,
            },
        }

    def action_view_credit_negativations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_br_credit_bureau.action_credit_negativation"
        )
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {}
        if len(self.credit_negativation_ids) == 1:
            action.update(
                view_mode="form", res_id=self.credit_negativation_ids.id, views=[(False, "form")]
            )
        return action
