"""The credit policy: ordered rules that turn a consultation's normalised result (and our own
history of the customer) into a decision — Aprovado, Em análise or Reprovado — with a credit
limit or a deposit where a rule gives one. One policy per company; a branch without one uses
its head office's, like the integration."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import check_text, nearest_for_company

DECISIONS = [("approved", "Approved"), ("review", "Under review"), ("rejected", "Rejected")]
# The most severe decision of the rules read wins.
DECISION_SEVERITY = {"approved": 0, "review": 1, "rejected": 2}

# kind: (label of the value in a reason, what the value is). "result" kinds are read from
# the consultation, "history" kinds from our own records of the customer.
RULE_KINDS = [
    ("score", "Score"),
    ("no_score", "No score"),
    ("risk_class", "Risk class"),
    ("default_probability", "Default probability (%)"),
    ("financial_count", "Number of financial pendencies"),
    ("financial_amount", "Amount of financial pendencies"),
    ("protest_count", "Number of protests"),
    ("protest_amount", "Amount of protests"),
    ("check_count", "Number of bounced checks"),
    ("lawsuit_count", "Number of lawsuits"),
    ("lawsuit_amount", "Amount of lawsuits"),
    ("total_count", "Number of occurrences"),
    ("total_amount", "Amount of occurrences"),
    ("consultation_age", "Age of the consultation (days)"),
    ("open_negativations", "Our open negativations"),
    ("overdue_invoices", "Our invoices overdue now"),
    ("overdue_amount", "Amount overdue now"),
    ("overdue_days", "Days overdue (oldest invoice)"),
]
# Kinds without a number to compare.
FLAG_KINDS = frozenset({"no_score", "risk_class"})
AMOUNT_KINDS = frozenset(
    {"financial_amount", "protest_amount", "lawsuit_amount", "total_amount", "overdue_amount"}
)
OPERATORS = [("ge", "At least"), ("le", "At most"), ("between", "Between")]


class CreditBureauPolicy(models.Model):
    _name = "credit.bureau.policy"
    _description = "Credit Policy"
    _inherit = ["mail.thread"]
    _order = "company_id, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True, translate=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
        help="The company or branch whose consultations this policy decides; its branches "
        "without a policy of their own use it.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    rule_ids = fields.One2many("credit.bureau.policy.rule", "policy_id", string="Rules", copy=True)
    default_decision = fields.Selection(
        DECISIONS,
        string="Decision when no rule applies",
        required=True,
        default="approved",
        tracking=True,
    )
    validity_days = fields.Integer(
        string="Decision valid for (days)",
        default=90,
        tracking=True,
        help="A decision older than this (counted from the consultation) is expired: a "
        "sale or a won opportunity needs a new consultation. 0: never expires.",
    )
    block_sale = fields.Boolean(
        string="Block sales without approval",
        default=True,
        tracking=True,
        help="With the Sales app: a sale order is confirmed only for a customer whose latest "
        "decision is Aprovado and not expired (a sales manager may override it).",
    )
    block_won = fields.Boolean(
        string="Block won opportunities without approval",
        tracking=True,
        help="An opportunity is marked as won only when its latest decision is Aprovado and "
        "not expired (a sales manager may override it).",
    )
    update_credit_limit = fields.Boolean(
        string="Partner's credit limit follows the decision",
        tracking=True,
        help="When a decision gives a credit limit (an approving rule's), it becomes the "
        "customer's credit limit in the decision's company.",
    )
    analyst_ids = fields.Many2many(
        "res.users",
        string="Credit analysts notified",
        domain="[('share', '=', False)]",
        help='Who gets a to-do for each decision "Em análise". Empty: every user of the group '
        '"Credit analysis: analyst" of the company.',
    )
    rule_count = fields.Integer(compute="_compute_rule_count", string="Number of rules")

    @api.depends("rule_ids")
    def _compute_rule_count(self):
        for policy in self:
            policy.rule_count = len(policy.rule_ids)

    @api.constrains("validity_days")
    def _check_validity_days(self):
        for policy in self:
            if policy.validity_days < 0:
                raise ValidationError(
                    self.env._("The validity of a decision cannot be negative (0: never expires).")
                )

    @api.constrains("company_id", "active")
    def _check_one_per_company(self):
        for policy in self.filtered("active"):
            if (
                self.sudo().search_count(
                    [("company_id", "=", policy.company_id.id), ("active", "=", True)]
                )
                > 1
            ):
                raise ValidationError(
                    self.env._(
                        "%(company)s already has an active credit policy: archive it first.",
                        company=policy.company_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_text(self.env, vals.get("name"), self.env._("The name"))
        return super().create(vals_list)

    @api.model
    def _bureau_for_company(self, company=None):
        """The policy a company uses: its own, else the nearest parent's (branches)."""
        return nearest_for_company(self, company or self.env.company)

    # ------------------------------------------------------------------ evaluation
    def _bureau_evaluate(self, facts):
        """The decision of the policy for ``facts`` (``_bureau_decision_facts``): the rules
        are read in their order; the first one that applies decides, unless it says to read
        on ("Also read the next rules"): then the most severe decision of the rules that
        applied wins. The credit limit is the lowest any of them gives, the deposit the
        highest. Returns a dict: decision, rules, reasons (one line each, in the
        environment's language), credit_limit, deposit."""
        self.ensure_one()
        matched = self.env["credit.bureau.policy.rule"]
        reasons = []
        decision = None
        for rule in self.rule_ids.filtered("active").sorted(lambda r: (r.sequence, r.id)):
            if not rule._bureau_applies(facts):
                continue
            matched |= rule
            reasons.append(rule._bureau_reason(facts))
            if decision is None or DECISION_SEVERITY[rule.decision] > DECISION_SEVERITY[decision]:
                decision = rule.decision
            if not rule.continue_evaluation:
                break
        if decision is None:
            decision = self.default_decision
            label = dict(self._fields["default_decision"]._description_selection(self.env))
            reasons.append(
                self.env._(
                    "No rule applies: the policy's decision when no rule applies (%(decision)s).",
                    decision=label[decision],
                )
            )
        limits = [rule.credit_limit for rule in matched if rule.credit_limit]
        deposits = [rule.deposit_amount for rule in matched if rule.deposit_amount]
        return {
            "decision": decision,
            "rules": matched,
            "reasons": reasons,
            "credit_limit": min(limits) if limits else 0.0,
            "deposit": max(deposits) if deposits else 0.0,
        }


