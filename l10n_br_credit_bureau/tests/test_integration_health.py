"""The integration's connection state: only what needs a person blocks negativations, a
transient failure is reported and cleared by the next call that goes through; the fields
the flows write are refused to users (RPC included)."""

from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..tools import CreditBureauError
from .test_negativation import NegativationCommon


@tagged("post_install", "-at_install")
class TestConnectionHealth(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Integration = type(cls.integration)
        cls.Negativation = cls.env["credit.bureau.negativation"]
        cls.admin = new_test_user(
            cls.env,
            login="cb_health_admin",
            groups="base.group_user,l10n_br_credit_bureau.group_admin",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    def _blockers(self, move):
        return self.Negativation._bureau_blockers(move, self.integration)

    def test_one_transient_failure_is_tried_again_at_once(self):
        original = self.Integration._bureau_test_connection
        calls = []

        def once_500(integration):
            calls.append(integration)
            if len(calls) == 1:
                raise CreditBureauError("HTTP 500", retryable=True, code="500")
            return original(integration)

        with patch.object(self.Integration, "_bureau_test_connection", once_500):
            action = self.integration.action_test_connection()
        self.assertEqual(len(calls), 2)
        self.assertEqual(self.integration.connection_state, "ok")
        self.assertEqual(action["params"]["type"], "success")

    def test_transient_failure_is_reported_and_blocks_nothing(self):
        move = self._invoice()
        self.integration.dummy_fail = "error"  # the provider fails every time (HTTP 500 alike)
        action = self.integration.with_context(lang="pt_BR").action_test_connection()
        self.assertEqual(self.integration.connection_state, "unstable")
        self.assertIn("recusou a solicitação", self.integration.connection_message)
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(self._blockers(move), [])
        # The provider back: the first call that goes through (a sending) restores it.
        negativation = self._negativate(move)
        self.assertEqual(negativation.state, "sending")
        self.integration.dummy_fail = False
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending")
        self.assertEqual(self.integration.connection_state, "ok")
        self.assertNotIn("recusou", self.integration.connection_message)

    def test_refused_credentials_block_until_a_call_goes_through(self):
        move = self._invoice()
        self.integration.dummy_fail = "auth"
        action = self.integration.action_test_connection()
        self.assertEqual(self.integration.connection_state, "failed")
        self.assertEqual(action["params"]["type"], "danger")
        blockers = self._blockers(move)
        self.assertEqual(len(blockers), 1)
        self.assertIn("credentials", blockers[0])
        # A status poll that goes through restores it as well.
        self.integration.dummy_fail = False
        self.integration.sudo().connection_state = "unstable"
        self.Negativation._cron_poll_status()  # nothing to poll: no call, no change
        self.assertEqual(self.integration.connection_state, "unstable")
        negativation = self._negativate(move)
        self.Negativation._cron_send()
        self.integration.sudo().connection_state = "failed"
        self.Negativation._cron_poll_status()
        self.assertEqual(negativation.state, "active")
        self.assertEqual(self.integration.connection_state, "ok")

    def test_credentials_refused_while_sending_mark_the_integration_failed(self):
        first, second = self._negativate(self._invoice() | self._invoice(amount=200))
        self.integration.dummy_fail = "auth"
        self.Negativation._cron_send()
        self.assertEqual((first | second).mapped("state"), ["error", "error"])
        self.assertEqual(self.integration.connection_state, "failed")
        # Written by the sending job, in the company's language.
        self.assertIn("recusou as credenciais", self.integration.connection_message)
        self.assertTrue(self._blockers(self._invoice(amount=300)))
        # A timeout is not a refusal: it does not block.
        self.integration.sudo().connection_state = "ok"
        self.integration.dummy_fail = "timeout"
        third = self._negativate(self._invoice(amount=300))
        self.Negativation._cron_send()
        self.assertEqual(third.state, "error")
        self.assertEqual(self.integration.connection_state, "ok")
        self.assertEqual(self.integration.dispatch_timeouts, 1)

    def test_flow_fields_are_refused_to_users(self):
        integration = self.integration.with_user(self.admin).with_context(lang="pt_BR")
        values = {
            "connection_state": "ok",
            "connection_message": "Funcionando",
            "connection_date": "2026-01-01 10:00:00",
            "balance": 999999.0,
            "balance_date": "2026-01-01 10:00:00",
            "auto_last_run": "2026-01-01 10:00:00",
            "dispatch_timeouts": 0,
            "dispatch_paused_until": False,
        }
        for name, value in values.items():
            with self.subTest(name), self.assertRaises(UserError) as caught:
                integration.write({name: value})
            self.assertIn("escritos apenas", caught.exception.args[0])
            self.assertIn(
                self.integration._fields[name]._description_string(integration.env),
                caught.exception.args[0],
            )
        self.assertEqual(self.integration.connection_state, "untested")
        self.assertEqual(self.integration.balance, 0.0)
        with self.assertRaises(UserError):
            self.env["credit.bureau.integration"].with_user(self.admin).create(
                {"name": "Forjada", "provider": "dummy", "connection_state": "ok", "balance": 10}
            )
        # The other fields stay the administrator's to change, and the defaults to create.
        integration.write({"min_amount": 25.0})
        self.assertEqual(self.integration.min_amount, 25.0)
        created = (
            self.env["credit.bureau.integration"]
            .with_user(self.admin)
            .create({"name": "Nova", "provider": "dummy", "connection_state": "untested"})
        )
        self.assertEqual(created.connection_state, "untested")

    def test_buttons_write_them_for_users_allowed_to_change_the_integration(self):
        integration = self.integration.with_user(self.admin)
        integration.action_test_connection()
        self.assertEqual(self.integration.connection_state, "ok")
        self.assertEqual(self.integration.balance, 1000.0)
        self.assertTrue(self.integration.balance_date)
        self.integration.sudo().balance = 0.0
        integration.action_refresh_balance()
        self.assertEqual(self.integration.balance, 1000.0)
        # A user who may not change the integration may not run them.
        with self.assertRaises(AccessError):
            self.integration.with_user(self.manager).action_test_connection()
        with self.assertRaises(AccessError):
            self.integration.with_user(self.manager).action_refresh_balance()
