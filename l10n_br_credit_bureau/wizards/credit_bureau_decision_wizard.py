from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.credit_bureau_policy import DECISIONS


class CreditBureauDecisionReviewWizard(models.TransientModel):
    """A credit analyst records the final decision, with the reason."""

    _name = "credit.bureau.decision.review.wizard"
    _description = "Record the final credit decision"

    decision_id = fields.Many2one("credit.bureau.decision", required=True, readonly=True)
    policy_decision = fields.Selection(related="decision_id.policy_decision")
    reasons = fields.Text(related="decision_id.reasons")
    currency_id = fields.Many2one(related="decision_id.currency_id")
    decision = fields.Selection(DECISIONS, string="Final decision", required=True)
    reason = fields.Text(required=True)
    credit_limit = fields.Monetary(string="Credit limit")
    deposit_amount = fields.Monetary(string="Deposit/entry required")

    def action_confirm(self):
        self.ensure_one()
        self.decision_id.action_record_final_decision(
            self.decision,
            self.reason,
            credit_limit=self.credit_limit,
            deposit=self.deposit_amount,
        )
        return {"type": "ir.actions.act_window_close"}


class CreditBureauGateOverrideWizard(models.TransientModel):
    """A sales manager lets a sale or a won opportunity go on despite the credit decision."""

    _name = "credit.bureau.gate.override.wizard"
    _description = "Override the credit decision"

    res_model = fields.Char(string="Document model", required=True, readonly=True)
    res_id = fields.Integer(string="Document", required=True, readonly=True)
    gate_message = fields.Text(string="Credit decision", compute="_compute_gate_message")
    reason = fields.Text(required=True)

    @api.depends("res_model", "res_id")
    def _compute_gate_message(self):
        for wizard in self:
            record = wizard._record()
            wizard.gate_message = record._credit_gate_problem() if record else False

    def _record(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return False
        Model = self.env[self.res_model]
        if "credit_override_user_id" not in Model._fields:
            raise UserError(self.env._("This document does not wait for a credit decision."))
        return Model.browse(self.res_id).exists()

    def action_confirm(self):
        self.ensure_one()
        record = self._record()
        if not record:
            raise UserError(self.env._("The document no longer exists."))
        record.action_credit_override(self.reason)
        return {"type": "ir.actions.act_window_close"}


class CreditBureauConsultWizard(models.TransientModel):
    """Within the repeat interval, the earlier result decides again, free of charge."""

    _inherit = "credit.bureau.consult.wizard"

    previous_decision = fields.Selection(
        DECISIONS,
        string="Earlier decision",
        compute="_compute_previous_decision",
    )

    @api.depends("previous_consultation_id")
    def _compute_previous_decision(self):
        for wizard in self:
            wizard.previous_decision = wizard.previous_consultation_id.decision

    def action_use_previous(self):
        """Decide on the earlier result for this customer or lead: nothing is sent or paid."""
        self.ensure_one()
        self._check_user_may_consult()
        previous = self.previous_consultation_id
        if not previous:
            raise UserError(
                self.env._("There is no earlier consultation of this document you may read.")
            )
        decision = previous.sudo()._bureau_decide(
            partner=self.partner_id,
            lead=self.lead_id,
            company=self.company_id,
            user=self.env.user,
            reused=True,
        )
        if not decision:
            raise UserError(
                self.env._(
                    "No credit policy for %(company)s nor its head office: there is nothing to "
                    "decide.",
                    company=self.company_id.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.bureau.decision",
            "res_id": decision.id,
            "view_mode": "form",
            "target": "current",
        }