class CreditBureauPolicyRule(models.Model):
    _name = "credit.bureau.policy.rule"
    _description = "Credit Policy Rule"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one(
        "credit.bureau.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="policy_id.currency_id")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    name = fields.Char(
        string="Description",
        translate=True,
        help="Shown in the reasons of the decision instead of the condition, when given.",
    )
    kind = fields.Selection(RULE_KINDS, string="Condition on", required=True, default="score")
    operator = fields.Selection(OPERATORS, required=True, default="ge")
    value = fields.Float()
    value_to = fields.Float(string="Up to")
    risk_classes = fields.Char(
        string="Risk classes",
        help="The risk classes that apply, separated by commas (e.g. D, E).",
    )
    decision = fields.Selection(DECISIONS, required=True, default="review")
    credit_limit = fields.Monetary(
        string="Credit limit",
        help="The credit limit this rule gives (the lowest of the rules that apply wins).",
    )
    deposit_amount = fields.Monetary(
        string="Deposit/entry required",
        help="The deposit or entry this rule requires (the highest of the rules that apply wins).",
    )
    continue_evaluation = fields.Boolean(
        string="Also read the next rules",
        help="Off: when this rule applies, it decides and the next rules are not read. On: "
        "its decision counts and the next rules are read too (the most severe wins).",
    )
    condition_display = fields.Char(string="Condition", compute="_compute_condition_display")

    @api.depends("kind", "operator", "value", "value_to", "risk_classes")
    def _compute_condition_display(self):
        for rule in self:
            rule.condition_display = rule._bureau_condition_text() if rule.kind else ""

    @api.constrains("kind", "operator", "value", "value_to", "risk_classes")
    def _check_condition(self):
        for rule in self:
            if rule.kind == "risk_class" and not rule._bureau_risk_classes():
                raise ValidationError(
                    self.env._("A rule on the risk class needs the risk classes it applies to.")
                )
            if (
                rule.kind not in FLAG_KINDS
                and rule.operator == "between"
                and rule.value_to < rule.value
            ):
                raise ValidationError(
                    self.env._(
                        "The rule %(rule)s: the end of the range (%(to)s) is below its start "
                        "(%(from)s).",
                        rule=rule.condition_display,
                        to=rule.value_to,
                        **{"from": rule.value},
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            for name in ("name", "risk_classes"):
                check_text(
                    self.env, vals.get(name), self._fields[name]._description_string(self.env)
                )
        return super().create(vals_list)

    def _bureau_risk_classes(self):
        return {
            part.strip().upper() for part in (self.risk_classes or "").split(",") if part.strip()
        }

    def _bureau_kind_label(self):
        return dict(self._fields["kind"]._description_selection(self.env))[self.kind]

    def _bureau_format(self, number):
        if self.kind in AMOUNT_KINDS:
            currency = self.currency_id or self.env.company.currency_id
            return currency.format(number) if currency else f"{number:.2f}"
        return f"{number:g}"

    def _bureau_condition_text(self):
        """The condition in words: "Score between 0 and 399", "Number of protests at least
        1", "Risk class D, E", "No score"."""
        self.ensure_one()
        label = self._bureau_kind_label()
        if self.kind == "no_score":
            return label
        if self.kind == "risk_class":
            return self.env._(
                "%(label)s in %(classes)s",
                label=label,
                classes=", ".join(sorted(self._bureau_risk_classes())),
            )
        if self.operator == "between":
            return self.env._(
                "%(label)s between %(low)s and %(high)s",
                label=label,
                low=self._bureau_format(self.value),
                high=self._bureau_format(self.value_to),
            )
        if self.operator == "le":
            return self.env._(
                "%(label)s at most %(value)s", label=label, value=self._bureau_format(self.value)
            )
        return self.env._(
            "%(label)s at least %(value)s", label=label, value=self._bureau_format(self.value)
        )

    def _bureau_applies(self, facts):
        """Whether the rule applies to ``facts`` ({kind: value}); a value the consultation
        does not have (no score) never applies but to "No score"."""
        self.ensure_one()
        if self.kind == "no_score":
            return facts.get("score") is None
        value = facts.get(self.kind)
        if value is None:
            return False
        if self.kind == "risk_class":
            return str(value).strip().upper() in self._bureau_risk_classes()
        if self.operator == "between":
            return self.value <= value <= self.value_to
        if self.operator == "le":
            return value <= self.value
        return value >= self.value

    def _bureau_reason(self, facts):
        """One line of the decision's reasons: the rule, what was found, its decision."""
        self.ensure_one()
        decision = dict(self._fields["decision"]._description_selection(self.env))[self.decision]
        condition = self.name or self._bureau_condition_text()
        if self.kind == "no_score":
            return self.env._(
                "%(condition)s → %(decision)s", condition=condition, decision=decision
            )
        value = facts.get(self.kind)
        found = value if self.kind == "risk_class" else self._bureau_format(value)
        return self.env._(
            "%(condition)s (found: %(found)s) → %(decision)s",
            condition=condition,
            found=found,
            decision=decision,
        )
