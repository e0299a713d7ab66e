"""The negativation model is its own guardian: what a wizard refuses, a plain RPC-style
create()/write()/unlink() (``with_user``, plain values) is refused too, and what is sent is
derived from the invoice."""

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_negativation import NegativationCommon


@tagged("post_install", "-at_install")
class TestNegativationIntegrity(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The negativation group (with invoicing rights; the group alone: test_access_matrix).
        cls.user = cls.manager
        cls.admin = new_test_user(
            cls.env,
            login="neg_admin",
            groups="base.group_user,account.group_account_invoice,"
            "l10n_br_credit_bureau.group_admin",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.Negativation = cls.env["credit.bureau.negativation"]

    def _as(self, user):
        return self.Negativation.with_user(user).with_context(lang="en_US")

    def _sent(self, move=None):
        """A negativation sent and confirmed by the simulated provider."""
        negativation = self._negativate(move or self._invoice())
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending")
        return negativation

    # ------------------------------------------------------------------ create
    def test_rpc_create_passes_the_same_blockers_as_the_wizard(self):
        other = self._debtor("Outra Pessoa", "390.533.447-05")
        cases = {
            "not due yet": (self._invoice(days_overdue=-10), "not overdue"),
            "paid": (self._invoice(), "is paid"),
            "no invoice": (None, "needs the invoice"),
        }
        self._pay(cases["paid"][0])
        for label, (move, expected) in cases.items():
            with self.subTest(label), self.assertRaises(UserError) as caught:
                self._as(self.user).create({"move_id": move.id} if move else {})
            self.assertIn(expected, caught.exception.args[0])
        # Forged data: another customer, a higher amount, a state, a reference.
        move = self._invoice(amount=150)
        forged = {
            "partner": ({"partner_id": other.id}, "Debtor"),
            "amount": ({"amount": 54321.0}, "at most the open amount"),
            "state": ({"state": "active"}, "cannot be given"),
            "reference": ({"reference": "X-1"}, "cannot be given"),
            "key": ({"idempotency_key": "k"}, "cannot be given"),
        }
        for label, (values, expected) in forged.items():
            with self.subTest(label), self.assertRaises(UserError) as caught:
                self._as(self.user).create(dict(values, move_id=move.id))
            self.assertIn(expected, caught.exception.args[0])
        self.assertFalse(self.Negativation.search([("move_id", "in", [move.id, other.id])]))
        # Another company's invoice: not even readable.
        other_company = self.setup_other_company()["company"]
        foreign = self._invoice(company=other_company)
        with self.assertRaises(AccessError):
            self._as(self.user).create({"move_id": foreign.id})
        # Nothing of the above was sent.
        self.Negativation._cron_send()
        self.assertFalse(self.Negativation.search([]))

    def test_rpc_create_derives_what_is_sent_and_waits_for_send(self):
        move = self._invoice(amount=150)
        negativation = self._as(self.user).create({"move_id": move.id, "amount": 100.0})
        self.assertRecordValues(
            negativation,
            [
                {
                    "state": "draft",
                    "partner_id": self.debtor.id,
                    "document": "52998224725",
                    "amount": 100.0,
                    "due_date": move.invoice_date_due,
                    "contract_number": move.name,
                    "integration_id": self.integration.id,
                    "restriction_code": "TI",
                    "origin": "manual",
                    "user_id": self.user.id,
                }
            ],
        )
        # A draft is not sent by the job; its action sends it.
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "draft")
        negativation.with_user(self.user).action_send_now()
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending")
        # The same invoice again: refused (one open negativation per invoice).
        with self.assertRaises(UserError) as caught:
            self._as(self.user).create({"move_id": move.id})
        self.assertIn("already has the negativation", caught.exception.args[0])

    def test_rpc_create_refuses_a_natureza_the_integration_does_not_offer(self):
        move = self._invoice()
        with self.assertRaises(UserError) as caught:
            self._as(self.user).create({"move_id": move.id, "restriction_code": "ZZ"})
        self.assertIn("ZZ", caught.exception.args[0])

    def test_import_is_checked_like_create(self):
        good, early = self._invoice(), self._invoice(days_overdue=-3)
        result = self._as(self.user).load(["move_id/.id"], [[str(good.id)], [str(early.id)]])
        self.assertFalse(result["ids"])
        self.assertIn("not overdue", " ".join(m["message"] for m in result["messages"]))
        self.assertFalse(self.Negativation.search([("move_id", "in", (good | early).ids)]))

    # ------------------------------------------------------------------ write
    def test_protected_fields_are_written_by_the_flows_only(self):
        negativation = self._sent()
        stored = [
            name
            for name, field in negativation._fields.items()
            if field.store and name not in ("write_uid", "write_date")
        ]
        before = negativation.read(stored)[0]
        forged = {
            "state": "removed",
            "reference": "FAKE",
            "amount": 1.0,
            "due_date": fields.Date.today(),
            "document": "39053344705",
            "outcome_unknown": True,
            "attempts": 0,
            "removed_date": fields.Datetime.now(),
            "message": "forjado",
            "idempotency_key": "x",
        }
        for user in (self.user, self.admin):
            for name, value in forged.items():
                with self.subTest(user=user.login, field=name), self.assertRaises(UserError):
                    negativation.with_user(user).with_context(lang="en_US").write({name: value})
        negativation.invalidate_recordset()
        self.assertEqual(negativation.read(stored)[0], before)
        # What users may change: the responsible.
        negativation.with_user(self.user).write({"user_id": self.admin.id})
        self.assertEqual(negativation.user_id, self.admin)

    def test_state_changes_go_through_the_actions(self):
        negativation = self._sent()
        user_record = negativation.with_user(self.user).with_context(lang="en_US")
        with self.assertRaises(UserError):
            user_record.action_cancel()  # sent: only its removal
        with self.assertRaises(UserError):
            user_record.action_send_now()  # not draft nor error
        with self.assertRaises(UserError) as caught:
            user_record.action_request_removal("ZZ", "Pago")
        self.assertIn("ZZ", caught.exception.args[0])
        user_record.action_request_removal("01", "Pago no caixa")
        self.assertEqual(negativation.state, "removal_requested")
        self.assertEqual(negativation.removal_code, "01")
        self.Negativation._cron_remove()
        self.assertEqual(negativation.state, "removed")
        with self.assertRaises(UserError):
            user_record.action_request_removal("01", "De novo")
        # A draft that never left: cancelled by its action, and may then be deleted.
        draft = self._as(self.user).create({"move_id": self._invoice().id})
        draft.action_cancel()
        self.assertEqual(draft.state, "cancelled")

    def test_unlink_only_of_what_never_left(self):
        sent = self._sent()
        with self.assertRaises(AccessError):
            sent.with_user(self.user).unlink()
        with self.assertRaises(UserError):
            sent.with_user(self.admin).with_context(lang="en_US").unlink()
        draft = self._as(self.admin).create({"move_id": self._invoice().id})
        draft.unlink()
        self.assertFalse(draft.exists())

    # ------------------------------------------------------------------ before sending
    def test_the_sending_job_checks_every_blocker_again(self):
        move = self._invoice()
        negativation = self._negativate(move)
        self.assertEqual(negativation.state, "sending")
        # Since it was queued, the debtor was marked "do not negativate".
        self.debtor.credit_bureau_no_negativation = True
        sent = []
        self.patch(
            type(self.integration),
            "_bureau_include",
            lambda integration, debt: sent.append(debt) or {},
        )
        self.Negativation.with_context(lang="en_US")._cron_send()
        self.assertFalse(sent)
        self.assertEqual(negativation.state, "cancelled")
        self.assertIn("do not negativate", negativation.removal_reason)

    def test_an_integration_that_cannot_send_keeps_the_debt_queued_for_later(self):
        negativation = self._negativate(self._invoice())
        self.integration.active = False
        self.Negativation.with_context(lang="en_US")._cron_send()
        self.assertEqual(negativation.state, "error")
        self.assertIn("archived", negativation.message)
        self.assertTrue(negativation.next_retry)
        self.assertFalse(negativation.outcome_unknown)
        self.integration.active = True
        negativation.action_send_now()
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending")

    def test_document_shown_and_searched_punctuated(self):
        negativation = self._negativate(self._invoice())
        self.assertEqual(negativation.document, "52998224725")
        self.assertEqual(negativation.document_display, "529.982.247-25")
        for typed in ("529.982.247-25", "52998224725"):
            found = self.Negativation.search([("document_display", "ilike", typed)])
            self.assertEqual(found, negativation, typed)

    def test_company_check_only_for_the_fields_that_need_it(self):
        # A change of state (a status poll's write on thousands) checks nothing: no invoice
        # is read to find its company.
        negativations = self._negativate(self._invoice() | self._invoice())
        self.assertEqual(len(negativations), 2)
        negativations.invalidate_recordset()
        negativations.move_id.invalidate_recordset()
        with self.assertQueryCount(0):
            negativations._check_company(["state", "message", "active_date"])
        # Another company's integration is still refused, on one record or many.
        other_company = self.setup_other_company()["company"]
        foreign = self.env["credit.bureau.integration"].create(
            {"name": "Outra filial", "provider": "dummy", "company_id": other_company.id}
        )
        for records in (negativations[:1], negativations):
            with self.subTest(count=len(records)), self.assertRaises(UserError):
                records.sudo().write({"integration_id": foreign.id})
