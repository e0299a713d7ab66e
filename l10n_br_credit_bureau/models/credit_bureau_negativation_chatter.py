import logging
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, models
from odoo.tools import clean_context

from ..tools import mask_secrets

_logger = logging.getLogger(__name__)

TRACKING = "tracking_value_ids"
# Keys of the transaction's precommit data: the tracking lines that ``_message_track``
# collects to store them together, and the flag of a line being collected.
DEFERRED_LOGS = "l10n_br_credit_bureau.deferred_tracking_lines"
DEFERRING = "l10n_br_credit_bureau.deferring_tracking_line"

# The columns every row inserted by ``insert_columns``'s callers ends with.
AUDIT_COLUMNS = (
    ("create_uid", "int4"),
    ("create_date", "timestamp"),
    ("write_uid", "int4"),
    ("write_date", "timestamp"),
)


def insert_columns(cr, table, columns, rows, returning=False):
    """Insert ``rows`` (tuples of values ready for the database, in the order of
    ``columns``, ``(name, SQL type)`` pairs) into ``table`` with one query, however many
    they are: a value the same in every row is sent once, each other column as one array
    (``unnest``), not one tuple of values per row. Returns the ids, in the order of
    ``rows``, when ``returning``."""
    if not rows:
        return []
    select, constants, names, types, arrays = [], [], [], [], []
    for index, (name, sql_type) in enumerate(columns):
        first = rows[0][index]
        if all(type(row[index]) is type(first) and row[index] == first for row in rows):
            select.append(f"%s::{sql_type}")
            constants.append(first)
        else:
            select.append(f'u."{name}"')
            names.append(f'"{name}"')
            types.append(f"%s::{sql_type}[]")
            arrays.append([row[index] for row in rows])
    if arrays:
        source = f"unnest({', '.join(types)}) AS u({', '.join(names)})"
    else:
        source, arrays = "generate_series(1, %s)", [len(rows)]
    # Table and column names of the ORM's own models, values as parameters.
    column_list = ", ".join(f'"{name}"' for name, _type in columns)
    select_list = ", ".join(select)
    query = f'INSERT INTO "{table}" ({column_list}) SELECT {select_list} FROM {source}'
    if not returning:
        cr.execute(query, [*constants, *arrays])
        return []
    cr.execute(query + " RETURNING id", [*constants, *arrays])
    return [id_ for (id_,) in cr.fetchall()]


