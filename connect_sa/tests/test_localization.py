"""A debtor written in the fields of the database's Brazilian localization (Odoo's l10n_br
or OCA's l10n_br_base: ./setup/test runs both), consulted and negativated end to end over
the Connect SA simulator: what reaches the platform is the same in both."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.l10n_br_credit_bureau.tests.common import LoopbackRequestsMixin
from odoo.addons.l10n_br_credit_bureau.tests.test_document import alphanumeric_cnpj
from odoo.addons.l10n_br_credit_bureau.tools import format_document

from ..simulator.app import ConnectSASimulator
from .common import LOGIN, PASSWORD, PEFIN_PASSWORD


@tagged("post_install", "-at_install")
class TestConnectSALocalization(LoopbackRequestsMixin, AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
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
        cls.Partner = cls.env["res.partner"]
        cls.Negativation = cls.env["credit.bureau.negativation"]
        cls.oca = cls.Partner._bureau_localization() == "oca"

    def setUp(self):
        super().setUp()
        self.sim.reset()

    def _partner(self, name, vat, **values):
        address = self.Partner._bureau_address_values(
            {
                "street": "Avenida Francisco Glicério",
                "number": "1000",
                "complement": "Loja 2",
                "district": "Centro",
                "city": "Campinas",
                "zip": "13012-100",
                "state": "SP",
            }
        )
        return self.Partner.create(dict(address, name=name, vat=vat, **values))

    def _invoice(self, partner):
        due = fields.Date.context_today(self.integration) - timedelta(days=40)
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": due,
                "invoice_line_ids": [
                    fields.Command.create(
                        {"name": "Plano fibra", "quantity": 1, "price_unit": 180.0, "tax_ids": []}
                    )
                ],
            }
        )
        move.write({"invoice_payment_term_id": False, "invoice_date_due": due})
        move.action_post()
        return move

    def _consult(self, partner):
        context = partner.action_credit_consult()["context"]
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_context(**context)
            .create({"integration_id": self.integration.id, "company_id": self.company.id})
        )
        return self.env["credit.bureau.consultation"].browse(wizard.action_consult()["res_id"])

    def _negativate(self, partner):
        move = self._invoice(partner)
        wizard = (
            self.env["credit.bureau.mass.negativate.wizard"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({})
        )
        wizard.action_negativate()
        negativation = self.Negativation.search([("move_id", "=", move.id)])
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        return negativation

    def _sent(self, negativation):
        (record,) = [
            r for r in self.sim.records.values() if r["protocolo"] == negativation.reference
        ]
        return record

    def test_person_with_the_localization_address_fields(self):
        debtor = self._partner("Beatriz Lima", "529.982.247-25", phone="(19) 98888-7777")
        consultation = self._consult(debtor)
        self.assertEqual((consultation.state, consultation.document), ("done", "52998224725"))
        record = self._sent(self._negativate(debtor))
        self.assertEqual(
            {key: record[key] for key in ("documento", "nome", "logradouro", "numero")},
            {
                "documento": "52998224725",
                "nome": "Beatriz Lima",
                "logradouro": "Avenida Francisco Glicério",
                "numero": "1000",
            },
        )
        self.assertEqual(
            (record["complemento"], record["bairro"], record["cidade"], record["uf"]),
            ("Loja 2", "Centro", "Campinas", "SP"),
        )
        self.assertEqual((record["cep"], record["telefone"]), ("13012100", "19988887777"))

    def test_company_razao_social_and_alphanumeric_cnpj_written_later(self):
        company = self._partner("Mercadinho Alfa", False, is_company=True)
        if self.oca:
            company.legal_name = "Alfa Comércio de Alimentos Ltda"
        document = alphanumeric_cnpj("B2C3D4E50001")
        company.write({"vat": format_document(document)})  # onto the existing partner
        consultation = self._consult(company)
        self.assertEqual((consultation.state, consultation.document), ("done", document))
        record = self._sent(self._negativate(company))
        self.assertEqual((record["tipodocumento"], record["documento"]), ("J", document))
        expected = "Alfa Comércio de Alimentos Ltda" if self.oca else "Mercadinho Alfa"
        self.assertEqual(record["nome"], expected)
        self.assertEqual(record["bairro"], "Centro")
