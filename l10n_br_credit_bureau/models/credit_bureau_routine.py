"""The task scheduler (Agenda de tarefas): each routine of each integration runs on a
schedule of IXC's shape (minutes, hours, days of the month, months, weekdays: each "Todos"
or a list), run by one scheduled action that calls the routines' own methods, and leaves
one line of log per run."""

import logging
import re
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import (
    ROUTINE_DEFAULT_SCHEDULES,
    ROUTINE_HORIZON_DAYS,
    ROUTINE_MONTH_NAMES,
    ROUTINE_WEEKDAY_NAMES,
    ROUTINES,
)

_logger = logging.getLogger(__name__)

ENGINE_CRON = "l10n_br_credit_bureau.ir_cron_routine_engine"
# The schedule's fields: (field, lowest, highest, names accepted besides numbers).
SCHEDULE_FIELDS = {
    "minutes": (0, 59, {}),
    "hours": (0, 23, {}),
    "month_days": (1, 31, {}),
    "months": (1, 12, ROUTINE_MONTH_NAMES),
    "weekdays": (1, 7, ROUTINE_WEEKDAY_NAMES),
}
ALL_WORDS = frozenset({"", "*", "todos", "todas", "all"})
# Written only by the engine and "Executar agora": never by a user (RPC included).
ROUTINE_FLOW_FIELDS = frozenset({"next_run", "last_run", "routine", "integration_id"})
# What a run counts, in the order the log and the notifications show them.
COUNT_KEYS = ("queued", "sent", "removed", "refused", "failed", "status_changes")


class RoutineTally:
    """What a routine did, per integration: counts (``COUNT_KEYS``) and notes, plus the
    records it left for a later call (``remaining``). Returned by the routines' methods."""

    def __init__(self):
        self.counts = defaultdict(Counter)
        self.notes = defaultdict(list)
        self.remaining = 0

    def add(self, integration_id, key, count=1):
        if count:
            self.counts[integration_id][key] += count

    def note(self, integration_id, text):
        if text not in self.notes[integration_id]:
            self.notes[integration_id].append(text)

    def add_states(self, records, mapping):
        """Count ``records`` by their state now, ``mapping``: {state: count key}."""
        for record in records:
            key = mapping.get(record.state)
            if key:
                self.add(record.integration_id.id, key)

    def integration_ids(self):
        return set(self.counts) | set(self.notes)


def parse_schedule_value(env, field_label, value, lowest, highest, names):
    """The sorted values of one field of a schedule ("Todos" → None), or a ValidationError
    in Portuguese naming the field and what is wrong. Accepts numbers, names (weekdays,
    months), ranges ``a-b`` and steps ``*/n`` or ``a-b/n``, separated by commas."""
    text = (value or "").strip().lower()
    if text in ALL_WORDS:
        return None

    def number(token):
        token = token.strip()
        if token in names:
            return names[token]
        if not re.fullmatch(r"\d{1,2}", token):
            raise ValidationError(
                env._(
                    '%(field)s: "%(value)s" is not valid. Use "Todos" or a list such as '
                    "%(example)s.",
                    field=field_label,
                    value=token,
                    example=f"{lowest},{highest}" if lowest < highest else lowest,
                )
            )
        result = int(token)
        if not lowest <= result <= highest:
            raise ValidationError(
                env._(
                    "%(field)s: %(value)s is out of range (from %(lowest)s to %(highest)s).",
                    field=field_label,
                    value=result,
                    lowest=lowest,
                    highest=highest,
                )
            )
        return result

    result = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise ValidationError(env._("%(field)s: an empty item in the list.", field=field_label))
        step = 1
        if "/" in part:
            part, _slash, step_text = part.partition("/")
            if not re.fullmatch(r"\d{1,2}", step_text.strip()) or not int(step_text):
                raise ValidationError(
                    env._(
                        '%(field)s: "%(value)s" is not a valid step (e.g. */15).',
                        field=field_label,
                        value=step_text,
                    )
                )
            step = int(step_text)
        if part.strip() in ("*", "todos", "todas"):
            start, end = lowest, highest
        elif "-" in part:
            first, _dash, last = part.partition("-")
            start, end = number(first), number(last)
            if start > end:
                raise ValidationError(
                    env._(
                        "%(field)s: the range %(range)s goes backwards.",
                        field=field_label,
                        range=part,
                    )
                )
        else:
            start = end = number(part)
        result.update(range(start, end + 1, step))
    return sorted(result)


