"""The task scheduler (Agenda de tarefas): schedules of IXC's shape, their validation, the
engine running the due routines only, the log of each run and Run now's notification."""

from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import format_amount

from ..models.credit_bureau_routine import next_occurrence, parse_schedule_value
from .test_negativation import NegativationCommon

SAO_PAULO = "America/Sao_Paulo"  # UTC-3, no daylight saving time since 2019


def schedule(**values):
    """A parsed schedule: every field "Todos" unless given (as lists)."""
    base = dict.fromkeys(("minutes", "hours", "month_days", "months", "weekdays"))
    base.update(values)
    return base


@tagged("post_install", "-at_install")
class TestRoutineSchedule(NegativationCommon):
    """The next run of a schedule, computed in the routine's time zone."""

    def _parse(self, value, lowest, highest, names=None):
        return parse_schedule_value(self.env, "Campo", value, lowest, highest, names or {})

    def test_days_5_and_20_at_0830_weekdays_only(self):
        routine = self.integration.routine_ids.filtered(lambda r: r.routine == "status")
        routine.write(
            {
                "minutes": "30",
                "hours": "8",
                "month_days": "5,20",
                "months": "Todos",
                "weekdays": "seg-sex",
                "tz": SAO_PAULO,
            }
        )
        # 5 December 2026 is a Saturday, the 20th a Sunday: the first is 5 January 2027, a
        # Tuesday, at 08:30 in São Paulo (11:30 UTC); then the 20th, a Wednesday.
        first = routine._bureau_next_run(datetime(2026, 12, 1, 12, 0))
        self.assertEqual(first, datetime(2027, 1, 5, 11, 30))
        self.assertEqual(routine._bureau_next_run(first), datetime(2027, 1, 20, 11, 30))
        self.assertEqual(
            routine._bureau_next_run(datetime(2027, 1, 20, 11, 30)), datetime(2027, 2, 5, 11, 30)
        )

    def test_every_day_hourly_from_6_to_22(self):
        hourly = schedule(minutes=[0], hours=self._parse("6-22", 0, 23))
        self.assertEqual(hourly["hours"], list(range(6, 23)))
        # 22:30 in São Paulo (01:30 UTC the next day): next is 06:00 the next local day.
        self.assertEqual(
            next_occurrence(hourly, datetime(2027, 3, 11, 1, 30), SAO_PAULO),
            datetime(2027, 3, 11, 9, 0),
        )
        # At 06:00 exactly, the next run is 07:00 (never the same minute again).
        self.assertEqual(
            next_occurrence(hourly, datetime(2027, 3, 11, 9, 0), SAO_PAULO),
            datetime(2027, 3, 11, 10, 0),
        )
        # 21:59 → 22:00, the last of the day.
        self.assertEqual(
            next_occurrence(hourly, datetime(2027, 3, 12, 0, 59), SAO_PAULO),
            datetime(2027, 3, 12, 1, 0),
        )

    def test_month_boundaries_and_29_february(self):
        last_day = schedule(minutes=[0], hours=[0], month_days=[31])
        # From 1 February: no 31st in February nor April, the next is 31 March.
        self.assertEqual(
            next_occurrence(last_day, datetime(2027, 2, 1), "UTC"), datetime(2027, 3, 31)
        )
        self.assertEqual(
            next_occurrence(last_day, datetime(2027, 3, 31), "UTC"), datetime(2027, 5, 31)
        )
        # The turn of the year, in the routine's time zone: 31 December at 23:00 in São
        # Paulo is 1 January 02:00 UTC.
        new_year = schedule(minutes=[0], hours=[23], month_days=[31], months=[12])
        self.assertEqual(
            next_occurrence(new_year, datetime(2027, 1, 1, 2, 0), SAO_PAULO),
            datetime(2028, 1, 1, 2, 0),
        )
        leap = schedule(minutes=[0], hours=[12], month_days=[29], months=[2])
        self.assertEqual(
            next_occurrence(leap, datetime(2026, 3, 1), "UTC"), datetime(2028, 2, 29, 12, 0)
        )
        # 29 February on a Monday: 2044 (28 years of calendar to look through).
        leap_monday = dict(leap, weekdays=[1])
        self.assertEqual(
            next_occurrence(leap_monday, datetime(2026, 3, 1), "UTC"),
            datetime(2044, 2, 29, 12, 0),
        )
        # Steps and names.
        self.assertEqual(self._parse("*/15", 0, 59), [0, 15, 30, 45])
        self.assertEqual(
            self._parse("jan,jul-ago", 1, 12, {"jan": 1, "jul": 7, "ago": 8}), [1, 7, 8]
        )
        self.assertIsNone(self._parse("Todos", 0, 59))
        self.assertIsNone(self._parse("", 0, 59))

    def test_invalid_lists_refused(self):
        routine = self.integration.routine_ids.filtered(lambda r: r.routine == "retry")
        before = (routine.hours, routine.month_days, routine.next_run)
        for field_name, value in (
            ("month_days", "32"),
            ("month_days", "0"),
            ("hours", "25"),
            ("minutes", "60"),
            ("weekdays", "8"),
            ("weekdays", "segunda-feira"),
            ("months", "13"),
            ("hours", "22-6"),
            ("minutes", "*/0"),
            ("month_days", "5,,20"),
        ):
            with self.subTest(field=field_name, value=value), self.assertRaises(ValidationError):
                routine.write({field_name: value})
        # A schedule that never happens (31 February) is refused too.
        with self.assertRaises(ValidationError) as caught:
            routine.write({"month_days": "30,31", "months": "2"})
        self.assertIn("never happens", caught.exception.args[0])
        self.assertEqual((routine.hours, routine.month_days, routine.next_run), before)

    def test_errors_in_portuguese(self):
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env["ir.module.module"]._load_module_terms(
            ["l10n_br_credit_bureau"], ["pt_BR"], overwrite=True
        )
        routine = self.integration.routine_ids.filtered(lambda r: r.routine == "status")
        routine = routine.with_context(lang="pt_BR")
        with self.assertRaises(ValidationError) as caught:
            routine.write({"month_days": "32"})
        self.assertEqual(
            caught.exception.args[0], "Dias do mês: 32 está fora do intervalo (de 1 a 31)."
        )
        with self.assertRaises(ValidationError) as caught:
            routine.write({"hours": "25"})
        self.assertEqual(caught.exception.args[0], "Horas: 25 está fora do intervalo (de 0 a 23).")
        with self.assertRaises(ValidationError) as caught:
            routine.write({"weekdays": "feriado"})
        self.assertIn('"feriado" não é válido', caught.exception.args[0])
        self.assertIn("Todos", caught.exception.args[0])


