from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.l10n_br_credit_bureau.tests.test_negativation import NegativationCommon

LINE = "credit.control.line"


class CreditControlCommon(NegativationCommon):
    """The core's negativation set-up (a simulated integration on the company, a debtor with
    a complete address) plus OCA's credit control: a policy "Régua de cobrança" whose last
    level negativates, and users with and without the right to negativate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receivable = cls.company_data["default_account_receivable"]
        # The test's own user configures the credit control, as in OCA's tests.
        cls.env.user.group_ids |= cls.env.ref(
            "account_credit_control.group_account_credit_control_manager"
        )
        cls.policy = cls._policy(
            "Régua de cobrança", [("Lembrete", 10, "email"), ("Negativar", 30, "negativate")]
        )
        cls.reminder_level, cls.negativate_level = cls.policy.level_ids.sorted("level")
        # One level only, for the tests that start at the negativation.
        cls.direct_policy = cls._policy("Negativar direto", [("Negativar", 30, "negativate")])
        cls.direct_level = cls.direct_policy.level_ids
        cls.company.credit_policy_id = cls.direct_policy
        cls.controller = new_test_user(
            cls.env,
            login="cc_negativation",
            groups="base.group_user,account.group_account_invoice,"
            "account_credit_control.group_account_credit_control_manager,"
            "l10n_br_credit_bureau.group_negativation",
            company_id=cls.company.id,
            company_ids=[fields.Command.set(cls.company.ids)],
            lang="pt_BR",
        )
        cls.collector = new_test_user(
            cls.env,
            login="cc_only",
            groups="base.group_user,account.group_account_invoice,"
            "account_credit_control.group_account_credit_control_manager",
            company_id=cls.company.id,
            company_ids=[fields.Command.set(cls.company.ids)],
            lang="pt_BR",
        )
        cls.env["res.lang"]._activate_lang("pt_BR")

    @classmethod
    def _policy(cls, name, levels):
        """A policy of the company on its receivable account; ``levels``: (name, days after
        the due date, channel), in order."""
        template = cls.env.ref("account_credit_control.email_template_credit_control_base")
        return cls.env["credit.control.policy"].create(
            {
                "name": name,
                "company_id": cls.company.id,
                "account_ids": [fields.Command.set(cls.receivable.ids)],
                "level_ids": [
                    fields.Command.create(
                        {
                            "name": level_name,
                            "level": number,
                            "computation_mode": "net_days",
                            "delay_days": days,
                            "channel": channel,
                            "email_template_id": template.id,
                            "custom_text": "Lembrete",
                            "custom_mail_text": "<p>Lembrete</p>",
                        }
                    )
                    for number, (level_name, days, channel) in enumerate(levels, start=1)
                ],
            }
        )

    def _user_env(self, user=None):
        """The environment of a user of the interface (in Portuguese, like its users)."""
        return self.env(user=user or self.controller, context=dict(self.env.context, lang="pt_BR"))

    def _run(self, date=None, user=None, policy=None, company=None):
        """A credit-control run created and computed through its form, as a user does;
        returned in the test's environment."""
        company = company or self.company
        # The run's company first, the head office (its policy's) active too.
        companies = list(dict.fromkeys([company.id, self.company.id]))
        env = self._user_env(user)
        form = Form(env["credit.control.run"].with_context(allowed_company_ids=companies))
        form.date = date or self.today
        form.policy_ids.clear()
        form.policy_ids.add(policy or self.direct_policy)
        run = form.save()
        run.generate_credit_lines()
        return run.with_env(self.env)

    def _send(self, lines, user=None):
        """The sending wizard (action Negativate of the lines), through its form."""
        env = self._user_env(user)
        form = Form(
            env["credit.control.negativator"].with_context(active_model=LINE, active_ids=lines.ids)
        )
        wizard = form.save()
        wizard.action_negativate()
        return wizard


