from datetime import date, timedelta
from unittest.mock import patch

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..models.br_calendar import add_business_days, national_holidays
from ..models.credit_bureau_integration import AUTO_RUN_LOCK
from ..tools import CreditBureauError
from .common import DOCUMENTS_AS_IS, LoopbackRequestsMixin


class NegativationCommon(LoopbackRequestsMixin, AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        cls.integration = cls.env["credit.bureau.integration"].create(
            {"name": "Simulado", "provider": "dummy", "company_id": cls.company.id}
        )
        cls.integration.action_sync_products()
        cls.integration.default_removal_code_id = cls.integration.removal_code_ids.filtered(
            lambda c: c.code == "01"
        )
        cls.integration.default_restriction_code_id = cls.integration.restriction_code_ids.filtered(
            lambda c: c.code == "TI"
        )
        cls.sp = cls.env["res.country.state"].search(
            [("code", "=", "SP"), ("country_id.code", "=", "BR")], limit=1
        )
        cls.debtor = cls._debtor("João da Silva", "529.982.247-25")
        cls.today = fields.Date.context_today(cls.integration)
        cls.manager = new_test_user(
            cls.env,
            login="neg_manager",
            groups="base.group_user,account.group_account_invoice,"
            "l10n_br_credit_bureau.group_negativation",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    @classmethod
    def _debtor(cls, name, vat, **values):
        # The address in the fields of this database's Brazilian localization (Odoo's
        # l10n_br or OCA's l10n_br_base): the same tests run in both (setup/test).
        Partner = cls.env["res.partner"]
        address = Partner._bureau_address_values(
            {
                "street": "Rua das Flores",
                "number": "100",
                "district": "Centro",
                "zip": "13010-100",
                "city": "Campinas",
                "state": "SP",
            }
        )
        partner = Partner.with_context(**DOCUMENTS_AS_IS).create(
            dict(address, name=name, vat=vat, phone="(19) 99999-0000", **values)
        )
        return partner.with_env(cls.env)

    @classmethod
    def _invoice(cls, days_overdue=40, amount=150.0, partner=None, company=None):
        due = fields.Date.context_today(cls.integration) - timedelta(days=days_overdue)
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": (partner or cls.debtor).id,
                    "company_id": company.id,
                    "invoice_date": due,
                    "invoice_line_ids": [
                        fields.Command.create(
                            {
                                "name": "Plano fibra 300MB",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )
        move.write({"invoice_payment_term_id": False, "invoice_date_due": due})
        move.action_post()
        return move

    def _pay(self, move, amount=None):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create(
            {"amount": amount or move.amount_residual, "payment_date": self.today}
        )._create_payments()

    def _pending(self, move):
        """A negativation sent, waiting for the provider's status."""
        Negativation = self.env["credit.bureau.negativation"].sudo()
        return Negativation.create(
            dict(
                Negativation._bureau_prepare(move, self.integration, origin="manual"),
                state="pending",
                reference=f"SIM-{move.id}",
                sent_date=fields.Datetime.now(),
                attempts=1,
            )
        )

    def _negativate(self, moves, **values):
        wizard = (
            self.env["credit.bureau.mass.negativate.wizard"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create(values)
        )
        wizard.action_negativate()
        return self.env["credit.bureau.negativation"].search([("move_id", "in", moves.ids)])


@tagged("post_install", "-at_install")
class TestNegativation(NegativationCommon):
    def test_blockers_are_listed_before_anything_is_sent(self):
        Negativation = self.env["credit.bureau.negativation"].with_context(lang="en_US")
        incomplete = self._debtor("Sem Número", "390.533.447-05", street_number=False, zip=False)
        cases = {
            "not overdue": (self._invoice(days_overdue=-5), "not overdue"),
            "paid": (self._invoice(), "is paid"),
            "too small": (self._invoice(amount=9.99), "minimum"),
            "five years": (self._invoice(days_overdue=5 * 366 + 2), "five years"),
            "address": (self._invoice(partner=incomplete), "incomplete address"),
        }
        self._pay(cases["paid"][0])
        for label, (move, expected) in cases.items():
            with self.subTest(label):
                blockers = Negativation._bureau_blockers(move, self.integration)
                self.assertTrue(any(expected in b for b in blockers), blockers)
        bad_document = self._debtor("Documento Ruim", "111.111.111-11")
        blockers = Negativation._bureau_blockers(
            self._invoice(partner=bad_document), self.integration
        )
        self.assertTrue(blockers)
        opted_out = self._debtor(
            "Não Negativar", "390.533.447-05", credit_bureau_no_negativation=True
        )
        self.assertTrue(
            Negativation._bureau_blockers(self._invoice(partner=opted_out), self.integration)
        )
        clean = self._invoice()
        self.assertEqual(Negativation._bureau_blockers(clean, self.integration), [])
        self.assertTrue(Negativation._bureau_blockers(clean, self.env["credit.bureau.integration"]))
        # Nothing was created by checking.
        self.assertFalse(self.env["credit.bureau.negativation"].search([]))

    def test_manual_flow_and_state_walk(self):
        move = self._invoice()
        action = move.action_credit_negativate()
        wizard = (
            self.env[action["res_model"]]
            .with_context(action["context"], active_model="account.move", active_ids=move.ids)
            .create({})
        )
        self.assertEqual(wizard.ok_count, 1)
        wizard.action_negativate()
        negativation = move.credit_negativation_id
        self.assertRecordValues(
            negativation,
            [
                {
                    "state": "sending",
                    "origin": "manual",
                    "partner_id": self.debtor.id,
                    "document": "52998224725",
                    "amount": 150.0,
                    "restriction_code": "TI",
                    "integration_id": self.integration.id,
                }
            ],
        )
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(negativation.state, "pending")
        self.assertTrue(negativation.reference.startswith("SIM-"))
        self.assertEqual(negativation.expected_visible_date, self.today + timedelta(days=10))
        self.assertFalse(negativation.outcome_unknown)
        self.env["credit.bureau.negativation"]._cron_poll_status()
        self.assertEqual(negativation.state, "active")
        bodies = " ".join(negativation.message_ids.mapped("body"))
        self.assertIn(negativation.reference, bodies)
        # A second negativation of the same invoice is refused, before and by the database.
        self.assertTrue(
            self.env["credit.bureau.negativation"]._bureau_blockers(move, self.integration)
        )
        with self.assertRaises(UserError):
            self.env["credit.bureau.negativation"].create({"move_id": move.id})
        values = self.env["credit.bureau.negativation"]._bureau_prepare(
            move, self.integration, origin="manual"
        )
        unchecked = (
            self.env["credit.bureau.negativation"]
            .sudo()
            .with_context(credit_bureau_prechecked=True)
        )
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.cr.savepoint(),
        ):
            unchecked.create(values)
        # Manual removal with a reason: the integration's default code is proposed.
        proposed = self.env["credit.bureau.negativation.remove.wizard"].new(
            {"negativation_ids": [fields.Command.set(negativation.ids)]}
        )
        self.assertTrue(self.integration.default_removal_code_id)
        self.assertEqual(proposed.removal_code_id, self.integration.default_removal_code_id)
        wizard = self.env["credit.bureau.negativation.remove.wizard"].create(
            {
                "negativation_ids": [fields.Command.set(negativation.ids)],
                "removal_code_id": self.integration.removal_code_ids.filtered(
                    lambda c: c.code == "02"
                ).id,
            }
        )
        wizard.action_remove()
        self.assertEqual(negativation.state, "removal_requested")
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(negativation.state, "removed")
        self.assertEqual(negativation.removal_code, "02")
        # Once removed, the invoice may be negativated again.
        self.assertEqual(
            self.env["credit.bureau.negativation"]._bureau_blockers(move, self.integration), []
        )

    def test_timeout_then_status_never_resends_blindly(self):
        Integration = type(self.integration)
        calls = []
        original = Integration._bureau_include

        def counting(integration, debt):
            calls.append(debt["contract"])
            return original(integration, debt)

        self.patch(Integration, "_bureau_include", counting)
        negativation = self._negativate(self._invoice())
        self.integration.dummy_fail = "timeout"
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(negativation.state, "error")
        self.assertTrue(negativation.outcome_unknown)
        self.assertTrue(negativation.next_retry)
        self.assertEqual(len(calls), 1)
        # The provider did receive it: the retry asks first and does not send again.
        self.integration.dummy_fail = "timeout_after_commit"
        negativation.sudo().next_retry = fields.Datetime.now() - timedelta(minutes=1)
        self.env["credit.bureau.negativation"]._cron_retry_errors()
        self.assertEqual(negativation.state, "pending")
        self.assertTrue(negativation.reference)
        self.assertEqual(len(calls), 1)
        # Another one the provider never received: asked first, then sent.
        self.integration.dummy_fail = "timeout"
        other = self._negativate(self._invoice(amount=300))
        self.env["credit.bureau.negativation"]._cron_send()
        self.integration.dummy_fail = False
        other.action_send_now()
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(other.state, "pending")
        self.assertEqual(len(calls), 3)

    def test_crash_in_a_batch_and_rerun(self):
        moves = self._invoice() | self._invoice(amount=200) | self._invoice(amount=250)
        negativations = self._negativate(moves).sorted("id")
        Integration = type(self.integration)
        original = Integration._bureau_include
        sent = []

        def flaky(integration, debt):
            if debt["amount"] == 200:
                raise RuntimeError("worker died")
            sent.append(debt["amount"])
            return original(integration, debt)

        self.patch(Integration, "_bureau_include", flaky)
        with mute_logger(
            "odoo.addons.l10n_br_credit_bureau.models.credit_bureau_negativation_send"
        ):
            self.env["credit.bureau.negativation"]._cron_send()
        crashed = negativations.filtered(lambda n: n.amount == 200)
        self.assertEqual(crashed.state, "error")
        self.assertTrue(crashed.outcome_unknown)
        self.assertEqual(set((negativations - crashed).mapped("state")), {"pending"})
        self.assertEqual(sorted(sent), [150.0, 250.0])
        # Re-running sends nothing twice.
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(sorted(sent), [150.0, 250.0])
        self.assertTrue(negativations[0].batch_id)
        self.assertEqual(negativations[0].batch_id.state, "done")

    def test_process_killed_after_the_commit_then_rerun(self):
        """The cron process died between its commit ("outcome unknown") and the provider's
        answer: the records are still "sending". The next run asks before sending, and
        adopts what the provider had received instead of including it twice."""
        reached, lost = self._negativate(self._invoice() | self._invoice(amount=200))
        # The state the commit before the calls leaves when the process dies right after.
        (reached | lost).sudo().write({"outcome_unknown": True, "attempts": 1})
        Integration = type(self.integration)
        original_include = Integration._bureau_include
        calls = []

        def find(integration, debt):
            calls.append(("find", debt["amount"]))
            if debt["amount"] == reached.amount:
                return {"reference": "SIM-REACHED", "state": "pending", "message": "ok"}
            return None

        def include(integration, debt):
            calls.append(("include", debt["amount"]))
            return original_include(integration, debt)

        self.patch(Integration, "_bureau_find_inclusion", find)
        self.patch(Integration, "_bureau_include", include)
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(
            sorted(calls),
            sorted([("find", reached.amount), ("find", lost.amount), ("include", lost.amount)]),
        )
        self.assertEqual(reached.reference, "SIM-REACHED")
        self.assertEqual((reached | lost).mapped("state"), ["pending", "pending"])
        self.assertEqual((reached | lost).mapped("attempts"), [2, 2])
        self.assertFalse(any((reached | lost).mapped("outcome_unknown")))

    def test_removal_on_payment_and_partial_payment(self):
        full, partial = self._invoice(), self._invoice(amount=400)
        negativations = self._negativate(full | partial)
        self.env["credit.bureau.negativation"]._cron_send()
        full_neg = negativations.filtered(lambda n: n.move_id == full)
        partial_neg = negativations - full_neg
        self._pay(partial, 100)
        self.assertFalse(partial_neg.invoice_paid)
        self.assertEqual(partial_neg.amount_residual, 300)
        self._pay(full)
        self.assertTrue(full_neg.invoice_paid)
        self.assertEqual(full_neg.paid_date, self.today)
        self.assertEqual(full_neg.removal_deadline, add_business_days(self.today, 5))
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(full_neg.state, "removed")
        self.assertEqual(full_neg.removal_code, "01")
        self.assertIn(partial_neg.state, ("pending", "active"))

    def test_paid_while_waiting_for_a_retry_is_not_sent(self):
        never_left, maybe_sent = self._negativate(self._invoice() | self._invoice(amount=90))
        self.integration.dummy_fail = "error"
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual((never_left | maybe_sent).mapped("state"), ["error", "error"])
        maybe_sent.sudo().outcome_unknown = True  # as after a timeout
        self.integration.dummy_fail = False
        for negativation in never_left | maybe_sent:
            self._pay(negativation.move_id)
        (never_left | maybe_sent).sudo().write({"next_retry": fields.Datetime.now()})
        self.env["credit.bureau.negativation"]._cron_retry_errors()
        # Nothing is included: the one that never left is cancelled, the other one's
        # removal goes through the lookup of what the provider may have received.
        self.assertEqual(never_left.state, "cancelled")
        self.assertFalse(never_left.reference)
        self.assertIn(maybe_sent.state, ("cancelled", "removal_requested", "removed"))
        self.assertFalse(maybe_sent.reference)

    def test_failed_removal_alarms_and_shows_late(self):
        negativation = self._negativate(self._invoice())
        self.env["credit.bureau.negativation"]._cron_send()
        self._pay(negativation.move_id)
        self.integration.dummy_fail = "error"
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(negativation.state, "removal_requested")
        self.assertTrue(negativation.activity_ids)
        negativation.sudo().removal_deadline = self.today - timedelta(days=1)
        late = self.env["credit.bureau.negativation"].search([("removal_late", "=", True)])
        self.assertEqual(late, negativation)
        # Retried once its pause is over (not at once: the job runs until nothing is due).
        self.assertGreater(negativation.next_retry, fields.Datetime.now())
        self.integration.dummy_fail = False
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(negativation.state, "removal_requested")
        negativation.sudo().next_retry = fields.Datetime.now() - timedelta(minutes=1)
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(negativation.state, "removed")
        self.assertFalse(negativation.activity_ids)
        self.assertFalse(
            self.env["credit.bureau.negativation"].search([("removal_late", "=", True)])
        )

    def test_five_year_removal(self):
        negativation = self._negativate(self._invoice(days_overdue=400))
        self.env["credit.bureau.negativation"]._cron_send()
        negativation.sudo().due_date = self.today - relativedelta(years=5, days=1)
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(negativation.state, "removed")
        self.assertIn("43", negativation.removal_reason)

    def test_mass_negativation_in_background_with_summary(self):
        other = self._debtor("Maria Souza", "390.533.447-05")
        incomplete = self._debtor("Sem CEP", "111.444.777-35", zip=False)
        moves = self._invoice() | self._invoice(partner=other) | self._invoice(partner=incomplete)
        wizard = (
            self.env["credit.bureau.mass.negativate.wizard"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({})
        )
        self.assertEqual((wizard.ok_count, wizard.blocked_count, wizard.debtor_count), (2, 1, 2))
        self.assertEqual(wizard.ok_amount, 300)
        action = wizard.action_negativate()
        batch = self.env["credit.bureau.negativation.batch"].browse(action["res_id"])
        self.assertEqual((batch.total_count, batch.sending_count, batch.refused_count), (2, 2, 1))
        self.assertIn(incomplete.name, batch.refused_summary)
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual((batch.sent_count, batch.state), (2, "done"))
        self.assertIn("2", batch.message_ids[0].body)
        # The filter of the wizard: overdue for more than N days, at least X.
        wizard = self.env["credit.bureau.mass.negativate.wizard"].create(
            {"days_overdue": 30, "min_amount": 100}
        )
        wizard.action_apply_filter()
        self.assertEqual(wizard.move_ids, moves)

    def test_batch_summary_email_goes_through_the_mail_queue(self):
        # The author of a mass negativation notified by email: the summary is queued and the
        # mail queue's scheduled action triggered; the sending job sends no email itself.
        author = new_test_user(
            self.env,
            login="neg_author",
            email="autor@example.com",
            groups="base.group_user",
            notification_type="email",
        )
        batch = self._negativate(self._invoice()).batch_id
        batch.sudo().user_id = author
        mail_queue = self.env.ref("mail.ir_cron_mail_scheduler_action")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", mail_queue.id)])
        with patch.object(type(self.env["mail.mail"]), "send") as send:
            self.env["credit.bureau.negativation"]._cron_send()
            self.env.cr.flush()
            self.env.cr.postcommit.run()
        self.assertEqual(batch.state, "done")
        send.assert_not_called()
        mail = self.env["mail.mail"].search(
            [("model", "=", batch._name), ("res_id", "=", batch.id)]
        )
        self.assertEqual(mail.mapped("state"), ["outgoing"])
        self.assertIn(author.partner_id, mail.recipient_ids)
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", mail_queue.id)]),
            len(triggers),
        )

    def test_a_batch_that_fails_to_close_is_closed_by_the_next_run(self):
        # The batch is closed with the last outcomes, apart from them: a failure there
        # (after it wrote) takes back the close alone; the next run closes the batch.
        negativation = self._negativate(self._invoice())
        batch = negativation.batch_id
        Batch = type(self.env["credit.bureau.negativation.batch"])
        original = Batch._bureau_close_finished

        def failing(batches):
            original(batches)
            raise RuntimeError("mail server down")

        with (
            patch.object(Batch, "_bureau_close_finished", failing),
            mute_logger("odoo.addons.l10n_br_credit_bureau.models.credit_bureau_negativation_send"),
        ):
            self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(negativation.state, "pending")
        self.assertTrue(negativation.reference)
        self.assertEqual(batch.state, "running")
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(batch.state, "done")
        self.assertIn("1", batch.message_ids[0].body)

    def test_permissions(self):
        move = self._invoice()
        plain = new_test_user(
            self.env, login="neg_plain", groups="base.group_user,account.group_account_invoice"
        )
        with self.assertRaises(AccessError):
            self.env["credit.bureau.mass.negativate.wizard"].with_user(plain).with_context(
                active_model="account.move", active_ids=move.ids
            ).create({})
        negativation = self.env["credit.bureau.negativation"].with_user(self.manager)
        wizard = (
            self.env["credit.bureau.mass.negativate.wizard"]
            .with_user(self.manager)
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({})
        )
        wizard.action_negativate()
        self.assertTrue(negativation.search([("move_id", "=", move.id)]))
        with self.assertRaises(AccessError):
            self.env["credit.bureau.negativation"].search([("move_id", "=", move.id)]).with_user(
                plain
            ).read(["state"])

    def test_invoice_form_for_users_without_negativation_groups(self):
        negativation = self._negativate(self._invoice())
        move = negativation.move_id
        plain = new_test_user(
            self.env,
            login="neg_invoicing",
            groups="base.group_user,account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        # The invoice form opens and reads for a user who may not see negativations...
        with Form(move.with_user(plain)) as form:
            self.assertEqual(form.name, move.name)
        views = move.with_user(plain).get_views([(False, "form")])
        arch = views["views"]["form"]["arch"]
        self.assertNotIn("credit_negativation", arch)
        names = views["models"]["account.move"]["fields"]
        self.assertFalse([name for name in names if name.startswith("credit_negativation")])
        move.with_user(plain).web_read({name: {} for name in names})
        with self.assertRaises(AccessError):
            move.with_user(plain).read(["credit_negativation_id"])
        with Form(self.debtor.with_user(plain)) as form:
            self.assertEqual(form.name, self.debtor.name)
        # ... while a negativation manager sees the badge and the smart button.
        arch = move.with_user(self.manager).get_views([(False, "form")])["views"]["form"]["arch"]
        for name in ("credit_negativation_state", "credit_negativation_count"):
            self.assertIn(name, arch)
        self.assertRecordValues(
            move.with_user(self.manager),
            [
                {
                    "credit_negativation_id": negativation.id,
                    "credit_negativation_state": "sending",
                    "credit_negativation_count": 1,
                }
            ],
        )

    def test_status_poll_asks_once_per_integration(self):
        moves = self._invoice() | self._invoice(amount=200) | self._invoice(amount=300)
        self._negativate(moves)
        self.env["credit.bureau.negativation"]._cron_send()
        calls = []
        Integration = type(self.integration)
        original = Integration._bureau_fetch_status

        def counting(integration, references):
            calls.append(len(references))
            return original(integration, references)

        self.patch(Integration, "_bureau_fetch_status", counting)
        self.env["credit.bureau.negativation"]._cron_poll_status()
        self.assertEqual(calls, [3])

    def test_duplicate_refusal_adopts_the_existing_record(self):
        negativation = self._negativate(self._invoice())
        Integration = type(self.integration)

        def duplicate(integration, debt):
            raise CreditBureauError("Dívida já incluída", duplicate=True)

        self.patch(Integration, "_bureau_include", duplicate)
        self.integration.dummy_fail = "timeout_after_commit"  # the lookup finds it
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(negativation.state, "pending")
        self.assertTrue(negativation.reference)

    def test_address_correction(self):
        negativation = self._negativate(self._invoice())
        self.env["credit.bureau.negativation"]._cron_send()
        negativation.action_update_address()
        self.assertIn("Address updated", negativation.message_ids[0].body)
        self.debtor.zip = False
        with self.assertRaises(UserError):
            negativation.action_update_address()

    def test_birth_date_goes_with_the_debt(self):
        self.debtor.credit_birth_date = date(1990, 5, 1)
        negativation = self._negativate(self._invoice())
        self.assertEqual(negativation._bureau_debt()["birth_date"], date(1990, 5, 1))

    def test_dummy_refusal_is_not_retried(self):
        negativation = self._negativate(self._invoice())
        Integration = type(self.integration)
        self.patch(
            Integration,
            "_bureau_include",
            lambda integration, debt: {
                "reference": "X1",
                "state": "error",
                "message": "Endereço não localizado",
            },
        )
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(negativation.state, "error")
        self.assertFalse(negativation.next_retry)
        self.assertIn("Endereço", negativation.message)


@tagged("post_install", "-at_install")
class TestAutomaticNegativation(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"child_ids": [fields.Command.create({"name": "Filial Norte"})]})
        cls.cr.precommit.run()  # the branch shares the head office's chart
        cls.branch = cls.company.child_ids
        cls.env.user.company_ids |= cls.branch

    def test_branch_routing(self):
        """A branch without an integration uses its head office's; with its own, its own."""
        move = self._invoice(company=self.branch)
        negativation = self._negativate(move)
        self.assertEqual(negativation.integration_id, self.integration)
        self.assertEqual(negativation.company_id, self.branch)
        own = self.env["credit.bureau.integration"].create(
            {"name": "Filial própria", "provider": "dummy", "company_id": self.branch.id}
        )
        own.action_sync_products()  # its natureza codes: the wizard offers the synchronised ones
        own.default_restriction_code_id = own.restriction_code_ids.filtered(
            lambda c: c.code == "TI"
        )
        other = self._negativate(self._invoice(company=self.branch, amount=321))
        self.assertEqual(other.integration_id, own)
        # The head office's automatic routine leaves the branch to its own integration.
        self.assertNotIn(self.branch, self.integration._bureau_auto_companies())
        self.assertIn(self.branch, own._bureau_auto_companies())

    def test_overlapping_runs_are_skipped(self):
        self.integration.auto_negativate = True
        self._invoice(days_overdue=40)
        with self.registry.cursor() as other_cr:
            # Another worker is running the same integration's routine.
            other_cr.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [AUTO_RUN_LOCK, self.integration.id]
            )
            created, _refused = self.integration._bureau_run_auto()
            self.assertFalse(created)
        created, _refused = self.integration._bureau_run_auto()
        self.assertEqual(len(created), 1)

    def test_routine_creates_only_what_is_due_and_is_idempotent(self):
        self.integration.write({"auto_negativate": True, "auto_days_after_due": 30})
        opted_out = self._debtor(
            "Não Negativar", "390.533.447-05", credit_bureau_no_negativation=True
        )
        recent = self._invoice(days_overdue=10)
        due40 = self._invoice(days_overdue=40)
        due400 = self._invoice(days_overdue=400)
        paid = self._invoice(days_overdue=60)
        self._pay(paid)
        self._invoice(days_overdue=60, partner=opted_out)
        self._invoice(days_overdue=5 * 366 + 3)
        # Dry run: lists, sends nothing.
        preview = self.integration.action_auto_preview()
        wizard = self.env[preview["res_model"]].browse(preview["res_id"])
        self.assertEqual(set(wizard.line_ids.move_id.ids), {due40.id, due400.id})
        with self.assertRaises(UserError):
            wizard.action_negativate()
        self.assertFalse(self.env["credit.bureau.negativation"].search([]))
        self.env["credit.bureau.integration"]._cron_auto_negativate()
        created = self.env["credit.bureau.negativation"].search([])
        self.assertEqual(created.move_id, due40 | due400)
        self.assertEqual(set(created.mapped("origin")), {"auto"})
        self.assertNotIn(recent, created.move_id)
        self.env["credit.bureau.integration"]._cron_auto_negativate()
        self.assertEqual(self.env["credit.bureau.negativation"].search([]), created)


@tagged("post_install", "-at_install")
class TestBusinessDays(AccountTestInvoicingCommon):
    def test_weekends_and_national_holidays(self):
        # Friday 13/11/2026; Friday 20/11 is Consciência Negra.
        self.assertEqual(add_business_days(date(2026, 11, 13), 5), date(2026, 11, 23))
        # Easter 2026 is 5 April: Sexta-feira Santa 3 April is a holiday; Carnaval (16-17
        # Feb) and Corpus Christi (4 June) are optional days off, not holidays.
        holidays = national_holidays(2026)
        self.assertIn(date(2026, 4, 3), holidays)
        for day in (date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 6, 4)):
            self.assertNotIn(day, holidays)
        self.assertEqual(len(holidays), 10)
        self.assertNotIn(date(2023, 11, 20), national_holidays(2023))
        self.assertEqual(add_business_days(date(2026, 12, 24), 1), date(2026, 12, 28))

    def test_removal_deadline_after_payment(self):
        cases = {
            # Paid on a Friday: the next five weekdays.
            "friday": (date(2026, 3, 6), date(2026, 3, 13)),
            # Paid on Thursday 19/11/2026, right before Consciência Negra (Friday 20/11).
            "before a holiday": (date(2026, 11, 19), date(2026, 11, 27)),
            # Across the year end: 25/12 and 1/1 skipped, 2-3/1/2027 is a weekend.
            "year end": (date(2026, 12, 24), date(2027, 1, 4)),
            "year end, late december": (date(2026, 12, 29), date(2027, 1, 6)),
            # Carnaval week counts in full: Monday 16 and Tuesday 17/2/2026 are business days.
            "carnaval": (date(2026, 2, 13), date(2026, 2, 20)),
            # Corpus Christi (Thursday 4/6/2026) counts too.
            "corpus christi": (date(2026, 6, 1), date(2026, 6, 8)),
            # Sexta-feira Santa (3/4/2026) does not.
            "good friday": (date(2026, 4, 2), date(2026, 4, 10)),
        }
        for label, (paid, deadline) in cases.items():
            with self.subTest(label):
                self.assertEqual(add_business_days(paid, 5), deadline)