def next_occurrence(schedule, after, tz_name):
    """The first minute strictly after ``after`` (naive UTC) that ``schedule`` allows, as
    naive UTC, or None within ``ROUTINE_HORIZON_DAYS``. ``schedule``: {field: sorted list or
    None (all)}. The day of the month AND the weekday must both match (e.g. days 5 and 20,
    Monday–Friday: only a 5th or a 20th that falls on a weekday)."""
    tz = pytz.timezone(tz_name or "UTC")
    start = pytz.utc.localize(after).astimezone(tz).replace(tzinfo=None)
    start = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
    minutes = schedule["minutes"] or range(60)
    hours = schedule["hours"] or range(24)
    month_days, months, weekdays = (
        schedule["month_days"],
        schedule["months"],
        schedule["weekdays"],
    )
    day = start.date()
    for _index in range(ROUTINE_HORIZON_DAYS):
        if (
            (months is None or day.month in months)
            and (month_days is None or day.day in month_days)
            and (weekdays is None or day.isoweekday() in weekdays)
        ):
            for hour in hours:
                for minute in minutes:
                    local = datetime.combine(day, time(hour, minute))
                    if local >= start:
                        aware = tz.localize(local)
                        return aware.astimezone(pytz.utc).replace(tzinfo=None)
        day += timedelta(days=1)
    return None


