"""The credit decision where the sale happens: a badge on the customer and on the lead or
opportunity, and a gate (an opportunity marked as won here, a sale order confirmed in
``l10n_br_credit_bureau_sale``) that opens only for an approved, unexpired decision, unless
a sales manager overrides it with a reason."""

import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, RedirectWarning, UserError

from ..tools import check_text
from .credit_bureau_policy import DECISIONS

SALES_MANAGER_GROUP = "sales_team.group_sale_manager"
BADGE_STATES = [*DECISIONS, ("expired", "Expired")]
OVERRIDE_FIELDS = frozenset(
    {"credit_override_user_id", "credit_override_date", "credit_override_reason"}
)


class CreditBureauConsultableMixin(models.AbstractModel):
    _inherit = "credit.bureau.consultable.mixin"

    credit_decision = fields.Selection(
        BADGE_STATES,
        string="Credit decision",
        compute="_compute_credit_decision",
        help="The latest decision of the credit policy (Expired: older than the policy's "
        "validity).",
    )
    credit_decision_date = fields.Datetime(
        string="Credit decision on", compute="_compute_credit_decision"
    )
    credit_decision_valid_until = fields.Date(
        string="Credit decision valid until", compute="_compute_credit_decision"
    )
    credit_decision_limit = fields.Monetary(
        string="Credit limit decided",
        compute="_compute_credit_decision",
        currency_field="credit_currency_id",
    )
    credit_decision_deposit = fields.Monetary(
        string="Deposit/entry required",
        compute="_compute_credit_decision",
        currency_field="credit_currency_id",
    )

    def _credit_latest_decision(self):
        """The latest credit decision of the customer (as superuser): its company's and its
        contacts', or its CPF/CNPJ's (the lead has its own, see ``crm.lead``)."""
        self.ensure_one()
        return self.env["credit.bureau.decision"]._bureau_latest(
            partner=self, company=self.company_id or self.env.company
        )

    def _compute_credit_decision(self):
        none = self.env["credit.bureau.decision"]
        for record in self:
            decision = record._credit_latest_decision() if record.id else none
            # An empty decision reads as False and 0.0.
            record.credit_decision = "expired" if decision.is_expired else decision.decision
            record.credit_decision_date = decision.date
            record.credit_decision_valid_until = decision.valid_until
            record.credit_decision_limit = decision.credit_limit
            record.credit_decision_deposit = decision.deposit_amount

    def action_open_credit_decision(self):
        self.ensure_one()
        decision = self._credit_latest_decision().with_env(self.env)
        if not decision:
            raise UserError(self.env._("No credit decision yet: consult the credit analysis."))
        decision.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.bureau.decision",
            "res_id": decision.id,
            "view_mode": "form",
            "target": "current",
        }


