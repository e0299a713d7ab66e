"""An integration's side of the job queue: its channel, its slots (as many jobs calling its
provider at once as its "Simultaneous requests", whatever the number of Odoo processes and
machines), its rate limit, and the status poll job."""

import logging
import time
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.modules import module as odoo_module
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from ..const import (
    CHANNEL,
    JOB_CONTEXT,
    LOCK_SLOT,
    SLOT_RETRY_SECONDS,
    SLOTS_PER_INTEGRATION,
    STATUS_MAX_RETRIES,
)
from .credit_bureau_negativation import bureau_commit, unlock

_logger = logging.getLogger(__name__)

RATE_TABLE = "credit_bureau_queue_rate"


class CreditBureauIntegration(models.Model):
    _inherit = "credit.bureau.integration"

    requests_per_minute = fields.Integer(
        string="Requests per minute",
        help="The most requests the provider accepts per minute from this integration, "
        "counted over every Odoo process and machine (0: no limit). Requests beyond it wait "
        "their turn instead of being refused.",
    )
    queue_channel = fields.Char(
        string="Job channel",
        compute="_compute_queue_channel",
        help="The queue_job channel of this integration's jobs. As many of its jobs call the "
        "provider at once as its Simultaneous requests; the job runner's configuration "
        "(channels) may give the channel a capacity of its own.",
    )

    _requests_per_minute_positive = models.Constraint(
        "CHECK(requests_per_minute >= 0)", "The requests per minute cannot be negative."
    )

    def init(self):
        result = super().init()
        # The next free start of a request of each integration (seconds since the epoch, on
        # the database's clock, shared by every process): see ``_bureau_queue_throttle``.
        self.env.cr.execute(
            SQL(
                "CREATE TABLE IF NOT EXISTS %s "
                "(integration_id integer PRIMARY KEY, next_at double precision NOT NULL)",
                SQL.identifier(RATE_TABLE),
            )
        )
        return result

    @api.depends()
    def _compute_queue_channel(self):
        for integration in self:
            integration.queue_channel = (
                f"{CHANNEL}.integration_{integration.id}" if integration.id else False
            )

    # ------------------------------------------------------------------ channel and slots
    def _bureau_queue_channel(self):
        """The channel of this integration's jobs, its record created if missing (so that
        it shows in Queue › Channels)."""
        self.ensure_one()
        name = self.queue_channel
        Channel = self.env["queue.job.channel"].sudo()
        if not Channel.search_count([("complete_name", "=", name)], limit=1):
            parent = self.env.ref("l10n_br_credit_bureau_queue.channel_credit_bureau")
            Channel.create({"name": name.rsplit(".", 1)[1], "parent_id": parent.id})
        return name

    @contextmanager
    def _bureau_queue_slot(self):
        """Hold one of this integration's slots for the job's calls: as many as its
        Simultaneous requests, shared by every process and machine (advisory locks of the
        job's connection, kept across its commits, gone with a killed process). Raises
        ``RetryableJobError`` (the retry counter unchanged) when every slot is taken."""
        self.ensure_one()
        cr = self.env.cr
        base = self.id * SLOTS_PER_INTEGRATION
        slot = None
        for index in range(max(self.send_concurrency, 1)):
            cr.execute(SQL("SELECT pg_try_advisory_lock(%s, %s)", LOCK_SLOT, base + index))
            if cr.fetchone()[0]:
                slot = index
                break
        if slot is None:
            raise RetryableJobError(
                self.env._(
                    "%(integration)s already has %(count)s requests running: this job waits "
                    "for one of them.",
                    integration=self.name,
                    count=self.send_concurrency,
                ),
                seconds=SLOT_RETRY_SECONDS,
                ignore_retry=True,
            )
        try:
            yield slot
        finally:
            unlock(cr, SQL("SELECT pg_advisory_unlock(%s, %s)", LOCK_SLOT, base + slot))

    def _bureau_queue_wait_pause(self):
        """A job of an integration paused after timeouts (``_bureau_pause``) waits for the
        end of the pause (the retry counter unchanged)."""
        self.ensure_one()
        until = self.sudo().dispatch_paused_until
        now = fields.Datetime.now()
        if until and until > now:
            raise RetryableJobError(
                self.env._(
                    "%(integration)s is paused after timeouts: this job waits for the end of "
                    "the pause.",
                    integration=self.name,
                ),
                seconds=max(int((until - now).total_seconds()), 1),
                ignore_retry=True,
            )

    def _bureau_threads_allowed(self):
        """A job commits what its calls read before making them, as a scheduled action does
        (``_bureau_commit``): its calls run in a worker thread, so that the job's own work
        (the next records marked, the outcomes written) overlaps the provider's answer. Not
        under a test (see the core's)."""
        if self.env.context.get(JOB_CONTEXT):
            return not odoo_module.current_test
        return super()._bureau_threads_allowed()

    def _bureau_lane_size(self):
        """A job makes one call at a time: the concurrency is the number of jobs that hold
        a slot (``_bureau_queue_slot``), not threads within each."""
        if self.env.context.get(JOB_CONTEXT):
            return 1
        return super()._bureau_lane_size()

    # ------------------------------------------------------------------ rate limit
    def _bureau_send_request(self, method, url, **kwargs):
        self._bureau_queue_throttle()
        return super()._bureau_send_request(method, url, **kwargs)

    def _bureau_queue_throttle(self):
        """Wait for this request's turn under ``requests_per_minute``: each request takes
        the next free start on the database's clock (one atomic update, committed at once
        on a cursor of its own, shared by every process and machine), then sleeps until
        it. Returns the start taken (seconds since the epoch), None without a limit."""
        self.ensure_one()
        limit = self.sudo().requests_per_minute
        if not limit:
            return None
        interval = 60.0 / limit
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "INSERT INTO %(table)s AS rate (integration_id, next_at) "
                    "VALUES (%(id)s, EXTRACT(EPOCH FROM clock_timestamp()) + %(interval)s) "
                    "ON CONFLICT (integration_id) DO UPDATE SET next_at = "
                    "GREATEST(rate.next_at, EXTRACT(EPOCH FROM clock_timestamp())) "
                    "+ %(interval)s "
                    "RETURNING next_at - %(interval)s, EXTRACT(EPOCH FROM clock_timestamp())",
                    table=SQL.identifier(RATE_TABLE),
                    id=self.id,
                    interval=interval,
                )
            )
            start, now = cr.fetchone()
        if start > now:
            time.sleep(start - now)
        return start

    # ------------------------------------------------------------------ status poll
    def _bureau_enqueue_poll_status(self):
        """Enqueue the status poll of this integration (one waiting job at a time)."""
        self.ensure_one()
        return self.with_delay(
            channel=self._bureau_queue_channel(),
            identity_key=identity_exact,
            max_retries=STATUS_MAX_RETRIES,
            description=self.env._("Credit bureau: status poll of %s", self.name),
        )._bureau_job_poll_status()

    def _bureau_job_poll_status(self):
        """Job: the core's status poll of this integration (``_cron_poll_status``), a line
        in the status routine's log; a failed call is tried again with the retry pattern
        of the job function (15, 30, 60, 120 minutes)."""
        self.ensure_one()
        Negativation = (
            self.env["credit.bureau.negativation"]
            ._bureau_flow_env()
            .with_context(**{JOB_CONTEXT: True})
        )
        integration = self.with_env(Negativation.env)
        started = fields.Datetime.now()
        tally = Negativation._cron_poll_status(integrations=integration)
        routine = (
            integration.env["credit.bureau.routine"]
            .with_context(active_test=False)
            .search([("routine", "=", "status"), ("integration_id", "=", integration.id)])
        )
        run = integration.env["credit.bureau.routine.run"]
        if routine:
            run = run._bureau_log(routine, tally, "job", started, self.env.user)
        bureau_commit(integration.env)
        counts = tally.counts.get(integration.id, {})
        summary = run.message or run._bureau_summary(counts)
        if counts.get("failed"):
            raise RetryableJobError(summary)
        return summary
