"""The blockers of rules.md: debtor data (8), the five-year limit (3) and an integration
able to send."""

from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_document import alphanumeric_cnpj
from .test_negativation import NegativationCommon


@tagged("post_install", "-at_install")
class TestNegativationRules(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Negativation = cls.env["credit.bureau.negativation"].with_context(lang="en_US")
        cls.cnpj = "11.222.333/0001-81"

    def _blockers(self, move, integration=None):
        if integration is None:
            integration = self.integration
        return self.Negativation._bureau_blockers(move, integration)

    def _debtor_elsewhere(self, name, vat, **values):
        """A debtor whose country is not Brazil's, or empty: Odoo would check the CPF as a
        VAT number of that country."""
        partner = self._debtor(name, vat)
        partner.with_context(no_vat_validation=True).write(values)
        return partner

    def assertBlocked(self, move, text, integration=None):
        blockers = self._blockers(move, integration)
        self.assertTrue(any(text in blocker for blocker in blockers), blockers)
        return blockers

    # ------------------------------------------------------------------ debtor (rules.md 8)
    def test_person_needs_a_cpf_and_company_a_cnpj(self):
        person_with_cnpj = self._debtor("Pessoa com CNPJ", self.cnpj, is_company=False)
        self.assertBlocked(self._invoice(partner=person_with_cnpj), "must be a CPF")
        company_with_cpf = self._debtor("Empresa com CPF", "390.533.447-05", is_company=True)
        self.assertBlocked(self._invoice(partner=company_with_cpf), "must be a CNPJ")
        company = self._debtor("Empresa Certa Ltda", self.cnpj, is_company=True)
        self.assertEqual(self._blockers(self._invoice(partner=company)), [])
        # The invoice of a contact is checked on its company.
        contact = self.env["res.partner"].create(
            {"name": "Contato da Empresa", "parent_id": company.id, "type": "invoice"}
        )
        self.assertEqual(self._blockers(self._invoice(partner=contact)), [])
        # In Portuguese for the user.
        blockers = self.Negativation.with_context(lang="pt_BR")._bureau_blockers(
            self._invoice(partner=person_with_cnpj, amount=151), self.integration
        )
        self.assertTrue(any("CPF" in b and "pessoa" in b for b in blockers), blockers)

    def test_a_minor_is_not_negativated(self):
        move = self._invoice()
        self.debtor.credit_birth_date = self.today - relativedelta(years=18) + timedelta(days=1)
        self.assertBlocked(move, "under 18")
        blockers = self.Negativation.with_context(lang="pt_BR")._bureau_blockers(
            move, self.integration
        )
        self.assertTrue(any("menor de idade" in b for b in blockers), blockers)
        # The 18th birthday is today: of age.
        self.debtor.credit_birth_date = self.today - relativedelta(years=18)
        self.assertEqual(self._blockers(move), [])
        # A date in the future is no better.
        self.debtor.credit_birth_date = self.today + timedelta(days=3)
        self.assertBlocked(move, "under 18")
        # Unknown birth date: nothing to check.
        self.debtor.credit_birth_date = False
        self.assertEqual(self._blockers(move), [])
        # A company has no age (a foundation date typed in the field does not block it).
        company = self._debtor(
            "Empresa Nova Ltda",
            self.cnpj,
            is_company=True,
            credit_birth_date=self.today - relativedelta(years=2),
        )
        self.assertEqual(self._blockers(self._invoice(partner=company)), [])

    def test_the_address_must_be_in_brazil(self):
        portugal = self.env.ref("base.pt")
        abroad = self._debtor_elsewhere(
            "Morador em Lisboa", "390.533.447-05", country_id=portugal.id
        )
        blockers = self.assertBlocked(self._invoice(partner=abroad), "in Brazil")
        self.assertTrue(any(portugal.name in b for b in blockers), blockers)
        # No country but a Brazilian UF, CEP and the rest: a Brazilian address.
        no_country = self._debtor_elsewhere("Sem País", "111.444.777-35", country_id=False)
        self.assertEqual(self._blockers(self._invoice(partner=no_country)), [])
        # No country and a state of another country.
        california = self.env["res.country.state"].search(
            [("code", "=", "CA"), ("country_id.code", "=", "US")], limit=1
        )
        foreign_state = self._debtor_elsewhere(
            "Estado Estrangeiro", "123.456.788-10", country_id=False, state_id=california.id
        )
        self.assertBlocked(self._invoice(partner=foreign_state), "in Brazil")
        # Neither: the address is incomplete (no UF), not abroad.
        nowhere = self._debtor_elsewhere(
            "Sem Estado", "123.456.798-91", country_id=False, state_id=False
        )
        blockers = self.assertBlocked(self._invoice(partner=nowhere), "incomplete address")
        self.assertFalse(any("in Brazil" in b for b in blockers), blockers)

    def test_alphanumeric_cnpj_is_negativated_end_to_end(self):
        document = alphanumeric_cnpj("12ABC34501AB")
        company = self._debtor("Empresa Alfanumérica Ltda", document, is_company=True)
        move = self._invoice(partner=company)
        self.assertEqual(self._blockers(move), [])
        negativation = self._negativate(move)
        self.assertEqual(negativation.state, "sending")
        self.assertEqual(negativation.document, document)
        debt = negativation._bureau_debt()
        self.assertEqual((debt["document"], debt["kind"]), (document, "cnpj"))
        self.env["credit.bureau.negativation"]._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        self.assertTrue(negativation.reference.startswith("SIM-"))
        # Receita Federal's published example is not a real CNPJ.
        example = self._debtor("Exemplo da Receita", "12.ABC.345/01DE-35", is_company=True)
        example_move = self._invoice(partner=example)
        self.assertBlocked(example_move, "example CNPJ")
        with self.assertRaises(UserError):
            self._negativate(example_move)

    # ------------------------------------------------------------------ five years (rules.md 3)
    def test_five_year_limit_is_the_removal_cron_s_limit(self):
        limit = self.today - relativedelta(years=5)
        on_the_day = self._invoice(days_overdue=(self.today - limit).days)
        self.assertEqual(on_the_day.invoice_date_due, limit)
        self.assertBlocked(on_the_day, "five years")
        day_after = self._invoice(days_overdue=(self.today - limit).days - 1)
        self.assertEqual(day_after.invoice_date_due, limit + timedelta(days=1))
        self.assertEqual(self._blockers(day_after), [])
        # What the blocker lets through the removal cron keeps, until the limit day.
        negativation = self._negativate(day_after)
        self.env["credit.bureau.negativation"]._cron_send()
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(negativation.state, "pending")
        negativation.sudo().due_date = limit
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(negativation.state, "removed")
        # The automatic routine agrees.
        candidates = self.integration._bureau_auto_candidates()
        self.assertNotIn(on_the_day, candidates)

    # ------------------------------------------------------------------ the integration
    def test_integration_without_provider_or_archived(self):
        move = self._invoice()
        none = self.env["credit.bureau.integration"].create(
            {"name": "Sem intermediador", "provider": "none", "company_id": self.company.id}
        )
        self.assertBlocked(move, "no intermediary", none)
        self.integration.active = False
        self.assertBlocked(move, "archived")
        # The company then has no usable integration at all.
        self.assertBlocked(
            move, "No credit bureau integration", self.env["credit.bureau.integration"]
        )
        with self.assertRaises(UserError):
            self._negativate(move)

    def test_integration_whose_provider_does_not_negativate(self):
        Integration = type(self.integration)
        original = Integration._bureau_get_features

        def consultation_only(integration):
            return dict(original(integration), negativation=False)

        self.patch(Integration, "_bureau_get_features", consultation_only)
        self.integration.invalidate_recordset(["supports_negativation"])
        self.assertBlocked(self._invoice(), "does not send negativations")

    def test_failed_connection_blocks_until_tested_again(self):
        move = self._invoice()
        self.integration.dummy_fail = "auth"
        self.integration.action_test_connection()
        self.assertEqual(self.integration.connection_state, "failed")
        self.assertBlocked(move, "Test connection")
        # Refused, with the reason, by the wizard too.
        wizard = (
            self.env["credit.bureau.mass.negativate.wizard"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({})
        )
        self.assertEqual((wizard.ok_count, wizard.blocked_count), (0, 1))
        self.integration.dummy_fail = False
        self.integration.action_test_connection()
        self.assertEqual(self.integration.connection_state, "ok")
        self.assertEqual(self._blockers(move), [])

    def test_what_the_provider_requires_must_be_filled_in(self):
        move = self._invoice()
        Integration = type(self.integration)
        original = Integration._bureau_get_features

        def needs_responsible(integration):
            return dict(original(integration), responsible_cpf=True)

        self.patch(Integration, "_bureau_get_features", needs_responsible)
        self.assertFalse(self.integration.responsible_cpf)
        self.assertBlocked(move, "CPF responsible for negativations")
        self.integration.responsible_cpf = "390.533.447-05"
        self.assertEqual(self._blockers(move), [])
        # A credential declared with required_if_provider and empty (e.g. added by a newer
        # version of the provider's addon to integrations saved before).
        field = Integration._fields["api_base_url"]
        patcher = patch.object(
            field, "required_if_provider", self.integration.provider, create=True
        )
        patcher.start()
        self.addCleanup(patcher.stop)
        self.assertBlocked(move, "Base URL")
        self.integration.sudo().api_base_url = "http://127.0.0.1:1"
        self.assertEqual(self._blockers(move), [])
