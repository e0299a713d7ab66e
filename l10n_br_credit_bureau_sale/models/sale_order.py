from odoo import api, fields, models


class SaleOrder(models.Model):
    """Confirming waits for the customer's credit decision (the policy's "Block sales
    without approval"): Reprovado, Em análise, expired or missing refuse it with the reason
    and a button to consult; a sales manager may override it with a reason (tracked)."""

    _name = "sale.order"
    _inherit = ["sale.order", "credit.bureau.decision.gate.mixin"]

    _credit_gate_policy_field = "block_sale"

    credit_override_user_id = fields.Many2one(tracking=True)
    credit_override_reason = fields.Text(tracking=True)

    def _credit_gate_partner(self):
        return self.partner_id.commercial_partner_id

    def _credit_gate_decision(self):
        return self.env["credit.bureau.decision"]._bureau_latest(
            partner=self._credit_gate_partner(), company=self._credit_gate_company()
        )

    def _credit_gate_subject(self):
        return self._credit_gate_partner().display_name

    def _credit_gate_consult_action(self):
        return self._credit_gate_partner().action_credit_consult()

    @api.depends("credit_override_user_id", "partner_id", "company_id", "state")
    def _compute_credit_gate_message(self):
        for order in self:
            waiting = order.id and order.state in ("draft", "sent")
            order.credit_gate_message = (waiting and order._credit_gate_problem()) or False

    def action_confirm(self):
        # Code running as superuser (an online payment confirming its order) is trusted.
        if not self.env.su:
            self._credit_gate_check()
        return super().action_confirm()
