"""Benchmarks of the negativation life cycle (issue 5): printed figures, no timed assertions.

Run through ``tests/benchmarks/run``, which prepares a scratch database per scenario:

    .local/venv/bin/python tests/benchmarks/bench.py -c .local/odoo.conf -d DB SCENARIO [options]

Scenarios: ``mass`` (mass negativation: queueing by the wizard path, then the sending cron),
``removal`` (automatic-removal scan over active negativations, some paid), ``poll`` (status
poll over pending negativations), ``auto`` (the automatic-negativation run, twice), ``oca``
(the automatic run and OCA ``account_credit_control``'s run over the same data set; the
runner installs that addon into the scenario's database).

Every figure comes from one process talking to a local PostgreSQL: wall time, the number of
SQL queries (Odoo's cursor counts each ``execute``), the time spent in those queries plus the
commits ("DB time"), and the time spent in the simulated provider (``dummy_latency_ms``),
shown apart. Crons are run the way ``ir.cron`` runs them: with a progress record in the
context, so that ``_commit_progress`` commits after each record as in production.
"""

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from datetime import timedelta

import requests

from odoo import fields, sql_db
from odoo.api import SUPERUSER_ID, Environment
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

# ------------------------------------------------------------------------- measuring

STATS = {
    "commit_time": 0.0,
    "commits": 0,
    "provider_time": 0.0,
    "provider_calls": 0,
    "worker_queries": 0,
    "worker_query_time": 0.0,
}
STATS_LOCK = threading.Lock()
# (start, end) of each simulated provider call (perf_counter), in the order they ended.
CALL_SPANS = []


def _instrument(env):
    """Time the commits and the simulated provider's calls (queries are counted by Odoo)."""
    original_commit = sql_db.Cursor.commit

    def commit(cr):
        cr.flush()  # the pending writes and precommit hooks: counted as queries, not commit
        start = time.perf_counter()
        try:
            return original_commit(cr)
        finally:
            STATS["commit_time"] += time.perf_counter() - start
            STATS["commits"] += 1

    sql_db.Cursor.commit = commit
    Integration = type(env["credit.bureau.integration"])
    original_call = Integration._dummy_call

    def dummy_call(integration, operation):
        start = time.perf_counter()
        try:
            return original_call(integration, operation)
        finally:
            end = time.perf_counter()
            with STATS_LOCK:
                STATS["provider_time"] += end - start
                STATS["provider_calls"] += 1
                CALL_SPANS.append((start, end))

    Integration._dummy_call = dummy_call
    main_thread = threading.current_thread()
    original_bureau_call = Integration._bureau_call

    def bureau_call(integration, call):
        """A provider call, perhaps in a worker thread of ``_bureau_parallel``: its queries
        are added to the figures (Odoo counts them per thread)."""
        thread = threading.current_thread()
        if thread is main_thread:
            return original_bureau_call(integration, call)
        if not hasattr(thread, "query_count"):
            thread.query_count, thread.query_time = 0, 0.0
            thread.query_hooks = [_profile_hook]
        count, spent = thread.query_count, thread.query_time
        try:
            return original_bureau_call(integration, call)
        finally:
            with STATS_LOCK:
                STATS["worker_queries"] += thread.query_count - count
                STATS["worker_query_time"] += thread.query_time - spent

    Integration._bureau_call = bureau_call
    thread = threading.current_thread()
    thread.query_count = 0
    thread.query_time = 0.0
    thread.query_hooks = [_profile_hook]


PROFILE = {"on": False, "queries": Counter(), "time": Counter(), "origins": Counter()}
_OURS = "/l10n_br_credit_bureau/"
_LITERALS = re.compile(r"\b\d+\b|'[^']*'|%s")
_LISTS = re.compile(r"\((?:\s*\?\s*,)+\s*\?\s*\)")


def _profile_hook(cr, query, params, start, delay):
    if not PROFILE["on"]:
        return
    text = query.decode() if isinstance(query, bytes) else str(query)
    text = _LISTS.sub("(...)", _LITERALS.sub("?", " ".join(text.split())))[:160]
    PROFILE["queries"][text] += 1
    PROFILE["time"][text] += delay
    frame, origin = sys._getframe(1), "?"
    while frame:
        if _OURS in frame.f_code.co_filename:
            origin = f"{frame.f_code.co_name}:{frame.f_lineno}"
            break
        frame = frame.f_back
    PROFILE["origins"][origin] += 1


BACKEND = {"pid": None}


