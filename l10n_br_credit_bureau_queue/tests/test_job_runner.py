"""queue_job's own job runner, for real: an Odoo of its own with two workers on this
database (``--load=base,web,queue_job``) runs the jobs of a group of inclusions against the
Connect SA simulator over loopback, and one of its workers is killed with SIGKILL while a
job waits for the provider. Every debt reaches the simulator exactly once.

Another process sees only committed data: the records of this test are written and committed
on a cursor of their own, and deleted at the end.
"""

import logging
import os
import signal
import tempfile
from collections import Counter
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..const import JOB_RECORD_IDS, PARAM_JOB_SIZE
from .job_runner import OdooServer, wait_for

_logger = logging.getLogger(__name__)

COUNT = 12
DELAY = 0.6  # seconds the simulator takes for each inclusion
CPFS = (
    "529.982.247-25",
    "390.533.447-05",
    "111.444.777-35",
    "123.456.789-09",
    "935.411.347-80",
)


@tagged("post_install", "-at_install")
class TestJobRunner(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        installed = cls.env["ir.module.module"].search(
            [("name", "=", "connect_sa"), ("state", "=", "installed")]
        )
        cls.connect_sa = bool(installed)

    def setUp(self):
        super().setUp()
        if not self.connect_sa:
            self.skipTest(
                "the real runner's test talks to Connect SA's simulator: install connect_sa"
            )
        from odoo.addons.connect_sa.simulator.app import ConnectSASimulator

        # Records stay PENDENTE (the notice period) for the whole test: the lookup of the
        # killed job's records answers what its inclusion left, as for the others.
        self.sim = ConnectSASimulator(
            login="veloz.fibra",
            senha_consulta="S3nha-Consulta",
            senha_pefin="S3nha-Pefin",
            activation_delay=3600,
        ).start()
        self.addCleanup(self.sim.stop)
        self.sim.misbehave("delay", "incluir", times=None, seconds=DELAY)

    def _committed(self):
        """An environment on a cursor of its own, committed on exit."""
        cr = self.registry.cursor()
        return cr, api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def _build(self):
        """The main company, a Connect SA integration on the simulator, COUNT overdue
        invoices queued for sending; committed. Returns (integration id, negativation ids)."""
        cr, env = self._committed()
        with cr:
            company = env.ref("base.main_company")
            company.partner_id.country_id = env.ref("base.br")
            integration = env["credit.bureau.integration"].create(
                {
                    "name": "Connect SA (fila de jobs)",
                    "provider": "connect_sa",
                    "company_id": company.id,
                    "environment": "homologacao",
                    "api_base_url": self.sim.url,
                    "connect_sa_login": "veloz.fibra",
                    "connect_sa_password": "S3nha-Consulta",
                    "connect_sa_pefin_login": "veloz.fibra",
                    "connect_sa_pefin_password": "S3nha-Pefin",
                    "send_concurrency": 2,
                }
            )
            integration.action_sync_products()
            integration.default_restriction_code_id = integration.restriction_code_ids[:1]
            integration.default_removal_code_id = integration.removal_code_ids[:1]
            state = env["res.country.state"].search(
                [("code", "=", "SP"), ("country_id.code", "=", "BR")], limit=1
            )
            address = env["res.partner"]._bureau_address_values(
                {
                    "street": "Rua das Flores",
                    "number": "100",
                    "district": "Centro",
                    "zip": "13010-100",
                    "city": "Campinas",
                    "state": "SP",
                }
            )
            partners = env["res.partner"].create(
                [
                    dict(address, name=f"Devedor da fila {i}", vat=vat, state_id=state.id)
                    for i, vat in enumerate(CPFS)
                ]
            )
            due = fields.Date.context_today(integration) - timedelta(days=40)
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partners[i % len(partners)].id,
                        "company_id": company.id,
                        "invoice_date": due,
                        "invoice_date_due": due,
                        "invoice_line_ids": [
                            fields.Command.create(
                                {
                                    "name": "Plano fibra",
                                    "quantity": 1,
                                    "price_unit": 100.0 + i,
                                    "tax_ids": [],
                                }
                            )
                        ],
                    }
                    for i in range(COUNT)
                ]
            )
            moves.write({"invoice_payment_term_id": False, "invoice_date_due": due})
            moves.action_post()
            env["ir.config_parameter"].set_param(PARAM_JOB_SIZE, "3")
            wizard = (
                env["credit.bureau.mass.negativate.wizard"]
                .with_context(active_model="account.move", active_ids=moves.ids)
                .create({})
            )
            wizard.action_negativate()
            negativations = env["credit.bureau.negativation"].search([("move_id", "in", moves.ids)])
            self.assertEqual(len(negativations), COUNT, wizard.read())
            env["credit.bureau.negativation"]._cron_send()
        self.addCleanup(self._clean, integration.id, moves.ids, partners.ids)
        return integration.id, negativations.ids

    def _clean(self, integration_id, move_ids, partner_ids):
        cr, env = self._committed()
        with cr:
            for query in (
                SQL(
                    "DELETE FROM queue_job WHERE model_name = 'credit.bureau.negativation' "
                    "AND %s <@ (SELECT jsonb_agg(id) FROM credit_bureau_negativation "
                    "WHERE integration_id = %s)",
                    SQL(JOB_RECORD_IDS),
                    integration_id,
                ),
                SQL(
                    "DELETE FROM credit_bureau_negativation WHERE integration_id = %s",
                    integration_id,
                ),
                SQL(
                    "DELETE FROM credit_bureau_negativation_batch WHERE id NOT IN "
                    "(SELECT batch_id FROM credit_bureau_negativation WHERE batch_id IS NOT NULL)"
                ),
                SQL("DELETE FROM account_move WHERE id IN %s", tuple(move_ids)),
                SQL("DELETE FROM res_partner WHERE id IN %s", tuple(partner_ids)),
                SQL("DELETE FROM credit_bureau_integration WHERE id = %s", integration_id),
                SQL("DELETE FROM ir_config_parameter WHERE key = %s", PARAM_JOB_SIZE),
            ):
                env.cr.execute(query)

    def _read(self, query):
        cr, _env = self._committed()
        with cr:
            cr.execute(query)
            return cr.fetchall()

    def test_runner_sends_every_debt_once_through_a_kill(self):
        integration_id, ids = self._build()
        jobs = self._read(
            SQL(
                "SELECT count(*), count(DISTINCT identity_key) FROM queue_job "
                "WHERE method_name = '_bureau_job_include' AND state = 'pending'"
            )
        )
        self.assertEqual(jobs, [(COUNT // 3, COUNT // 3)])
        handle, logfile = tempfile.mkstemp(prefix="queue-runner-", suffix=".log")
        os.close(handle)
        self.addCleanup(os.unlink, logfile)
        server = OdooServer(self.env.cr.dbname, 2, logfile)
        self.addCleanup(server.stop)

        def in_flight():
            """A record marked "outcome unknown" by a started job: its worker waits for the
            provider's answer (or is about to call)."""
            rows = self._read(
                SQL(
                    "SELECT j.worker_pid, j.uuid FROM queue_job j "
                    "JOIN credit_bureau_negativation n ON n.id = ANY(ARRAY(SELECT "
                    "jsonb_array_elements_text(%s)::int)) "
                    "WHERE j.state = 'started' AND n.state = 'sending' AND n.outcome_unknown "
                    "AND n.integration_id = %s LIMIT 1",
                    SQL(JOB_RECORD_IDS.replace("records", "j.records")),
                    integration_id,
                )
            )
            return rows[0] if rows and rows[0][0] in server.children() else None

        found = wait_for(in_flight, timeout=90)
        self.assertTrue(found, f"no job started:\n{server.log_tail()}")
        pid, killed_uuid = found
        os.kill(pid, signal.SIGKILL)
        _logger.info("killed worker %s running job %s", pid, killed_uuid)

        def finished():
            # queue_job's runner looks for dead jobs whenever it wakes up: wake it.
            self._read(SQL("SELECT pg_notify('queue_job', %s), 1", killed_uuid))
            rows = self._read(
                SQL(
                    "SELECT count(*) FILTER (WHERE state <> 'done') FROM queue_job "
                    "WHERE method_name = '_bureau_job_include'"
                )
            )
            return rows[0][0] == 0

        self.assertTrue(wait_for(finished, timeout=180, interval=1), server.log_tail())
        states = self._read(
            SQL(
                "SELECT state, count(*), count(reference), bool_or(outcome_unknown) "
                "FROM credit_bureau_negativation WHERE id IN %s GROUP BY state",
                tuple(ids),
            )
        )
        self.assertEqual(states, [("pending", COUNT, COUNT, False)])
        killed = self._read(SQL("SELECT retry FROM queue_job WHERE uuid = %s", killed_uuid))
        self.assertGreaterEqual(killed[0][0], 1, "the killed job was run again")
        includes = Counter(
            request.form.get("contrato")
            for request in self.sim.requests
            if request.acao == "incluir"
        )
        lookups = [request for request in self.sim.requests if request.acao == "consultar"]
        contracts = {record["contrato"] for record in self.sim.records.values()}
        self.assertEqual(len(self.sim.records), COUNT, "one record per debt at the provider")
        self.assertEqual(len(contracts), COUNT)
        self.assertEqual(set(includes.values()), {1}, f"sent twice: {includes}")
        self.assertTrue(lookups, "the records of the killed job were looked up first")
        _logger.info(
            "real runner: %s inclusions, %s lookups, job %s killed and run again",
            sum(includes.values()),
            len(lookups),
            killed_uuid,
        )