class CreditBureauRoutine(models.Model):
    """One routine of one integration, with its schedule (Agenda de tarefas)."""

    _name = "credit.bureau.routine"
    _description = "Credit Bureau Routine"
    _order = "integration_id, sequence, id"
    _check_company_auto = True

    integration_id = fields.Many2one(
        "credit.bureau.integration",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(related="integration_id.company_id", store=True, index=True)
    routine = fields.Selection(ROUTINES, required=True, readonly=True)
    name = fields.Char(compute="_compute_name")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(
        default=True,
        help="An inactive routine never runs on its schedule; Run now still runs it.",
    )
    minutes = fields.Char(
        help='Minutes of the hour (0–59): "Todos", or a list such as 0,30, 15 or */15.'
    )
    hours = fields.Char(help='Hours of the day (0–23): "Todos", or a list such as 8, 6-22 or 0,12.')
    month_days = fields.Char(
        string="Days of the month",
        help='Days of the month (1–31): "Todos", or a list such as 5,20 or 1-10. With '
        "weekdays too, a day must match both.",
    )
    months = fields.Char(
        help='Months (1–12 or jan, fev... dez): "Todos", or a list such as 1-6 or jan,jul.'
    )
    weekdays = fields.Char(
        help="Weekdays (seg, ter, qua, qui, sex, sab, dom, or 1 = Monday ... 7 = Sunday): "
        '"Todos", or a list such as seg-sex.'
    )
    tz = fields.Selection(
        "_tz_get",
        string="Time zone",
        required=True,
        default=lambda self: self._default_tz(),
        help="The schedule's hours are read in this time zone.",
    )
    schedule_summary = fields.Char(string="Schedule", compute="_compute_schedule_summary")
    next_run = fields.Datetime(string="Next run", readonly=True, copy=False)
    last_run = fields.Datetime(string="Last run", readonly=True, copy=False)
    run_ids = fields.One2many("credit.bureau.routine.run", "routine_id", string="Runs")
    last_run_id = fields.Many2one(
        "credit.bureau.routine.run", string="Last run log", compute="_compute_last_run_id"
    )
    last_run_message = fields.Char(string="Last result", compute="_compute_last_run_id")

    _routine_unique = models.Constraint(
        "UNIQUE(integration_id, routine)", "An integration has each routine once."
    )

    @api.model
    def _tz_get(self):
        return [(tz, tz) for tz in sorted(pytz.all_timezones, key=lambda tz: tz)]

    @api.model
    def _default_tz(self):
        return self.env.company.partner_id.tz or self.env.user.tz or "America/Sao_Paulo"

    # ------------------------------------------------------------------ computes
    @api.depends("routine", "integration_id.name")
    def _compute_name(self):
        labels = dict(self._fields["routine"]._description_selection(self.env))
        for routine in self:
            routine.name = f"{labels.get(routine.routine, '')} — {routine.integration_id.name}"

    def _compute_last_run_id(self):
        for routine in self:
            routine.last_run_id = self.env["credit.bureau.routine.run"].search(
                [("routine_id", "=", routine.id)], order="date_start desc, id desc", limit=1
            )
            routine.last_run_message = routine.last_run_id.message

    @api.depends("minutes", "hours", "month_days", "months", "weekdays")
    def _compute_schedule_summary(self):
        labels = {
            "minutes": self.env._("minutes"),
            "hours": self.env._("hours"),
            "month_days": self.env._("days"),
            "months": self.env._("months"),
            "weekdays": self.env._("weekdays"),
        }
        everything = self.env._("All")
        for routine in self:
            routine.schedule_summary = "; ".join(
                f"{labels[name]}: {(routine[name] or '').strip() or everything}"
                for name in SCHEDULE_FIELDS
            )

    # ------------------------------------------------------------------ schedule
    def _bureau_schedule(self):
        """{field: sorted values or None}, a ValidationError in Portuguese when invalid."""
        self.ensure_one()
        schedule = {}
        for name, (lowest, highest, names) in SCHEDULE_FIELDS.items():
            label = self._fields[name]._description_string(self.env)
            schedule[name] = parse_schedule_value(
                self.env, label, self[name], lowest, highest, names
            )
        return schedule

    def _bureau_next_run(self, after=None):
        """The next run after ``after`` (now by default), a ValidationError when the schedule
        never happens (e.g. day 31 of February)."""
        self.ensure_one()
        after = after or fields.Datetime.now()
        found = next_occurrence(self._bureau_schedule(), after, self.tz)
        if found is None:
            raise ValidationError(
                self.env._(
                    "The schedule of %(routine)s never happens (e.g. day 31 in February, or "
                    "29 February on a weekday that does not match): check the days, months "
                    "and weekdays.",
                    routine=self.name,
                )
            )
        return found

    @api.constrains("minutes", "hours", "month_days", "months", "weekdays", "tz")
    def _check_schedule(self):
        for routine in self:
            routine._bureau_next_run()

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "The routines of an integration are created with it: change their "
                    "schedule instead."
                )
            )
        routines = super().create(vals_list)
        routines._bureau_reschedule()
        return routines

    def write(self, vals):
        if not self.env.su:
            touched = sorted(ROUTINE_FLOW_FIELDS & set(vals))
            if touched:
                raise UserError(
                    self.env._(
                        "These fields of a routine are written only by the task scheduler: "
                        "%(fields)s. Change the schedule instead.",
                        fields=", ".join(
                            self._fields[name]._description_string(self.env) for name in touched
                        ),
                    )
                )
        result = super().write(vals)
        if set(vals) & (set(SCHEDULE_FIELDS) | {"tz", "active"}):
            self._bureau_reschedule()
        return result

    def _bureau_reschedule(self, after=None):
        """Compute the next runs and wake the engine up at the first of them."""
        for routine in self:
            next_run = routine._bureau_next_run(after) if routine.active else False
            routine.sudo().with_context(active_test=False).write({"next_run": next_run})
        upcoming = [routine.next_run for routine in self if routine.next_run]
        if upcoming:
            self.env.ref(ENGINE_CRON)._trigger(min(upcoming))

    @api.model
    def _bureau_ensure_routines(self, integrations=None):
        """Give every integration (or those given) each of its routines, with the defaults
        of ``ROUTINE_DEFAULT_SCHEDULES`` (equivalent to the scheduled actions of earlier
        versions). Idempotent: called by the integration's creation and by each update of
        the module (data file), so that existing databases get theirs."""
        Routine = self.sudo().with_context(active_test=False)
        if integrations is None:
            integrations = (
                self.env["credit.bureau.integration"].sudo().with_context(active_test=False)
            ).search([("company_id", "!=", False)])  # every integration
        existing = {
            (routine.integration_id.id, routine.routine)
            for routine in Routine.search([("integration_id", "in", integrations.ids)])
        }
        vals_list = [
            {
                "integration_id": integration.id,
                "routine": code,
                "sequence": sequence,
                "tz": integration.company_id.partner_id.tz or self._default_tz(),
                **ROUTINE_DEFAULT_SCHEDULES[code],
            }
            for integration in integrations
            for sequence, (code, _label) in enumerate(ROUTINES, start=1)
            if (integration.id, code) not in existing
        ]
        return Routine.create(vals_list) if vals_list else Routine

    @api.model
    def _bureau_migrate_legacy_crons(self):
        """Each update of the module: the routines every integration needs, and on a
        database of an earlier version, its scheduled actions of the routines (status, automatic
        negativation, re-send of errors) turned into schedules: the same frequency (an
        interval of N minutes or hours that divides the hour or the day; a daily one at the
        time of its next call), off where the action was off. Those actions are removed:
        the engine runs the routines now. The removal job stays (payments, requests)."""
        created = self._bureau_ensure_routines()
        legacy = {
            "status": "l10n_br_credit_bureau.ir_cron_negativation_status",
            "auto_negativate": "l10n_br_credit_bureau.ir_cron_negativation_auto",
            "retry": "l10n_br_credit_bureau.ir_cron_negativation_retry",
        }
        for code, xmlid in legacy.items():
            cron = self.env.ref(xmlid, raise_if_not_found=False)
            if not cron:
                continue
            cron = cron.sudo().with_context(active_test=False)
            routines = created.filtered(lambda r, c=code: r.routine == c)
            values = self._bureau_schedule_of_interval(cron)
            if not cron.active:
                values["active"] = False
            if routines and values:
                routines.write(values)
            _logger.info("Scheduled action %s replaced by the routines' schedules", xmlid)
            cron.unlink()
        removal = self.env.ref(
            "l10n_br_credit_bureau.ir_cron_negativation_removal", raise_if_not_found=False
        )
        if removal and (removal.interval_type, removal.interval_number) == ("hours", 1):
            # The hourly sweep is the removal routine's schedule now; the job itself runs
            # on each payment and request, and once a day as a safety net.
            removal.sudo().write({"interval_type": "days"})
        return created

    @api.model
    def _bureau_schedule_of_interval(self, cron):
        """The schedule of the same frequency as a scheduled action's interval, or {}."""
        number, unit = cron.interval_number, cron.interval_type
        if unit == "minutes" and number and 60 % number == 0:
            return {"minutes": f"*/{number}" if number > 1 else "", "hours": ""}
        if unit == "hours" and number and 24 % number == 0:
            return {"minutes": "0", "hours": f"*/{number}" if number > 1 else ""}
        if unit == "days" and number == 1 and cron.nextcall:
            local = fields.Datetime.context_timestamp(
                self.with_context(tz=self._default_tz()), cron.nextcall
            )
            return {"minutes": str(local.minute), "hours": str(local.hour)}
        return {}

    # ------------------------------------------------------------------ running
    def _bureau_call(self):
        """Run this routine once with its own method, scoped to its integration, in the
        flows' environment (superuser, the company's language). Returns a RoutineTally."""
        self.ensure_one()
        Negativation = self.env["credit.bureau.negativation"]._bureau_flow_env()
        integration = self.integration_id.with_env(Negativation.env)
        if self.routine == "status":
            return Negativation._cron_poll_status(integrations=integration)
        if self.routine == "auto_negativate":
            return integration.env[integration._name]._cron_auto_negativate(
                integrations=integration
            )
        if self.routine == "retry":
            return Negativation._cron_retry_errors(integrations=integration)
        return Negativation._bureau_remove_due(integrations=integration)

    def _bureau_execute(self, trigger):
        """Run the routine and write its line of log; the next run is computed from now.
        Returns the run (``credit.bureau.routine.run``)."""
        self.ensure_one()
        started = fields.Datetime.now()
        author = self.env.user
        # The flows' environment: superuser, in the language of the user who asked (Run
        # now) or else of the company's users (the engine runs without one).
        lang = self.env.context.get("lang") or self.integration_id.company_id._bureau_lang()
        routine = self.sudo().with_context(lang=lang)
        tally = routine._bureau_call()
        run = routine.env["credit.bureau.routine.run"]._bureau_log(
            routine, tally, trigger, started, author
        )
        values = {"last_run": started}
        if routine.active:
            values["next_run"] = routine._bureau_next_run(max(started, fields.Datetime.now()))
        routine.write(values)
        if tally.remaining and routine.routine == "removal":
            # Left for later by this call: the removal job goes on at once until none is left.
            self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_removal")._trigger()
        return run

    def action_run_now(self):
        """Executar agora: run the routine at once (the user's right to change the
        integration checked), and show what it did."""
        self.ensure_one()
        self.check_access("write")
        self.integration_id.check_access("write")
        run = self.with_context(lang=self.env.context.get("lang") or self.env.user.lang)
        run = run._bureau_execute("manual")
        return self.integration_id._bureau_notify(
            run.message, "warning" if run.state == "failed" else "success"
        )

    @api.model
    def _cron_run_due(self):
        """The engine (one scheduled action): run the routines whose time has come, each with
        its own method scoped to its integration, commit after each one, and wake up again
        at the next one due."""
        Routine = self.sudo()
        engine = self.env.ref(ENGINE_CRON)
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        due = Routine.search(
            [
                ("active", "=", True),
                ("next_run", "!=", False),
                ("next_run", "<=", fields.Datetime.now()),
            ],
            order="next_run, id",
        )
        for index, routine in enumerate(due):
            if not routine.integration_id.active:
                routine._bureau_reschedule()
                continue
            if in_cron:
                try:
                    routine._bureau_execute("schedule")
                except Exception as error:  # one routine's crash does not stop the others
                    self.env.cr.rollback()
                    _logger.exception("Routine %s failed", routine.id)
                    routine._bureau_log_crash(error)
            else:
                routine._bureau_execute("schedule")
            if in_cron and (
                self.env["ir.cron"]._commit_progress(1, remaining=len(due) - index - 1) <= 0
            ):
                return
        upcoming = Routine.search(
            [("active", "=", True), ("next_run", "!=", False)], order="next_run", limit=1
        )
        if upcoming:
            engine._trigger(upcoming.next_run)

    def _bureau_log_crash(self, error):
        """An unexpected error stopped the routine: logged, rescheduled, the rest goes on."""
        self.ensure_one()
        started = fields.Datetime.now()
        routine = self.sudo().with_context(lang=self.integration_id.company_id._bureau_lang())
        tally = RoutineTally()
        tally.note(
            routine.integration_id.id,
            routine.env._(
                "Unexpected error, the technical detail is in the server log: %s",
                type(error).__name__,
            ),
        )
        routine.env["credit.bureau.routine.run"]._bureau_log(
            routine, tally, "schedule", started, self.env.user, state="failed"
        )
        routine.write({"last_run": started, "next_run": routine._bureau_next_run(started)})