def _backend_cpu():
    """CPU seconds used so far by the PostgreSQL process serving the main cursor (from
    /proc: the server is on this machine), or 0 when it cannot be read."""
    try:
        with open(f"/proc/{BACKEND['pid']}/stat", encoding="ascii") as stat:
            fields_ = stat.read().rsplit(")", 1)[1].split()
    except (OSError, TypeError, IndexError):
        return 0.0
    # utime and stime are fields 14 and 15 of the line (11 and 12 after the name)
    return (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")


class Meter:
    """Counts queries, DB time, provider time and wall time of a block (nestable), and the
    CPU time of this process and of its PostgreSQL backend: on a shared machine the wall
    time varies with the others' load, the CPU time much less."""

    def __init__(self, label):
        self.label = label

    def _snapshot(self):
        thread = threading.current_thread()
        return (
            time.perf_counter(),
            thread.query_count,
            thread.query_time,
            STATS["commit_time"],
            STATS["commits"],
            STATS["provider_time"],
            STATS["provider_calls"],
            STATS["worker_queries"],
            STATS["worker_query_time"],
            time.process_time(),
            _backend_cpu(),
        )

    def __enter__(self):
        self._start = self._snapshot()
        self._spans = len(CALL_SPANS)
        return self

    def __exit__(self, *exc):
        end = self._snapshot()
        self.provider_span = _union(CALL_SPANS[self._spans :])
        delta = [b - a for a, b in zip(self._start, end, strict=True)]
        self.wall, self.queries, query_time, commit_time, self.commits = delta[:5]
        self.provider, self.provider_calls, worker_queries, worker_time = delta[5:9]
        self.cpu_odoo, self.cpu_pg = delta[9:]
        self.cpu = self.cpu_odoo + self.cpu_pg
        self.queries += worker_queries
        self.db = query_time + worker_time + commit_time
        self.commit_time = commit_time
        self.python = self.wall - self.db - self.provider
        return False

    def line(self, records=None):
        # Calls made several at a time overlap: their summed latency can exceed the wall
        # time, and "the rest" is then no longer Python time alone.
        parallel = self.provider > self.wall - self.db
        python = "overlapped" if parallel else f"{self.python:6.2f} s"
        text = (
            f"{self.label:<44} wall {self.wall:8.2f} s | {self.queries:7d} queries | "
            f"DB {self.db:7.2f} s | provider {self.provider:7.2f} s ({self.provider_calls} calls)"
            f" | Python {python} | {self.commits} commits {self.commit_time:.2f} s"
            f" | CPU {self.cpu:.2f} s (Odoo {self.cpu_odoo:.2f} + PostgreSQL {self.cpu_pg:.2f})"
        )
        if records:
            text += (
                f"\n{'':<44} per record ({records}): {self.queries / records:6.2f} queries, "
                f"DB {1000 * self.db / records:6.2f} ms, "
            )
            if parallel:
                text += f"wall {1000 * self.wall / records:6.2f} ms (calls in parallel)"
            else:
                rest = 1000 * (self.wall - self.provider) / records
                text += f"wall without provider {rest:6.2f} ms"
        return text


def _union(spans):
    """How long at least one of ``spans`` ((start, end) pairs) was under way (seconds)."""
    total, reach = 0.0, None
    for start, end in sorted(spans):
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


class Sum:
    """The figures of several measured blocks, added (``print_ratio``, ``result``)."""

    def __init__(self, meters):
        meters = list(meters)
        for name in ("wall", "queries", "db", "cpu", "provider"):
            setattr(self, name, sum(getattr(meter, name) for meter in meters))


def report(meter, records=None):
    print("  " + meter.line(records).replace("\n", "\n  "), flush=True)


def print_profile(top):
    if not top:
        return
    print(f"  top {top} queries of the measured blocks (count, total ms):")
    for text, count in PROFILE["queries"].most_common(top):
        print(f"    {count:7d} {1000 * PROFILE['time'][text]:9.1f}  {text}")
    print(f"  top {top} origins (innermost line of l10n_br_credit_bureau that ran them):")
    for origin, count in PROFILE["origins"].most_common(top):
        print(f"    {count:7d}  {origin}")
    for counter in ("queries", "time", "origins"):
        PROFILE[counter].clear()


class profiled:
    """Collect the query profile inside the block (--top), and the Python profile
    (--cprofile)."""

    python = None

    def __enter__(self):
        PROFILE["on"] = True
        if profiled.python:
            profiled.python.enable()

    def __exit__(self, *exc):
        PROFILE["on"] = False
        if profiled.python:
            profiled.python.disable()
        return False


def print_python_profile(top):
    if not profiled.python:
        return
    stream = io.StringIO()
    stats = pstats.Stats(profiled.python, stream=stream)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(stream.getvalue())


def verdict(ok):
    return "met" if ok else "NOT met"


# ------------------------------------------------------------------------- cron emulation


def timeline(args, env):
    """A ``Timeline`` with ``--timeline`` (as a context manager), else nothing."""
    if getattr(args, "timeline", False):
        return Timeline(env.registry)
    return contextlib.nullcontext()


def run_cron(env, xmlid, method, model=None, **kwargs):
    """Call a cron's method until it reports nothing remaining, like ``ir.cron._run_job``
    does (a progress record per call, so that ``_commit_progress`` commits). Returns the
    number of calls."""
    cron = env.ref(xmlid)
    calls = 0
    while True:
        cron_with_progress, progress = cron._add_progress()
        env.cr.commit()
        context = dict(
            cron_with_progress.env.context,
            cron_id=cron.id,
            cron_end_time=time.monotonic() + 24 * 3600,
        )
        started = time.monotonic()
        getattr(env[model or cron.model_id.model].with_context(context), method)(**kwargs)
        env.flush_all()
        env.cr.commit()
        if Timeline.active is not None:
            Timeline.active.jobs.append((started, time.monotonic()))
        calls += 1
        if not progress.remaining:
            return calls


# The steps of a sending job that ``Timeline`` times (nested ones are counted in each).
PHASES_LANE = ("prepare", "record")
PHASES_MODELS = (
    ("credit.bureau.negativation", "_bureau_lock"),
    ("credit.bureau.negativation", "_bureau_commit"),
    ("credit.bureau.negativation", "_bureau_commit_only"),
    ("credit.bureau.negativation", "search_count"),
    ("credit.bureau.negativation", "_bureau_flow_env"),
    ("credit.bureau.negativation", "_bureau_debts"),
    ("credit.bureau.negativation", "_bureau_recheck"),
    ("credit.bureau.negativation", "_bureau_send_outcomes"),
    ("credit.bureau.integration", "_bureau_paused_ids"),
    ("credit.bureau.integration", "_bureau_lane"),
    ("credit.bureau.integration", "_bureau_note_calls"),
    ("credit.bureau.negativation.batch", "_bureau_close_finished"),
    ("credit.bureau.negativation.batch", "_bureau_notify_progress"),
    ("ir.cron", "_commit_progress"),
    ("credit.bureau.negativation.batch", "message_post"),
    ("mail.mail", "send"),
)


class Timeline:
    """Where a sending job's wall time goes around its provider calls (``--timeline``): the
    start and end of each call made in a ``CallLane`` worker thread, and of each call of the
    job (``run_cron``). Printed: per call of the job, the time before its first provider
    call and after its last one (no call in flight), and within, the threads' idle time
    (concurrency x span - the calls' own time), so that wall = before + calls' time /
    concurrency + idle / concurrency + after."""

    active = None

    def __init__(self, registry):
        self.registry = registry
        self.calls = []
        self.jobs = []
        self.phases = []
        self.lock = threading.Lock()

    def __enter__(self):
        from odoo.addons.l10n_br_credit_bureau.models.credit_bureau_dispatch import CallLane

        timeline, original = self, CallLane._run

        def timed_run(lane, *args):
            started = time.monotonic()
            try:
                return original(lane, *args)
            finally:
                with timeline.lock:
                    timeline.calls.append((started, time.monotonic()))

        self.patches = [(CallLane, "_run", original)]
        CallLane._run = timed_run
        # The job's own steps, timed in its thread: what happens while no call is in flight.
        from odoo.addons.l10n_br_credit_bureau.models import credit_bureau_negativation_send

        targets = [(credit_bureau_negativation_send._Lane, name) for name in PHASES_LANE]
        targets += [(self.registry[model], name) for model, name in PHASES_MODELS]
        for owner, name in targets:
            method = getattr(owner, name, None)
            if method is None:
                continue
            self.patches.append((owner, name, owner.__dict__.get(name)))
            setattr(owner, name, self._timed(name, method))
        Timeline.active = self
        return self

    def _timed(self, name, method):
        timeline = self

        def timed(*args, **kwargs):
            started = time.monotonic()
            try:
                return method(*args, **kwargs)
            finally:
                if threading.current_thread() is threading.main_thread():
                    timeline.phases.append((name, started, time.monotonic()))

        return timed

    def __exit__(self, *exc):
        for owner, name, original in reversed(self.patches):
            if original is None:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        Timeline.active = None

    def report(self, concurrency, latency_ms):
        if not self.calls:
            print("  timeline: no call in a worker thread")
            return
        before = after = idle = 0.0
        steps = {"before": Counter(), "after": Counter()}
        for start, end in self.jobs:
            calls = [(s, e) for s, e in self.calls if s >= start and e <= end]
            if not calls:
                continue
            first, last = min(s for s, _e in calls), max(e for _s, e in calls)
            before += first - start
            after += end - last
            idle += concurrency * (last - first) - sum(e - s for s, e in calls)
            for name, s, e in self.phases:
                if start <= s and e <= first:
                    steps["before"][name] += e - s
                elif last <= e <= end:
                    steps["after"][name] += e - max(s, last)
        own = sum(e - s for s, e in self.calls)
        print(
            f"  timeline: {len(self.jobs)} call(s) of the job; before the first provider call "
            f"{before:.3f} s, after the last {after:.3f} s (in all); threads idle between "
            f"{idle / concurrency:.3f} s (x {concurrency} threads); a call "
            f"{1000 * own / len(self.calls):.1f} ms on average (latency {latency_ms} ms)"
        )
        for when, counter in steps.items():
            if counter:
                print(
                    f"    {when}: "
                    + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in counter.items())
                )


# ------------------------------------------------------------------------- data building


def cpf(number):
    """A valid CPF (formatted) derived from a number."""
    base = f"{(123456789 + number * 7919) % 899999999 + 100000000:09d}"
    digits = [int(c) for c in base]
    if len(set(digits)) == 1:
        digits[-1] = (digits[-1] + 1) % 10
    for weight in (10, 11):
        total = sum(d * w for d, w in zip(digits, range(weight, 1, -1), strict=False))
        digits.append((total * 10) % 11 % 10)
    s = "".join(map(str, digits))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


CONCURRENCY = {"value": None}
LABEL = {"value": ""}
RESULTS = {"path": None}


def setup_company(env, latency_ms):
    """The main company with a simulated-provider integration (codes synchronised), sending
    ``--concurrency`` requests at a time (the integration's default when not given)."""
    company = env.ref("base.main_company")
    company.partner_id.country_id = env.ref("base.br")
    Integration = env["credit.bureau.integration"]
    integration = Integration.create(
        {"name": "Simulado (benchmark)", "provider": "dummy", "company_id": company.id}
    )
    integration.action_sync_products()
    integration.write(
        {
            "default_removal_code_id": integration.removal_code_ids.filtered(
                lambda c: c.code == "01"
            ).id,
            "default_restriction_code_id": integration.restriction_code_ids.filtered(
                lambda c: c.code == "TI"
            ).id,
            "dummy_latency_ms": latency_ms,
        }
    )
    if CONCURRENCY["value"]:
        integration.send_concurrency = CONCURRENCY["value"]
    env.cr.commit()
    return company, integration