@tagged("post_install", "-at_install")
class TestCreditControlNegativation(CreditControlCommon):
    def test_run_wizard_walk_to_negativation(self):
        """The policy's reminder first, then its level Negativate: a run computes the lines,
        the sending wizard previews and queues them, each line shows its negativation."""
        self.company.credit_policy_id = self.policy
        clean = self._invoice(days_overdue=40)
        incomplete = self._debtor("Sem CEP Ltda", "390.533.447-05", zip=False)
        blocked = self._invoice(days_overdue=40, partner=incomplete)

        first = self._run(date=self.today - timedelta(days=20), policy=self.policy)
        self.assertEqual(first.state, "done")
        self.assertEqual(first.line_ids.policy_level_id, self.reminder_level)
        self.assertNotIn("negativate", first.line_ids.mapped("channel"))
        self.assertFalse(self.env["credit.bureau.negativation"].search([]))
        first.line_ids.with_user(self.controller).write({"state": "sent"})  # reminded

        second = self._run(policy=self.policy)
        lines = second.line_ids
        self.assertEqual(lines.policy_level_id, self.negativate_level)
        self.assertEqual(lines.mapped("channel"), ["negativate", "negativate"])
        self.assertEqual(set(lines.mapped("state")), {"draft"})
        self.assertFalse(self.env["credit.bureau.negativation"].search([]))

        wizard = Form(
            self._user_env()["credit.control.negativator"].with_context(
                active_model=LINE, active_ids=lines.ids
            )
        )
        self.assertEqual(wizard.ready_count, 1)
        self.assertEqual(wizard.blocked_count, 1)
        self.assertIn(blocked.name, wizard.blocked_summary)
        self.assertIn("endereço incompleto", wizard.blocked_summary)
        wizard.save().action_negativate()

        line_ok = lines.filtered(lambda line: line.invoice_id == clean)
        line_blocked = lines - line_ok
        negativation = clean.credit_negativation_id
        self.assertRecordValues(
            negativation,
            [
                {
                    "state": "sending",
                    "origin": "credit_control",
                    "integration_id": self.integration.id,
                    "restriction_code": "TI",
                    "user_id": self.controller.id,
                    "amount": 150.0,
                }
            ],
        )
        self.assertRecordValues(
            line_ok,
            [
                {
                    "state": "sent",
                    "date_sent": self.today,
                    "credit_negativation_id": negativation.id,
                    "credit_negativation_state": "sending",
                    "credit_bureau_blockers": False,
                }
            ],
        )
        self.assertEqual(negativation.credit_control_line_ids, line_ok)
        self.assertEqual(line_blocked.state, "error")
        self.assertFalse(line_blocked.credit_negativation_id)
        self.assertFalse(blocked.credit_negativation_id)
        self.assertIn("endereço incompleto", line_blocked.credit_bureau_blockers)
        self.assertIn("Não negativada", line_blocked.message_ids[:1].body)
        self.assertIn("endereço incompleto", line_blocked.message_ids[:1].body)
        self.assertIn(negativation.name, line_ok.message_ids[:1].body)
        self.assertIn("Régua de cobrança", negativation.message_ids[:1].body)

        # The provider's answer reaches the line.
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(line_ok.credit_negativation_state, "pending")
        found = self.env[LINE].search([("credit_negativation_state", "=", "pending")])
        self.assertEqual(found, line_ok)

        # The blocker fixed, the line in error is sent again and goes.
        incomplete.zip = "13010-100"
        self._send(line_blocked)
        self.assertEqual(line_blocked.state, "sent")
        self.assertFalse(line_blocked.credit_bureau_blockers)
        self.assertEqual(line_blocked.credit_negativation_id, blocked.credit_negativation_id)
        self.assertTrue(blocked.credit_negativation_id)

    def test_run_channel_action_negativates_the_lines_to_do(self):
        moves = self._invoice(days_overdue=40) | self._invoice(days_overdue=35, amount=90)
        run = self._run()
        run.with_user(self.controller).set_to_ready_lines()
        self.assertEqual(set(run.line_ids.mapped("state")), {"to_be_sent"})
        run.with_user(self.controller).run_channel_action()
        self.assertEqual(set(run.line_ids.mapped("state")), {"sent"})
        negativations = moves.credit_negativation_id
        self.assertEqual(len(negativations), 2)
        self.assertEqual(set(negativations.mapped("origin")), {"credit_control"})
        self.assertEqual(run.line_ids.credit_negativation_id, negativations)

    def test_level_that_negativates_automatically(self):
        """The run computes the lines and queues them at once (the run's user may not
        negativate: the level was configured by someone who may); a partner in manual
        follow-up waits for a user; the report counts what happened."""
        self.direct_level.with_user(self.controller).credit_bureau_auto_send = True
        move = self._invoice(days_overdue=40)
        manual = self._debtor("Acompanhamento Manual", "390.533.447-05")
        manual.manual_followup = True
        waiting = self._invoice(days_overdue=40, partner=manual)
        opted_out = self._debtor(
            "Não Negativar", "111.444.777-35", credit_bureau_no_negativation=True
        )
        refused = self._invoice(days_overdue=40, partner=opted_out)
        run = self._run(user=self.collector)
        by_move = {line.invoice_id: line for line in run.line_ids}
        self.assertEqual(by_move[move].state, "sent")
        self.assertEqual(by_move[move].credit_negativation_id, move.credit_negativation_id)
        self.assertEqual(move.credit_negativation_id.user_id, self.collector)
        self.assertEqual(by_move[waiting].state, "draft")
        self.assertFalse(waiting.credit_negativation_id)
        self.assertEqual(by_move[refused].state, "error")
        self.assertIn('marcado como "Não negativar"', by_move[refused].credit_bureau_blockers)
        self.assertIn("1 linha(s) negativada(s), 1 bloqueada(s)", run.report)

    def test_payment_removes_whatever_the_line_says(self):
        sent_line_move = self._invoice(days_overdue=40)
        draft_line_move = self._invoice(days_overdue=40, amount=200)
        run = self._run()
        sent_line = run.line_ids.filtered(lambda line: line.invoice_id == sent_line_move)
        draft_line = run.line_ids - sent_line
        self._send(sent_line)
        # The other invoice negativated outside credit control: its line stays a draft.
        self._negativate(draft_line_move)
        self.assertEqual(draft_line.state, "draft")
        Negativation = self.env["credit.bureau.negativation"]
        Negativation._cron_send()
        for move in sent_line_move | draft_line_move:
            self._pay(move)
        Negativation._cron_remove()
        self.assertEqual(sent_line.credit_negativation_state, "removed")
        self.assertEqual(sent_line.state, "sent")
        self.assertEqual(draft_line.state, "draft")
        removed = Negativation.search([("move_id", "in", (sent_line_move | draft_line_move).ids)])
        self.assertEqual(removed.mapped("state"), ["removed", "removed"])
        self.assertEqual(set(removed.mapped("removal_code")), {"01"})

    def test_invoice_already_negativated_is_followed(self):
        move = self._invoice(days_overdue=40)
        negativation = self._negativate(move)
        line = self._run().line_ids
        self._send(line)
        self.assertEqual(line.state, "sent")
        self.assertEqual(line.credit_negativation_id, negativation)
        self.assertEqual(self.env["credit.bureau.negativation"].search([]), negativation)
        self.assertIn(negativation.name, line.message_ids[:1].body)
        self.assertIn("já tem a negativação", line.message_ids[:1].body)

    def test_branch_integration(self):
        """The invoice of a branch with its own integration goes to that one; the run is the
        branch's."""
        self.company.write({"child_ids": [fields.Command.create({"name": "Filial Sul"})]})
        self.env.cr.precommit.run()  # the branch shares the head office's chart
        branch = self.company.child_ids
        branch.credit_policy_id = self.direct_policy
        self.controller.company_ids |= branch
        own = self.env["credit.bureau.integration"].create(
            {"name": "Filial Sul própria", "provider": "dummy", "company_id": branch.id}
        )
        own.action_sync_products()
        own.default_restriction_code_id = own.restriction_code_ids.filtered(
            lambda c: c.code == "TI"
        )
        move = self._invoice(days_overdue=40, company=branch)
        run = self._run(company=branch)
        self.assertEqual(run.company_id, branch)
        self.assertEqual(run.line_ids.invoice_id, move)
        self._send(run.line_ids)
        self.assertRecordValues(
            move.credit_negativation_id,
            [{"integration_id": own.id, "company_id": branch.id, "origin": "credit_control"}],
        )

    def test_installments_of_one_invoice_get_one_negativation(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "Duas parcelas",
                "line_ids": [
                    fields.Command.create({"value": "percent", "value_amount": 50, "nb_days": 0}),
                    fields.Command.create({"value": "percent", "value_amount": 50, "nb_days": 5}),
                ],
            }
        )
        move = (
            self.env["account.move"]
            .with_company(self.company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.debtor.id,
                    "invoice_date": self.today - timedelta(days=60),
                    "invoice_payment_term_id": term.id,
                    "invoice_line_ids": [
                        fields.Command.create(
                            {"name": "Plano fibra", "quantity": 1, "price_unit": 300, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        move.action_post()
        lines = self._run().line_ids
        self.assertEqual(len(lines), 2)
        self.assertEqual(lines.invoice_id, move)
        self._send(lines)
        negativation = move.credit_negativation_id
        self.assertEqual(len(negativation), 1)
        self.assertEqual(lines.credit_negativation_id, negativation)
        self.assertEqual(set(lines.mapped("state")), {"sent"})
        self.assertEqual(negativation.amount, 300.0)

    def test_rights(self):
        """Sending needs the negativation right; so does making a level negativate; the
        line's negativation is written by sending only."""
        self._invoice(days_overdue=40)
        lines = self._run(user=self.collector).line_ids
        with self.assertRaises(AccessError):
            self._send(lines, user=self.collector)
        with self.assertRaisesRegex(UserError, "Negativação: gerenciar"):
            lines.with_env(self._user_env(self.collector))._bureau_negativate()
        run = lines.run_id.with_env(self._user_env(self.collector))
        run.set_to_ready_lines()
        with self.assertRaisesRegex(UserError, "Nada foi enviado"):
            run.run_channel_action()
        self.assertFalse(self.env["credit.bureau.negativation"].search([]))
        with self.assertRaisesRegex(UserError, "Negativação: gerenciar"):
            self.reminder_level.with_env(self._user_env(self.collector)).channel = "negativate"
        with self.assertRaisesRegex(UserError, "Negativação: gerenciar"):
            self.direct_level.with_env(
                self._user_env(self.collector)
            ).credit_bureau_auto_send = True
        # What is not about negativating stays open to them.
        self.direct_level.with_env(self._user_env(self.collector)).delay_days = 45
        other = self._negativate(self._invoice(days_overdue=50, amount=70))
        with self.assertRaisesRegex(UserError, "Nada foi alterado"):
            lines.with_env(self._user_env()).write({"credit_negativation_id": other.id})
        with self.assertRaisesRegex(UserError, "Nada foi alterado"):
            lines.with_env(self._user_env()).write({"credit_bureau_blockers": "x"})
        self.assertFalse(lines.credit_negativation_id)

    def test_printing_leaves_the_negativation_lines(self):
        self.company.credit_policy_id = self.policy
        self._invoice(days_overdue=40)
        first = self._run(date=self.today - timedelta(days=20), policy=self.policy)
        first.line_ids.write({"state": "sent"})
        lines = self._run(policy=self.policy).line_ids
        lines.write({"state": "to_be_sent"})
        printer = (
            self._user_env()["credit.control.printer"]
            .with_context(active_model=LINE, active_ids=lines.ids)
            .create({})
        )
        with self.assertRaisesRegex(UserError, "Negativar"):
            printer.print_lines()
        self.assertEqual(lines.state, "to_be_sent")
        self.assertFalse(lines.credit_negativation_id)

    def test_integration_without_default_natureza(self):
        self.integration.default_restriction_code_id = False
        move = self._invoice(days_overdue=40)
        line = self._run().line_ids
        self._send(line)
        self.assertEqual(line.state, "error")
        self.assertIn("natureza", line.credit_bureau_blockers)
        self.assertFalse(move.credit_negativation_id)

    def test_channel_in_portuguese(self):
        env = self.env(context=dict(self.env.context, lang="pt_BR"))
        for model in ("credit.control.policy.level", LINE):
            selection = dict(env[model].fields_get(["channel"])["channel"]["selection"])
            self.assertEqual(selection["negativate"], "Negativar")
        origins = dict(
            env["credit.bureau.negativation"].fields_get(["origin"])["origin"]["selection"]
        )
        self.assertEqual(origins["credit_control"], "Controle de crédito")
