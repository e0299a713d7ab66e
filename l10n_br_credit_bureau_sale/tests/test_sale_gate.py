"""A sale order is confirmed only for a customer whose latest credit decision approves it:
Reprovado, Em análise, expired or missing refuse it with the reason and a button to
consult; a sales manager overrides it with a reason (tracked)."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.l10n_br_credit_bureau.tests.common import CreditBureauCommon

CLEAN = "100.000.028-10"  # the simulated provider: score 850-899, nothing recorded
PROTEST = "100.000.098-22"  # score 350-399, one protest
CHECK = "100.000.021-43"  # score 100-149, one bounced check


@tagged("post_install", "-at_install")
class TestSaleGate(CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pt_BR")
        (cls.head_office | cls.branch).partner_id.lang = "pt_BR"
        cls.policy = cls.env["credit.bureau.policy"].create(
            {
                "name": "Política",
                "company_id": cls.head_office.id,
                "validity_days": 30,
                "default_decision": "review",
                "rule_ids": [
                    fields.Command.create(
                        {
                            "kind": "check_count",
                            "operator": "ge",
                            "value": 1,
                            "decision": "rejected",
                        }
                    ),
                    fields.Command.create(
                        {
                            "kind": "protest_count",
                            "operator": "ge",
                            "value": 1,
                            "decision": "review",
                        }
                    ),
                    fields.Command.create(
                        {"kind": "score", "operator": "ge", "value": 700, "decision": "approved"}
                    ),
                ],
            }
        )
        cls.seller = cls.consult_user
        cls.manager = new_test_user(
            cls.env,
            login="cb_sale_manager",
            groups="base.group_user,sales_team.group_sale_manager",
            company_id=cls.branch.id,
            company_ids=[(6, 0, (cls.head_office | cls.branch).ids)],
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Plano fibra 500 Mb", "list_price": 119.9, "type": "service"}
        )

    def _customer(self, document, name="Cliente"):
        return self.env["res.partner"].create(
            {"name": name, "vat": document, "company_id": self.branch.id, "user_id": self.seller.id}
        )

    def _order(self, partner):
        return (
            self.env["sale.order"]
            .with_company(self.branch)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": self.branch.id,
                    "user_id": self.seller.id,
                    "order_line": [fields.Command.create({"product_id": self.product.id})],
                }
            )
        )

    def _confirm(self, order, user=None):
        return (
            order.with_user(user or self.seller)
            .with_company(self.branch)
            .with_context(lang="pt_BR")
            .action_confirm()
        )

    def _consult_for(self, partner, **values):
        values.setdefault("confirm_repeat", True)
        values.setdefault("repeat_reason", "Nova venda")
        return self._consult(partner.vat, partner_id=partner.id, **values)

    def test_missing_rejected_and_review_decisions_block_the_confirmation(self):
        partner = self._customer(CHECK, "Cliente Cheque")
        order = self._order(partner)
        with self.assertRaises(RedirectWarning) as caught, self.env.cr.savepoint():
            self._confirm(order)
        self.assertIn("não tem decisão de crédito", caught.exception.args[0])
        action = caught.exception.args[1]
        self.assertEqual(action["res_model"], "credit.bureau.consult.wizard")
        self.assertEqual(action["context"]["default_partner_id"], partner.id)
        self.assertEqual(caught.exception.args[2], "Consultar análise de crédito")
        self.assertTrue(order.credit_gate_message)
        self._consult_for(partner)
        with self.assertRaises(RedirectWarning) as caught, self.env.cr.savepoint():
            self._confirm(order)
        self.assertIn("foi reprovado", caught.exception.args[0])
        self.assertIn("Número de cheques sem fundo", caught.exception.args[0])
        self.assertEqual(order.state, "draft")
        # Em análise waits for the analyst too.
        reviewed = self._customer(PROTEST, "Cliente Protesto")
        self._consult_for(reviewed)
        with self.assertRaises(RedirectWarning) as caught, self.env.cr.savepoint():
            self._confirm(self._order(reviewed))
        self.assertIn("está em análise", caught.exception.args[0])

    def test_an_approved_decision_confirms_until_it_expires(self):
        partner = self._customer(CLEAN, "Cliente Limpo")
        contact = self.env["res.partner"].create(
            {"name": "Contato", "parent_id": partner.id, "type": "invoice"}
        )
        consultation = self._consult_for(partner)
        self.assertEqual(consultation.decision, "approved")
        # The decision of the customer counts for its contacts' orders too.
        order = self._order(contact)
        self.assertFalse(order.credit_gate_message)
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        consultation.decision_id.sudo().write(
            {"valid_until": fields.Date.today() - timedelta(days=1)}
        )
        late = self._order(partner)
        with self.assertRaises(RedirectWarning) as caught, self.env.cr.savepoint():
            self._confirm(late)
        self.assertIn("expirou", caught.exception.args[0])
        self._consult_for(partner)
        self._confirm(late)
        self.assertEqual(late.state, "sale")

    def test_a_sales_manager_overrides_with_a_reason(self):
        partner = self._customer(CHECK, "Cliente Cheque")
        self._consult_for(partner)
        order = self._order(partner).with_context(tracking_disable=False)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            order.with_user(self.seller).action_credit_override("cliente antigo")
        for user in (self.seller, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError), self.env.cr.savepoint():
                    order.with_user(user).write(
                        {"credit_override_user_id": user.id, "credit_override_reason": "x"}
                    )
        with self.assertRaises(UserError), self.env.cr.savepoint():
            order.with_user(self.manager).action_credit_override("")
        action = order.with_user(self.manager).action_open_credit_override_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(action["context"], tracking_disable=False)
            .create({"reason": "Pagamento antecipado de 12 meses"})
        )
        self.assertIn("Número de cheques sem fundo", wizard.gate_message)
        wizard.action_confirm()
        self.env.cr.precommit.run()  # the tracking is logged at commit
        self.assertRecordValues(
            order,
            [
                {
                    "credit_override_user_id": self.manager.id,
                    "credit_override_reason": "Pagamento antecipado de 12 meses",
                    "credit_gate_message": False,
                }
            ],
        )
        tracked = order.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("credit_override_reason", tracked)
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        # Another order of the same customer is still blocked.
        with self.assertRaises(RedirectWarning), self.env.cr.savepoint():
            self._confirm(self._order(partner))

    def test_without_the_policys_switch_or_a_policy_nothing_waits(self):
        partner = self._customer(CHECK, "Cliente Cheque")
        self.policy.block_sale = False
        order = self._order(partner)
        self.assertFalse(order.credit_gate_message)
        self._confirm(order)
        self.assertEqual(order.state, "sale")
        self.policy.block_sale = True
        self.policy.active = False
        other = self._order(partner)
        self._confirm(other)
        self.assertEqual(other.state, "sale")