def build_partners(env, count, *, incomplete=0, opted_out=0, offset=0):
    """Debtors with a valid CPF and a complete Brazilian address; the first ``incomplete``
    lack the street number, the next ``opted_out`` are marked "do not negativate"."""
    state = env["res.country.state"].search(
        [("code", "=", "SP"), ("country_id.code", "=", "BR")], limit=1
    )
    country = env.ref("base.br")
    vals_list = []
    for i in range(count):
        vals = {
            "name": f"Devedor {offset + i:05d}",
            "vat": cpf(offset + i),
            "street_name": "Rua das Flores",
            "street_number": str(100 + i % 900),
            "street2": "Centro",
            "zip": "13010-100",
            "city": "Campinas",
            "state_id": state.id,
            "country_id": country.id,
            "phone": "(19) 99999-0000",
        }
        if i < incomplete:
            vals["street_number"] = False
        elif i < incomplete + opted_out:
            vals["credit_bureau_no_negativation"] = True
        vals_list.append(vals)
    Partner = env["res.partner"].with_context(
        tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
    )
    partners = Partner.create(vals_list)
    env.cr.commit()
    return partners.ids


def prototype_invoice(env, company, partner_id):
    """One posted customer invoice made by the ORM: the model the SQL clones copy."""
    today = fields.Date.context_today(env["res.partner"])
    due = today - timedelta(days=40)
    move = (
        env["account.move"]
        .with_context(tracking_disable=True)
        .create(
            {
                "move_type": "out_invoice",
                "partner_id": partner_id,
                "company_id": company.id,
                "invoice_date": due,
                "invoice_line_ids": [
                    fields.Command.create(
                        {"name": "Plano fibra 300MB", "quantity": 1, "price_unit": 100.0}
                    )
                ],
            }
        )
    )
    move.line_ids.filtered(lambda line: line.display_type == "product").tax_ids = False
    move.write({"invoice_payment_term_id": False, "invoice_date_due": due})
    move.action_post()
    assert move.amount_total == 100.0 and len(move.line_ids) == 2, move.line_ids
    env.cr.commit()
    return move


def _columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


MONEY_LINE = (
    "debit credit balance amount_currency price_unit price_subtotal price_total "
    "tax_base_amount amount_residual amount_residual_currency"
).split()


def clone_invoices(env, proto, specs):
    """Copy the prototype invoice (header and its two lines) once per spec
    ``(partner_id, due_date, amount, residual, payment_state)`` with plain SQL: every stored
    amount is set as the ORM would have computed it. Payments are not created: paid and
    partly paid invoices get their payment state and open amount directly (what the
    negativation code reads). Returns the new ids, in the order of ``specs``."""
    cr = env.cr
    env.flush_all()
    cr.execute(
        "CREATE TEMP TABLE IF NOT EXISTS bench_spec (k int, move_id int, partner_id int, "
        "due date, amount numeric, residual numeric, payment_state varchar)"
    )
    cr.execute("TRUNCATE bench_spec")
    cols = list(zip(*specs, strict=True))
    cr.execute(
        "INSERT INTO bench_spec SELECT k, nextval('account_move_id_seq'), p, d, a, r, s "
        "FROM unnest(%s::int[], %s::date[], %s::numeric[], %s::numeric[], %s::varchar[]) "
        "WITH ORDINALITY AS u(p, d, a, r, s, k)",
        [list(c) for c in cols],
    )
    name = "'BENCH/' || lpad(s.move_id::text, 8, '0')"
    move_over = {
        "name": name,
        "payment_reference": name,
        "sequence_prefix": "'BENCH/'",
        "sequence_number": "s.move_id",
        "partner_id": "s.partner_id",
        "commercial_partner_id": "p.commercial_partner_id",
        "invoice_partner_display_name": "p.name",
        "access_token": "NULL",
        "date": "s.due",
        "invoice_date": "s.due",
        "invoice_date_due": "s.due",
        "payment_state": "s.payment_state",
        "amount_untaxed": "s.amount",
        "amount_total": "s.amount",
        "amount_untaxed_signed": "s.amount",
        "amount_untaxed_in_currency_signed": "s.amount",
        "amount_total_signed": "s.amount",
        "amount_total_in_currency_signed": "s.amount",
        "amount_residual": "s.residual",
        "amount_residual_signed": "s.residual",
    }
    move_cols = _columns(cr, "account_move")
    select = ", ".join(move_over.get(c, f"t.{c}") for c in move_cols)
    cr.execute(
        f"INSERT INTO account_move (id, {', '.join(move_cols)}) "  # column names
        f"SELECT s.move_id, {select} FROM bench_spec s JOIN res_partner p ON p.id = s.partner_id"
        f", account_move t WHERE t.id = %s",
        [proto.id],
    )
    factor = f"(s.amount / {float(proto.amount_total)})"
    receivable = "t.display_type = 'payment_term'"
    line_over = {c: f"t.{c} * {factor}" for c in MONEY_LINE}
    line_over.update(
        {
            "move_id": "s.move_id",
            "move_name": name,
            "partner_id": "s.partner_id",
            "date": "s.due",
            "invoice_date": "s.due",
            "date_maturity": "CASE WHEN t.date_maturity IS NULL THEN NULL ELSE s.due END",
            "amount_residual": f"CASE WHEN {receivable} THEN s.residual ELSE 0 END",
            "amount_residual_currency": f"CASE WHEN {receivable} THEN s.residual ELSE 0 END",
            "reconciled": f"{receivable} AND s.residual = 0",
            "matching_number": "NULL",
            "full_reconcile_id": "NULL",
        }
    )
    line_cols = _columns(cr, "account_move_line")
    select = ", ".join(line_over.get(c, f"t.{c}") for c in line_cols)
    cr.execute(
        f"INSERT INTO account_move_line ({', '.join(line_cols)}) "  # column names
        f"SELECT {select} FROM bench_spec s JOIN account_move_line t ON t.move_id = %s "
        "ORDER BY s.k, t.id",
        [proto.id],
    )
    cr.execute("SELECT move_id FROM bench_spec ORDER BY k")
    ids = [row[0] for row in cr.fetchall()]
    env.invalidate_all()
    return ids


def insert_negativations(env, integration, move_ids, *, state, paid_ids=()):
    """Sent negativations (with a provider reference) of these invoices, by SQL."""
    cr = env.cr
    today = fields.Date.context_today(integration)
    cr.execute(
        """
        INSERT INTO credit_bureau_negativation (
            name, partner_id, document, move_id, company_id, integration_id, provider,
            amount, due_date, contract_number, our_number, restriction_code, send_sms,
            origin, user_id, state, reference, idempotency_key, outcome_unknown, sent_date,
            expected_visible_date, active_date, attempts, invoice_paid,
            create_uid, create_date, write_uid, write_date)
        SELECT 'NEG/BENCH/' || lpad(m.id::text, 8, '0'), m.partner_id,
            regexp_replace(p.vat, '\\D', '', 'g'), m.id, m.company_id, %(integration)s,
            'dummy', m.amount_residual, m.invoice_date_due, m.name, m.name, 'TI', false,
            'auto', 1, %(state)s, 'SIM-' || m.id,
            m.company_id || '-' || m.id || '-' || %(integration)s || '-include', false,
            now() - interval '20 days', %(visible)s,
            CASE WHEN %(state)s = 'active' THEN now() - interval '10 days' END, 1, false,
            1, now(), 1, now()
        FROM account_move m JOIN res_partner p ON p.id = m.partner_id
        WHERE m.id = ANY(%(ids)s)
        """,
        {
            "integration": integration.id,
            "state": state,
            "visible": today - timedelta(days=10),
            "ids": list(move_ids),
        },
    )
    if paid_ids:
        pay_by_sql(env, paid_ids)
    env.invalidate_all()


def pay_by_sql(env, paid_ids):
    """These invoices paid, and their negativations marked paid as the ORM would (SQL)."""
    from odoo.addons.l10n_br_credit_bureau.models.br_calendar import add_business_days

    cr = env.cr
    today = TODAY or fields.Date.today()
    paid_ids = list(paid_ids)
    cr.execute(
        "UPDATE account_move SET payment_state = 'paid', amount_residual = 0, "
        "amount_residual_signed = 0 WHERE id = ANY(%s)",
        [paid_ids],
    )
    cr.execute(
        "UPDATE account_move_line SET amount_residual = 0, amount_residual_currency = 0, "
        "reconciled = true WHERE move_id = ANY(%s) AND display_type = 'payment_term'",
        [paid_ids],
    )
    cr.execute(
        "UPDATE credit_bureau_negativation SET invoice_paid = true, paid_date = %s, "
        "removal_deadline = %s WHERE move_id = ANY(%s)",
        [today, add_business_days(today, 5), paid_ids],
    )
    env.invalidate_all()


