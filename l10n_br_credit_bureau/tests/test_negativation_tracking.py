"""The history of a negativation (rules.md: who, when, what was sent, what came back), with
tracking on, as in production: the other negativation tests turn it off."""

from itertools import pairwise

from odoo.tests import tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from ..tools import CreditBureauError
from .test_negativation import NegativationCommon

SECRET = "tok-9f8e7d6c5b4a-s3cr3t"


@tagged("post_install", "-at_install")
class TestNegativationTracking(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Tracking, creation messages and followers on, as in production.
        context = {k: v for k, v in cls.env.context.items() if k not in DISABLED_MAIL_CONTEXT}
        cls.env = cls.env(context=dict(context, lang="en_US"))
        cls.integration = cls.integration.with_env(cls.env)
        cls.debtor = cls.debtor.with_env(cls.env)
        cls.Negativation = cls.env["credit.bureau.negativation"]
        cls.labels = dict(cls.Negativation._fields["state"]._description_selection(cls.env))

    def _flush_tracking(self):
        """What the end of a request does: the tracking values are written at commit."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _messages(self, negativation):
        negativation.invalidate_recordset(["message_ids"])
        return negativation.message_ids.sorted("id")

    def _state_changes(self, negativation):
        values = self._messages(negativation).tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state"
        )
        return [(v.old_value_char, v.new_value_char) for v in values.sorted("id")]

    def _new_bodies(self, negativation, seen):
        return [message.body for message in self._messages(negativation) if message.id not in seen]

    def test_every_state_change_and_provider_answer_is_in_the_chatter(self):
        move = self._invoice()
        negativation = self.Negativation.create({"move_id": move.id})
        self._flush_tracking()
        self.assertEqual(negativation.state, "draft")
        walk = [negativation.state]
        seen = set(self._messages(negativation).ids)

        def step(action):
            action()
            self._flush_tracking()
            walk.append(negativation.state)
            bodies = self._new_bodies(negativation, seen)
            seen.update(self._messages(negativation).ids)
            return " ".join(str(body) for body in bodies)

        # Queued (the queue creates records in "sending"; a draft is sent by its action).
        step(negativation.action_send_now)
        # The provider receives it: its reference and answer are posted.
        posted = step(self.Negativation._cron_send)
        self.assertIn(negativation.reference, posted)
        self.assertIn("Received.", posted)  # the simulated provider's answer
        # The provider says it is visible.
        posted = step(self.Negativation._cron_poll_status)
        self.assertIn("Active.", posted)
        # Removal requested by the user, with the reason, then sent by the cron.
        wizard = self.env["credit.bureau.negativation.remove.wizard"].create(
            {
                "negativation_ids": [(6, 0, negativation.ids)],
                "removal_code_id": self.integration.removal_code_ids.filtered(
                    lambda c: c.code == "02"
                ).id,
                "reason": "Acordo assinado",
            }
        )
        posted = step(wizard.action_remove)
        self.assertIn("02", posted)
        posted = step(self.Negativation._cron_remove)
        self.assertIn("02", posted)

        states = ["draft", "sending", "pending", "active", "removal_requested", "removed"]
        self.assertEqual(walk, states)
        self.assertEqual(
            self._state_changes(negativation),
            [(self.labels[old], self.labels[new]) for old, new in pairwise(states)],
        )
        # Each change is its own message, authored.
        tracking_messages = self._messages(negativation).filtered("tracking_value_ids")
        self.assertGreaterEqual(len(tracking_messages), len(states) - 1)
        self.assertTrue(all(tracking_messages.mapped("author_id")))
        # The provider reference is tracked too.
        references = self._messages(negativation).tracking_value_ids.filtered(
            lambda value: value.field_id.name == "reference"
        )
        self.assertEqual(references.mapped("new_value_char"), [negativation.reference])

    def test_secrets_never_reach_the_chatter(self):
        Integration = type(self.integration)
        original_secrets = Integration._bureau_secret_values
        original_include = Integration._bureau_include
        original_status = Integration._bureau_fetch_status
        calls = []

        def secrets(integration):
            return [*original_secrets(integration), SECRET]

        def include(integration, debt):
            calls.append(debt["contract"])
            if len(calls) == 1:
                # A provider that echoes the credentials in its error message.
                raise CreditBureauError(
                    f"Recusado: senha {SECRET} expirada", detail="echo", retryable=True
                )
            result = original_include(integration, debt)
            return dict(result, message=f"Recebido (token={SECRET})")

        def status(integration, references):
            return {
                reference: dict(answer, message=f"Ativa; Authorization: Bearer {SECRET}")
                for reference, answer in original_status(integration, references).items()
            }

        self.patch(Integration, "_bureau_secret_values", secrets)
        self.patch(Integration, "_bureau_include", include)
        self.patch(Integration, "_bureau_fetch_status", status)
        negativation = self._negativate(self._invoice())
        self.Negativation._cron_send()
        self._flush_tracking()
        self.assertEqual(negativation.state, "error")
        negativation.action_send_now()
        self.Negativation._cron_send()
        self._flush_tracking()
        self.assertEqual(negativation.state, "pending")
        self.Negativation._cron_poll_status()
        self._flush_tracking()
        self.assertEqual(negativation.state, "active")
        messages = self._messages(negativation)
        text = " ".join(
            [
                *(str(body) for body in messages.mapped("body")),
                *filter(None, messages.tracking_value_ids.mapped("old_value_char")),
                *filter(None, messages.tracking_value_ids.mapped("new_value_char")),
            ]
        )
        self.assertNotIn(SECRET, text)
        # The answers themselves are still there, masked.
        self.assertIn("Recusado", text)
        self.assertIn("Recebido", text)
        self.assertIn("Ativa", text)

    def test_credentials_are_never_tracked(self):
        """A credential's value would be copied into the integration's chatter."""
        Integration = self.env["credit.bureau.integration"]
        credentials = [
            name
            for name, field in Integration._fields.items()
            if "base.group_system" in (field.groups or "")
            or getattr(field, "required_if_provider", None)
        ]
        self.assertIn("api_base_url", credentials)
        tracked = [
            name for name in credentials if getattr(Integration._fields[name], "tracking", None)
        ]
        self.assertEqual(tracked, [])
        self.integration.sudo().write({"api_base_url": f"http://user:{SECRET}@127.0.0.1:1"})
        self._flush_tracking()
        self.integration.invalidate_recordset(["message_ids"])
        bodies = " ".join(str(body) for body in self.integration.message_ids.mapped("body"))
        values = self.integration.message_ids.tracking_value_ids
        self.assertNotIn(SECRET, bodies)
        self.assertNotIn(SECRET, " ".join(filter(None, values.mapped("new_value_char"))))
