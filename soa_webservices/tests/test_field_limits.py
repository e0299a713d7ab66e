"""SOA WebServices' field limits (``const.FIELD_LIMITS``), applied by the core before
anything is sent, over the simulator; the simulator refuses a longer value too, which shows
what would happen without the core's check."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.models.credit_bureau_integration_limits import (
    LIMIT_KEYS,
    LIMIT_MODES,
)
from odoo.addons.l10n_br_credit_bureau.tests.test_negativation import NegativationCommon
from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError
from odoo.addons.soa_webservices.simulator.app import SOAWebServicesSimulator

from .. import const

EMAIL = "financeiro@velozfibra.com.br"
PASSWORD = "Outra-S3nha-SOA"
# 59 characters: SOA WebServices takes 45 (assumed), shortened at the last whole word.
LONG_STREET = "Avenida Doutor Heitor Penteado de Albuquerque e Vasconcelos"
SHORT_STREET = "Avenida Doutor Heitor Penteado de Albuquerque"


@tagged("post_install", "-at_install")
class TestSOAFieldLimits(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="pt_BR"))
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
                "soa_timeout": 2,
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

    def test_limits_are_declared_in_const(self):
        limits = self.integration._bureau_field_limits()
        self.assertEqual(limits, const.FIELD_LIMITS)
        self.assertLessEqual(set(limits), set(LIMIT_KEYS))
        self.assertLessEqual({mode for _limit, mode in limits.values()}, set(LIMIT_MODES))
        # Incluir sends no name and no city: no limit on them, however long.
        self.assertNotIn("name", limits)
        self.assertNotIn("city", limits)
        debtor = self._debtor(
            "Nome " * 30, "390.533.447-05", city="Vila Bela da Santíssima Trindade"
        )
        self.assertEqual(
            self.Negativation._bureau_blockers(self._invoice(partner=debtor), self.integration),
            [],
        )

    def test_a_long_street_is_shortened_at_a_word_boundary(self):
        debtor = self._debtor("Ana Souza", "390.533.447-05", street_name=LONG_STREET)
        move = self._invoice(partner=debtor)
        negativation = self._negativate(move)
        note = negativation.message_ids.filtered(lambda m: "abreviado" in (m.body or ""))
        self.assertIn("logradouro", note.body)
        self.assertIn("no máximo 45", note.body)
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        record = self.sim.get(negativation.reference)
        self.assertEqual(record["devedores"][0]["Endereco"]["Logradouro"], SHORT_STREET)
        # Without the core's check, the service refuses the whole street.
        debt = negativation._bureau_debt()
        debt = dict(debt, address=dict(debt["address"], street=LONG_STREET), contract="OUTRO-1")
        with self.assertRaisesRegex(CreditBureauError, "Logradouro .* 59 caracteres"):
            self.integration._bureau_include(debt)

    def test_a_long_our_number_is_refused_before_sending(self):
        move = self._invoice()
        move.payment_reference = "N" * 31
        blockers = self.Negativation._bureau_blockers(move, self.integration)
        self.assertTrue(
            any(
                "nosso número" in b and "31 caracteres" in b and "no máximo 30" in b
                for b in blockers
            ),
            blockers,
        )
        with self.assertRaisesRegex(UserError, "nosso número"):
            self._negativate(move)
        self.assertFalse(move.credit_negativation_id)
        self.assertEqual(self.sim.calls("Incluir"), [])
        # Without the core's check, the service refuses it.
        move.payment_reference = False
        negativation = self._negativate(move)
        with self.assertRaisesRegex(CreditBureauError, "NossoNumero .* 31 caracteres"):
            self.integration._bureau_include(dict(negativation._bureau_debt(), our_number="N" * 31))
        self.assertEqual(len(self.sim.calls("Incluir")), 1)  # it reached the service

    def test_a_control_character_cannot_even_be_put_in_the_request(self):
        """XML 1.0 has no control characters: without the core's check the SOAP client
        fails with a bare ValueError (in the sending job: "unexpected error"); with it, the
        user reads which field of which debtor to fix."""
        district = self.env["res.partner"]._bureau_address_field("district")
        debtor = self._debtor("Ana Souza", "390.533.447-05", **{district: "Centro\x02"})
        move = self._invoice(partner=debtor)
        blockers = self.Negativation._bureau_blockers(move, self.integration)
        self.assertTrue(any("bairro" in b and "U+0002" in b for b in blockers), blockers)
        debtor[district] = "Centro"
        negativation = self._negativate(move)
        debt = negativation._bureau_debt()
        debt = dict(debt, address=dict(debt["address"], district="Centro\x02"))
        with self.assertRaises(ValueError):
            self.integration._bureau_include(debt)
        self.assertEqual(self.sim.calls("Incluir"), [])
        # The sending job on data changed since the queueing: an error with the reason.
        debtor[district] = "Centro\x02"
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "error")
        self.assertIn("U+0002", negativation.message)
        self.assertEqual(self.sim.calls("Incluir"), [])
