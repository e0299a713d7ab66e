"""The sending flows as OCA queue_job jobs.

The scheduled actions and the routines still decide *what* is due (their domains, their
blockers, their logs); with this addon they hand the provider calls to jobs instead of making
them in their own process:

- inclusions (the sending job) and the re-send of errors: groups of ``job_size`` records of
  one integration, each a ``_bureau_job_include`` job calling the core's ``_bureau_send``;
- removals: ``_bureau_job_remove`` jobs calling ``_bureau_send_removals``;
- the status poll: one ``_bureau_job_poll_status`` job per integration
  (``credit.bureau.integration``), calling the core's poll of that integration.

Each job has an ``identity_key`` (the same group enqueued twice is one job), runs on its
integration's channel and holds one of its integration's slots (as many as its
"Simultaneous requests") while it calls the provider, one call at a time (in a worker
thread, so that the job's own work overlaps the provider's answer). The core's
semantics stay: a record is marked "outcome unknown" and committed before its call, so a job
killed in the middle is run again by queue_job and asks the provider before sending again.
The records' states are the only truth: a job is only a ticket, and without this addon the
scheduled actions find every record where the jobs left it.
"""

import logging
from contextlib import contextmanager

import psycopg2

from odoo import api, fields, models
from odoo.modules import module as odoo_module
from odoo.tools import SQL

from odoo.addons.l10n_br_credit_bureau.const import MAX_SEND_ATTEMPTS
from odoo.addons.l10n_br_credit_bureau.models.credit_bureau_routine import RoutineTally
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from ..const import (
    DEFAULT_JOB_SIZE,
    FLOW_METHODS,
    JOB_CONTEXT,
    JOB_RECORD_IDS,
    LIVE_JOB_STATES,
    LOCK_RECORD,
    PARAM_ENABLED,
    PARAM_JOB_SIZE,
)

_logger = logging.getLogger(__name__)


def bureau_commit(env):
    """Commit the job's progress (not under a test, whose transaction must stay whole)."""
    if not odoo_module.current_test:
        env.cr.commit()


def unlock(cr, query):
    """Release advisory locks of the job's connection, which goes back to Odoo's pool (and
    would keep them): after a failed query, once its transaction is rolled back."""
    try:
        cr.execute(query)
    except psycopg2.Error:
        cr.rollback()
        cr.execute(query)


