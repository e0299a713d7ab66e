"""What is read from a partner, in the Brazilian localization of the database: Odoo's
``l10n_br`` (the first dependency set of ./setup/test) or OCA's ``l10n_br_base`` (the second).
The same tests run in both; each partner is written in the fields of the localization
detected, the way its own form would, and what only one of them stores is checked there."""

from odoo.tests import tagged

from ..tools import clean_document, format_document
from .test_document import alphanumeric_cnpj
from .test_negativation import NegativationCommon

ADDRESS = {
    "street": "Rua Barão de Jaguara",
    "number": "1481",
    "complement": "Sala 5",
    "district": "Centro",
    "city": "Campinas",
    "zip": "13015-002",
    "state": "SP",
}
SENT_ADDRESS = dict(ADDRESS, zip="13015002")


@tagged("post_install", "-at_install")
class TestLocalization(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"]
        cls.Negativation = cls.env["credit.bureau.negativation"]
        cls.oca = cls.Partner._bureau_localization() == "oca"

    def _partner(self, name, vat, address=None, **values):
        address = self.Partner._bureau_address_values(address or ADDRESS)
        return self.Partner.create(dict(address, name=name, vat=vat, **values))

    def _consult_partner(self, partner):
        """Consult from the partner's button, with the document the wizard proposes."""
        context = partner.action_credit_consult()["context"]
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_context(**context)
            .create({"integration_id": self.integration.id, "company_id": self.company.id})
        )
        action = wizard.action_consult()
        return self.env["credit.bureau.consultation"].browse(action["res_id"])

    def _negativate_and_send(self, partner):
        negativation = self._negativate(self._invoice(partner=partner))
        self.assertTrue(negativation, "nothing was queued")
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        return negativation

    def test_localization_detected_by_its_fields(self):
        installed = self.env["ir.module.module"]._get("l10n_br_base").state == "installed"
        self.assertEqual(self.oca, installed)
        expected = "district" if installed else "street2"
        self.assertEqual(self.Partner._bureau_address_field("district"), expected)

    def test_debtor_address_in_the_localization_fields(self):
        debtor = self._partner("Ana Paula Souza", "390.533.447-05")
        # Stored where the localization's own form puts it.
        if self.oca:
            self.assertEqual((debtor.district, debtor.street2), ("Centro", False))
            self.assertEqual(debtor.vat, "39053344705")  # OCA keeps it without punctuation
        else:
            self.assertEqual(debtor.street2, "Centro")
        self.assertEqual(debtor.city_id.name, "Campinas")
        self.assertEqual(debtor._bureau_address(), SENT_ADDRESS)
        consultation = self._consult_partner(debtor)
        self.assertEqual(consultation.state, "done")
        self.assertEqual((consultation.document, consultation.partner_id), ("39053344705", debtor))
        negativation = self._negativate_and_send(debtor)
        self.assertEqual(negativation.document, "39053344705")
        debt = negativation._bureau_debt()
        self.assertEqual(debt["address"], SENT_ADDRESS)
        self.assertEqual((debt["name"], debt["phone"]), ("Ana Paula Souza", ""))

    def test_incomplete_address_judged_on_the_localization_fields(self):
        # The bairro missing from the localization's field blocks, whatever else is filled.
        no_district = dict(ADDRESS, district="")
        debtor = self._partner("Sem Bairro", "111.444.777-35", no_district)
        if self.oca:
            # OCA's form shows street2 as a complement line: no bairro there.
            debtor.street2 = "Bloco B"
            self.assertEqual(debtor._bureau_address()["complement"], "Sala 5 - Bloco B")
        blockers = self.Negativation.with_context(lang="en_US")._bureau_blockers(
            self._invoice(partner=debtor), self.integration
        )
        self.assertTrue(
            any("incomplete address" in b and "district" in b for b in blockers), blockers
        )
        # The city from res.city alone (the CEP's city picked in the form) is enough.
        city = self.env["res.city"].search(
            [("name", "=", "Campinas"), ("state_id.code", "=", "SP")], limit=1
        )
        debtor.write({self.Partner._bureau_address_field("district"): "Centro", "city": False})
        debtor.city_id = city
        self.assertEqual(debtor._bureau_address()["city"], "Campinas")
        self.assertEqual(debtor._bureau_missing_address_fields(), [])

    def test_alphanumeric_cnpj_written_onto_an_existing_partner(self):
        """OCA had a regression on this path (writing the document of a partner that
        exists, where the country is read from the record): the new CNPJ is consulted and
        negativated as written."""
        company = self._partner("Alfa Numérica Comércio Ltda", False, is_company=True)
        self.assertFalse(company.vat)
        document = alphanumeric_cnpj("A1B2C3D40001")
        punctuated = format_document(document)
        company.write({"vat": punctuated})
        self.assertEqual(clean_document(company.vat), document)
        if self.oca:
            self.assertEqual(company.vat, document)  # OCA stores it without punctuation
        consultation = self._consult_partner(company)
        self.assertEqual((consultation.state, consultation.document), ("done", document))
        negativation = self._negativate_and_send(company)
        self.assertEqual(negativation.document, document)
        self.assertEqual(negativation._bureau_debt()["kind"], "cnpj")

    def test_company_name_sent_is_the_razao_social_where_kept(self):
        company = self._partner("Veloz Mercado", "11.222.333/0001-81", is_company=True)
        if self.oca:
            company.legal_name = "Veloz Mercado de Alimentos Ltda"
        negativation = self._negativate_and_send(company)
        expected = "Veloz Mercado de Alimentos Ltda" if self.oca else "Veloz Mercado"
        self.assertEqual(negativation._bureau_debt()["name"], expected)

    def test_branch_with_its_own_cnpj(self):
        """A debtor's branch (filial) has its own CNPJ: its invoices negativate that CNPJ,
        not the head office's; its people are consulted under it."""
        head = self._partner("Rede Sul Supermercados", "11.222.333/0001-81", is_company=True)
        branch = self._partner(
            "Rede Sul Supermercados - Filial Campinas",
            "11.222.333/0002-62",
            is_company=True,
            parent_id=head.id,
        )
        buyer = self.Partner.create({"name": "Carlos Comprador", "parent_id": branch.id})
        self.assertEqual(branch.commercial_partner_id, branch)
        self.assertEqual(buyer.commercial_partner_id, branch)
        self.assertEqual(clean_document(branch._bureau_document()), "11222333000262")
        # The buyer's consultation is the branch's CNPJ (OCA leaves the buyer without one).
        consultation = self._consult_partner(buyer)
        self.assertEqual(consultation.document, "11222333000262")
        # Invoiced to the buyer: the debtor is the branch, with its own CNPJ and address.
        negativation = self._negativate(self._invoice(partner=buyer))
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        self.assertEqual(
            (negativation.partner_id, negativation.document), (branch, "11222333000262")
        )
        self.assertEqual(negativation._bureau_debt()["address"], SENT_ADDRESS)
        self.assertEqual(clean_document(head.vat), "11222333000181")  # not the branch's
