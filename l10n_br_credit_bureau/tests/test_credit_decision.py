"""The credit policy turns each consultation into a decision (Aprovado / Em análise /
Reprovado) with the reasons: each kind of rule, their order, the inheritance by branches,
the analyst's final decision and who may record it, the credit limit, the reuse of an
earlier result, the gate on won opportunities, and the decisions report."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import new_test_user, tagged

from .common import CreditBureauCommon
from .test_negativation import NegativationCommon

# Valid CPFs of each profile of the simulated provider (the last character picks it).
CLEAN = "100.000.028-10"  # score 850-899, class A, nothing recorded
FINANCIAL = "100.000.070-21"  # score 600-649, class B, two financial pendencies
PROTEST = "100.000.098-22"  # score 350-399, class C, one protest of R$ 1.200
CHECK = "100.000.021-43"  # score 100-149, class D, one bounced check


class DecisionCommon(CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pt_BR")
        (cls.head_office | cls.branch).partner_id.lang = "pt_BR"
        cls.policy = cls.env["credit.bureau.policy"].create(
            {"name": "Política da matriz", "company_id": cls.head_office.id}
        )
        cls.analyst = new_test_user(
            cls.env,
            login="cb_analyst",
            groups="base.group_user,l10n_br_credit_bureau.group_credit_analyst",
            company_id=cls.head_office.id,
            company_ids=[(6, 0, (cls.head_office | cls.branch).ids)],
        )

    @classmethod
    def _rules(cls, policy, *rules):
        policy.rule_ids = [fields.Command.clear()] + [
            fields.Command.create(dict({"sequence": 10 * (i + 1)}, **rule))
            for i, rule in enumerate(rules)
        ]
        return policy.rule_ids

    def _consult(self, document, user=None, company=None, **values):
        """A consultation through the wizard, paid again when the document was consulted
        recently (the tests consult the same documents)."""
        values = dict({"confirm_repeat": True, "repeat_reason": "Nova proposta"}, **values)
        return super()._consult(document, user=user, company=company, **values)

    def _decide(self, consultation, policy=None):
        policy = policy or self.policy
        return policy._bureau_evaluate(consultation._bureau_decision_facts(consultation.company_id))


@tagged("post_install", "-at_install")
class TestCreditDecisionRules(DecisionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clean = cls._consult_cls(CLEAN)
        cls.financial = cls._consult_cls(FINANCIAL)
        cls.protest = cls._consult_cls(PROTEST)
        cls.check = cls._consult_cls(CHECK)

    @classmethod
    def _consult_cls(cls, document):
        wizard = (
            cls.env["credit.bureau.consult.wizard"]
            .with_user(cls.consult_user)
            .with_company(cls.branch)
            .create({"document": document, "company_id": cls.branch.id})
        )
        return cls.env["credit.bureau.consultation"].browse(wizard.action_consult()["res_id"])

    def test_each_result_rule_kind(self):
        """Each kind of rule over the normalised result: those it applies to are rejected
        (the rule's decision), the others approved (the policy's decision when no rule
        applies)."""
        self.policy.default_decision = "approved"
        cases = [
            ({"kind": "score", "operator": "between", "value": 0, "value_to": 299}, {"check"}),
            ({"kind": "score", "operator": "le", "value": 399}, {"protest", "check"}),
            ({"kind": "score", "operator": "ge", "value": 800}, {"clean"}),
            ({"kind": "risk_class", "risk_classes": "c, D"}, {"protest", "check"}),
            ({"kind": "default_probability", "operator": "ge", "value": 40}, {"protest", "check"}),
            ({"kind": "financial_count", "operator": "ge", "value": 2}, {"financial"}),
            ({"kind": "financial_amount", "operator": "ge", "value": 400}, {"financial"}),
            ({"kind": "protest_count", "operator": "ge", "value": 1}, {"protest"}),
            ({"kind": "protest_amount", "operator": "ge", "value": 1000}, {"protest"}),
            ({"kind": "check_count", "operator": "ge", "value": 1}, {"check"}),
            (
                {"kind": "total_count", "operator": "between", "value": 1, "value_to": 1},
                {"protest", "check"},
            ),
            ({"kind": "total_amount", "operator": "ge", "value": 1000}, {"protest"}),
            ({"kind": "lawsuit_count", "operator": "ge", "value": 1}, set()),
            ({"kind": "no_score"}, set()),
        ]
        consultations = {
            "clean": self.clean,
            "financial": self.financial,
            "protest": self.protest,
            "check": self.check,
        }
        for rule, applies_to in cases:
            self._rules(self.policy, dict(rule, decision="rejected"))
            for profile, consultation in consultations.items():
                with self.subTest(rule=rule, profile=profile):
                    result = self._decide(consultation)
                    expected = "rejected" if profile in applies_to else "approved"
                    self.assertEqual(result["decision"], expected)
                    self.assertEqual(bool(result["rules"]), profile in applies_to)

    def test_kinds_the_simulator_never_gives(self):
        """Lawsuits and a result without a score: the same rules, on the facts of a real
        consultation where the provider answered them."""
        facts = self.clean._bureau_decision_facts(self.branch)
        lawsuit, no_score = self._rules(
            self.policy,
            {"kind": "lawsuit_count", "operator": "ge", "value": 1, "decision": "review"},
            {"kind": "no_score", "decision": "review"},
        )
        self.assertFalse(lawsuit._bureau_applies(facts))
        self.assertTrue(lawsuit._bureau_applies(dict(facts, lawsuit_count=2)))
        self.assertFalse(no_score._bureau_applies(facts))
        self.assertTrue(no_score._bureau_applies(dict(facts, score=None)))
        amount = self._rules(
            self.policy,
            {"kind": "lawsuit_amount", "operator": "ge", "value": 5000, "decision": "review"},
        )
        self.assertFalse(amount._bureau_applies(dict(facts, lawsuit_amount=4999.99)))
        self.assertTrue(amount._bureau_applies(dict(facts, lawsuit_amount=5000)))
        # A rule on the score never applies to a result without one.
        score = self._rules(self.policy, {"kind": "score", "operator": "le", "value": 1000})
        self.assertFalse(score._bureau_applies(dict(facts, score=None)))

    def test_age_of_the_consultation(self):
        self._rules(
            self.policy,
            {"kind": "consultation_age", "operator": "ge", "value": 30, "decision": "review"},
        )
        self.policy.default_decision = "approved"
        self.assertEqual(self._decide(self.clean)["decision"], "approved")
        self.clean.sudo().write({"date": fields.Datetime.now() - timedelta(days=40)})
        result = self._decide(self.clean)
        self.assertEqual(result["decision"], "review")
        self.assertIn("40", result["reasons"][0])

    def test_the_first_rule_that_applies_decides(self):
        good, class_a = self._rules(
            self.policy,
            {"kind": "score", "operator": "ge", "value": 800, "decision": "approved"},
            {"kind": "risk_class", "risk_classes": "A", "decision": "rejected"},
        )
        result = self._decide(self.clean)
        self.assertEqual(result["decision"], "approved")
        self.assertEqual(result["rules"], good)
        # The same rules in the other order: the other decision.
        class_a.sequence = 1
        result = self._decide(self.clean)
        self.assertEqual(result["decision"], "rejected")
        self.assertEqual(result["rules"], class_a)

    def test_reading_on_the_most_severe_wins_lowest_limit_highest_deposit(self):
        self._rules(
            self.policy,
            {
                "kind": "financial_count",
                "operator": "ge",
                "value": 1,
                "decision": "review",
                "credit_limit": 500,
                "deposit_amount": 50,
                "continue_evaluation": True,
            },
            {
                "kind": "score",
                "operator": "ge",
                "value": 500,
                "decision": "approved",
                "credit_limit": 300,
                "deposit_amount": 120,
            },
            {"kind": "score", "operator": "ge", "value": 0, "decision": "rejected"},
        )
        result = self._decide(self.financial)
        self.assertEqual(result["decision"], "review")
        self.assertEqual(len(result["rules"]), 2)  # the third is never read
        self.assertEqual(len(result["reasons"]), 2)
        self.assertEqual(result["credit_limit"], 300)
        self.assertEqual(result["deposit"], 120)

    def test_the_policys_decision_when_no_rule_applies(self):
        self._rules(self.policy, {"kind": "check_count", "operator": "ge", "value": 1})
        for default in ("approved", "review", "rejected"):
            self.policy.default_decision = default
            result = self._decide(self.clean)
            self.assertEqual(result["decision"], default)
            self.assertFalse(result["rules"])
            self.assertEqual(len(result["reasons"]), 1)

    def test_a_bad_rule_is_refused(self):
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self._rules(self.policy, {"kind": "risk_class", "risk_classes": " , "})
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self._rules(
                self.policy,
                {"kind": "score", "operator": "between", "value": 500, "value_to": 100},
            )
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.env["credit.bureau.policy"].create(
                {"name": "Segunda", "company_id": self.head_office.id}
            )
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.policy.validity_days = -1


@tagged("post_install", "-at_install")
class TestCreditDecisionFlow(DecisionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._rules(
            cls.policy,
            {"kind": "check_count", "operator": "ge", "value": 1, "decision": "rejected"},
            {"kind": "protest_count", "operator": "ge", "value": 1, "decision": "review"},
            {
                "kind": "score",
                "operator": "ge",
                "value": 700,
                "decision": "approved",
                "credit_limit": 1000,
            },
        )
        cls.policy.write({"default_decision": "review", "validity_days": 60})

    def test_every_consultation_gets_its_decision_with_reasons_in_portuguese(self):
        consultation = self._consult(CHECK, partner_id=self.partner.id)
        decision = consultation.decision_id
        self.assertRecordValues(
            decision,
            [
                {
                    "decision": "rejected",
                    "policy_decision": "rejected",
                    "partner_id": self.partner.id,
                    "company_id": self.branch.id,
                    "policy_id": self.policy.id,
                    "user_id": self.consult_user.id,
                    "reused": False,
                }
            ],
        )
        self.assertEqual(consultation.decision, "rejected")
        self.assertIn("Número de cheques sem fundo no mínimo 1", decision.reasons)
        self.assertIn("encontrado: 1", decision.reasons)
        self.assertIn("Reprovado", decision.reasons)
        self.assertEqual(
            decision.valid_until, fields.Date.to_date(consultation.date) + timedelta(days=60)
        )
        # The seller who consulted reads it, on the consultation and on the customer.
        as_seller = consultation.with_user(self.consult_user)
        self.assertEqual(as_seller.decision_reasons, decision.reasons)
        self.assertEqual(self.partner.with_user(self.consult_user).credit_decision, "rejected")
        self.assertIn("Decisão de crédito", consultation.message_ids[0].body)
        # A failed consultation gets none.
        self.integration.dummy_fail = "error"
        failed = self._consult(CLEAN)
        self.assertEqual(failed.state, "failed")
        self.assertFalse(failed.decision_id)
        self.integration.dummy_fail = False
        clean = self._consult(CLEAN)
        self.assertEqual(clean.decision, "approved")
        self.assertEqual(clean.decision_credit_limit, 1000)
        self.assertEqual(
            self.env["credit.bureau.consultation"].search([("decision", "=", "approved")]), clean
        )

    def test_branches_use_the_head_offices_policy_until_they_have_their_own(self):
        Policy = self.env["credit.bureau.policy"]
        self.assertEqual(Policy._bureau_for_company(self.branch), self.policy)
        self.assertEqual(self.branch.with_user(self.consult_user).id, self.branch.id)
        self.assertEqual(self._consult(CLEAN).decision_id.policy_id, self.policy)
        own = Policy.create(
            {
                "name": "Política da filial",
                "company_id": self.branch.id,
                "default_decision": "rejected",
            }
        )
        self.assertEqual(Policy._bureau_for_company(self.branch), own)
        self.assertEqual(Policy._bureau_for_company(self.head_office), self.policy)
        decision = self._consult(CLEAN).decision_id
        self.assertEqual(decision.policy_id, own)
        self.assertEqual(decision.decision, "rejected")
        # Another company has none: its consultations get no decision.
        self.assertFalse(Policy._bureau_for_company(self.other_company))
        # A branch's seller reads the head office's policy; an administrator of the branch
        # alone does not change it.
        self.assertTrue(self.policy.with_user(self.consult_user).rule_ids)
        branch_admin = new_test_user(
            self.env,
            login="cb_branch_admin",
            groups="base.group_user,l10n_br_credit_bureau.group_admin",
            company_id=self.branch.id,
            company_ids=[(6, 0, self.branch.ids)],
        )
        self.assertEqual(self.policy.with_user(branch_admin).name, "Política da matriz")
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.policy.with_user(branch_admin).write({"default_decision": "approved"})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.policy.rule_ids[0].with_user(branch_admin).write({"decision": "approved"})
        own.with_user(branch_admin).write({"default_decision": "approved"})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.policy.with_user(self.consult_user).write({"default_decision": "approved"})

    def test_under_review_goes_to_the_analysts_who_alone_decide(self):
        consultation = self._consult(PROTEST, partner_id=self.partner.id)
        decision = consultation.decision_id.with_context(tracking_disable=False)
        self.assertEqual(decision.decision, "review")
        activity = decision.activity_ids
        self.assertIn(self.analyst, activity.user_id)
        self.assertNotIn(self.consult_user, activity.user_id)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("l10n_br_credit_bureau.mail_activity_type_credit_review"),
        )
        # Nobody writes a decision, not even the administrator, RPC or not.
        for user in (self.consult_user, self.analyst, self.admin_user):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError), self.env.cr.savepoint():
                    decision.with_user(user).write({"decision": "approved"})
                with self.assertRaises(UserError), self.env.cr.savepoint():
                    self.env["credit.bureau.decision"].with_user(user).create(
                        {
                            "consultation_id": consultation.id,
                            "company_id": self.branch.id,
                            "decision": "approved",
                            "policy_decision": "approved",
                        }
                    )
        # The seller may not record the final decision; the analyst may, with a reason.
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            decision.with_user(self.consult_user).action_record_final_decision(
                "approved", "conheço o cliente"
            )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            consultation.with_user(self.consult_user).action_open_review_wizard()
        with self.assertRaises(UserError), self.env.cr.savepoint():
            decision.with_user(self.analyst).action_record_final_decision("approved", "  ")
        wizard = (
            self.env["credit.bureau.decision.review.wizard"]
            .with_user(self.analyst)
            .with_context(tracking_disable=False)
            .create(
                {
                    "decision_id": decision.id,
                    "decision": "approved",
                    "reason": "Protesto quitado, comprovante anexado",
                    "deposit_amount": 150,
                }
            )
        )
        wizard.action_confirm()
        self.env.cr.precommit.run()  # the tracking is logged at commit
        self.assertRecordValues(
            decision,
            [
                {
                    "decision": "approved",
                    "policy_decision": "review",
                    "analyst_id": self.analyst.id,
                    "analyst_reason": "Protesto quitado, comprovante anexado",
                    "deposit_amount": 150,
                }
            ],
        )
        self.assertFalse(decision.activity_ids)  # the to-do is done
        tracked = decision.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("decision", tracked)
        self.assertIn("analyst_reason", tracked)
        self.assertEqual(decision.message_ids[0].author_id, self.analyst.partner_id)
        self.assertEqual(self.partner.credit_decision, "approved")
        # An analyst of another company does not decide for this one.
        outsider = new_test_user(
            self.env,
            login="cb_other_analyst",
            groups="base.group_user,l10n_br_credit_bureau.group_credit_analyst",
            company_id=self.other_company.id,
            company_ids=[(6, 0, self.other_company.ids)],
        )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            decision.with_user(outsider).action_record_final_decision("rejected", "não")

    def test_the_policys_analysts_get_the_to_do(self):
        chosen = new_test_user(
            self.env,
            login="cb_chosen_analyst",
            groups="base.group_user,l10n_br_credit_bureau.group_credit_analyst",
            company_id=self.branch.id,
            company_ids=[(6, 0, self.branch.ids)],
        )
        self.policy.analyst_ids = chosen
        decision = self._consult(PROTEST).decision_id
        self.assertEqual(decision.activity_ids.user_id, chosen)

    def test_the_credit_limit_follows_the_decision_when_the_policy_says_so(self):
        partner = self.partner.with_company(self.branch)
        self._consult(CLEAN, partner_id=self.partner.id)
        self.assertFalse(partner.use_partner_credit_limit)
        self.policy.update_credit_limit = True
        self._consult(CLEAN, partner_id=self.partner.id)
        partner.invalidate_recordset()
        self.assertTrue(partner.use_partner_credit_limit)
        self.assertEqual(partner.credit_limit, 1000)
        self.assertEqual(self.partner.credit_decision_limit, 1000)

    def test_an_earlier_result_decides_again_for_free(self):
        first = self._consult(CLEAN, partner_id=self.partner.id)
        lead = self.env["crm.lead"].create(
            {
                "name": "Fibra 500 Mb",
                "type": "opportunity",
                "credit_document": CLEAN,
                "user_id": self.consult_user.id,
                "company_id": self.branch.id,
            }
        )
        # The lead already shows the latest decision of its document (the customer's) ...
        self.assertEqual(lead.credit_decision, "approved")
        self.assertFalse(lead._credit_latest_decision().lead_id)
        count = self.env["credit.bureau.consultation"].search_count([])
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.consult_user)
            .with_company(self.branch)
            .create({"document": CLEAN, "company_id": self.branch.id, "lead_id": lead.id})
        )
        self.assertTrue(wizard.has_previous)
        self.assertEqual(wizard.previous_decision, "approved")
        action = wizard.action_use_previous()
        decision = self.env["credit.bureau.decision"].browse(action["res_id"])
        self.assertRecordValues(
            decision,
            [
                {
                    "consultation_id": first.id,
                    "lead_id": lead.id,
                    "reused": True,
                    "decision": "approved",
                    "user_id": self.consult_user.id,
                }
            ],
        )
        self.assertEqual(self.env["credit.bureau.consultation"].search_count([]), count)
        first.invalidate_recordset()
        self.assertEqual(first.decision_id, first.decision_id.filtered(lambda d: not d.reused))
        self.assertEqual(first.decision_count, 2)
        # ... and then one of its own, on the same result, without a new consultation.
        lead.invalidate_recordset()
        self.assertEqual(lead._credit_latest_decision(), decision)
        self.assertEqual(lead.credit_decision, "approved")

    def test_decisions_report_approval_rate(self):
        for document in (CLEAN, CLEAN, CHECK, PROTEST):
            self._consult(document, user=self.consult_user)
        self._consult(CLEAN, user=self.analyst, company=self.head_office)
        Decision = self.env["credit.bureau.decision"]
        groups = Decision.formatted_read_group(
            [("company_id", "in", (self.head_office | self.branch).ids)],
            ["company_id", "date:month", "user_id", "provider"],
            ["approval_rate:avg", "__count"],
        )
        by_company = {g["company_id"][0]: g for g in groups}
        self.assertEqual(by_company[self.branch.id]["__count"], 4)
        self.assertEqual(by_company[self.branch.id]["approval_rate:avg"], 50.0)
        self.assertEqual(by_company[self.branch.id]["provider"], "dummy")
        self.assertEqual(by_company[self.head_office.id]["approval_rate:avg"], 100.0)
        self.assertEqual(by_company[self.head_office.id]["user_id"][0], self.analyst.id)
        # A seller reads only the decisions they requested.
        seller_rows = Decision.with_user(self.consult_user).search([])
        self.assertEqual(set(seller_rows.user_id.ids), {self.consult_user.id})
        self.assertEqual(len(Decision.with_user(self.other_user).search([])), 0)

    def test_the_pdf_shows_the_decision(self):
        consultation = self._consult(CHECK)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("l10n_br_credit_bureau.report_consultation", consultation.ids)[0]
            .decode()
        )
        self.assertIn("cb-decision", html)
        self.assertIn(consultation.decision_id.reasons.splitlines()[0], html)


@tagged("post_install", "-at_install")
class TestWonOpportunityGate(DecisionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._rules(
            cls.policy,
            {"kind": "check_count", "operator": "ge", "value": 1, "decision": "rejected"},
            {"kind": "score", "operator": "ge", "value": 700, "decision": "approved"},
        )
        cls.policy.write({"block_won": True, "validity_days": 30})
        cls.manager = new_test_user(
            cls.env,
            login="cb_sales_manager",
            groups="base.group_user,sales_team.group_sale_manager",
            company_id=cls.branch.id,
            company_ids=[(6, 0, (cls.head_office | cls.branch).ids)],
        )

    def _lead(self, document):
        return self.env["crm.lead"].create(
            {
                "name": f"Fibra {document}",
                "type": "opportunity",
                "credit_document": document,
                "user_id": self.consult_user.id,
                "company_id": self.branch.id,
            }
        )

    def test_won_waits_for_an_approved_decision(self):
        lead = self._lead(CHECK)
        as_seller = lead.with_user(self.consult_user).with_context(lang="pt_BR")
        with self.assertRaises(RedirectWarning) as caught, self.env.cr.savepoint():
            as_seller.action_set_won()
        self.assertIn("não tem decisão de crédito", caught.exception.args[0])
        self.assertEqual(caught.exception.args[1]["res_model"], "credit.bureau.consult.wizard")
        self._consult(CHECK, lead_id=lead.id)
        with self.assertRaises(RedirectWarning) as caught, self.env.cr.savepoint():
            as_seller.action_set_won()
        self.assertIn("foi reprovado", caught.exception.args[0])
        self.assertIn("Número de cheques sem fundo", caught.exception.args[0])
        # A drag to the won stage meets the same gate.
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        with self.assertRaises(RedirectWarning), self.env.cr.savepoint():
            as_seller.write({"stage_id": won_stage.id})
        # The seller does not override; nobody writes the override fields.
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            as_seller.action_credit_override("cliente antigo")
        for user in (self.consult_user, self.manager):
            with self.assertRaises(UserError), self.env.cr.savepoint():
                lead.with_user(user).write({"credit_override_reason": "forjado"})
        with self.assertRaises(UserError), self.env.cr.savepoint():
            lead.with_user(self.manager).action_credit_override(" ")
        wizard = (
            self.env["credit.bureau.gate.override.wizard"]
            .with_user(self.manager)
            .create({"res_model": "crm.lead", "res_id": lead.id, "reason": "Contrato com fiador"})
        )
        self.assertIn("Número de cheques sem fundo", wizard.gate_message)
        wizard.action_confirm()
        self.assertEqual(lead.credit_override_user_id, self.manager)
        as_seller.action_set_won()
        self.assertEqual(lead.won_status, "won")

    def test_an_approved_decision_lets_it_be_won_until_it_expires(self):
        lead = self._lead(CLEAN)
        self._consult(CLEAN, lead_id=lead.id)
        consultation = lead.credit_consultation_ids
        self.assertEqual(lead.credit_decision, "approved")
        consultation.sudo().write({"date": fields.Datetime.now() - timedelta(days=45)})
        consultation.decision_id.sudo().write(
            {"valid_until": fields.Date.today() - timedelta(days=15)}
        )
        lead.invalidate_recordset()
        self.assertEqual(lead.credit_decision, "expired")
        with self.assertRaises(RedirectWarning) as caught, self.env.cr.savepoint():
            lead.with_user(self.consult_user).with_context(lang="pt_BR").action_set_won()
        self.assertIn("expirou", caught.exception.args[0])
        self._consult(CLEAN, lead_id=lead.id)
        lead.with_user(self.consult_user).action_set_won()
        self.assertEqual(lead.won_status, "won")

    def test_without_the_policys_switch_nothing_waits(self):
        self.policy.block_won = False
        lead = self._lead(CHECK)
        lead.with_user(self.consult_user).action_set_won()
        self.assertEqual(lead.won_status, "won")


@tagged("post_install", "-at_install")
class TestCreditDecisionHistory(NegativationCommon):
    """Our own history of the customer: open negativations and invoices overdue now."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env["credit.bureau.policy"].create(
            {"name": "Política", "company_id": cls.company.id, "default_decision": "approved"}
        )
        wizard = cls.env["credit.bureau.consult.wizard"].create(
            {"document": cls.debtor.vat, "partner_id": cls.debtor.id}
        )
        cls.consultation = cls.env["credit.bureau.consultation"].browse(
            wizard.action_consult()["res_id"]
        )

    def _result(self, rule):
        self.policy.rule_ids = [
            fields.Command.clear(),
            fields.Command.create(dict(rule, decision="rejected")),
        ]
        return self.policy._bureau_evaluate(self.consultation._bureau_decision_facts(self.company))

    def test_history_rule_kinds(self):
        rules = {
            "overdue_invoices": {"kind": "overdue_invoices", "operator": "ge", "value": 2},
            "overdue_amount": {"kind": "overdue_amount", "operator": "ge", "value": 300},
            "overdue_days": {"kind": "overdue_days", "operator": "ge", "value": 60},
            "open_negativations": {"kind": "open_negativations", "operator": "ge", "value": 1},
        }
        for name, rule in rules.items():
            with self.subTest(name):
                self.assertEqual(self._result(rule)["decision"], "approved")
        self._invoice(days_overdue=-10, amount=500)  # not due yet: does not count
        first = self._invoice(days_overdue=70, amount=200)
        self.assertEqual(self._result(rules["overdue_invoices"])["decision"], "approved")
        self.assertEqual(self._result(rules["overdue_amount"])["decision"], "approved")
        result = self._result(rules["overdue_days"])
        self.assertEqual(result["decision"], "rejected")
        self.assertIn("70", result["reasons"][0])
        self._invoice(days_overdue=10, amount=150)
        self.assertEqual(self._result(rules["overdue_invoices"])["decision"], "rejected")
        self.assertEqual(self._result(rules["overdue_amount"])["decision"], "rejected")
        self.assertEqual(self._result(rules["open_negativations"])["decision"], "approved")
        self.assertTrue(self._negativate(first))
        self.assertEqual(self._result(rules["open_negativations"])["decision"], "rejected")
        # Paid, the invoices no longer count.
        self._pay(first)
        self.assertEqual(self._result(rules["overdue_days"])["decision"], "approved")