def analyze(env, *tables):
    env.flush_all()
    for table in tables:
        env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))


def table_rows(env, table):
    env.cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
    return env.cr.fetchone()[0]


def explain(env, query, params=None, *, indent="    "):
    """Print EXPLAIN (ANALYZE, BUFFERS) of a query (timings of the plan nodes included),
    without the buffer lines."""
    env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", SQL(query, *(params or ()))))
    for (line,) in env.cr.fetchall():
        if line.strip().startswith(("Buffers:", "Planning:")):
            continue
        print(indent + line)


def capture_queries(env, function):
    """Run ``function`` and return (its result, the SQL texts it executed, mogrified)."""
    seen = []

    def hook(cr, query, params, start, delay):
        seen.append(cr.mogrify(query, params).decode())

    thread = threading.current_thread()
    thread.query_hooks = [*thread.query_hooks, hook]
    try:
        result = function()
    finally:
        thread.query_hooks = [h for h in thread.query_hooks if h is not hook]
    return result, seen


# ------------------------------------------------------------------------- scenarios


def spread_specs(partner_ids, count, *, rng, min_days=35, max_days=400):
    """``count`` unpaid overdue invoices spread over the partners (round robin)."""
    return [
        (
            partner_ids[i % len(partner_ids)],
            TODAY - timedelta(days=rng.randint(min_days, max_days)),
            round(rng.uniform(50, 900), 2),
            None,
            "not_paid",
        )
        for i in range(count)
    ]


def _unpaid(specs):
    return [(p, d, a, a, s) for p, d, a, _r, s in specs]


def result(scenario, concurrency, n, meter, bound, **extra):
    """One machine-readable line of a measured block (``RESULT {...}``), read by
    ``bench.py --compare`` to set the code before and after side by side."""
    row = {
        "label": LABEL["value"],
        "scenario": scenario,
        "concurrency": concurrency,
        "n": n,
        "wall": round(meter.wall, 3),
        "bound": round(bound, 3),
        "ratio": round(meter.wall / bound, 4) if bound else None,
        "queries": meter.queries,
        "db": round(meter.db, 3),
        "cpu": round(meter.cpu, 3),
        "provider": round(meter.provider, 3),
        **extra,
    }
    print("  RESULT " + json.dumps(row), flush=True)
    if RESULTS["path"]:
        with open(RESULTS["path"], "a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")


def print_ratio(what, n, latency_ms, concurrency, meter):
    bound = n * latency_ms / 1000 / concurrency
    print(
        f"  {what}: latency bound N x latency / concurrency = {n} x {latency_ms} ms / "
        f"{concurrency} = {bound:.2f} s; wall {meter.wall:.2f} s: ratio "
        f"{meter.wall / bound if bound else float('nan'):.3f} "
        f"({verdict(bound and meter.wall / bound <= 1.05)} <= 1.05); per record "
        f"{meter.queries / n:.2f} queries ({verdict(meter.queries / n <= 8)} <= 8), DB "
        f"{1000 * meter.db / n:.2f} ms ({verdict(1000 * meter.db / n <= 3)} <= 3)"
    )
    return bound


