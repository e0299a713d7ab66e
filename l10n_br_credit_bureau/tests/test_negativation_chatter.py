"""The audit trail written in bulk (the creation line of a batch, ``_bureau_log_bulk``): the
same lines as ``mail.message.create`` writes one by one, the secrets masked."""

from unittest.mock import patch

from markupsafe import Markup

from odoo.tests import tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from ..const import MASK
from ..models.credit_bureau_negativation_chatter import insert_columns
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

    def _flush_tracking(self):
        """What a commit does: the tracking lines are written then (precommit)."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _tracked(self, negativation):
        """The tracking line of the last state change of a record and its values."""
        negativation.invalidate_recordset(["message_ids"])
        lines = negativation.message_ids.filtered("tracking_value_ids").sorted("id")
        return lines[-1:], {
            (value.field_id.name, value.old_value_char, value.new_value_char)
            for value in lines[-1:].tracking_value_ids
        }

    def test_outcomes_of_a_group_are_the_lines_of_one_record(self):
        """The sending job writes a group's outcomes together (one write per state and
        message, the chatter and tracking lines stored together): each record gets the
        lines one record sent alone gets, a tracking line of its own included."""
        single = self._negativate(self._invoice())
        self._flush_tracking()
        self.Negativation._cron_send()
        self._flush_tracking()
        group = self._negativate(self._invoice(45) | self._invoice(50) | self._invoice(55))
        self._flush_tracking()
        self.Negativation._cron_send()
        self._flush_tracking()
        self.assertEqual(set((single | group).mapped("state")), {"pending"})
        self.assertEqual(len(set((single | group).mapped("reference"))), 4)
        line, values = self._tracked(single)
        self.assertEqual(
            values,
            {
                ("state", "Sending", "Pending (notice period)"),
                ("reference", False, single.reference),
            },
        )
        reference = self._stored(line)
        sent = single.message_ids.filtered(lambda m: "Sent to" in str(m.body))
        self.assertEqual(len(sent), 1)
        for negativation in group:
            line, values = self._tracked(negativation)
            self.assertEqual(
                values,
                {
                    ("state", "Sending", "Pending (notice period)"),
                    ("reference", False, negativation.reference),
                },
            )
            self.assertEqual(self._stored(line), reference)
            lines = negativation.message_ids.filtered(lambda m: "Sent to" in str(m.body))
            self.assertEqual(len(lines), 1)
            self.assertIn(negativation.reference, str(lines.body))
            self.assertEqual(lines.author_id, sent.author_id)
            self.assertEqual(lines.subtype_id, self.env.ref("mail.mt_note"))
            # One line per state change, none twice.
            self.assertEqual(len(negativation.message_ids.filtered("tracking_value_ids")), 1)

    def test_lines_of_a_run_are_those_of_mail_thread(self):
        """In a run of a sending job (``bureau_log_run``) the author and sender of the notes
        are computed once, at the first group: the lines are those that
        ``mail.thread._message_log_batch`` stores."""
        first, second = (self._negativate(self._invoice(days)) for days in (45, 50))
        plain = first._message_log_batch(bodies={first.id: "Uma linha."})
        compute = type(self.env["mail.thread"])._message_compute_author
        calls = []

        def counted(thread, author_id=None, email_from=None):
            if author_id is None and email_from is None:  # computed, not given
                calls.append(thread)
            return compute(thread, author_id, email_from)

        run = self.Negativation.with_context(bureau_log_run="run-1")
        with patch.object(type(self.env["mail.thread"]), "_message_compute_author", counted):
            lines = run.browse(first.id)._message_log_batch(bodies={first.id: "Uma linha."})
            lines |= run.browse(second.id)._message_log_batch(bodies={second.id: "Outra."})
        self.assertEqual(len(calls), 1)
        self.assertEqual(lines.mapped("res_id"), [first.id, second.id])
        expected = self._stored(plain)
        self.assertEqual(self._stored(lines[0]), expected)
        self.assertIn("Outra.", str(lines[1].body))
        self.assertEqual(self._stored(lines[1]), dict(expected, body=lines[1].body))
        self.assertEqual(
            [lines[0].reply_to, lines[0].email_from], [plain.reply_to, plain.email_from]
        )

    def test_a_follower_of_notes_is_still_notified(self):
        """A note logged in bulk notifies nobody: a record that a user follows for its notes
        gets its outcome by ``message_post``, which notifies them, as before."""
        follower = self.env["res.users"].create(
            {
                "name": "Analista de crédito",
                "login": "analista-notas",
                "group_ids": [(6, 0, [self.env.ref("base.group_user").id])],
                "notification_type": "inbox",
            }
        )
        group = self._negativate(self._invoice(45) | self._invoice(50))
        followed = group[0]
        followed.message_subscribe(
            partner_ids=follower.partner_id.ids, subtype_ids=self.env.ref("mail.mt_note").ids
        )
        self._flush_tracking()
        self.Negativation._cron_send()
        self._flush_tracking()
        for negativation in group:
            line = negativation.message_ids.filtered(lambda m: "Sent to" in str(m.body))
            self.assertEqual(len(line), 1)
            notified = line.notification_ids.res_partner_id
            if negativation == followed:
                self.assertEqual(notified, follower.partner_id)
            else:
                self.assertFalse(notified)

    def test_status_lines_of_many_are_the_tracking_line_of_one(self):
        """A status poll writes thousands of state changes at once: each record still gets
        the line tracking gives one record (the provider's answer with the state's tracking
        value), built once and stored together."""
        single = self._negativate(self._invoice())
        group = self._negativate(self._invoice(45) | self._invoice(50) | self._invoice(55))
        self.Negativation._cron_send()
        self._flush_tracking()
        self.assertEqual(set((single | group).mapped("state")), {"pending"})
        # As the status flow runs them: as superuser.
        single.sudo()._bureau_apply_statuses(
            {single.reference: {"state": "active", "message": "Ok"}}
        )
        self._flush_tracking()
        group.sudo()._bureau_apply_statuses(
            {n.reference: {"state": "active", "message": "Ok"} for n in group}
        )
        self._flush_tracking()
        self.assertEqual(set((single | group).mapped("state")), {"active"})
        line, values = self._tracked(single)
        self.assertEqual(values, {("state", "Pending (notice period)", "Active")})
        self.assertIn("Status at the provider: Active. Ok", str(line.body))
        reference = self._stored(line)
        for negativation in group:
            line, values = self._tracked(negativation)
            self.assertEqual(values, {("state", "Pending (notice period)", "Active")})
            self.assertEqual(self._stored(line), reference)
            # The answer is in that line, not in a note of its own.
            answers = negativation.message_ids.filtered(lambda m: "Status at" in str(m.body))
            self.assertEqual(answers, line)

    def test_rows_inserted_by_column(self):
        # A value shared by every row is sent once, the others as arrays; rows whose values
        # are all shared are inserted as many times as given; None and markup kept as such.
        cr = self.env.cr
        cr.execute("CREATE TEMPORARY TABLE bureau_rows (id serial, n int4, t text, b bool)")
        columns = [("n", "int4"), ("t", "text"), ("b", "bool")]
        ids = insert_columns(
            cr,
            "bureau_rows",
            columns,
            [(1, Markup("<p>a</p>"), True), (2, None, True), (3, "c", True)],
            returning=True,
        )
        self.assertEqual(len(ids), 3)
        insert_columns(cr, "bureau_rows", columns, [(7, "same", False)] * 2)
        self.assertEqual(insert_columns(cr, "bureau_rows", columns, []), [])
        cr.execute("SELECT id, n, t, b FROM bureau_rows ORDER BY id")
        self.assertEqual(
            cr.fetchall(),
            [
                (ids[0], 1, "<p>a</p>", True),
                (ids[1], 2, None, True),
                (ids[2], 3, "c", True),
                (ids[2] + 1, 7, "same", False),
                (ids[2] + 2, 7, "same", False),
            ],
        )
