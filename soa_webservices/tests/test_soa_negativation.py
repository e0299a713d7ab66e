"""The core's negativation life cycle (records, scheduled actions) on SOA WebServices, end to
end over the simulator."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.tests.test_negativation import NegativationCommon
from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError
from odoo.addons.soa_webservices.simulator.app import SOAWebServicesSimulator

EMAIL = "financeiro@velozfibra.com.br"
PASSWORD = "Outra-S3nha-SOA"


@tagged("post_install", "-at_install")
class TestSOANegativation(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = SOAWebServicesSimulator(
            email=EMAIL, senha=PASSWORD, activation_delay=None, timeout_seconds=3
        )
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.integration.active = False  # the core's simulated provider steps aside
        cls.integration = cls.env["credit.bureau.integration"].create(
            {
                "name": "SOA WebServices",
                "provider": "soa_webservices",
                "company_id": cls.company.id,
                "api_base_url": cls.sim.url,
                "soa_email": EMAIL,
                "soa_password": PASSWORD,
                "soa_timeout": 1,
            }
        )
        cls.integration.action_sync_products()
        codes = cls.integration.code_ids
        cls.integration.default_removal_code_id = codes.filtered(
            lambda c: c.kind == "removal" and c.code == "01"
        )
        cls.integration.default_restriction_code_id = codes.filtered(
            lambda c: c.kind == "restriction" and c.code == "TI"
        )
        cls.Negativation = cls.env["credit.bureau.negativation"]

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.sim.require_birth_date = False

    def test_life_cycle_through_the_crons(self):
        move = self._invoice()
        negativation = self._negativate(move)
        self.assertEqual(negativation.integration_id, self.integration)
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        record = self.sim.get(negativation.reference)
        self.assertEqual(record["documento"], "52998224725")
        self.assertEqual(record["contrato"], move.name)
        self.assertEqual(record["codigo_restricao"], "TI")
        self.assertEqual(record["devedores"][0]["Endereco"]["CEP"], "13010100")
        self.assertEqual(record["devedores"][0]["Endereco"]["Numero"], "100")

        self.sim.activate_all()
        self.Negativation._cron_poll_status()
        self.assertEqual(negativation.state, "active")
        self.assertEqual(
            [c["fields"]["Condicao"] for c in self.sim.calls("Lista")], ["Pendentes", "Ativas"]
        )

        self._pay(move)
        self.Negativation._cron_remove()
        self.assertEqual(negativation.state, "removed", negativation.message)
        record = self.sim.get(negativation.reference)
        self.assertEqual((record["condicao"], record["codigo_baixa"]), ("Baixadas", "01"))
        self.assertNotIn(PASSWORD, " ".join(negativation.message_ids.mapped("body")))

    def test_status_of_many_records_in_one_call_per_condition(self):
        debtors = [
            self._debtor(f"Cliente {i}", vat)
            for i, vat in enumerate(("123.456.788-10", "123.456.798-91", "123.456.797-00"))
        ]
        moves = self._invoice(partner=debtors[0])
        for debtor in debtors[1:]:
            moves |= self._invoice(partner=debtor)
        moves |= self._invoice(partner=debtors[0], amount=300)
        negativations = self._negativate(moves).sorted("id")
        self.Negativation._cron_send()
        self.assertEqual(set(negativations.mapped("state")), {"pending"})
        self.sim.activate_all()
        self.Negativation._cron_poll_status()
        self.assertEqual(negativations.mapped("state"), ["active", "active", "error", "active"])
        self.assertIn("comunicado", negativations[2].message)
        self.assertEqual(len(self.sim.calls("Lista")), 3)  # Pendentes, Ativas, Erro
        self.assertFalse(self.sim.calls("Consulta"))

    def test_timeout_after_commit_is_found_not_resent(self):
        negativation = self._negativate(self._invoice())
        self.sim.misbehave("timeout_after_commit", "Incluir")
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "error")
        self.assertTrue(negativation.outcome_unknown)
        self.assertTrue(negativation.next_retry)
        negativation.sudo().next_retry = fields.Datetime.now() - timedelta(minutes=1)
        self.Negativation._cron_retry_errors()
        self.assertEqual(negativation.state, "pending", negativation.message)
        (record,) = self.sim.negativacoes()
        self.assertEqual(negativation.reference, record["uid"])
        self.assertEqual(len(self.sim.calls("Incluir")), 1)

    def test_refusal_is_an_error_with_the_message(self):
        self.sim.require_birth_date = True  # the core sends no birth date yet
        negativation = self._negativate(self._invoice())
        self.Negativation.with_context(lang="pt_BR")._cron_send()
        self.assertEqual(negativation.state, "error")
        self.assertIn("P009M001", negativation.message)
        self.assertFalse(negativation.outcome_unknown)
        self.assertFalse(negativation.next_retry)  # the request itself must change
        self.assertFalse(self.sim.negativacoes())

    def test_already_removed_at_the_bureau_is_a_removal(self):
        """The answer to an Excluir is lost (timeout after SOA removed it): the retry gets
        ``N000M003 Negativação já baixada``; Consulta says Baixadas: it is the removal (not
        "removal requested" forever, called again every run)."""
        move = self._invoice()
        negativation = self._negativate(move)
        self.Negativation._cron_send()
        self.sim.activate_all()
        self._pay(move)
        self.sim.misbehave("timeout_after_commit", "Excluir")
        self.Negativation._cron_remove()
        self.assertEqual(negativation.state, "removal_requested")
        self.assertTrue(negativation.activity_ids)
        self.assertEqual(self.sim.get(negativation.reference)["condicao"], "Baixadas")
        negativation.sudo().next_retry = fields.Datetime.now() - timedelta(minutes=1)
        self.Negativation._cron_remove()
        self.assertEqual(negativation.state, "removed", negativation.message)
        self.assertTrue(negativation.removed_date)
        self.assertFalse(negativation.activity_ids)
        self.assertIn("já a tinha baixado", negativation.message_ids[0].body)
        self.assertEqual(len(self.sim.calls("Excluir")), 2)
        self.assertEqual(len(self.sim.calls("Consulta")), 1)
        # Removed for good: nothing is called again.
        self.Negativation._cron_remove()
        self.assertEqual(len(self.sim.calls("Excluir")), 2)

    def test_removal_refused_for_a_record_in_error_stays_an_error(self):
        """The same code for a record that cannot be removed (Erro): not a removal."""
        move = self._invoice()
        negativation = self._negativate(move)
        self.Negativation._cron_send()
        self.sim.set_state(negativation.reference, "Erro", "Documento com restrição")
        with self.assertRaises(CreditBureauError) as caught:
            self.integration._bureau_remove(negativation.reference, "01", self.today)
        self.assertEqual(caught.exception.code, "N000M003")
        self.assertIn("Erro", caught.exception.args[0])
