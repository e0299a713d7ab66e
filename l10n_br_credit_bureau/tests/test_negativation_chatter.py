"""The audit trail written in bulk (the creation line of a batch, ``_bureau_log_bulk``): the
same lines as ``mail.message.create`` writes one by one, the secrets masked."""

from odoo.tests import tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from ..const import MASK
from .test_negativation import NegativationCommon

SECRET = "tok-1a2b3c4d-s3cr3t"


@tagged("post_install", "-at_install")
class TestNegativationChatter(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Creation messages on, as in production (the other negativation tests turn them off).
        context = {k: v for k, v in cls.env.context.items() if k not in DISABLED_MAIL_CONTEXT}
        cls.env = cls.env(context=dict(context, lang="en_US"))
        cls.integration = cls.integration.with_env(cls.env)
        cls.debtor = cls.debtor.with_env(cls.env)
        cls.Negativation = cls.env["credit.bureau.negativation"]
        cls.Message = cls.env["mail.message"]

    def _stored(self, message):
        """What is stored of a message, but what is its own (id, record, dates, Message-Id)."""
        own = {"id", "res_id", "date", "message_id", "create_date", "write_date"}
        names = [
            name
            for name, field in self.Message._fields.items()
            if field.store and field.column_type and name not in own
        ]
        return {name: message[name] for name in names}

    def test_batch_creation_lines_are_those_of_the_orm(self):
        # One invoice: its creation line goes through mail.message.create.
        single, refused = self.Negativation._bureau_queue(self._invoice(), origin="mass")
        self.assertFalse(refused)
        moves = self._invoice(45) | self._invoice(50) | self._invoice(55)
        batch, refused = self.Negativation._bureau_queue(moves, origin="mass")
        self.assertFalse(refused)
        self.assertEqual(len(batch), 3)
        # Each record shows its line at once (no stale chatter in the cache).
        lines = batch.message_ids
        self.assertEqual(len(lines), 3)
        self.assertEqual(sorted(lines.mapped("res_id")), sorted(batch.ids))
        self.assertEqual(set(lines.mapped("model")), {"credit.bureau.negativation"})
        self.assertEqual(len(single.message_ids), 1)
        reference = self._stored(single.message_ids)
        self.assertIn("Queued for sending.", str(reference["body"]))
        self.assertEqual(reference["message_type"], "notification")
        self.assertEqual(reference["subtype_id"], self.env.ref("mail.mt_note"))
        self.assertEqual(reference["author_id"], self.env.user.partner_id)
        for line in lines:
            self.assertEqual(self._stored(line), reference)
            self.assertTrue(line.message_id)
            self.assertTrue(line.date)

    def test_bulk_lines_mask_secrets_and_show_the_text_as_written(self):
        Integration = type(self.integration)
        original_secrets = Integration._bureau_secret_values

        def secrets(integration):
            return [*original_secrets(integration), SECRET]

        self.patch(Integration, "_bureau_secret_values", secrets)
        moves = self._invoice(45) | self._invoice(50)
        negativations, _refused = self.Negativation._bureau_queue(moves, origin="mass")
        # A provider echoing its credentials, by value and under their field names.
        text = (
            f'Recusado: <Senha>pw-xml-777</Senha> {{"token": "pw-json-888"}} '
            f"/pefin?senha=pw-form-999&lote=12 ({SECRET}) & 5 < 6"
        )
        negativations._bureau_log_bulk(text)
        lines = negativations.message_ids.filtered(lambda m: "Recusado" in str(m.body))
        self.assertEqual(len(lines), 2)
        for line in lines:
            body = str(line.body)
            for secret in (SECRET, "pw-xml-777", "pw-json-888", "pw-form-999"):
                self.assertNotIn(secret, body)
            self.assertIn(MASK, body)
            # Plain text, escaped: shown as written, not read as HTML.
            self.assertIn("&lt;Senha&gt;", body)
            self.assertIn("lote=12", body)
            self.assertIn("5 &lt; 6", body)
            self.assertEqual(line.author_id, self.env.user.partner_id)
            self.assertEqual(line.subtype_id, self.env.ref("mail.mt_note"))
