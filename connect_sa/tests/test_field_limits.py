"""Connect SA's field limits (``const.FIELD_LIMITS``), applied by the core before anything is
sent, over the simulator; the simulator refuses a longer value too, which shows what would
happen without the core's check."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.models.credit_bureau_integration_limits import (
    LIMIT_KEYS,
    LIMIT_MODES,
)
from odoo.addons.l10n_br_credit_bureau.tests.test_negativation import NegativationCommon
from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError

from .. import const
from ..simulator.app import ConnectSASimulator
from .common import LOGIN, PASSWORD, PEFIN_PASSWORD

# 82 characters: Connect SA takes 70 (assumed), shortened at the last whole word.
LONG_NAME = "Maria Aparecida da Conceição dos Santos Oliveira Pereira de Albuquerque Cavalcanti"
SHORT_NAME = "Maria Aparecida da Conceição dos Santos Oliveira Pereira de"


@tagged("post_install", "-at_install")
class TestConnectSAFieldLimits(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang="pt_BR"))
        cls.sim = ConnectSASimulator(
            login=LOGIN, senha_consulta=PASSWORD, senha_pefin=PEFIN_PASSWORD
        ).start()
        cls.addClassCleanup(cls.sim.stop)
        cls.integration.active = False  # the core's simulated provider steps aside
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
        cls.Negativation = cls.env["credit.bureau.negativation"]

    def setUp(self):
        super().setUp()
        self.sim.reset()

    def _inclusions(self):
        return [r for r in self.sim.requests if r.acao == "incluir"]

    def test_limits_are_declared_in_const(self):
        limits = self.integration._bureau_field_limits()
        self.assertEqual(limits, const.FIELD_LIMITS)
        self.assertLessEqual(set(limits), set(LIMIT_KEYS))
        self.assertLessEqual({mode for _limit, mode in limits.values()}, set(LIMIT_MODES))
        # Identifiers are never shortened.
        for key in ("number", "contract", "our_number", "amount"):
            self.assertEqual(limits[key][1], "refuse", key)

    def test_a_long_name_is_shortened_at_a_word_boundary(self):
        debtor = self._debtor(LONG_NAME, "390.533.447-05")
        move = self._invoice(partner=debtor)
        self.assertEqual(self.Negativation._bureau_blockers(move, self.integration), [])
        negativation = self._negativate(move)
        note = negativation.message_ids.filtered(lambda m: "abreviado" in (m.body or ""))
        self.assertIn("82 caracteres", note.body)
        self.assertIn("no máximo 70", note.body)
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        (record,) = self.sim.records.values()
        self.assertEqual(record["nome"], SHORT_NAME)
        # Without the core's check, the platform refuses the whole name: nothing recorded.
        debt = dict(negativation._bureau_debt(), name=LONG_NAME, contract="OUTRO-1")
        with self.assertRaisesRegex(CreditBureauError, "nome com mais de 70 caracteres"):
            self.integration._bureau_include(debt)
        self.assertEqual(len(self.sim.records), 1)

    def test_a_long_our_number_is_refused_before_sending(self):
        move = self._invoice()
        move.payment_reference = "BOLETO-2026-000000123456789-01"  # 30: the limit
        self.assertEqual(self.Negativation._bureau_blockers(move, self.integration), [])
        move.payment_reference += "9"  # 31
        blockers = self.Negativation._bureau_blockers(move, self.integration)
        self.assertTrue(
            any(
                "nosso número" in b
                and "31 caracteres" in b
                and "Connect SA aceita no máximo 30" in b
                for b in blockers
            ),
            blockers,
        )
        with self.assertRaisesRegex(UserError, "nosso número"):
            self._negativate(move)
        self.assertFalse(move.credit_negativation_id)
        self.assertEqual(self._inclusions(), [])
        # Without the core's check, the platform refuses it.
        move.payment_reference = False
        negativation = self._negativate(move)
        debt = dict(negativation._bureau_debt(), our_number="N" * 31)
        with self.assertRaisesRegex(CreditBureauError, "nosso_numero com mais de 30"):
            self.integration._bureau_include(debt)
        self.assertEqual(self.sim.records, {})

    def test_control_characters_never_reach_the_platform(self):
        debtor = self._debtor("João da Silva", "529.982.247-25", street_name="Rua das\x0bFlores")
        move = self._invoice(partner=debtor)
        # A vertical tab (a line break pasted from a word processor) is sent as a space.
        negativation = self._negativate(move)
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)
        (record,) = self.sim.records.values()
        self.assertEqual(record["logradouro"], "Rua das Flores")
        debt = negativation._bureau_debt()
        # Any other control character: a blocker, and the debt is not even built.
        debtor.name = "João\x1b da Silva"
        other = self._invoice(partner=debtor, amount=222)
        blockers = self.Negativation._bureau_blockers(other, self.integration)
        self.assertTrue(any("U+001B" in b for b in blockers), blockers)
        with self.assertRaisesRegex(UserError, "U\\+001B"):
            negativation._bureau_debt()
        # Without the core's check, the platform refuses it.
        with self.assertRaisesRegex(CreditBureauError, "nome com caractere de controle"):
            self.integration._bureau_include(dict(debt, name=debtor.name, contract=other.name))
        self.assertEqual(len(self.sim.records), 1)

    def test_amount_digits(self):
        values, _shortened, refused = self.integration._bureau_apply_limits(
            {"name": "x", "address": {}, "amount": 9999999999999.99}
        )
        self.assertEqual(refused, [])
        self.assertEqual(values["amount"], 9999999999999.99)
        refused = self.integration._bureau_apply_limits(
            {"name": "x", "address": {}, "amount": 10000000000000.0}
        )[2]
        self.assertEqual(refused, [("amount", 16, 15)])
