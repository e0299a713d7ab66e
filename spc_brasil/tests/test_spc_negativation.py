"""The core's negativation life cycle (records, scheduled actions) on SPC Brasil, end to end
over the simulator: inclusion, the notice period instead of a status list, removal."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.soap import forget_clients
from odoo.addons.l10n_br_credit_bureau.tests.test_negativation import NegativationCommon
from odoo.addons.spc_brasil.simulator.app import SPCBrasilSimulator

OPERATOR = "445566"
PASSWORD = "Outra-S3nha-SPC"


@tagged("post_install", "-at_install")
class TestSPCNegativation(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        forget_clients()
        cls.sim = SPCBrasilSimulator(operator=OPERATOR, password=PASSWORD, timeout_seconds=3)
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.addClassCleanup(forget_clients)
        cls.integration.active = False  # the core's simulated provider steps aside
        cls.integration = cls.env["credit.bureau.integration"].create(
            {
                "name": "SPC Brasil",
                "provider": "spc_brasil",
                "company_id": cls.company.id,
                "api_base_url": cls.sim.url,
                "spc_operator": OPERATOR,
                "spc_password": PASSWORD,
                "spc_timeout": 1,
            }
        )
        cls.integration.action_sync_products()
        codes = cls.integration.code_ids
        cls.integration.default_removal_code_id = codes.filtered(
            lambda c: c.kind == "removal" and c.code == "1"
        )
        cls.integration.default_restriction_code_id = codes.filtered(
            lambda c: c.kind == "restriction" and c.code == "104"
        )
        cls.Negativation = cls.env["credit.bureau.negativation"]

    def setUp(self):
        super().setUp()
        self.sim.reset()

    def _age(self, negativation, days):
        negativation.sudo().sent_date = fields.Datetime.now() - timedelta(days=days)

    def test_life_cycle_through_the_crons(self):
        move = self._invoice()
        negativation = self._negativate(move)
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        (record,) = self.sim.negativacoes()
        self.assertEqual(negativation.reference, record["protocolo"])
        self.assertEqual(record["documento"], "52998224725")
        self.assertEqual(record["contrato"], move.name)
        self.assertEqual(record["endereco"]["numero"], "100")

        # The notice period is running: nothing changes, nothing is called.
        self._age(negativation, 9)
        self.Negativation._cron_poll_status()
        self.assertEqual(negativation.state, "pending")
        self._age(negativation, 10)
        self.Negativation.with_context(lang="pt_BR")._cron_poll_status()
        self.assertEqual(negativation.state, "active")
        self.assertIn("10 dias", negativation.message_ids[0].body)
        self.assertEqual(len(self.sim.calls()), 1)  # only the inclusion

        self._pay(move)
        self.Negativation._cron_remove()
        self.assertEqual(negativation.state, "removed", negativation.message)
        self.assertEqual(self.sim.negativacoes()[0]["situacao"], "excluido")
        (call,) = self.sim.calls("excluirSpc")
        self.assertEqual(call["fields"]["exclusaoSpc"]["motivo-exclusao"]["id"], "1")
        self.assertNotIn(PASSWORD, " ".join(negativation.message_ids.mapped("body")))

    def test_configurable_notice_period(self):
        self.integration.spc_notice_days = 3
        negativation = self._negativate(self._invoice())
        self.Negativation._cron_send()
        self._age(negativation, 3)
        self.Negativation._cron_poll_status()
        self.assertEqual(negativation.state, "active")

    def test_timeout_after_commit_is_found_not_resent(self):
        negativation = self._negativate(self._invoice())
        self.sim.misbehave("timeout_after_commit", "incluirSpc")
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "error")
        self.assertTrue(negativation.outcome_unknown)
        negativation.sudo().next_retry = fields.Datetime.now() - timedelta(minutes=1)
        self.Negativation._cron_retry_errors()
        self.assertEqual(negativation.state, "pending", negativation.message)
        (record,) = self.sim.negativacoes()
        self.assertEqual(negativation.reference, record["protocolo"])
        self.assertEqual(len(self.sim.calls("incluirSpc")), 1)
        self.assertEqual(len(self.sim.calls("consultar")), 1)  # the lookup

    def test_already_removed_is_a_removal(self):
        move = self._invoice()
        negativation = self._negativate(move)
        self.Negativation._cron_send()
        self._pay(move)
        self.sim.misbehave("timeout_after_commit", "excluirSpc")
        self.Negativation._cron_remove()
        self.assertEqual(negativation.state, "removal_requested")
        negativation.sudo().next_retry = fields.Datetime.now() - timedelta(minutes=1)
        self.Negativation.with_context(lang="pt_BR")._cron_remove()
        self.assertEqual(negativation.state, "removed", negativation.message)
        self.assertIn("EXC003", negativation.message_ids[0].body)
        self.assertEqual(len(self.sim.calls("excluirSpc")), 2)

    def test_field_limits_and_control_characters(self):
        long_street = "Avenida Doutor Professor Engenheiro Francisco Xavier de Almeida Junior"
        debtor = self._debtor("Maria Souza", "111.444.777-35", street_name=long_street)
        negativation = self._negativate(self._invoice(partner=debtor))
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        (record,) = self.sim.negativacoes()
        self.assertLessEqual(len(record["endereco"]["logradouro"]), 50)
        self.assertTrue(long_street.startswith(record["endereco"]["logradouro"]))
        # A control character typed into the name: refused before anything is sent.
        self.sim.reset()
        debtor.name = "Maria\x07 Souza"
        with self.assertRaises(UserError):
            negativation._bureau_debt()
        self.assertFalse(self.sim.calls("incluirSpc"))