@tagged("post_install", "-at_install")
class TestRoutineEngine(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A Portuguese-only database: the company and its administrator speak pt_BR, the
        # log and the notifications are written in it.
        cls.env["res.lang"]._activate_lang("pt_BR")
        cls.env["ir.module.module"]._load_module_terms(
            ["l10n_br_credit_bureau"], ["pt_BR"], overwrite=True
        )
        cls.company.partner_id.lang = "pt_BR"
        cls.credit_admin = new_test_user(
            cls.env,
            login="routine_admin",
            groups="base.group_user,l10n_br_credit_bureau.group_admin",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
            lang="pt_BR",
        )
        cls.other = cls.env["credit.bureau.integration"].create(
            {"name": "Simulado 2", "provider": "dummy", "company_id": cls.company.id}
        )
        cls.Routine = cls.env["credit.bureau.routine"]
        cls.Run = cls.env["credit.bureau.routine.run"]

    def _routine(self, code, integration=None):
        integration = integration or self.integration
        return integration.routine_ids.filtered(lambda r: r.routine == code)

    def _make_due(self, routines):
        routines.sudo().write({"next_run": fields.Datetime.now() - timedelta(minutes=1)})

    def test_each_integration_gets_its_routines_with_todays_frequencies(self):
        routines = self.other.routine_ids
        self.assertEqual(
            sorted(routines.mapped("routine")), ["auto_negativate", "removal", "retry", "status"]
        )
        self.assertTrue(all(routines.mapped("next_run")))
        by_code = {routine.routine: routine for routine in routines}
        # Equivalent to the scheduled actions of earlier versions.
        self.assertEqual((by_code["status"].minutes, by_code["status"].hours), ("0", "0,12"))
        self.assertEqual((by_code["retry"].minutes, by_code["retry"].hours), ("0,30", False))
        self.assertEqual((by_code["removal"].minutes, by_code["removal"].hours), ("0", False))
        self.assertEqual(by_code["auto_negativate"].hours, "6")
        now = fields.Datetime.now()
        self.assertLessEqual(by_code["retry"].next_run - now, timedelta(minutes=30))
        self.assertLessEqual(by_code["removal"].next_run - now, timedelta(hours=1))
        # Idempotent: an update of the module adds nothing.
        self.assertFalse(self.Routine._bureau_ensure_routines())

    def test_engine_runs_the_due_routines_and_no_other(self):
        pending = self._pending(self._invoice())
        status = self._routine("status")
        other_status = self._routine("status", self.other)
        self._make_due(status)
        not_due = (self.integration.routine_ids | self.other.routine_ids) - status
        next_runs = {routine.id: routine.next_run for routine in not_due}
        fetches = []
        original = type(self.integration)._bureau_fetch_status

        def fetch(integration, references):
            fetches.append(integration)
            return original(integration, references)

        with patch.object(type(self.integration), "_bureau_fetch_status", fetch):
            self.Routine._cron_run_due()
        self.assertEqual(pending.state, "active")
        self.assertEqual(fetches, [self.integration])
        run = self.Run.search([("routine_id", "=", status.id)])
        self.assertRecordValues(
            run,
            [
                {
                    "routine": "status",
                    "integration_id": self.integration.id,
                    "trigger": "schedule",
                    "status_changes": 1,
                    "failed": 0,
                    "state": "done",
                }
            ],
        )
        self.assertEqual(run.message, "mudanças de situação: 1")
        self.assertGreater(status.next_run, fields.Datetime.now())
        self.assertTrue(status.last_run)
        # The others did not run and kept their time.
        self.assertFalse(self.Run.search([("routine_id", "in", not_due.ids)]))
        self.assertEqual({r.id: r.next_run for r in not_due}, next_runs)
        self.assertFalse(other_status.last_run)
        # Nothing due any more: a second call runs nothing.
        self.Routine._cron_run_due()
        self.assertEqual(self.Run.search_count([("routine_id", "=", status.id)]), 1)

    def test_inactive_routine_never_runs_on_schedule(self):
        retry = self._routine("retry")
        retry.active = False
        self.assertFalse(retry.next_run)
        retry.sudo().next_run = fields.Datetime.now() - timedelta(minutes=5)
        self.Routine._cron_run_due()
        self.assertFalse(self.Run.search([("routine_id", "=", retry.id)]))
        retry.active = True
        self.assertGreater(retry.next_run, fields.Datetime.now())

    def test_run_now_auto_negativation_counts_and_notification(self):
        self.integration.auto_negativate = True
        self.integration.auto_days_after_due = 30
        self._invoice(days_overdue=40)
        self._invoice(
            days_overdue=45, partner=self._debtor("Sem Endereço", "390.533.447-05", zip=False)
        )
        self._invoice(days_overdue=5)  # not overdue enough: not a candidate
        routine = self._routine("auto_negativate").with_user(self.credit_admin)
        action = routine.action_run_now()
        self.assertEqual(action["tag"], "display_notification")
        run = self.Run.search([("routine_id", "=", routine.id)])
        self.assertRecordValues(
            run,
            [{"trigger": "manual", "user_id": self.credit_admin.id, "queued": 1, "refused": 1}],
        )
        self.assertEqual(action["params"]["message"], run.message)
        self.assertEqual(run.message, "enfileiradas: 1, recusadas: 1")
        self.assertEqual(action["params"]["type"], "success")
        # Read by the administrator from the integration and from the menu.
        integration = self.integration.with_user(self.credit_admin)
        self.assertEqual(integration.routine_run_ids, run)
        self.assertEqual(routine.last_run_message, run.message)

    def test_run_now_with_nothing_to_do_says_so(self):
        routine = self._routine("auto_negativate").with_user(self.credit_admin)
        action = routine.action_run_now()
        self.assertEqual(
            action["params"]["message"],
            "Nada a fazer. A negativação automática está desligada nesta integração "
            "(Incluir/Remover automaticamente).",
        )

    def test_retry_and_removal_routines_count(self):
        move = self._invoice()
        negativation = self._pending(move)
        negativation.sudo().write(
            {
                "state": "error",
                "reference": False,
                "next_retry": fields.Datetime.now() - timedelta(minutes=1),
            }
        )
        self._make_due(self._routine("retry"))
        self.Routine._cron_run_due()
        run = self.Run.search([("routine", "=", "retry")])
        self.assertRecordValues(run, [{"sent": 1, "failed": 0, "trigger": "schedule"}])
        self.assertEqual(negativation.state, "pending")
        # Paid: the removal job runs at once (a trigger of its own, whatever the schedule);
        # run here by the routine, it requests and sends the removal.
        self._pay(move)
        self.env.flush_all()
        removal = self._routine("removal").with_user(self.credit_admin)
        action = removal.action_run_now()
        self.assertEqual(negativation.state, "removed")
        run = self.Run.search([("routine", "=", "removal")])
        self.assertRecordValues(run, [{"queued": 1, "removed": 1, "failed": 0}])
        self.assertEqual(action["params"]["message"], "enfileiradas: 1, removidas: 1")

    def test_removal_job_logs_its_runs_whatever_the_schedule(self):
        move = self._invoice()
        negativation = self._pending(move)
        self._routine("removal").active = False  # off on schedule: the job still removes
        self._pay(move)
        self.env.flush_all()
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(negativation.state, "removed")
        run = self.Run.search([("routine", "=", "removal")])
        self.assertRecordValues(
            run,
            [{"trigger": "event", "integration_id": self.integration.id, "removed": 1}],
        )
        # A run that did nothing writes no line.
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(self.Run.search_count([("routine", "=", "removal")]), 1)

    def test_failed_status_call_counted(self):
        self._pending(self._invoice())
        self.integration.dummy_fail = "error"
        tally = self.env["credit.bureau.negativation"]._cron_poll_status(
            integrations=self.integration
        )
        self.assertEqual(tally.counts[self.integration.id]["failed"], 1)
        self.assertTrue(tally.notes[self.integration.id])

    def test_rights_on_routines_and_their_log(self):
        routine = self._routine("status")
        with self.assertRaises(AccessError):
            routine.with_user(self.manager).action_run_now()
        with self.assertRaises(AccessError):
            routine.with_user(self.manager).write({"hours": "3"})
        as_admin = routine.with_user(self.credit_admin)
        as_admin.write({"hours": "3", "minutes": "15"})
        self.assertEqual(as_admin.hours, "3")
        for values in ({"next_run": fields.Datetime.now()}, {"routine": "retry"}):
            with self.subTest(values=values), self.assertRaises(UserError):
                as_admin.write(values)
        with self.assertRaises(UserError):
            self.Routine.with_user(self.credit_admin).create(
                {"integration_id": self.integration.id, "routine": "status"}
            )
        as_admin.action_run_now()
        run = self.Run.search([("routine_id", "=", routine.id)]).with_user(self.credit_admin)
        with self.assertRaises(UserError):  # an AccessError is a UserError too
            run.write({"sent": 99})
        with self.assertRaises(AccessError):
            run.with_user(self.manager).read(["message"])

    def test_the_scheduled_actions_of_earlier_versions_become_schedules(self):
        legacy = self.env["ir.cron"].create(
            {
                "name": "Legacy status poll",
                "model_id": self.env.ref(
                    "l10n_br_credit_bureau.model_credit_bureau_negativation"
                ).id,
                "state": "code",
                "code": "model._cron_poll_status()",
                "interval_number": 2,
                "interval_type": "hours",
                "active": False,
            }
        )
        self.env["ir.model.data"].create(
            {
                "module": "l10n_br_credit_bureau",
                "name": "ir_cron_negativation_status",
                "model": "ir.cron",
                "res_id": legacy.id,
                "noupdate": True,
            }
        )
        # A database of an earlier version: integrations without routines.
        self.other.routine_ids.sudo().unlink()
        created = self.Routine._bureau_migrate_legacy_crons()
        self.assertEqual(created.integration_id, self.other)
        status = created.filtered(lambda r: r.routine == "status")
        self.assertRecordValues(status, [{"minutes": "0", "hours": "*/2", "active": False}])
        self.assertTrue(created.filtered(lambda r: r.routine == "retry").active)
        self.assertFalse(legacy.exists())
        self.assertFalse(self.env.ref("l10n_br_credit_bureau.ir_cron_negativation_status", False))


@tagged("post_install", "-at_install")
class TestIntegrationNotifications(NegativationCommon):
    def test_refresh_balance_shows_the_balance(self):
        action = self.integration.action_refresh_balance()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(
            format_amount(self.env, 1000.0, self.integration.currency_id),
            action["params"]["message"],
        )
        self.assertEqual(self.integration.balance, 1000.0)

    def test_refresh_status_shows_the_result(self):
        move = self._invoice()
        Negativation = self.env["credit.bureau.negativation"].sudo()
        negativation = Negativation.create(
            dict(
                Negativation._bureau_prepare(move, self.integration, origin="manual"),
                state="pending",
                reference="SIM-1",
                sent_date=fields.Datetime.now(),
            )
        )
        action = negativation.sudo(False).action_refresh_status()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("Status changed for 1 of 1", action["params"]["message"])
        self.assertIn(negativation.name, action["params"]["message"])
        action = negativation.sudo(False).action_refresh_status()
        self.assertIn("no change", action["params"]["message"])


@tagged("post_install", "-at_install")
class TestDefaultCodesAfterSync(NegativationCommon):
    def _catalog(self, restriction, removal):
        return {
            "products": [{"code": "C1", "name": "Consulta", "kind": "consulta", "price": 1.0}],
            "restriction_codes": [
                {"code": code, "name": f"Natureza {code}"} for code in restriction
            ],
            "removal_codes": [{"code": code, "name": f"Baixa {code}"} for code in removal],
        }

    def _sync(self, catalog):
        integration = self.env["credit.bureau.integration"].create(
            {"name": "Nova", "provider": "dummy", "company_id": self.company.id}
        )
        self.assertIn("Default restriction code", integration.missing_defaults)
        with patch.object(type(integration), "_bureau_fetch_catalog", return_value=catalog):
            action = integration.action_sync_products()
        return integration, action

    def test_the_usual_codes_proposed(self):
        integration, action = self._sync(self._catalog(["DP", "TI", "TP"], ["02", "01"]))
        self.assertEqual(integration.default_restriction_code_id.code, "TI")
        self.assertEqual(integration.default_removal_code_id.code, "01")
        self.assertFalse(integration.missing_defaults)
        self.assertIn("Proposed defaults", action["params"]["message"])
        self.assertEqual(action["params"]["type"], "success")

    def test_telephony_when_no_internet_code_and_nothing_invented(self):
        integration, action = self._sync(self._catalog(["DP", "TP"], ["02"]))
        self.assertEqual(integration.default_restriction_code_id.code, "TP")
        self.assertFalse(integration.default_removal_code_id)
        self.assertEqual(integration.missing_defaults, "Default removal code")
        self.assertEqual(action["params"]["type"], "warning")

    def test_a_default_already_chosen_is_kept(self):
        integration = self.env["credit.bureau.integration"].create(
            {"name": "Nova", "provider": "dummy", "company_id": self.company.id}
        )
        integration.action_sync_products()
        integration.default_restriction_code_id = integration.restriction_code_ids.filtered(
            lambda c: c.code == "DP"
        )
        integration.action_sync_products()
        self.assertEqual(integration.default_restriction_code_id.code, "DP")