class CreditBureauDecisionGateMixin(models.AbstractModel):
    """A document that waits for the credit decision (an opportunity won, a sale order
    confirmed): the gate, and the sales manager's override with its reason (tracked)."""

    _name = "credit.bureau.decision.gate.mixin"
    _description = "Waits for the credit decision"

    # Tracked in the documents (they have the chatter): each redefines them with ``tracking=True``.
    credit_override_user_id = fields.Many2one(
        "res.users", string="Credit decision overridden by", readonly=True, copy=False
    )
    credit_override_date = fields.Datetime(
        string="Credit decision overridden on", readonly=True, copy=False
    )
    credit_override_reason = fields.Text(
        string="Reason of the credit override", readonly=True, copy=False
    )
    credit_gate_message = fields.Char(string="Credit gate", compute="_compute_credit_gate_message")

    # What each document says: its company, customer, lead and the policy's switch.
    _credit_gate_policy_field = None

    def _credit_gate_company(self):
        return self.company_id or self.env.company

    def _credit_gate_decision(self):
        raise NotImplementedError

    def _credit_gate_subject(self):
        raise NotImplementedError

    def _credit_gate_consult_action(self):
        raise NotImplementedError

    def _credit_gate_policy(self):
        self.ensure_one()
        policy = (
            self.env["credit.bureau.policy"].sudo()._bureau_for_company(self._credit_gate_company())
        )
        return policy if policy and policy[self._credit_gate_policy_field] else policy.browse()

    def _credit_gate_problem(self):
        """Why the document may not go on (a sentence, in the user's language), or False."""
        self.ensure_one()
        if self.credit_override_user_id or not self._credit_gate_policy():
            return False
        decision = self._credit_gate_decision()
        subject = self._credit_gate_subject()
        if not decision:
            return self.env._(
                "%(subject)s has no credit decision: consult the credit analysis first.",
                subject=subject,
            )
        when = fields.Datetime.context_timestamp(self, decision.date).strftime("%d/%m/%Y")
        if decision.is_expired:
            return self.env._(
                "The credit decision of %(subject)s (%(date)s) expired on %(until)s: consult "
                "the credit analysis again.",
                subject=subject,
                date=when,
                until=decision.valid_until.strftime("%d/%m/%Y"),
            )
        if decision.decision == "rejected":
            return self.env._(
                "The credit of %(subject)s was rejected on %(date)s:\n%(reasons)s",
                subject=subject,
                date=when,
                reasons=decision.analyst_reason or decision.reasons,
            )
        if decision.decision == "review":
            return self.env._(
                "The credit of %(subject)s is under review (%(date)s): a credit analyst must "
                "decide first.",
                subject=subject,
                date=when,
            )
        return False

    @api.depends("credit_override_user_id")
    def _compute_credit_gate_message(self):
        for record in self:
            record.credit_gate_message = record._credit_gate_problem() if record.id else False

    def _credit_gate_check(self):
        """Refuse with the reason and a button to consult (a sales manager may override)."""
        for record in self:
            problem = record._credit_gate_problem()
            if problem:
                error = RedirectWarning(
                    problem,
                    record._credit_gate_consult_action(),
                    self.env._("Consult credit analysis"),
                )
                # An expected refusal, like a UserError: a warning in the log, no traceback.
                error.loglevel = logging.WARNING
                raise error

    def write(self, vals):
        if not self.env.su and OVERRIDE_FIELDS.intersection(vals):
            raise UserError(
                self.env._(
                    'The credit override is recorded only by a sales manager, through "Override '
                    'credit decision", with the reason: nothing was changed.'
                )
            )
        return super().write(vals)

    def action_credit_override(self, reason):
        """A sales manager lets the document go on despite the credit decision, with the
        reason (tracked): checked as the user, written as superuser."""
        if not self.env.su and not self.env.user.has_group(SALES_MANAGER_GROUP):
            raise AccessError(self.env._("Only a sales manager may override the credit decision."))
        check_text(self.env, reason, self.env._("The reason"))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for overriding the credit decision."))
        self.check_access("write")
        self.sudo().write(
            {
                "credit_override_user_id": self.env.user.id,
                "credit_override_date": fields.Datetime.now(),
                "credit_override_reason": reason,
            }
        )
        return True

    def action_open_credit_override_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override credit decision"),
            "res_model": "credit.bureau.gate.override.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_res_model": self._name, "default_res_id": self.id},
        }


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "credit.bureau.decision.gate.mixin"]

    _credit_gate_policy_field = "block_won"

    credit_override_user_id = fields.Many2one(tracking=True)
    credit_override_reason = fields.Text(tracking=True)

    def _credit_latest_decision(self):
        self.ensure_one()
        return self.env["credit.bureau.decision"]._bureau_latest(
            lead=self, company=self.company_id or self.env.company
        )

    def _credit_gate_decision(self):
        return self._credit_latest_decision()

    def _credit_gate_subject(self):
        return self.partner_id.display_name or self.partner_name or self.name

    def _credit_gate_consult_action(self):
        return self.action_credit_consult()

    @api.depends("credit_override_user_id", "stage_id", "partner_id", "credit_document")
    def _compute_credit_gate_message(self):
        return super()._compute_credit_gate_message()

    def write(self, vals):
        """Marking as won (the button, or a drag to a won stage) waits for the decision."""
        if not self.env.su and vals.get("stage_id"):
            stage = self.env["crm.stage"].browse(vals["stage_id"])
            if stage.is_won:
                self.filtered(lambda lead: lead.stage_id != stage)._credit_gate_check()
        return super().write(vals)
