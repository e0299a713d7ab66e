"""The credit decision of a consultation: what the company's credit policy says of its
result (and of our own history of the customer), with the reasons, and the final decision a
credit analyst records. A decision is written only by the flows (the provider's answer, the
reuse of an earlier result, the analyst's action), which run as superuser after checking
what the user may do: no user (any group, RPC included) creates or changes one."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..const import OPEN_NEGATIVATION_STATES
from ..tools import check_text, clean_document, format_document
from .credit_bureau_policy import DECISIONS

ANALYST_GROUP = "l10n_br_credit_bureau.group_credit_analyst"
REVIEW_ACTIVITY_TYPE = "l10n_br_credit_bureau.mail_activity_type_credit_review"
# What a user may write on a decision: the chatter and the to-dos, nothing of the decision.
_MAIL_FIELDS = frozenset(
    {
        "message_follower_ids",
        "message_ids",
        "message_main_attachment_id",
        "activity_ids",
        "activity_user_id",
        "activity_type_id",
        "activity_date_deadline",
        "activity_summary",
        "activity_exception_decoration",
        "activity_state",
    }
)


class CreditBureauDecision(models.Model):
    """One decision of the credit policy on one consultation for one customer or lead: the
    consultation's own (made when the provider answered) or a later one that reused its
    result within the repeat interval, free of charge."""

    _name = "credit.bureau.decision"
    _description = "Credit Decision"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    name = fields.Char(string="Number", compute="_compute_name", store=True)
    consultation_id = fields.Many2one(
        "credit.bureau.consultation",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    consultation_date = fields.Datetime(
        string="Consulted on", related="consultation_id.date", store=True
    )
    document = fields.Char(
        string="CPF/CNPJ", related="consultation_id.document", store=True, index=True
    )
    document_display = fields.Char(string="Document", compute="_compute_document_display")
    consulted_name = fields.Char(related="consultation_id.consulted_name")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index=True)
    lead_id = fields.Many2one("crm.lead", string="Lead/Opportunity", readonly=True, index=True)
    company_id = fields.Many2one(
        "res.company", string="Branch", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Requested by", readonly=True, index=True)
    integration_id = fields.Many2one(
        related="consultation_id.integration_id", store=True, string="Integration"
    )
    provider = fields.Selection(related="consultation_id.provider", store=True)
    date = fields.Datetime(readonly=True, required=True, default=fields.Datetime.now, index=True)
    reused = fields.Boolean(
        string="Earlier result reused",
        readonly=True,
        help="Decided on the result of an earlier consultation, within the repeat interval, "
        "without paying for a new one.",
    )
    policy_id = fields.Many2one(
        "credit.bureau.policy", string="Credit policy", readonly=True, ondelete="restrict"
    )
    rule_ids = fields.Many2many(
        "credit.bureau.policy.rule", string="Rules that applied", readonly=True
    )
    policy_decision = fields.Selection(
        DECISIONS, string="Decision of the policy", readonly=True, required=True
    )
    decision = fields.Selection(DECISIONS, readonly=True, required=True, tracking=True, index=True)
    reasons = fields.Text(readonly=True)
    credit_limit = fields.Monetary(string="Credit limit", readonly=True, tracking=True)
    deposit_amount = fields.Monetary(string="Deposit/entry required", readonly=True, tracking=True)
    valid_until = fields.Date(string="Valid until", readonly=True, index=True)
    is_expired = fields.Boolean(string="Expired", compute="_compute_is_expired")
    analyst_id = fields.Many2one("res.users", string="Decided by", readonly=True, tracking=True)
    analyst_date = fields.Datetime(string="Final decision on", readonly=True)
    analyst_reason = fields.Text(
        string="Reason of the final decision", readonly=True, tracking=True
    )
    approval_rate = fields.Float(
        string="Approval rate (%)",
        compute="_compute_approval_rate",
        store=True,
        aggregator="avg",
        help="100 for an approved decision, 0 otherwise: its average is the approval rate.",
    )

    @api.depends("consultation_id.name", "reused", "date")
    def _compute_name(self):
        for decision in self:
            decision.name = decision.consultation_id.name or "/"

    @api.depends("document")
    def _compute_document_display(self):
        for decision in self:
            decision.document_display = format_document(decision.document or "")

    @api.depends("valid_until")
    def _compute_is_expired(self):
        today = fields.Date.context_today(self)
        for decision in self:
            decision.is_expired = bool(decision.valid_until and decision.valid_until < today)

    @api.depends("decision")
    def _compute_approval_rate(self):
        for decision in self:
            decision.approval_rate = 100.0 if decision.decision == "approved" else 0.0

    # ------------------------------------------------------------------ protection
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "A credit decision is made only by the credit policy, when a consultation "
                    "is answered: it cannot be created."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and set(vals) - _MAIL_FIELDS:
            raise UserError(
                self.env._(
                    "A credit decision is changed only by a credit analyst, through "
                    '"Record final decision", with the reason: nothing was changed.'
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------ analysts
    def _bureau_analysts(self):
        """Who gets the to-do of a decision "Em análise": the policy's analysts, else the
        users of the analyst group (given it directly) of the decision's company, else
        those who have it through another group (administrators)."""
        self.ensure_one()
        group = self.env.ref(ANALYST_GROUP)
        company = self.company_id
        candidates = (
            self.policy_id.analyst_ids
            or group.user_ids.filtered(lambda u: not u.share)
            or group.all_user_ids.filtered(lambda u: not u.share and u.id != 1)
        )
        return candidates.filtered(lambda u: u.active and company in u.company_ids)

    def _bureau_schedule_review(self):
        for decision in self.filtered(lambda d: d.decision == "review" and not d.analyst_id):
            for analyst in decision._bureau_analysts():
                decision.activity_schedule(
                    REVIEW_ACTIVITY_TYPE,
                    summary=self.env._("Decide the credit of %s", decision._bureau_subject()),
                    note=decision.reasons,
                    user_id=analyst.id,
                )

    def _bureau_subject(self):
        self.ensure_one()
        return (
            self.partner_id.display_name
            or self.lead_id.display_name
            or self.consulted_name
            or self.document_display
        )

    def _bureau_check_analyst(self):
        """A credit analyst (or administrator) of the decision's company, who reads it."""
        user = self.env.user
        if self.env.su:
            return
        if not user.has_group(ANALYST_GROUP):
            raise AccessError(
                self.env._(
                    'Only the users of the group "Credit analysis: analyst" record the final '
                    "credit decision."
                )
            )
        for decision in self:
            if decision.company_id not in user.company_ids:
                raise AccessError(
                    self.env._(
                        "You may not decide for %(company)s: it is not one of your companies.",
                        company=decision.company_id.sudo().name,
                    )
                )
            decision.check_access("read")

    def action_record_final_decision(self, decision, reason, credit_limit=None, deposit=None):
        """The analyst's final decision, with the reason (tracked): the checks as the user,
        then written as superuser, the user staying the author."""
        self._bureau_check_analyst()
        labels = dict(self._fields["decision"]._description_selection(self.env))
        if decision not in labels:
            raise UserError(self.env._("Choose the final decision."))
        check_text(self.env, reason, self.env._("The reason"))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason of the final decision."))
        for record in self:
            values = {
                "decision": decision,
                "analyst_id": self.env.user.id,
                "analyst_date": fields.Datetime.now(),
                "analyst_reason": reason,
            }
            if credit_limit is not None:
                values["credit_limit"] = max(credit_limit, 0.0)
            if deposit is not None:
                values["deposit_amount"] = max(deposit, 0.0)
            sudo = record.sudo()
            sudo.write(values)
            sudo.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref(REVIEW_ACTIVITY_TYPE)
            ).action_feedback(feedback=reason)
            sudo.consultation_id.message_post(
                body=self.env._(
                    "Final credit decision: %(decision)s, by %(user)s. Reason: %(reason)s",
                    decision=labels[decision],
                    user=self.env.user.name,
                    reason=reason,
                )
            )
            sudo._bureau_apply_credit_limit()
        return True

    def action_open_review_wizard(self):
        self.ensure_one()
        self._bureau_check_analyst()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record final decision"),
            "res_model": "credit.bureau.decision.review.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_decision_id": self.id,
                "default_credit_limit": self.credit_limit,
                "default_deposit_amount": self.deposit_amount,
            },
        }

    def action_open_consultation(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.bureau.consultation",
            "res_id": self.consultation_id.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------ effects
    def _bureau_apply_credit_limit(self):
        """The customer's credit limit follows an approved decision's limit (policy option),
        in the decision's company (``credit_limit`` is per company)."""
        for decision in self:
            partner = decision.partner_id.commercial_partner_id
            if not (
                partner
                and decision.policy_id.update_credit_limit
                and decision.decision == "approved"
                and decision.credit_limit
            ):
                continue
            partner.with_company(decision.company_id).sudo().write(
                {"use_partner_credit_limit": True, "credit_limit": decision.credit_limit}
            )

    # ------------------------------------------------------------------ latest decision
    @api.model
    def _bureau_latest(self, partner=None, lead=None, document=None, company=None):
        """The latest decision for a lead (its own, else its customer's or its document's)
        or a customer (its company and contacts, or its document), in the companies of the
        same head office as ``company``; as superuser (callers show only the decision)."""
        Decision = self.sudo()
        domains = []
        if lead:
            domains.append([("lead_id", "=", lead.id)])
            partner = partner or lead.partner_id
            document = document or lead.credit_document
        if partner:
            commercial = partner.commercial_partner_id
            domains.append([("partner_id", "child_of", commercial.id)])
            document = document or commercial._bureau_document()
        if document:
            domains.append([("document", "=", clean_document(document))])
        if not domains:
            return Decision
        domain = fields.Domain.OR(domains)
        if company:
            domain &= fields.Domain("company_id", "child_of", company.root_id.id)
        return Decision.search(domain, order="date desc, id desc", limit=1)


class CreditBureauConsultation(models.Model):
    _inherit = "credit.bureau.consultation"

    # Computed, not stored: the consultation's stored fields are its result only.
    decision_id = fields.Many2one(
        "credit.bureau.decision",
        string="Credit decision",
        compute="_compute_decision_id",
        help="The decision of the credit policy made when the provider answered.",
    )
    decision = fields.Selection(
        DECISIONS,
        compute="_compute_decision_id",
        search="_search_decision",
    )
    decision_reasons = fields.Text(string="Reasons", compute="_compute_decision_id")
    decision_credit_limit = fields.Monetary(string="Credit limit", compute="_compute_decision_id")
    decision_deposit = fields.Monetary(
        string="Deposit/entry required", compute="_compute_decision_id"
    )
    decision_analyst_id = fields.Many2one(
        "res.users", string="Decided by", compute="_compute_decision_id"
    )
    decision_analyst_reason = fields.Text(
        string="Reason of the final decision", compute="_compute_decision_id"
    )
    decision_valid_until = fields.Date(string="Valid until", compute="_compute_decision_id")
    decision_count = fields.Integer(string="Decisions", compute="_compute_decision_id")
    decision_can_review = fields.Boolean(
        string="May record the final decision", compute="_compute_decision_id"
    )

    def _compute_decision_id(self):
        Decision = self.env["credit.bureau.decision"].sudo()
        is_analyst = self.env.user.has_group(ANALYST_GROUP)
        for consultation in self:
            decisions = (
                Decision.search([("consultation_id", "=", consultation.id)], order="id")
                if consultation.id
                else Decision
            )
            own = decisions.filtered(lambda d: not d.reused)[:1] or decisions[:1]
            consultation.decision_id = own.id
            consultation.decision = own.decision
            consultation.decision_reasons = own.reasons
            consultation.decision_credit_limit = own.credit_limit
            consultation.decision_deposit = own.deposit_amount
            consultation.decision_analyst_id = own.analyst_id
            consultation.decision_analyst_reason = own.analyst_reason
            consultation.decision_valid_until = own.valid_until
            consultation.decision_count = len(decisions)
            consultation.decision_can_review = bool(own) and is_analyst

    def _search_decision(self, operator, value):
        decisions = (
            self.env["credit.bureau.decision"]
            .sudo()
            .search([("decision", operator, value), ("reused", "=", False)])
        )
        return [("id", "in", decisions.consultation_id.ids)]

    def _bureau_apply_result(self, result):
        res = super()._bureau_apply_result(result)
        self._bureau_decide()
        return res

    # ------------------------------------------------------------------ deciding
    def _bureau_history_partner(self, partner=None):
        """Whose history (negativations, overdue invoices) counts: the customer given, the
        consultation's, its lead's, else the customers registered with the document."""
        self.ensure_one()
        partner = partner or self.partner_id or self.lead_id.partner_id
        if partner:
            return partner.commercial_partner_id
        document = self.document or ""
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("vat", "in", [document, format_document(document)])])
            .commercial_partner_id
        )

    def _bureau_decision_facts(self, company, partner=None):
        """{rule kind: value} for the policy: the normalised result (None where the provider
        gave none) and our own history of the customer in the companies of the same head
        office."""
        self.ensure_one()
        now = fields.Datetime.now()
        facts = {
            "score": self.score if self.has_score else None,
            "risk_class": self.risk_class or None,
            "default_probability": self.default_probability if self.has_score else None,
            "consultation_age": (now - self.date).days if self.date else 0,
        }
        for kind in ("financial", "protest", "check", "lawsuit", "total"):
            facts[f"{kind}_count"] = self[f"{kind}_count"]
            if kind != "check":
                facts[f"{kind}_amount"] = self[f"{kind}_amount"]
        partners = self._bureau_history_partner(partner)
        companies = [("company_id", "child_of", company.root_id.id)]
        facts["open_negativations"] = (
            self.env["credit.bureau.negativation"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "child_of", partners.ids),
                    ("state", "in", OPEN_NEGATIVATION_STATES),
                    *companies,
                ]
            )
            if partners
            else 0
        )
        today = fields.Date.context_today(self)
        overdue = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "in", partners.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date_due", "<", today),
                    *companies,
                ]
            )
            if partners
            else self.env["account.move"]
        )
        facts["overdue_invoices"] = len(overdue)
        facts["overdue_amount"] = sum(overdue.mapped("amount_residual_signed"))
        facts["overdue_days"] = max(
            ((today - move.invoice_date_due).days for move in overdue), default=0
        )
        return facts

    def _bureau_decide(self, partner=None, lead=None, company=None, user=None, reused=False):
        """Decide, with the policy of ``company`` (the consultation's by default), for the
        customer or lead (the consultation's by default), as superuser, in the company's
        language. Returns the decisions made (none where no policy applies)."""
        Decision = self.env["credit.bureau.decision"]
        made = Decision
        for consultation in self.filtered(lambda c: c.state == "done"):
            target_company = company or consultation.company_id
            lang = self.env.context.get("lang_decision") or target_company._bureau_lang()
            env = self.env(su=True, context=dict(self.env.context, lang=lang))
            policy = env["credit.bureau.policy"]._bureau_for_company(target_company)
            if not policy:
                continue
            record = consultation.with_env(env)
            target_lead = lead if lead is not None else record.lead_id
            target_partner = partner if partner is not None else record.partner_id
            if not target_partner and target_lead:
                target_partner = target_lead.partner_id
            facts = record._bureau_decision_facts(target_company, target_partner)
            result = policy.with_env(env)._bureau_evaluate(facts)
            valid_until = False
            if policy.validity_days:
                valid_until = fields.Date.to_date(record.date) + timedelta(
                    days=policy.validity_days
                )
            decision = env["credit.bureau.decision"].create(
                {
                    "consultation_id": record.id,
                    "partner_id": target_partner.id if target_partner else False,
                    "lead_id": target_lead.id if target_lead else False,
                    "company_id": target_company.id,
                    "user_id": (user or record.user_id).id,
                    "reused": reused,
                    "policy_id": policy.id,
                    "rule_ids": [fields.Command.set(result["rules"].ids)],
                    "policy_decision": result["decision"],
                    "decision": result["decision"],
                    "reasons": "\n".join(result["reasons"]),
                    "credit_limit": result["credit_limit"],
                    "deposit_amount": result["deposit"],
                    "valid_until": valid_until,
                }
            )
            label = dict(Decision._fields["decision"]._description_selection(env))
            record.message_post(
                body=env._(
                    "Credit decision (%(policy)s): %(decision)s.\n%(reasons)s",
                    policy=policy.name,
                    decision=label[decision.decision],
                    reasons=decision.reasons,
                )
            )
            decision._bureau_schedule_review()
            decision._bureau_apply_credit_limit()
            made |= decision
        return made.with_env(self.env)

    # ------------------------------------------------------------------ actions
    def action_open_decision(self):
        self.ensure_one()
        if not self.decision_id:
            raise UserError(self.env._("This consultation has no credit decision."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.bureau.decision",
            "res_id": self.decision_id.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_review_wizard(self):
        self.ensure_one()
        if not self.decision_id:
            raise UserError(self.env._("This consultation has no credit decision."))
        return self.decision_id.with_env(self.env).action_open_review_wizard()

    def action_view_decisions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_br_credit_bureau.action_credit_decision"
        )
        action["domain"] = [("consultation_id", "=", self.id)]
        action["context"] = {}
        return action