class CreditBureauNegativationChatter(models.Model):
    """The audit trail of negativations: chatter lines in bulk, the integrations' secrets masked."""

    # One model split by flow over files of this addon, on purpose (see the record file).
    _inherit = "credit.bureau.negativation"  # pylint: disable=consider-merging-classes-inherited

    def _bureau_log_bulk(self, body):
        """The same note on many records, authored by the current user, without notifying
        anyone: ``mail.thread._message_log_batch``, like the creation line of a batch. The
        text is masked before it is escaped into HTML, so that the masking of keys
        (``<Senha>…</Senha>``, ``"token": "…"``, ``senha=…``) sees it as it was written."""
        if not self:
            return self.env["mail.message"]
        return self.sudo()._message_log_batch(
            bodies=dict.fromkeys(self.ids, self._bureau_note_body(body))
        )

    def _bureau_note_body(self, body):
        """``body`` as a chatter line: a text masked, then escaped (HTML kept as given)."""
        if isinstance(body, Markup):
            return body
        return escape(self._bureau_mask_messages([{"body": body}])[0]["body"])

    def _bureau_log_tracked(self, body):
        """The same note on many records whose tracked fields were just written: carried by
        each record's tracking line of that change (``_track_set_log_message``: one line per
        record, not a note and a tracking line). A note of its own (``_bureau_log_bulk``)
        when tracking is off."""
        context = self.env.context
        if not self or context.get("tracking_disable") or context.get("mail_notrack"):
            return self._bureau_log_bulk(body)
        self._track_set_log_message(self._bureau_note_body(body))
        return self.env["mail.message"]

    def _bureau_log_each(self, bodies):
        """A note on each record, each with its own text (``{record id: text}``): the
        outcomes of a sending job's group. Stored together like ``_bureau_log_bulk``'s; a
        record that somebody follows for its notes gets its line by ``message_post``
        instead, which notifies them as before."""
        if not self:
            return
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        followed = {
            follower.res_id
            for follower in self.env["mail.followers"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("subtype_ids", "in", [note]),
                ],
                ["res_id"],
            )
        }
        for record in self.filtered(lambda r: r.id in followed):
            record.message_post(body=bodies[record.id])
        rest = self.filtered(lambda r: r.id not in followed)
        if not rest:
            return
        texts = [bodies[record.id] for record in rest]
        masked = self._bureau_mask_messages([{"body": text} for text in texts])
        rest.sudo()._message_log_batch(
            bodies={
                record.id: values["body"] if isinstance(text, Markup) else escape(values["body"])
                for record, text, values in zip(rest, texts, masked, strict=True)
            }
        )

    def _bureau_write_state(self, values, body):
        """Write ``values`` (a change of state: no other tracked field) on these records and
        log ``body`` in each one's tracking line of the change. The lines are those that
        ``write`` and tracking give at commit (``_message_track``: per record, a line with
        the body and the state's tracking value), built once per former state and stored
        together (``_message_log_batch``, ``_bureau_insert_rows``): a status poll changes
        thousands at a time. The usual way for one record, when tracking is off, another
        tracked field is written, or tracking is pending on the records."""
        context = self.env.context
        pending = self.env.cr.precommit.data.get(f"mail.tracking.{self._name}") or {}
        if (
            len(self) < 2
            or context.get("tracking_disable")
            or context.get("mail_notrack")
            or set(values) & set(self._track_get_fields()) != {"state"}
            or any(pending.get(record_id) for record_id in self.ids)
        ):
            self.write(values)
            self._bureau_log_tracked(body)
            return
        former = self.grouped("state")
        self.with_context(tracking_disable=True).write(values)
        body = self._bureau_note_body(body)
        Tracking = self.env["mail.tracking.value"].sudo()
        info = self.fields_get(["state"], attributes=("string", "type", "selection"))["state"]
        for state, records in former.items():
            if state == values["state"]:
                continue
            tracking = Tracking._create_tracking_values(
                state, values["state"], "state", info, records[:1]
            )
            lines = records.sudo()._message_log_batch(bodies=dict.fromkeys(records.ids, body))
            self._bureau_insert_rows(
                Tracking, [dict(tracking, mail_message_id=line.id) for line in lines]
            )

    # Keys of the plain chatter lines that _message_create inserts in bulk.
    _BULK_MESSAGE_KEYS = frozenset(
        {
            "author_id",
            "body",
            "date",
            "email_add_signature",
            "email_from",
            "is_internal",
            "message_id",
            "message_type",
            "model",
            "record_alias_domain_id",
            "record_company_id",
            "reply_to",
            "res_id",
            "subject",
            "subtype_id",
        }
    )
    _BULK_MESSAGE_EMPTY_KEYS = frozenset({"attachment_ids", "partner_ids", "tracking_value_ids"})

    def _message_create(self, values_list):
        """Every chatter line of a negativation comes here (``message_post``, and
        ``_message_log_batch`` for the creation line of a batch and ``_bureau_log_bulk``):
        the integrations' secrets are masked first.

        Then plain lines on many records (what ``_message_log_batch`` gives, and the
        tracking lines that ``_message_track`` collects, their tracking values created
        together) are inserted with one query, with the values ``mail.message.create``
        would store. Through ``mail.message.create`` the automatic run over 10 000
        invoices takes about twice as long (the inverse caches of the ~70 models that have
        a chatter updated per message, defaults and the same body sanitised per row) and
        is no longer under a third of OCA ``account_credit_control``'s run over the same
        invoices: measured in
        docs/performance.md (``./tests/benchmarks/run --only oca``). Anything else (one
        message, attachments, other tracking commands, recipients, embedded images) goes
        the usual way."""
        deferred = self.env.cr.precommit.data.get(DEFERRED_LOGS)
        if deferred is not None and self.env.cr.precommit.data.get(DEFERRING):
            # A tracking line, kept for the others of the same tracking (_message_track):
            # masked with them.
            deferred.extend(values_list)
            return self.env["mail.message"]
        values_list = self._bureau_mask_messages(values_list)
        if len(values_list) < 2 or not self.env.su or not self._bureau_plain_messages(values_list):
            return super()._message_create(values_list)
        ignored = self._get_message_create_ignore_field_names()
        values_list = [
            {key: value for key, value in values.items() if key not in ignored}
            for values in values_list
        ]
        self._raise_for_invalid_parameters(
            {key for values in values_list for key in values},
            restricting_names=self._get_message_create_valid_field_names(),
        )
        Message = self.env["mail.message"].with_context(clean_context(self.env.context))
        rows = [
            {key: value for key, value in values.items() if key in self._BULK_MESSAGE_KEYS}
            for values in values_list
        ]
        self._bureau_message_values(Message, rows)
        # Defaults of the fields not given, as mail.message.create would add them.
        defaults = Message._add_missing_default_values(dict(rows[0]))
        fnames = sorted(
            name
            for name in defaults
            if Message._fields[name].store and Message._fields[name].column_type
        )
        converted = {}

        def column(name, row):
            # The same value is converted once (the body is sanitised once for the batch).
            value = row[name] if name in row else defaults[name]
            key = (name, value)
            try:
                hash(key)
            except TypeError:
                return Message._fields[name].convert_to_column_insert(value, Message, row)
            if key not in converted:
                converted[key] = Message._fields[name].convert_to_column_insert(value, Message, row)
            return converted[key]

        now = self.env.cr.now()
        uid = self.env.uid
        ids = insert_columns(
            self.env.cr,
            Message._table,
            [(name, Message._fields[name].column_type[1]) for name in fnames] + list(AUDIT_COLUMNS),
            [(*(column(name, row) for name in fnames), uid, now, uid, now) for row in rows],
            returning=True,
        )
        messages = Message.browse(ids)
        messages.modified(fnames, create=True)
        # Their tracking values, the rows mail.message.create would create for them.
        tracking = [
            dict(command[2], mail_message_id=message_id)
            for message_id, values in zip(ids, values_list, strict=True)
            for command in values.get(TRACKING) or ()
        ]
        if tracking:
            self._bureau_insert_rows(self.env["mail.tracking.value"].sudo(), tracking)
        # What mail.message.create does for each message: the documents' chatter changed.
        res_ids = defaultdict(list)
        for row in rows:
            if row.get("message_type") != "user_notification":
                res_ids[row["model"]].append(row["res_id"])
        for model, ids_of_model in res_ids.items():
            self.env[model].browse(ids_of_model).invalidate_recordset(
                ["message_ids", "message_needaction", "message_needaction_counter"]
            )
        return messages

    @api.model
    def _bureau_insert_rows(self, Model, rows):
        """Insert ``rows`` (values of ``Model``'s stored columns) with one query, as
        ``create`` stores them (each value converted by its field, the same value once).
        For the tracking values of the lines ``_message_create`` inserts: no default, no
        computed field, nothing else to do."""
        names = sorted({name for row in rows for name in row})
        fields_ = [Model._fields[name] for name in names]
        if not all(field.store and field.column_type and not field.compute for field in fields_):
            Model.create(rows)
            return
        converted = {}

        def column(field, row):
            value = row.get(field.name)
            key = (field.name, value)
            try:
                hash(key)
            except TypeError:
                return field.convert_to_column_insert(value, Model, row)
            if key not in converted:
                converted[key] = field.convert_to_column_insert(value, Model, row)
            return converted[key]

        now, uid = self.env.cr.now(), self.env.uid
        insert_columns(
            self.env.cr,
            Model._table,
            [(field.name, field.column_type[1]) for field in fields_] + list(AUDIT_COLUMNS),
            [(*(column(field, row) for field in fields_), uid, now, uid, now) for row in rows],
        )

    def _message_track(self, fields_iter, initial_values_dict):
        """The tracking lines of many records at once (a sending job's group, a status
        poll's chunk: what one commit tracks): still one line per record with its tracking
        values, made by Odoo's own ``_message_track``, but stored together by
        ``_message_create`` instead of one by one."""
        data = self.env.cr.precommit.data
        if len(self) < 2 or DEFERRED_LOGS in data:
            return super()._message_track(fields_iter, initial_values_dict)
        data[DEFERRED_LOGS] = deferred = []
        try:
            tracking = super()._message_track(fields_iter, initial_values_dict)
        finally:
            del data[DEFERRED_LOGS]
        if deferred:
            self._message_create(deferred)
        return tracking

    @api.model
    def _bureau_log_author(self):
        """The author and sender of the notes ``_message_log_batch`` logs as the current
        user: ``(author id, email from)``. In a run of a job that logs group after group
        (``bureau_log_run`` in the context: a name of the run) they are computed once, at
        its first group, and kept with the cursor: each group's commit empties the cache,
        and they cost a few queries each time. None outside such a run."""
        run = self.env.context.get("bureau_log_run")
        if not run:
            return None
        key = ("l10n_br_credit_bureau.log_author", run, self.env.uid)
        if key not in self.env.cr.cache:
            self.env.cr.cache[key] = self._message_compute_author()
        return self.env.cr.cache[key]

    def _message_log_batch(self, bodies, subject=False, author_id=None, email_from=None, **kwargs):
        """The notes of ``mail.thread._message_log_batch``, authored as the job's run
        computed it once (``_bureau_log_author``) when no author or sender is given."""
        if author_id is None and email_from is None:
            author_id, email_from = self._bureau_log_author() or (None, None)
        return super()._message_log_batch(
            bodies, subject=subject, author_id=author_id, email_from=email_from, **kwargs
        )

    def _message_log(self, **kwargs):
        """A line logged by ``_message_track`` (tracking values) is kept for the others while
        it collects them (``DEFERRED_LOGS``)."""
        data = self.env.cr.precommit.data
        if DEFERRED_LOGS not in data:
            return super()._message_log(**kwargs)
        data[DEFERRING] = True
        try:
            return super()._message_log(**kwargs)
        finally:
            del data[DEFERRING]

    def _bureau_mask_messages(self, values_list):
        """The chatter lines with the integrations' secrets masked, as in the logs: a provider
        may echo a password or a token in the answer (or the error) that is posted."""
        keys, values = set(), []
        for integration in self.sudo().integration_id:
            keys |= set(integration._bureau_sensitive_keys())
            values += integration._bureau_secret_values()
        # The bodies are HTML: a secret holding "&" or "<" is there escaped.
        values += [str(escape(value)) for value in values if value]
        masked = {}

        def mask(body):
            if body not in masked:
                text = mask_secrets(str(body), keys, values)
                if text == str(body):
                    masked[body] = body
                else:
                    masked[body] = Markup(text) if isinstance(body, Markup) else text
            return masked[body]

        return [
            dict(vals, body=mask(vals["body"])) if vals.get("body") else vals
            for vals in values_list
        ]

    @api.model
    def _bureau_plain_messages(self, values_list):
        """Whether ``_message_create`` may insert these messages in bulk: the same keys on
        every line, only plain ones, no attachment/recipient/tracking value, no embedded
        image, all on records."""
        keys = set(values_list[0])
        for values in values_list:
            if set(values) != keys or not values.get("model") or not values.get("res_id"):
                return False
            if any(values[key] for key in self._BULK_MESSAGE_EMPTY_KEYS & keys - {TRACKING}):
                return False
            # Tracking values: only as created with the line (what tracking gives).
            if any(
                not (isinstance(command, list | tuple) and len(command) == 3 and command[0] == 0)
                for command in values.get(TRACKING) or ()
            ):
                return False
            if "data:image/" in str(values.get("body") or ""):
                return False
        return keys <= self._BULK_MESSAGE_KEYS | self._BULK_MESSAGE_EMPTY_KEYS

    @api.model
    def _bureau_message_values(self, Message, rows):
        """Complete ``rows`` like ``mail.message.create`` does for each message (author's
        address, Message-Id, Reply-To), computing what is common once."""
        thread = Message.env["mail.thread"]
        authors = {}
        for row in rows:
            if "email_from" not in row:
                author_id = row.get("author_id")
                if author_id not in authors:
                    authors[author_id] = thread._message_compute_author(author_id)[1]
                row["email_from"] = authors[author_id]
            if not row.get("message_id"):
                row["message_id"] = Message._get_message_id(row)
        groups = defaultdict(list)
        for row in rows:
            if "reply_to" not in row:
                groups[(row["model"], row.get("author_id"), row["email_from"])].append(row)
        for (model, author_id, email_from), group in groups.items():
            records = self.env[model].browse([row["res_id"] for row in group]).sudo()
            reply_to = records._notify_get_reply_to(default=email_from, author_id=author_id)
            for row in group:
                row["reply_to"] = reply_to[row["res_id"]]