class CreditBureauNegativation(models.Model):
    _inherit = "credit.bureau.negativation"

    # ------------------------------------------------------------------ the switch
    @api.model
    def _bureau_queue_enabled(self):
        """The provider calls go to jobs (the default once this addon is installed); the
        system parameter ``l10n_br_credit_bureau_queue.enabled`` = 0 turns them back to
        the scheduled actions without uninstalling anything."""
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_ENABLED, "1")
        return str(value).strip().lower() not in ("0", "false", "no", "off")

    @api.model
    def _bureau_queue_hands_over(self):
        """Whether this call hands its provider calls to jobs: the queue is on, and this is
        not already one of its jobs (which makes the calls itself)."""
        return not self.env.context.get(JOB_CONTEXT) and self._bureau_queue_enabled()

    @api.model
    def _bureau_queue_job_size(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_JOB_SIZE)
        try:
            return max(int(value), 1) if value else DEFAULT_JOB_SIZE
        except ValueError:
            return DEFAULT_JOB_SIZE

    @api.model
    def _bureau_queue_groups(self, integration, records):
        """``records`` of ``integration`` split into the groups of its jobs, in their order:
        groups of ``job_size`` at most, as many as a multiple of the integration's
        Simultaneous requests (each job calls one at a time, the slots take them in waves),
        their sizes as even as can be. A few records are spread over every slot instead of
        waiting in one or two jobs; many make jobs of ``job_size`` or one less."""
        count = len(records)
        slots = max(integration.send_concurrency, 1)
        size = self._bureau_queue_job_size()
        jobs = slots * -(-count // (size * slots))
        small, larger = divmod(count, jobs) if jobs else (0, 0)
        groups, start = [], 0
        for index in range(jobs):
            end = start + small + (1 if index < larger else 0)
            if end > start:
                groups.append(records[start:end])
            start = end
        return groups

    @api.model
    def _bureau_queued_ids(self, flows=tuple(FLOW_METHODS)):
        """Ids of the records in a job of ``flows`` that is not finished yet."""
        self.env["queue.job"].flush_model(["state", "records", "method_name", "model_name"])
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT (jsonb_array_elements_text(%s))::int "
                "FROM queue_job WHERE model_name = %s AND method_name IN %s AND state IN %s",
                SQL(JOB_RECORD_IDS),
                self._name,
                tuple(FLOW_METHODS[flow] for flow in flows),
                LIVE_JOB_STATES,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    # ------------------------------------------------------------------ handing over
    def _bureau_enqueue_or_run(self, flow):
        """The core's hook: with the queue on, these records go to jobs (none runs here)."""
        if not self or not self._bureau_queue_hands_over():
            return super()._bureau_enqueue_or_run(flow)
        self._bureau_enqueue(flow)
        return self.browse()

    def _bureau_enqueue(self, flow):
        """Hand these records to jobs of ``flow`` ("include" or "remove"): per integration,
        groups in the order of their ids (``_bureau_queue_groups``), each on its
        integration's channel, the records already in a job not finished left to it.
        Enqueuing the same group again while its job waits is a no-op (``identity_key``).
        Returns the number of jobs enqueued."""
        queued = self._bureau_queued_ids([flow])
        method = FLOW_METHODS[flow]
        jobs = 0
        todo = self.filtered(lambda n: n.id not in queued).sorted("id")
        for integration, records in todo.grouped("integration_id").items():
            channel = integration._bureau_queue_channel()
            for group in self._bureau_queue_groups(integration, records):
                if flow == "include":
                    description = self.env._(
                        "Credit bureau: send %(count)s inclusions to %(integration)s",
                        count=len(group),
                        integration=integration.name,
                    )
                else:
                    description = self.env._(
                        "Credit bureau: send %(count)s removals to %(integration)s",
                        count=len(group),
                        integration=integration.name,
                    )
                delayable = group.with_delay(
                    channel=channel,
                    identity_key=identity_exact,
                    # Bounded by the records themselves: an inclusion is retried while its
                    # attempts allow (MAX_SEND_ATTEMPTS), a removal until it is done.
                    max_retries=0,
                    description=description,
                )
                getattr(delayable, method)()
                jobs += 1
        return jobs

    # ------------------------------------------------------------------ the crons
    @api.model
    def _cron_send(self, batch_size=100):
        """With the queue on, the sending job only hands what is queued to jobs: every
        record in "sending" of an integration that is not paused (a pause triggers this job
        again when it ends)."""
        if not self._bureau_queue_hands_over():
            return super()._cron_send(batch_size=batch_size)
        self = self._bureau_flow_env()
        paused = self.env["credit.bureau.integration"]._bureau_paused_ids()
        records = self.search(
            [("state", "=", "sending"), ("integration_id", "not in", paused)], order="id"
        )
        records._bureau_enqueue("include")
        self.env["credit.bureau.negativation.batch"]._bureau_close_finished()
        return None

    @api.model
    def _bureau_removals_due_domain(self):
        """Removals handed to a job not finished yet are not due for the removal job: it
        would count them as left for another call, and call itself again."""
        domain = super()._bureau_removals_due_domain()
        if self._bureau_queue_hands_over():
            queued = self._bureau_queued_ids(["remove"])
            if queued:
                domain = [*domain, ("id", "not in", list(queued))]
        return domain

    @api.model
    def _cron_poll_status(self, batch_size=1000, integrations=None):
        """With the queue on, the status poll is one job per integration with something to
        ask (``credit.bureau.integration._bureau_job_poll_status``). Returns a RoutineTally
        that counts the negativations handed over as queued."""
        if not self._bureau_queue_hands_over():
            return super()._cron_poll_status(batch_size=batch_size, integrations=integrations)
        self = self._bureau_flow_env()
        domain = [("state", "in", ("pending", "sending")), ("reference", "!=", False)]
        if integrations is not None:
            domain.append(("integration_id", "in", integrations.ids))
        tally = RoutineTally()
        for integration, count in self._read_group(domain, ["integration_id"], ["__count"]):
            integration._bureau_enqueue_poll_status()
            tally.add(integration.id, "queued", count)
        return tally

    # ------------------------------------------------------------------ the jobs
    def _bureau_job_include(self):
        """Job: send these inclusions (``_bureau_send``), those due for a retry included."""
        return self._bureau_job_run("include")

    def _bureau_job_remove(self):
        """Job: send these removals (``_bureau_send_removals``)."""
        return self._bureau_job_run("remove")

    def _bureau_job_run(self, flow):
        """Run one job of ``flow`` on these records (one integration): the records no other
        job holds, while holding one of the integration's slots. Returns the records'
        states; raises ``RetryableJobError`` when some are left for later (an error to
        retry, a removal that failed, an integration paused or with every slot taken)."""
        records = self.exists()._bureau_flow_env().with_context(**{JOB_CONTEXT: True})
        if not records:
            return self.env._("Nothing to do: the records no longer exist.")
        integration = records.integration_id
        integration.ensure_one()
        integration._bureau_queue_wait_pause()
        with records._bureau_queue_hold() as held:
            todo = held._bureau_job_due(flow)
            if todo:
                with integration._bureau_queue_slot():
                    if flow == "include":
                        todo._bureau_send()
                    else:
                        todo._bureau_send_removals()
                if flow == "include":
                    self.env["credit.bureau.negativation.batch"].sudo()._bureau_close_finished()
                else:
                    records._bureau_job_log_removals(todo)
            bureau_commit(self.env)
        return records._bureau_job_outcome(flow)

    def _bureau_job_due(self, flow):
        """The records of the job to send now: inclusions in "sending", or in "error" and
        due for a retry (moved back to "sending", as the re-send of errors does); removals
        requested and due."""
        now = fields.Datetime.now()
        if flow == "include":
            retry = self.filtered(
                lambda n: n.state == "error"
                and n.next_retry
                and n.next_retry <= now
                and n.attempts < MAX_SEND_ATTEMPTS
            )
            retry.write({"state": "sending", "next_retry": False})
            return self.filtered(lambda n: n.state == "sending")
        return self.filtered(
            lambda n: n.state == "removal_requested" and (not n.next_retry or n.next_retry <= now)
        )

    def _bureau_job_outcome(self, flow):
        """The job's result, or ``RetryableJobError`` for what it leaves for later: the
        earliest retry date of its records (the core's backoff), or the end of the
        integration's pause."""
        states = dict(self._read_group([("id", "in", self.ids)], ["state"], ["__count"]))
        labels = dict(self._fields["state"]._description_selection(self.env))
        result = ", ".join(f"{labels[state]}: {count}" for state, count in sorted(states.items()))
        waiting_state = "error" if flow == "include" else "removal_requested"
        later = self.filtered(lambda n: n.state == waiting_state and n.next_retry)
        if flow == "include":
            later = later.filtered(lambda n: n.attempts < MAX_SEND_ATTEMPTS)
        left = self.filtered(lambda n: n.state == "sending") if flow == "include" else None
        if left:
            # Not sent: the integration was paused in the middle of the job.
            self.integration_id._bureau_queue_wait_pause()
        if later:
            seconds = (min(later.mapped("next_retry")) - fields.Datetime.now()).total_seconds()
            raise RetryableJobError(
                self.env._(
                    "%(count)s to try again later (%(states)s)", count=len(later), states=result
                ),
                seconds=max(int(seconds), 1),
            )
        return result

    def _bureau_job_log_removals(self, sent):
        """A line in the removal routine's log, as the removal job writes after its run."""
        tally = RoutineTally()
        tally.add_states(
            sent.with_prefetch(sent._ids),
            {"removed": "removed", "cancelled": "removed", "removal_requested": "failed"},
        )
        routine = (
            self.env["credit.bureau.routine"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [("routine", "=", "removal"), ("integration_id", "=", sent.integration_id.id)],
                limit=1,
            )
        )
        if routine and tally.counts:
            self.env["credit.bureau.routine.run"]._bureau_log(
                routine, tally, "job", fields.Datetime.now(), self.env.user
            )

    @contextmanager
    def _bureau_queue_hold(self):
        """Hold these records for the job's whole run (advisory locks of its connection,
        across its commits): yields those no other job holds. A killed process's
        connection dies, and its locks with it."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT id FROM unnest(%s::int[]) AS id WHERE pg_try_advisory_lock(%s, id)",
                list(self.ids),
                LOCK_RECORD,
            )
        )
        held_ids = [row[0] for row in cr.fetchall()]
        try:
            held = self.browse(held_ids)
            yield held.with_prefetch(held._ids)
        finally:
            if held_ids:
                unlock(
                    cr,
                    SQL(
                        "SELECT pg_advisory_unlock(%s, id) FROM unnest(%s::int[]) AS id",
                        LOCK_RECORD,
                        held_ids,
                    ),
                )

    # ------------------------------------------------------------------ the core's commits
    def _bureau_commit(self, processed=0):
        """In a job, the core's commits happen as in a scheduled action: a record is marked
        "outcome unknown" and committed before its call, its outcome committed after."""
        if self.env.context.get(JOB_CONTEXT):
            bureau_commit(self.env)
            return float("inf")
        return super()._bureau_commit(processed)
