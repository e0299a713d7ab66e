"""Crédito na Medida's field limits (``const.FIELD_LIMITS``), applied by the core before
anything is sent, over the simulator; the simulator refuses a longer value too, which shows
what would happen without the core's check."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.credito_na_medida import const
from odoo.addons.credito_na_medida.simulator.app import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    CreditoNaMedidaSimulator,
)
from odoo.addons.l10n_br_credit_bureau.models.credit_bureau_integration_limits import (
    LIMIT_KEYS,
    LIMIT_MODES,
)
from odoo.addons.l10n_br_credit_bureau.tests.test_negativation import NegativationCommon
from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError

# 82 characters: Crédito na Medida takes 70 (assumed), shortened at the last whole word.
LONG_NAME = "Maria Aparecida da Conceição dos Santos Oliveira Pereira de Albuquerque Cavalcanti"
SHORT_NAME = "Maria Aparecida da Conceição dos Santos Oliveira Pereira de"
LONG_CITY = "Vila Bela da Santíssima Trindade"  # 32 > 25
SHORT_CITY = "Vila Bela da Santíssima"


@tagged("post_install", "-at_install")
class TestCreditoNaMedidaFieldLimits(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="pt_BR"))
        cls.sim = CreditoNaMedidaSimulator(activation_delay=None)
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.integration.active = False  # the core's simulated provider steps aside
        cls.integration = cls.env["credit.bureau.integration"].create(
            {
                "name": "Crédito na Medida",
                "provider": "credito_na_medida",
                "company_id": cls.company.id,
                "environment": "homologacao",
                "api_base_url": cls.sim.url,
                "cnm_client_id": DEFAULT_CLIENT_ID,
                "cnm_client_secret": DEFAULT_CLIENT_SECRET,
            }
        )
        cls.integration.action_sync_products()
        codes = cls.integration.code_ids
        cls.integration.write(
            {
                "default_restriction_code_id": codes.filtered(
                    lambda c: c.kind == "restriction" and c.code == "TI"
                ).id,
                "default_removal_code_id": codes.filtered(
                    lambda c: c.kind == "removal" and c.code == "01"
                ).id,
            }
        )
        cls.Negativation = cls.env["credit.bureau.negativation"]

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.integration._cnm_forget_token()
        self.addCleanup(self.integration._cnm_forget_token)

    def _inclusions(self):
        return [
            r
            for r in self.sim.requests
            if r["method"] == "POST" and r["path"] == "/v1/negativacoes"
        ]

    def test_limits_are_declared_in_const(self):
        limits = self.integration._bureau_field_limits()
        self.assertEqual(limits, const.FIELD_LIMITS)
        self.assertLessEqual(set(limits), set(LIMIT_KEYS))
        self.assertLessEqual({mode for _limit, mode in limits.values()}, set(LIMIT_MODES))
        # Our number is not sent (the vendor has one field, the contract): any length goes.
        self.assertNotIn("our_number", limits)
        move = self._invoice()
        move.payment_reference = "N" * 100
        self.assertEqual(self.Negativation._bureau_blockers(move, self.integration), [])

    def test_long_name_and_city_are_shortened_at_a_word_boundary(self):
        debtor = self._debtor(LONG_NAME, "390.533.447-05", city=LONG_CITY)
        negativation = self._negativate(self._invoice(partner=debtor))
        notes = " ".join(
            negativation.message_ids.filtered(lambda m: "abreviado" in (m.body or "")).mapped(
                "body"
            )
        )
        self.assertIn("82 caracteres", notes)
        self.assertIn("32 caracteres", notes)
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        (sent,) = (r["json"] for r in self._inclusions())
        self.assertEqual(sent["nome"], SHORT_NAME)
        self.assertEqual(sent["endereco"]["cidade"], SHORT_CITY)
        self.assertEqual(self.sim.negativacao(negativation.reference)["nome"], SHORT_NAME)
        # Without the core's check, the vendor refuses the whole name.
        debt = dict(negativation._bureau_debt(), name=LONG_NAME, contract="OUTRO-1")
        with self.assertRaisesRegex(CreditBureauError, "até 70 caracteres"):
            self.integration._bureau_include(debt)
        self.assertEqual(len(self.sim.negativacoes), 1)

    def test_a_long_contract_is_refused_before_sending(self):
        other = self._negativate(self._invoice(amount=222))
        move = self._invoice()
        long_name = "FAT/2026/" + "0" * 52  # 61 > 60
        # As a migration or an import could have numbered it.
        self.env.cr.execute("UPDATE account_move SET name = %s WHERE id = %s", (long_name, move.id))
        move.invalidate_recordset(["name"])
        blockers = self.Negativation._bureau_blockers(move, self.integration)
        self.assertTrue(
            any(
                "número do contrato" in b
                and "61 caracteres" in b
                and "Crédito na Medida aceita no máximo 60" in b
                for b in blockers
            ),
            blockers,
        )
        with self.assertRaisesRegex(UserError, "número do contrato"):
            self._negativate(move)
        self.assertFalse(move.credit_negativation_id)
        self.assertEqual(self._inclusions(), [])
        # Without the core's check, the vendor refuses it.
        with self.assertRaisesRegex(CreditBureauError, "até 60 caracteres"):
            self.integration._bureau_include(dict(other._bureau_debt(), contract=long_name))
        self.assertEqual(self.sim.negativacoes, [])

    def test_amount_digits(self):
        # A JSON number is read as a double: exact to 15 digits, so no more are sent.
        refused = self.integration._bureau_apply_limits(
            {"name": "x", "address": {}, "amount": 12345678901234.5}
        )[2]
        self.assertEqual(refused, [("amount", 16, 15)])
        other = self._negativate(self._invoice(amount=222))
        with self.assertRaisesRegex(CreditBureauError, "15 dígitos"):
            self.integration._bureau_include(dict(other._bureau_debt(), amount=12345678901234.5))