def scenario_mass(env, args):
    """Mass negativation: the wizard (preview, then queueing by ``_bureau_queue``), then the
    sending cron, for N/10 and N invoices (queries per record must not grow with N), at each
    of the ``--concurrency`` values."""
    rng = random.Random(5)
    company, integration = setup_company(env, 0)
    sizes = [(args.mass_invoices // 10, args.mass_debtors // 10)]
    sizes.append((args.mass_invoices, args.mass_debtors))
    concurrencies = args.concurrencies or [integration.send_concurrency]
    with Meter("data: partners + invoices (ORM prototype, SQL clones)") as build:
        partners = build_partners(env, sum(d for _n, d in sizes))
        proto = prototype_invoice(env, company, partners[0])
        batches = {}
        for concurrency in concurrencies:
            start = 0
            for n, debtors in sizes:
                specs = _unpaid(spread_specs(partners[start : start + debtors], n, rng=rng))
                batches[concurrency, n] = clone_invoices(env, proto, specs)
                start += debtors
        analyze(env, "account_move", "account_move_line", "res_partner")
        env.cr.commit()
    report(build)
    user = env.ref("base.user_admin")
    user.group_ids = [
        fields.Command.link(env.ref("l10n_br_credit_bureau.group_negativation").id),
    ]
    integration.dummy_latency_ms = args.latency_ms
    env.cr.commit()
    Negativation = type(env["credit.bureau.negativation"])
    original_queue = Negativation._bureau_queue
    queue_meters = []

    def metered_queue(self, moves, **kwargs):
        with Meter("  of which _bureau_queue") as meter:
            result = original_queue(self, moves, **kwargs)
        queue_meters.append(meter)
        return result

    Negativation._bureau_queue = metered_queue
    rows = []
    for concurrency in concurrencies:
        integration.send_concurrency = concurrency
        env.cr.commit()
        for n, debtors in sizes:
            move_ids = batches[concurrency, n]
            print(
                f"\n  -- N = {n} invoices of {debtors} debtors, latency {args.latency_ms} ms, "
                f"{concurrency} simultaneous requests"
            )
            Wizard = env["credit.bureau.mass.negativate.wizard"].with_user(user)
            with profiled(), Meter("wizard: open (preview of every line)") as preview:
                wizard = Wizard.with_context(
                    active_model="account.move", active_ids=move_ids
                ).create({})
                wizard.flush_recordset()
            report(preview, n)
            with profiled(), Meter("wizard: Negativar (preview again + queue)") as confirm:
                wizard.action_negativate()
                env.cr.commit()  # the end of the request
            report(confirm, n)
            report(queue_meters[-1], n)
            print_profile(args.top)
            queued = env["credit.bureau.negativation"].search_count([("state", "=", "sending")])
            print(f"  queued: {queued}, refused: {wizard.blocked_count}")
            with (
                profiled(),
                Meter(f"sending cron ({concurrency} requests at a time)") as send,
                timeline(args, env) as line,
            ):
                calls = run_cron(
                    env, "l10n_br_credit_bureau.ir_cron_negativation_send", "_cron_send"
                )
            report(send, queued)
            if line:
                line.report(concurrency, args.latency_ms)
            print(f"  cron calls: {calls}")
            bound = print_ratio("sending", queued, args.latency_ms, concurrency, send)
            result("mass", concurrency, queued, send, bound)
            states = dict(
                env["credit.bureau.negativation"]._read_group(
                    [("move_id", "in", move_ids)], ["state"], ["__count"]
                )
            )
            print(f"  states after sending: {states}")
            rows.append((concurrency, n, preview, queue_meters[-1], send, queued, bound))
            print_profile(args.top)
    Negativation._bureau_queue = original_queue
    print(
        "\n  SUMMARY mass negativation (per record; targets: wall <= 1.05 x the bound, "
        "DB <= 3 ms and <= 8 queries, flat in N)"
    )
    for concurrency, n, preview, queue, send, queued, bound in rows:
        print(
            f"  C={concurrency:2d} N={n:6d}: preview {preview.queries / n:5.2f} q "
            f"{1000 * preview.db / n:5.2f} ms DB | queue {queue.queries / queued:5.2f} q "
            f"{1000 * queue.db / queued:5.2f} ms DB | send {send.queries / queued:5.2f} q "
            f"{1000 * send.db / queued:5.2f} ms DB, CPU {1000 * send.cpu / queued:5.2f} ms | "
            f"wall {send.wall:7.2f} s / bound {bound:7.2f} s = {send.wall / bound:5.3f}"
        )


def scenario_removal(env, args):
    """Automatic removal over many active negativations, a few of them paid."""
    rng = random.Random(7)
    company, integration = setup_company(env, 0)
    total, paid_count = args.removal_total, max(1, args.removal_total * args.removal_paid // 100)
    with Meter("data: partners, invoices, negativations (SQL)") as build:
        partners = build_partners(env, min(2000, total))
        proto = prototype_invoice(env, company, partners[0])
        move_ids = clone_invoices(env, proto, _unpaid(spread_specs(partners, total, rng=rng)))
        paid = rng.sample(move_ids, paid_count)
        insert_negativations(env, integration, move_ids, state="active", paid_ids=paid)
        if args.removal_history:
            # The negativations of the past, paid and removed, stay in the table.
            specs = spread_specs(partners, args.removal_history, rng=rng)
            history = clone_invoices(env, proto, [(*spec[:3], 0.0, "paid") for spec in specs])
            insert_negativations(env, integration, history, state="removed", paid_ids=history)
        analyze(env, "account_move", "account_move_line", "credit_bureau_negativation")
        env.cr.commit()
    report(build)
    print(
        f"  {total} active negativations, {paid_count} of them with their invoice paid; "
        f"{args.removal_history} removed ones (paid, history)"
    )
    integration.dummy_latency_ms = args.latency_ms
    env.cr.commit()
    Negativation = env["credit.bureau.negativation"]
    _records, queries = capture_queries(
        env,
        lambda: Negativation.search(
            [
                ("invoice_paid", "=", True),
                ("state", "in", ("pending", "active", "error", "sending")),
            ],
            limit=1000,
        ),
    )
    print("  plan of the search for paid ones (the first query of _cron_remove):")
    explain(env, queries[-1])
    Model = type(Negativation)
    original_send = Model._bureau_send_removals
    send_meters = []

    def metered_send(self):
        with Meter("  of which sending removals") as meter:
            result = original_send(self)
        send_meters.append((meter, len(self)))
        return result

    Model._bureau_send_removals = metered_send
    concurrencies = args.concurrencies or [integration.send_concurrency]
    unpaid = [move_id for move_id in move_ids if move_id not in set(paid)]
    rng.shuffle(unpaid)
    for index, concurrency in enumerate(concurrencies):
        integration.send_concurrency = concurrency
        if index:
            # Another 1 % paid since, for the next concurrency.
            paid, unpaid = unpaid[:paid_count], unpaid[paid_count:]
            pay_by_sql(env, paid)
            analyze(env, "credit_bureau_negativation")
        env.cr.commit()
        send_meters.clear()
        print(f"\n  -- {paid_count} paid, {concurrency} simultaneous requests")
        with (
            profiled(),
            Meter(f"_cron_remove, first run ({concurrency} at a time)") as first,
            timeline(args, env) as line,
        ):
            calls = run_cron(
                env, "l10n_br_credit_bureau.ir_cron_negativation_removal", "_cron_remove"
            )
        report(first)
        if line:
            line.report(concurrency, args.latency_ms)
        # The job calls itself again until nothing is due: every batch of the run is sending.
        send_meter, sent = send_meters[-1]
        report(send_meter, sent)
        sending = Sum(meter for meter, _count in send_meters)
        sent = sum(count for _meter, count in send_meters)
        print(f"  {calls} calls of the job in that run, {sent} removals sent")
        print(
            f"  scan (finding the paid ones and requesting their removal, provider excluded): "
            f"{first.wall - sending.wall:.3f} s, {first.queries - sending.queries} queries, DB "
            f"{first.db - sending.db:.3f} s -> target < 2 s: "
            f"{verdict(first.wall - sending.wall < 2)}"
        )
        bound = print_ratio("sending the removals", sent, args.latency_ms, concurrency, sending)
        result("removal", concurrency, sent, sending, bound, what="sending")
        print_ratio("the whole run (scan included)", sent, args.latency_ms, concurrency, first)
        result("removal", concurrency, sent, first, bound, what="whole run")
        print_profile(args.top)
    send_meters.clear()
    with Meter("sending the other removals (cron runs)") as drain:
        runs = 0
        while Negativation.search_count([("state", "=", "removal_requested")]):
            run_cron(env, "l10n_br_credit_bureau.ir_cron_negativation_removal", "_cron_remove")
            runs += 1
    drained = sum(count for _m, count in send_meters)
    report(drain, drained or None)
    print(f"  ({runs} more cron runs: the first one sent every removal due)")
    with profiled(), Meter("_cron_remove with nothing to do") as idle:
        _calls, queries = capture_queries(
            env,
            lambda: run_cron(
                env, "l10n_br_credit_bureau.ir_cron_negativation_removal", "_cron_remove"
            ),
        )
    report(idle)
    print_profile(args.top)
    print("  plans of its searches (paid, five years, removal requested, late):")
    for query in queries:
        if query.startswith('SELECT "credit_bureau_negativation"."id" FROM'):
            print("    " + query[:200])
            explain(env, query, indent="      ")
    Model._bureau_send_removals = original_send
    states = dict(Negativation._read_group([], ["state"], ["__count"]))
    print(f"  states: {states}")


# The status poll runs in the task scheduler's engine job (one routine per integration).
POLL_JOB = (
    "l10n_br_credit_bureau.ir_cron_routine_engine",
    "_cron_poll_status",
    "credit.bureau.negativation",
)


def scenario_poll(env, args):
    """Status poll over many pending negativations (the provider answers "active")."""
    rng = random.Random(11)
    company, integration = setup_company(env, 0)
    total = args.poll_pending
    with Meter("data: partners, invoices, negativations (SQL)") as build:
        partners = build_partners(env, min(2000, total))
        proto = prototype_invoice(env, company, partners[0])
        move_ids = clone_invoices(env, proto, _unpaid(spread_specs(partners, total, rng=rng)))
        insert_negativations(env, integration, move_ids, state="pending")
        analyze(env, "account_move", "account_move_line", "credit_bureau_negativation")
        env.cr.commit()
    report(build)
    integration.dummy_latency_ms = args.latency_ms
    env.cr.commit()
    with profiled(), Meter(f"_cron_poll_status over {total} pending") as poll:
        run_cron(env, *POLL_JOB)
    report(poll, total)
    # The job's own time with no provider call under way (its calls may overlap each other
    # and the job's work: their summed time is not the wall time they took).
    besides = poll.wall - poll.provider_span
    env.cr.execute(
        "SELECT count(DISTINCT m.id), count(v.id) FROM mail_message m "
        "JOIN mail_tracking_value v ON v.mail_message_id = m.id "
        "WHERE m.model = 'credit.bureau.negativation'"
    )
    lines, values = env.cr.fetchone()
    print(
        f"  besides the provider's own time ({poll.provider_calls} calls, {poll.provider:.2f} s, "
        f"under way {poll.provider_span:.2f} s of the wall time): {besides:.2f} s "
        f"({verdict(besides <= 5)} <= 5 s); {poll.queries / total:.3f} queries "
        f"per record ({verdict(poll.queries / total <= 0.2)} <= 0.2); tracking lines: {lines} "
        f"({values} values) for {total} state changes"
    )
    result("poll", 0, total, poll, 0, what="wall", besides=round(besides, 3))
    print_profile(args.top)
    with Meter("_cron_poll_status with nothing pending") as idle:
        run_cron(env, *POLL_JOB)
    report(idle)
    states = dict(env["credit.bureau.negativation"]._read_group([], ["state"], ["__count"]))
    print(f"  states: {states}")


def _auto_specs(partners, args, rng):
    """10 000 invoices of 2 000 customers: 1 500 paid, 1 000 partly paid, due dates spread
    over 400 days."""
    count = args.auto_invoices
    kinds = ["paid"] * args.auto_paid + ["partial"] * args.auto_partial
    kinds += ["not_paid"] * (count - len(kinds))
    rng.shuffle(kinds)
    specs = []
    for i, kind in enumerate(kinds):
        amount = round(rng.uniform(50, 900), 2)
        residual = {"paid": 0.0, "partial": round(amount * rng.uniform(0.2, 0.8), 2)}.get(
            kind, amount
        )
        due = TODAY - timedelta(days=rng.randint(1, args.auto_days))
        specs.append((partners[i % len(partners)], due, amount, residual, kind))
    return specs


def _candidate_query(env, integration):
    _moves, queries = capture_queries(env, integration._bureau_auto_candidates)
    return next(q for q in reversed(queries) if "credit_bureau_negativation" in q)


def _negativation_stats(env):
    env.cr.execute(
        "SELECT reltuples::bigint, relpages, (SELECT last_analyze FROM pg_stat_user_tables "
        "WHERE relname = 'credit_bureau_negativation') FROM pg_class "
        "WHERE relname = 'credit_bureau_negativation'"
    )
    tuples, pages, last = env.cr.fetchone()
    return f"planner statistics: reltuples={tuples}, relpages={pages}, last ANALYZE {last}"


def build_auto_data(env, args):
    """The automatic run's data set: the customers, their invoices (paid, partly paid, open,
    due over ``--auto-days``) and the removed negativations of the past, analysed; the
    integration set for the automatic routine (30 days after the due date). Returns
    (company, integration, the prototype invoice)."""
    rng = random.Random(13)
    company, integration = setup_company(env, 0)
    customers = args.auto_customers
    with Meter("data: customers + invoices (ORM prototype, SQL clones)") as build:
        partners = build_partners(
            env, customers, incomplete=customers // 100, opted_out=customers // 100
        )
        proto = prototype_invoice(env, company, partners[-1])
        clone_invoices(env, proto, _auto_specs(partners, args, rng))
        if args.auto_history:
            # A database in use: a few negativations, all removed (their invoices paid), when
            # the table was last analyzed: the first run's bulk insert makes these stale.
            specs = spread_specs(partners, args.auto_history, rng=rng)
            history = clone_invoices(env, proto, [(*spec[:3], 0.0, "paid") for spec in specs])
            insert_negativations(env, integration, history, state="removed")
        analyze(
            env, "account_move", "account_move_line", "res_partner", "credit_bureau_negativation"
        )
        env.cr.commit()
    report(build)
    integration.write(
        {"auto_negativate": True, "auto_days_after_due": 30, "dummy_latency_ms": args.latency_ms}
    )
    env.cr.commit()
    print(
        f"  {args.auto_invoices + 1} posted invoices of {customers} customers "
        f"({args.auto_paid} paid, {args.auto_partial} partly paid, due over {args.auto_days} "
        f"days; {customers // 100} customers without a complete address, {customers // 100} "
        f"opted out), plus {args.auto_history} paid ones whose negativation was removed "
        "(history); negativation table: "
        f"{table_rows(env, 'credit_bureau_negativation')} rows"
    )
    return company, integration, proto


def scenario_auto(env, args):
    """The automatic-negativation run (daily cron), then a second run right after."""
    _company, integration, _proto = build_auto_data(env, args)
    print("  " + _negativation_stats(env))
    query = _candidate_query(env, integration)
    print("  plan of the candidate search before the first run:")
    explain(env, query)
    runs = []
    for label in ("first run", "second run (nothing new)", "third run (after ANALYZE)"):
        if label.startswith("third"):
            analyze(env, "credit_bureau_negativation", "mail_message")
            env.cr.commit()
        messages = table_rows(env, "mail_message")
        before = table_rows(env, "credit_bureau_negativation")
        with profiled(), Meter(f"_cron_auto_negativate, {label}") as meter:
            run_cron(
                env, "l10n_br_credit_bureau.ir_cron_negativation_auto", "_cron_auto_negativate"
            )
        created = table_rows(env, "credit_bureau_negativation") - before
        new_messages = table_rows(env, "mail_message") - messages
        report(meter, created or None)
        print(f"  created {created} negativations, {new_messages} chatter messages")
        runs.append((label, meter, created))
        print_profile(args.top)
        print("  " + _negativation_stats(env))
        print(f"  plan of the candidate search after the {label}:")
        explain(env, _candidate_query(env, integration))
    print("\n  SUMMARY automatic negativation (target <= 3 s and <= 0.3 queries per created)")
    first = runs[0][1]
    created = runs[0][2]
    print(
        f"  first run: {first.wall:.2f} s ({verdict(first.wall <= 3)}), "
        f"{first.queries / max(created, 1):.3f} queries per created record "
        f"({verdict(first.queries / max(created, 1) <= 0.3)}), {created} created"
    )
    for label, meter, _created in runs[1:]:
        print(
            f"  {label}: {meter.wall:.2f} s, {meter.queries} queries "
            f"({verdict(meter.wall <= first.wall)}: not slower than the first)"
        )


def _oca_policy(env, company, proto, delay_days):
    """OCA account_credit_control set up for the same rule as the automatic routine: a policy
    of one level, "due date + ``delay_days``", on the invoices' receivable account, the
    company's default policy."""
    receivable = proto.line_ids.filtered(lambda line: line.display_type == "payment_term")
    policy = env["credit.control.policy"].create(
        {
            "name": "Benchmark: one level",
            "account_ids": [fields.Command.set(receivable.account_id.ids)],
            "level_ids": [
                fields.Command.create(
                    {
                        "name": f"{delay_days} dias após o vencimento",
                        "level": 1,
                        "computation_mode": "net_days",
                        "delay_days": delay_days,
                        "channel": "letter",
                        "email_template_id": env.ref(
                            "account_credit_control.email_template_credit_control_base"
                        ).id,
                        "custom_text": "Consta em aberto a fatura abaixo.",
                        "custom_mail_text": "<p>Consta em aberto a fatura abaixo.</p>",
                    }
                )
            ],
        }
    )
    company.credit_policy_id = policy
    env.cr.commit()
    return policy


def scenario_oca(env, args):
    """OCA account_credit_control's run vs our automatic run, over the same data set."""
    if "credit.control.run" not in env:
        raise SystemExit(
            "account_credit_control is not installed: run ./tests/benchmarks/run --only oca"
        )
    company, integration, proto = build_auto_data(env, args)
    policy = _oca_policy(env, company, proto, integration.auto_days_after_due)
    print(
        f"  OCA policy: one level, net_days + {integration.auto_days_after_due} days, letter, on "
        f"{policy.account_ids.code}; both runs as the superuser, like a scheduled action"
    )

    def ours():
        run_cron(env, "l10n_br_credit_bureau.ir_cron_negativation_auto", "_cron_auto_negativate")

    def oca():
        run = env["credit.control.run"].create({"date": TODAY, "policy_ids": [(6, 0, policy.ids)]})
        run.generate_credit_lines()
        env.flush_all()
        env.cr.commit()

    runs = [
        ("ours", "_cron_auto_negativate", ours, "credit_bureau_negativation"),
        ("OCA", "credit.control.run generate_credit_lines", oca, "credit_control_line"),
    ]
    if args.oca_first:
        runs.reverse()
    results = {}
    for who, label, function, table in runs:
        env.invalidate_all()
        before, messages = table_rows(env, table), table_rows(env, "mail_message")
        with profiled(), Meter(f"{who}: {label}") as meter:
            function()
        created = table_rows(env, table) - before
        report(meter, created or None)
        print(
            f"  created {created} records ({table}), "
            f"{table_rows(env, 'mail_message') - messages} chatter messages"
        )
        print_profile(args.top)
        results[who] = (meter, created)
    (mine, mine_count), (theirs, theirs_count) = results["ours"], results["OCA"]
    ratio = mine.wall / theirs.wall
    cpu_ratio = mine.cpu / theirs.cpu if theirs.cpu else float("nan")
    print("\n  SUMMARY automatic run vs OCA account_credit_control (target: ours < 1/3 of OCA's)")
    print(
        f"  ours {mine.wall:.2f} s ({mine_count} negativations, {mine.queries} queries) | "
        f"OCA {theirs.wall:.2f} s ({theirs_count} credit lines, {theirs.queries} queries) | "
        f"ratio {ratio:.3f} ({verdict(ratio < 1 / 3)}); per record "
        f"{1000 * mine.wall / max(mine_count, 1):.2f} ms vs "
        f"{1000 * theirs.wall / max(theirs_count, 1):.2f} ms; "
        f"{'OCA' if args.oca_first else 'ours'} ran first"
    )
    print(
        f"  CPU (Odoo + PostgreSQL): ours {mine.cpu:.2f} s | OCA {theirs.cpu:.2f} s | ratio "
        f"{cpu_ratio:.3f} ({verdict(cpu_ratio < 1 / 3)}): less sensitive to the machine's load "
        "than the wall time"
    )


# ---------------------------------------------------------------------------- print
OLD_LAYOUT_ARCH = """<t t-name="bench_consultation_odoo_layout">
    <t t-call="web.html_container">
        <t t-foreach="docs" t-as="o">
            <t t-call="web.external_layout">
                <t t-set="company" t-value="o.company_id" />
                <t t-call="l10n_br_credit_bureau.report_consultation_page" />
            </t>
        </t>
    </t>
</t>"""


def _http_json(session, url, params):
    answer = session.post(url, json={"jsonrpc": "2.0", "method": "call", "params": params})
    answer.raise_for_status()
    return answer.json()


def scenario_print(env, args):
    """Printing a consultation: Odoo's standard layout (before) vs ours (after), over HTTP.
    The same consultation, the same content (``report_consultation_page``), printed through
    a running Odoo server as a user does (``/report/pdf/...``): "before" is Odoo's
    ``web.external_layout`` (the company header and footer as wkhtmltopdf header/footer
    pages, the report's asset bundles fetched over HTTP, ``report.print_delay``), "after" is
    our own layout. The first print of each includes what is done once (the bundles)."""
    company = env.company
    company.external_report_layout_id = env.ref("web.external_layout_standard")
    integration = env["credit.bureau.integration"].create(
        {"name": "Simulado", "provider": "dummy", "company_id": company.id}
    )
    integration.action_sync_products()
    wizard = env["credit.bureau.consult.wizard"].create(
        {"document": "529.982.247-25", "company_id": company.id, "reason": "benchmark"}
    )
    consultation = env["credit.bureau.consultation"].browse(wizard.action_consult()["res_id"])
    view = env["ir.ui.view"].create(
        {
            "name": "bench_consultation_odoo_layout",
            "type": "qweb",
            "arch": OLD_LAYOUT_ARCH,
            "key": "bench_consultation_odoo_layout",
        }
    )
    env["ir.actions.report"].create(
        {
            "name": "Consultation (Odoo layout, benchmark)",
            "model": "credit.bureau.consultation",
            "report_type": "qweb-pdf",
            "report_name": view.key,
        }
    )
    env.ref("base.user_admin").password = "admin"
    env.cr.commit()
    with socket.socket() as probe:  # a free port for the print server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            "-c",
            args.config,
            "-d",
            args.database,
            "--http-port",
            str(port),
            "--log-level=warn",
            "--max-cron-threads=0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        session = requests.Session()
        for _attempt in range(600):
            try:
                session.get(f"{base}/web/login", timeout=60)
                break
            except requests.RequestException:
                time.sleep(0.1)
        _http_json(
            session,
            f"{base}/web/session/authenticate",
            {"db": args.database, "login": "admin", "password": "admin"},
        )
        rows = []
        Param = env["ir.config_parameter"]
        for label, report, delay in (
            ("before: Odoo's external_layout", view.key, "1000"),
            ("  the same, report.print_delay 0", view.key, "0"),
            ("after: our own layout", "l10n_br_credit_bureau.report_consultation", "1000"),
        ):
            # Odoo's default delay (1 s), or none: read by the server at each print.
            Param.set_param("report.print_delay", delay)
            env.cr.commit()
            times = []
            for _run in range(1 + args.print_runs):
                started = time.perf_counter()
                answer = session.get(f"{base}/report/pdf/{report}/{consultation.id}", timeout=120)
                times.append(time.perf_counter() - started)
                if not answer.content.startswith(b"%PDF"):
                    raise RuntimeError(f"{label}: no PDF ({answer.status_code})")
            later = sorted(times[1:])
            rows.append((label, times[0], later[len(later) // 2], later[0], len(answer.content)))
        print(f"  {'print':34} {'first':>8} {'median':>8} {'best':>8} {'PDF':>9}")
        for label, first, median, best, size in rows:
            print(f"  {label:34} {first:7.2f}s {median:7.2f}s {best:7.2f}s {size / 1024:7.0f}KB")
        print(f"  ({args.print_runs} prints after the first; the median and best of those)")
    finally:
        server.terminate()
        server.wait(30)


def _queue_poll(registry, query, params=()):
    """One query on a cursor of its own (the jobs commit in other processes)."""
    with registry.cursor() as cr:
        cr.execute(query, params)
        return cr.fetchall()


def scenario_queue(env, args):
    """Inclusions as OCA queue_job jobs run by 1, 2, 4 Odoo worker processes (issue 14)."""
    from odoo.addons.connect_sa.simulator.app import ConnectSASimulator
    from odoo.addons.l10n_br_credit_bureau_queue.const import JOB_RECORD_IDS, PARAM_JOB_SIZE
    from odoo.addons.l10n_br_credit_bureau_queue.tests.job_runner import OdooServer, wait_for

    rng = random.Random(14)
    registry = env.registry
    sim = ConnectSASimulator(login="bench", senha_consulta="bench", senha_pefin="bench").start()
    company = env.ref("base.main_company")
    company.partner_id.country_id = env.ref("base.br")
    integration = env["credit.bureau.integration"].create(
        {
            "name": "Connect SA (benchmark)",
            "provider": "connect_sa",
            "company_id": company.id,
            "environment": "homologacao",
            "api_base_url": sim.url,
            "connect_sa_login": "bench",
            "connect_sa_password": "bench",
            "connect_sa_pefin_login": "bench",
            "connect_sa_pefin_password": "bench",
        }
    )
    integration.action_sync_products()
    integration.default_restriction_code_id = integration.restriction_code_ids[:1]
    integration.default_removal_code_id = integration.removal_code_ids[:1]
    env["ir.config_parameter"].set_param(PARAM_JOB_SIZE, str(args.queue_job_size))
    env.cr.commit()
    n, debtors = args.queue_inclusions, max(1, args.queue_inclusions * 2 // 5)
    with Meter("data: partners + invoices + queueing") as build:
        partners = build_partners(env, debtors)
        proto = prototype_invoice(env, company, partners[0])
        move_ids = clone_invoices(env, proto, _unpaid(spread_specs(partners, n, rng=rng)))
        analyze(env, "account_move", "account_move_line", "res_partner")
        user = env.ref("base.user_admin")
        user.group_ids = [
            fields.Command.link(env.ref("l10n_br_credit_bureau.group_negativation").id),
        ]
        wizard = (
            env["credit.bureau.mass.negativate.wizard"]
            .with_user(user)
            .with_context(active_model="account.move", active_ids=move_ids)
            .create({})
        )
        wizard.action_negativate()
        env.cr.commit()
    report(build)
    ids = env["credit.bureau.negativation"].search([("integration_id", "=", integration.id)]).ids
    print(f"  {len(ids)} inclusions queued (refused by a blocker: {wizard.blocked_count})")
    rows = []
    for workers in args.queue_workers:
        kill = args.queue_kill and workers == max(args.queue_workers)
        env.cr.execute(
            "UPDATE credit_bureau_negativation SET state = 'sending', reference = NULL, "
            "outcome_unknown = false, attempts = 0, sent_date = NULL, next_retry = NULL, "
            "message = NULL WHERE id = ANY(%s)",
            [ids],
        )
        env.cr.execute("DELETE FROM queue_job")
        integration.send_concurrency = workers
        env.cr.commit()
        env.invalidate_all()
        sim.reset()
        sim.set_credentials(login="bench", senha_consulta="bench", senha_pefin="bench")
        sim.misbehave("delay", "incluir", times=None, seconds=args.latency_ms / 1000)
        logfile = os.path.join(config["data_dir"], f"bench-queue-{os.getpid()}-{workers}.log")
        server = OdooServer(env.cr.dbname, workers, logfile)
        try:

            def ready(logfile=logfile):
                if not os.path.exists(logfile):
                    return False
                with open(logfile, encoding="utf-8", errors="replace") as file:
                    return "queue job runner ready" in file.read()

            if not wait_for(ready, 120, 0.2):
                raise RuntimeError(f"the job runner did not start:\n{server.log_tail()}")
            start = time.perf_counter()
            env["credit.bureau.negativation"]._cron_send()
            env.cr.commit()
            jobs = _queue_poll(registry, "SELECT count(*) FROM queue_job")[0][0]
            killed = None
            while True:
                done = _queue_poll(
                    registry,
                    "SELECT count(*) FILTER (WHERE state IN ('pending', 'active') "
                    "AND reference IS NOT NULL) "
                    "FROM credit_bureau_negativation WHERE id = ANY(%s)",
                    [ids],
                )[0][0]
                live = _queue_poll(
                    registry, "SELECT uuid, worker_pid FROM queue_job WHERE state <> 'done'"
                )
                if not live:
                    break
                if kill and not killed and done >= len(ids) // 2:
                    # One worker killed while it waits for the provider (outcome unknown).
                    rows_in_flight = _queue_poll(
                        registry,
                        "SELECT j.worker_pid, j.uuid FROM queue_job j JOIN "
                        "credit_bureau_negativation n ON n.id = ANY(ARRAY(SELECT "
                        f"jsonb_array_elements_text({JOB_RECORD_IDS.replace('records', 'j.records')})::int)) "  # noqa: E501
                        "WHERE j.state = 'started' AND n.state = 'sending' AND n.outcome_unknown",
                    )
                    children = server.children()
                    for pid, uuid in rows_in_flight:
                        if pid in children:
                            os.kill(pid, signal.SIGKILL)
                            killed = (pid, uuid, done)
                            break
                if killed:
                    # The runner looks for dead jobs when it wakes up.
                    _queue_poll(registry, "SELECT pg_notify('queue_job', %s)", [killed[1]])
                time.sleep(0.5)
            wall = time.perf_counter() - start
        finally:
            server.stop()
        states = dict(
            _queue_poll(
                registry,
                "SELECT state, count(*) FROM credit_bureau_negativation WHERE id = ANY(%s) "
                "GROUP BY state",
                [ids],
            )
        )
        # Pending, or active when a lookup found the record (the simulator activates it).
        sent = _queue_poll(
            registry,
            "SELECT count(*) FROM credit_bureau_negativation WHERE id = ANY(%s) "
            "AND state IN ('pending', 'active') AND reference IS NOT NULL",
            [ids],
        )[0][0]
        includes = Counter(r.form.get("contrato") for r in sim.requests if r.acao == "incluir")
        lookups = sum(1 for r in sim.requests if r.acao == "consultar")
        duplicates = sum(count - 1 for count in includes.values()) + max(
            0, len(sim.records) - len(includes)
        )
        lost = len(ids) - sent
        bound = len(ids) * args.latency_ms / 1000 / workers
        print(
            f"\n  -- {workers} Odoo worker process(es), {workers} simultaneous requests, "
            f"{jobs} jobs (job_size {args.queue_job_size})"
            + (f", worker {killed[0]} killed with SIGKILL at {killed[2]} sent" if killed else "")
        )
        print(
            f"  wall {wall:.1f} s vs bound N x latency / concurrency = {len(ids)} x "
            f"{args.latency_ms} ms / {workers} = {bound:.1f} s: {wall / bound:.2f}x; "
            f"states {states}; at the provider {len(sim.records)} records, "
            f"{sum(includes.values())} inclusions, {lookups} lookups: {duplicates} duplicates, "
            f"{lost} lost"
        )
        rows.append((workers, wall, bound, duplicates, lost, bool(killed)))
    sim.stop()
    print("\n  SUMMARY queue_job path (wall / bound at the total concurrency)")
    for workers, wall, bound, duplicates, lost, killed in rows:
        print(
            f"  {workers} worker(s): wall {wall:7.1f} s, bound {bound:7.1f} s, "
            f"{wall / bound:.2f}x, {duplicates} duplicates, {lost} lost"
            + (" (one worker killed with SIGKILL mid-run)" if killed else "")
        )


SCENARIOS = {
    "mass": scenario_mass,
    "removal": scenario_removal,
    "poll": scenario_poll,
    "auto": scenario_auto,
    "oca": scenario_oca,
    "print": scenario_print,
    "queue": scenario_queue,
}
TODAY = None


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--quick", action="store_true", help="every size divided by 10")
    parser.add_argument("--latency-ms", type=int, default=10, help="simulated provider latency")
    parser.add_argument(
        "--concurrency",
        default="",
        help="the integration's simultaneous requests (default: the integration's default); "
        "mass and removal: a comma-separated list, measured one after the other",
    )
    parser.add_argument("--label", default="", help="a name for the code measured (RESULT lines)")
    parser.add_argument("--results", help="append the RESULT lines to this file (JSON lines)")
    parser.add_argument("--top", type=int, default=0, help="print the N most frequent queries")
    parser.add_argument(
        "--cprofile", type=int, default=0, help="print the N costliest Python functions"
    )
    parser.add_argument(
        "--timeline",
        action="store_true",
        help="mass, removal: where the sending job's time goes around its provider calls",
    )
    parser.add_argument("--print-runs", type=int, default=5, help="prints after the first")
    parser.add_argument("--mass-invoices", type=int, default=5000)
    parser.add_argument("--mass-debtors", type=int, default=2000)
    parser.add_argument("--removal-total", type=int, default=50000)
    parser.add_argument("--removal-paid", type=int, default=1, help="percent paid")
    parser.add_argument(
        "--removal-history", type=int, default=10000, help="removed (paid) negativations"
    )
    parser.add_argument("--poll-pending", type=int, default=20000)
    parser.add_argument("--auto-invoices", type=int, default=10000)
    parser.add_argument("--auto-customers", type=int, default=2000)
    parser.add_argument("--auto-paid", type=int, default=1500)
    parser.add_argument("--auto-partial", type=int, default=1000)
    parser.add_argument("--auto-days", type=int, default=400, help="due dates spread over")
    parser.add_argument(
        "--auto-history", type=int, default=200, help="removed negativations before the run"
    )
    parser.add_argument(
        "--oca-first", action="store_true", help="oca: run OCA's credit control first"
    )
    parser.add_argument("--queue-inclusions", type=int, default=5000)
    parser.add_argument("--queue-job-size", type=int, default=20, help="records per job")
    parser.add_argument(
        "--queue-workers",
        type=lambda text: [int(value) for value in text.split(",")],
        default=[1, 2, 4],
        help="Odoo worker processes of each run (comma-separated)",
    )
    parser.add_argument(
        "--queue-kill",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="kill one worker with SIGKILL in the middle of the run with the most workers",
    )
    args = parser.parse_args(argv)
    args.concurrencies = [int(value) for value in args.concurrency.split(",") if value.strip()]
    if args.quick:
        for name in (
            "mass_invoices",
            "mass_debtors",
            "removal_total",
            "poll_pending",
            "auto_invoices",
            "auto_customers",
            "auto_paid",
            "auto_partial",
            "auto_history",
            "removal_history",
            "queue_inclusions",
        ):
            setattr(args, name, max(1, getattr(args, name) // 10))
    return args


def compare(paths):
    """``bench.py --compare FILE...``: the RESULT lines of runs of the code before and after
    (``tests/benchmarks/run --against REF``), side by side."""
    rows = {}
    labels = []
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                if row["label"] not in labels:
                    labels.append(row["label"])
                key = (row["scenario"], row.get("what", ""), row["concurrency"], row["n"])
                rows.setdefault(key, {})[row["label"]] = row
    print(
        "\nCOMPARISON (one run; per record: queries, DB ms, CPU ms; ratio: wall / latency "
        "bound, targets <= 1.05, <= 8 queries, <= 3 ms DB)"
    )
    head = f"  {'scenario':<18} {'C':>2} {'N':>6}"
    for label in labels:
        head += f" | {label[:12]:>12}: {'wall':>8} {'ratio':>6} {'q':>6} {'DB':>6} {'CPU':>6}"
    print(head)
    for (scenario, what, concurrency, n), by_label in sorted(
        rows.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or 0, item[0][3])
    ):
        line = f"  {(scenario + ' ' + what).strip():<18} {concurrency or 0:>2} {n:>6}"
        for label in labels:
            row = by_label.get(label)
            if not row:
                line += f" | {'':>12}  {'-':>8} {'':>6} {'':>6} {'':>6} {'':>6}"
                continue
            ratio = f"{row['ratio']:6.3f}" if row.get("ratio") else f"{'-':>6}"
            line += (
                f" | {'':>12}  {row['wall']:7.2f}s {ratio} {row['queries'] / n:6.2f} "
                f"{1000 * row['db'] / n:6.2f} {1000 * row['cpu'] / n:6.2f}"
            )
        print(line)
    return 0


def main(argv=None):
    global TODAY
    argv = argv if argv is not None else sys.argv[1:]
    if argv[:1] == ["--compare"]:
        return compare(argv[1:])
    args = parse_args(argv)
    CONCURRENCY["value"] = args.concurrencies[0] if args.concurrencies else None
    LABEL["value"], RESULTS["path"] = args.label, args.results
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    # account.move.credit_negativation_state depends on a non-searchable computed field:
    # Odoo warns (with a stack) when it builds the triggers. Reported, not ours to fix here.
    warnings.filterwarnings("ignore", message=".*credit_negativation_state should be searchable")
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        TODAY = fields.Date.context_today(env["res.partner"])
        cr.execute("SELECT pg_backend_pid()")
        BACKEND["pid"] = cr.fetchone()[0]
        _instrument(env)
        if args.cprofile:
            profiled.python = cProfile.Profile()
        print(f"== {args.scenario}: {SCENARIOS[args.scenario].__doc__.splitlines()[0]}")
        SCENARIOS[args.scenario](env, args)
        cr.commit()
        print_python_profile(args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
