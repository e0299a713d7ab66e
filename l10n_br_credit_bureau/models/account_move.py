from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    credit_negativation_ids = fields.One2many(
        "credit.bureau.negativation", "move_id", string="Negativations"
    )
    credit_negativation_id = fields.Many2one(
        "credit.bureau.negativation",
        string="Open negativation",
        compute="_compute_credit_negativation_id",
    )
    credit_negativation_state = fields.Selection(
        lambda self: self.env["credit.bureau.negativation"]._fields["state"].selection,
        string="Negativation",
        compute="_compute_credit_negativation_id",
    )
    credit_negativation_count = fields.Integer(compute="_compute_credit_negativation_id")

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