class CreditBureauRoutineRun(models.Model):
    """One line per run of a routine: when, which, what triggered it, what it did."""

    _name = "credit.bureau.routine.run"
    _description = "Credit Bureau Routine Run"
    _order = "date_start desc, id desc"
    _check_company_auto = True

    routine_id = fields.Many2one(
        "credit.bureau.routine", string="Schedule", ondelete="cascade", index=True, readonly=True
    )
    routine = fields.Selection(ROUTINES, required=True, readonly=True)
    integration_id = fields.Many2one(
        "credit.bureau.integration", ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(
        related="integration_id.company_id", store=True, index=True, string="Branch"
    )
    trigger = fields.Selection(
        [
            ("schedule", "Schedule"),
            ("manual", "Run now"),
            ("event", "Payment or removal request"),
        ],
        required=True,
        readonly=True,
        string="Triggered by",
    )
    user_id = fields.Many2one("res.users", readonly=True)
    date_start = fields.Datetime(string="Started", required=True, readonly=True)
    date_end = fields.Datetime(string="Ended", readonly=True)
    state = fields.Selection(
        [("done", "Done"), ("failed", "Failed")], default="done", required=True, readonly=True
    )
    queued = fields.Integer(
        readonly=True, help="Negativations queued, or removals requested, by the run."
    )
    sent = fields.Integer(readonly=True, help="Inclusions accepted by the provider.")
    removed = fields.Integer(
        string="Removals confirmed", readonly=True, help="Removals confirmed by the provider."
    )
    refused = fields.Integer(readonly=True, help="Invoices or records stopped by a blocker.")
    failed = fields.Integer(
        string="Failed calls", readonly=True, help="Calls to the provider that failed."
    )
    status_changes = fields.Integer(
        string="Status changes",
        readonly=True,
        help="Negativations whose status at the provider changed.",
    )
    message = fields.Char(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("The log of the routines is written only by them."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("The log of the routines is written only by them."))
        return super().write(vals)

    @api.model
    def _bureau_summary(self, counts, notes=()):
        """A line such as "2 enfileiradas, 1 enviada..." of the non-zero counts."""
        labels = {
            "queued": self.env._("%s queued"),
            "sent": self.env._("%s sent"),
            "removed": self.env._("%s removed"),
            "refused": self.env._("%s refused"),
            "failed": self.env._("%s failed"),
            "status_changes": self.env._("%s status changes"),
        }
        parts = [labels[key] % counts[key] for key in COUNT_KEYS if counts.get(key)]
        text = ", ".join(parts) or self.env._("Nothing to do")
        if notes:
            text = f"{text}. {' '.join(notes)}"
        return text

    @api.model
    def _bureau_log(self, routine, tally, trigger, started, author, state="done"):
        """Write the line of ``routine`` (its integration's part of ``tally``)."""
        integration_id = routine.integration_id.id
        counts = tally.counts.get(integration_id, Counter())
        notes = tally.notes.get(integration_id, [])
        return self.sudo().create(
            {
                "routine_id": routine.id,
                "routine": routine.routine,
                "integration_id": integration_id,
                "trigger": trigger,
                "user_id": author.id,
                "date_start": started,
                "date_end": fields.Datetime.now(),
                "state": state,
                "message": self._bureau_summary(counts, notes),
                **{key: counts.get(key, 0) for key in COUNT_KEYS},
            }
        )

    @api.model
    def _bureau_log_event(self, routine_code, tally):
        """Lines of a run not started by a schedule (the removal job after a payment): one
        per integration that had something done."""
        routines = (
            self.env["credit.bureau.routine"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("routine", "=", routine_code),
                    ("integration_id", "in", list(tally.integration_ids())),
                ]
            )
        )
        now = fields.Datetime.now()
        runs = self.browse()
        for routine in routines:
            if tally.counts.get(routine.integration_id.id):
                runs |= self._bureau_log(routine, tally, "event", now, self.env.user)
        return runs
