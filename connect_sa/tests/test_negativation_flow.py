"""The core's negativation flow (invoice → inclusion → status → removal, and "Reenviar
negativações com erro") with Connect SA over the simulator. Skipped while the core has no
negativation model."""

import unittest
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.l10n_br_credit_bureau.tests.common import (
    DOCUMENTS_AS_IS,
    LoopbackRequestsMixin,
)

from .. import const
from ..simulator.app import DEFAULT_ERROR_DOCUMENTS, ConnectSASimulator
from .common import LOGIN, PASSWORD, PEFIN_PASSWORD


@tagged("post_install", "-at_install")
class TestConnectSANegativationFlow(LoopbackRequestsMixin, AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "credit.bureau.negativation" not in cls.env:
            raise unittest.SkipTest("the core has no negativation model yet")
        cls.sim = ConnectSASimulator(
            login=LOGIN, senha_consulta=PASSWORD, senha_pefin=PEFIN_PASSWORD
        ).start()
        cls.addClassCleanup(cls.sim.stop)
        cls.company = cls.env.company
        cls.integration = cls.env["credit.bureau.integration"].create(
            {
                "name": "Connect SA",
                "provider": "connect_sa",
                "company_id": cls.company.id,
                "api_base_url": cls.sim.url,
                "connect_sa_login": LOGIN,
                "connect_sa_password": PASSWORD,
                "connect_sa_pefin_password": PEFIN_PASSWORD,
                "send_sms": True,
                "responsible_cpf": "390.533.447-05",
            }
        )
        cls.integration.action_sync_products()
        codes = cls.integration.code_ids
        cls.integration.write(
            {
                "default_restriction_code_id": codes.filtered(lambda c: c.code == "TI").id,
                "default_removal_code_id": codes.filtered(lambda c: c.code == "01").id,
            }
        )
        cls.sp = cls.env["res.country.state"].search(
            [("code", "=", "SP"), ("country_id.code", "=", "BR")], limit=1
        )
        cls.debtor = cls._debtor("João da Silva", "529.982.247-25")
        cls.today = fields.Date.context_today(cls.integration)

    def setUp(self):
        super().setUp()
        self.sim.reset()

    @classmethod
    def _debtor(cls, name, vat):
        # The address in the fields of this database's Brazilian localization.
        Partner = cls.env["res.partner"]
        address = Partner._bureau_address_values(
            {
                "street": "Rua das Flores",
                "number": "100",
                "district": "Centro",
                "zip": "13010-100",
                "city": "Campinas",
                "state": "SP",
            }
        )
        partner = Partner.with_context(**DOCUMENTS_AS_IS).create(
            dict(address, name=name, vat=vat, phone="(19) 99999-0000")
        )
        return partner.with_env(cls.env)

    def _invoice(self, partner=None, amount=150.0, days_overdue=40):
        due = self.today - timedelta(days=days_overdue)
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or self.debtor).id,
                "invoice_date": due,
                "invoice_line_ids": [
                    fields.Command.create(
                        {"name": "Plano fibra", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        move.write({"invoice_payment_term_id": False, "invoice_date_due": due})
        move.action_post()
        return move

    def _negativate(self, move):
        wizard = (
            self.env["credit.bureau.mass.negativate.wizard"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({})
        )
        wizard.action_negativate()
        return self.env["credit.bureau.negativation"].search([("move_id", "=", move.id)])

    def _incluir_requests(self):
        return [r for r in self.sim.requests if r.acao == "incluir"]

    def test_invoice_to_removal(self):
        Negativation = self.env["credit.bureau.negativation"]
        negativation = self._negativate(self._invoice())
        Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        (record,) = self.sim.records.values()
        self.assertEqual(negativation.reference, record["protocolo"])
        self.assertEqual(record["documento"], "52998224725")
        self.assertEqual(record["valor"], "150.00")
        self.assertEqual(record["codigo_restricao"], "TI")
        self.assertEqual(record["telefone"], "19999990000")
        self.assertTrue(record["sms_enviado"])
        self.assertEqual(record["cpf_responsavel"], "39053344705")
        self.assertEqual((record["cep"], record["uf"]), ("13010100", "SP"))
        Negativation._cron_poll_status()
        self.assertEqual(negativation.state, "active")
        negativation.action_request_removal("01", "Pago")
        Negativation._cron_remove()
        self.assertEqual(negativation.state, "removed", negativation.message)
        self.assertEqual(record["situacao"], "BAIXADA")
        self.assertEqual(record["codigo_baixa"], "01")

    def test_resend_after_timeout_never_duplicates(self):
        negativation = self._negativate(self._invoice())
        self.sim.misbehave("timeout_after_commit", "incluir", seconds=2)
        with patch.object(const, "REQUEST_TIMEOUT", 0.5):
            self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(negativation.state, "error")
        self.assertTrue(negativation.outcome_unknown)
        self.assertEqual(len(self.sim.records), 1)  # the platform did record it
        # Reenviar negativações com erro: looked up first, found, not sent again.
        self.integration.action_resend_errors()
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertIn(negativation.state, ("pending", "active"), negativation.message)
        (reference,) = self.sim.records
        self.assertEqual(negativation.reference, reference)
        self.assertEqual(len(self._incluir_requests()), 1)

    def test_resend_of_a_refused_inclusion(self):
        debtor = self._debtor("Endereço Não Localizado", "111.222.307-02")
        self.assertIn("11122230702", DEFAULT_ERROR_DOCUMENTS)
        negativation = self._negativate(self._invoice(partner=debtor))
        self.env["credit.bureau.negativation"]._cron_send()
        self.env["credit.bureau.negativation"]._cron_poll_status()
        self.assertEqual(negativation.state, "error")
        self.assertIn("endereço", negativation.message)
        # Once the address is fixed at the platform's side, the re-send is a new inclusion.
        self.sim.error_documents.clear()
        self.integration.action_resend_errors()
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        self.assertEqual(len(self._incluir_requests()), 2)
        self.assertEqual(
            sorted(r["situacao"] for r in self.sim.records.values()), ["ERRO", "PENDENTE"]
        )

    def test_already_removed_at_the_platform_is_a_removal(self):
        """The answer to a removal is lost (timeout after the platform removed it): the retry
        is answered "Negativação já baixada" (codigo 05, situacao BAIXADA), which is the
        removal, not an error retried forever."""
        Negativation = self.env["credit.bureau.negativation"]
        move = self._invoice()
        negativation = self._negativate(move)
        Negativation._cron_send()
        Negativation._cron_poll_status()
        self.assertEqual(negativation.state, "active", negativation.message)
        negativation.action_request_removal("01", "Pago")
        self.sim.misbehave("timeout_after_commit", "excluir", seconds=2)
        with patch.object(const, "REQUEST_TIMEOUT", 0.5):
            Negativation._cron_remove()
        self.assertEqual(negativation.state, "removal_requested")
        self.assertTrue(negativation.activity_ids)
        (record,) = self.sim.records.values()
        self.assertEqual(record["situacao"], "BAIXADA")  # the platform did remove it
        # The retry, once due.
        negativation.sudo().next_retry = fields.Datetime.now() - timedelta(minutes=1)
        Negativation._cron_remove()
        self.assertEqual(negativation.state, "removed", negativation.message)
        self.assertTrue(negativation.removed_date)
        self.assertFalse(negativation.activity_ids)
        self.assertIn("já baixada", negativation.message)
        self.assertIn("já a tinha baixado", negativation.message_ids[0].body)
        self.assertEqual(len([r for r in self.sim.requests if r.acao == "excluir"]), 2)
        # Nothing is asked again.
        Negativation._cron_remove()
        self.assertEqual(len([r for r in self.sim.requests if r.acao == "excluir"]), 2)
