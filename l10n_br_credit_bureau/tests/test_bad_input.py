"""Bad input (issue 12, section 4): control characters in any text that is consulted or
sent, the provider's field limits, and the amount ceiling that a user must confirm. Each
path is tried: the consultation wizard, the negativation wizard, the blockers called
directly, ``_bureau_queue`` as a bridge or an RPC-reached flow would call it, the
automatic routine, and the sending job on data changed since the queueing."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..tools import check_text, control_character, one_line, shorten, validate_document
from .common import CreditBureauCommon
from .test_negativation import NegativationCommon

PT = "pt_BR"
# Said in every control-character refusal, in Portuguese.
CONTROL_PT = "caractere de controle invisível"
WIZARD = "credit.bureau.mass.negativate.wizard"


@tagged("post_install", "-at_install")
class TestTextHelpers(CreditBureauCommon):
    def test_control_characters_found_and_refused(self):
        for value in ("529.982.247-25\x00", "\x01Maria", "Rua\x1b[31m", "x\x7f", "a\x85b"):
            with self.subTest(value=repr(value)):
                self.assertIsNotNone(control_character(value))
        for value in ("Rua das Flores", "São João d'Aliança", "Av.\tBrasil\n100", "", None):
            with self.subTest(value=repr(value)):
                self.assertIsNone(control_character(value))
        # Strict (one word): tabs and line breaks too.
        self.assertEqual(control_character("FAT/2026/\t0001", strict=True), "\t")
        env = self.env(context=dict(self.env.context, lang=PT))
        with self.assertRaisesRegex(UserError, rf"O CPF/CNPJ contém um {CONTROL_PT} \(U\+0000\)"):
            validate_document(env, "529.982.247-25\x00")
        with self.assertRaisesRegex(UserError, r"U\+0009"):
            validate_document(env, "529.982.247-25\t")
        self.assertEqual(check_text(env, "Av.\tBrasil", "x"), "Av.\tBrasil")
        # The provider contract's default: no field limit (the simulated provider has none).
        self.assertEqual(self.integration._bureau_field_limits(), {})

    def test_one_line_and_word_boundary(self):
        self.assertEqual(one_line("  Rua das\tFlores\r\n  apto 3 "), "Rua das Flores apto 3")
        self.assertEqual(shorten("Maria Aparecida dos Santos", 20), "Maria Aparecida dos")
        self.assertEqual(shorten("Maria Aparecida dos Santos", 19), "Maria Aparecida dos")
        self.assertEqual(shorten("Maria Aparecida dos Santos", 18), "Maria Aparecida")
        self.assertEqual(shorten("Pindamonhangaba", 10), "Pindamonha")  # one word: cut
        self.assertEqual(shorten("Campinas", 10), "Campinas")


@tagged("post_install", "-at_install")
class TestControlCharactersInConsultation(CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang=PT))

    def test_consult_wizard_refuses_a_nul_before_saving(self):
        Wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.consult_user)
            .with_company(self.branch)
            .with_context(lang=PT)
        )
        Consultation = self.env["credit.bureau.consultation"]
        before = Consultation.search_count([])
        # Today: "A string literal cannot contain NUL (0x00) characters", a traceback.
        for document in ("529.982.247-25\x00", "\x00", "529.982.247-25\x01"):
            with self.subTest(document=repr(document)):
                with self.assertRaisesRegex(UserError, f"O CPF/CNPJ contém um {CONTROL_PT}"):
                    Wizard.create({"document": document, "company_id": self.branch.id})
        with self.assertRaisesRegex(UserError, CONTROL_PT):
            Wizard.create(
                {"document": self.cpf_clean, "company_id": self.branch.id, "reason": "a\x00b"}
            )
        # Written afterwards (the form saved again): refused the same way.
        wizard = Wizard.create({"document": self.cpf_clean, "company_id": self.branch.id})
        with self.assertRaisesRegex(UserError, CONTROL_PT):
            wizard.write({"document": "52998224725\x00"})
        # The purpose may have line breaks and tabs; the consultation goes.
        wizard.write({"reason": "Análise de crédito:\n\tnovo contrato"})
        action = wizard.action_consult()
        self.assertEqual(Consultation.browse(action["res_id"]).state, "done")
        self.assertEqual(Consultation.search_count([]), before + 1)

    def test_partner_document_with_a_control_character(self):
        """The contact's CPF reaches the wizard through its button: the same check."""
        self.partner.vat = "529.982.247-25\x02"
        with self.assertRaisesRegex(UserError, CONTROL_PT):
            self._consult(self.partner.vat, partner_id=self.partner.id)


@tagged("post_install", "-at_install")
class TestControlCharactersInNegativation(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang=PT))
        cls.Negativation = cls.env["credit.bureau.negativation"]

    def _blockers(self, move):
        return self.Negativation._bureau_blockers(move, self.integration)

    def _nothing_created(self, moves):
        self.assertFalse(
            self.env["credit.bureau.negativation"].search([("move_id", "in", moves.ids)])
        )

    def test_debtor_texts(self):
        district = self.env["res.partner"]._bureau_address_field("district")
        cases = {
            "nome": {"name": "João\x01 da Silva"},
            "logradouro": {"street_name": "Rua das Flores\x1b"},
            "número": {"street_number": "10\x080"},
            "complemento": {
                self.env["res.partner"]._bureau_address_field("complement"): "Apto\x7f 3"
            },
            "bairro": {district: "Centro\x0e"},
            "cidade": {"city": "Campinas\x9b"},
            "telefone": {"phone": "(19) 99999\x07-0000"},
            "e-mail": {"email": "joao\t@example.com"},  # one word: a tab is refused too
            "CPF/CNPJ": {"vat": "529.982.247-25\x03"},
        }
        for field, values in cases.items():
            with self.subTest(field=field):
                debtor = self._debtor("João da Silva", "529.982.247-25")
                debtor.with_context(no_vat_validation=True).write(values)
                move = self._invoice(partner=debtor)
                blockers = self._blockers(move)
                self.assertTrue(
                    any(CONTROL_PT in b and field in b for b in blockers), (field, blockers)
                )
                # The negativation wizard: nothing can be negativated, nothing created.
                with self.assertRaisesRegex(UserError, CONTROL_PT):
                    self._negativate(move)
                self._nothing_created(move)
                # The automatic routine's path (``_bureau_queue``) refuses it with the reason.
                negativations, refused = self.Negativation._bureau_queue(move, origin="auto")
                self.assertFalse(negativations)
                self.assertTrue(any(CONTROL_PT in b for b in refused[move]))

    def test_tabs_and_line_breaks_in_the_address_are_sent_as_spaces(self):
        debtor = self._debtor(
            "Maria\tda  Silva",
            "390.533.447-05",
            street_name="Rua das Flores\r\nBloco B",
            **{self.env["res.partner"]._bureau_address_field("district"): "Centro\n"},
        )
        move = self._invoice(partner=debtor)
        self.assertEqual(self._blockers(move), [])
        negativation = self._negativate(move)
        debt = negativation._bureau_debt()
        self.assertEqual(debt["name"], "Maria da Silva")
        self.assertEqual(debt["address"]["street"], "Rua das Flores Bloco B")
        self.assertEqual(debt["address"]["district"], "Centro")
        # An address part made only of blanks is a missing one.
        district = self.env["res.partner"]._bureau_address_field("district")
        blank = self._debtor("Sem Bairro", "111.444.777-35", **{district: "\t\n"})
        blockers = self._blockers(self._invoice(partner=blank))
        self.assertTrue(
            any("endereço incompleto" in b and "bairro" in b for b in blockers), blockers
        )

    def test_invoice_texts(self):
        move = self._invoice()
        # (A NUL never reaches an invoice: PostgreSQL refuses to store it.)
        for reference, code in (("NN\x1f001", "U+001F"), ("NN\t1", "U+0009")):
            with self.subTest(reference=repr(reference)):
                move.payment_reference = reference
                blockers = self._blockers(move)
                self.assertTrue(
                    any("referência de pagamento" in b and code in b for b in blockers),
                    blockers,
                )
                with self.assertRaisesRegex(UserError, CONTROL_PT):
                    self._negativate(move)
                self._nothing_created(move)
        move.payment_reference = "NN 1"
        self.assertEqual(self._blockers(move), [])
        # The invoice number is the contract: checked the same way (written here as a
        # migration or an import could have left it).
        self.env.cr.execute(
            "UPDATE account_move SET name = %s WHERE id = %s", ("FAT/2026\x1d/0001", move.id)
        )
        move.invalidate_recordset(["name"])
        blockers = self._blockers(move)
        self.assertTrue(any("número da fatura" in b and "U+001D" in b for b in blockers))

    def test_sending_job_checks_the_data_as_it_is_then(self):
        """Queued clean, the contact edited before the job runs: not sent, an error with
        the reason, no traceback."""
        Integration = type(self.integration)
        sent = []
        original = Integration._bureau_include

        def counting(integration, debt):
            sent.append(debt["contract"])
            return original(integration, debt)

        self.patch(Integration, "_bureau_include", counting)
        negativation = self._negativate(self._invoice())
        self.debtor.city = "Campinas\x15"
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "error")
        self.assertIn(CONTROL_PT, negativation.message)
        self.assertIn("cidade", negativation.message)
        self.assertFalse(negativation.next_retry)  # nothing to retry until it is fixed
        self.assertEqual(sent, [])

    def test_a_removal_is_never_held_back_by_the_debtor_s_data(self):
        """A removal is legally due (Súmula 548): the lookup of an inclusion whose answer
        was lost goes on, even when the debtor's name got a control character since."""
        Integration = type(self.integration)
        negativation = self._negativate(self._invoice())
        self.integration.dummy_fail = "timeout_after_commit"
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "error")
        self.assertTrue(negativation.outcome_unknown)
        self.assertFalse(negativation.reference)
        negativation.action_request_removal("01", "Pago")
        self.assertEqual(negativation.state, "removal_requested")
        self.integration.dummy_fail = False
        looked_up = []

        def found(integration, debt):
            looked_up.append(debt["name"])
            return {"reference": integration._dummy_reference(debt), "state": "pending"}

        self.patch(Integration, "_bureau_find_inclusion", found)
        self.debtor.name = "João\x01 da Silva"
        self.Negativation._cron_remove()
        self.assertEqual(negativation.state, "removed", negativation.message)
        self.assertEqual(looked_up, ["João\x01 da Silva"])


@tagged("post_install", "-at_install")
class TestFieldLimits(NegativationCommon):
    """The core's side of ``_bureau_field_limits``, with limits given to the simulated
    provider (each distributor's own limits are tested in its addon, over its simulator)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang=PT))
        cls.Negativation = cls.env["credit.bureau.negativation"]

    def setUp(self):
        super().setUp()
        limits = {
            "name": (20, "truncate"),
            "street": (12, "truncate"),
            "number": (4, "refuse"),
            "our_number": (16, "refuse"),
            "amount": (6, "refuse"),  # up to 9999.99
        }
        self.patch(type(self.integration), "_bureau_field_limits", lambda integration: limits)

    def _blockers(self, move):
        return self.Negativation._bureau_blockers(move, self.integration)

    def test_too_long_is_shortened_and_noted(self):
        debtor = self._debtor(
            "Maria Aparecida dos Santos", "390.533.447-05", street_name="Rua das Flores Amarelas"
        )
        move = self._invoice(partner=debtor)
        self.assertEqual(self._blockers(move), [])
        # The preview says so before anything is queued.
        wizard = (
            self.env[WIZARD]
            .with_context(active_model="account.move", active_ids=move.ids, lang=PT)
            .create({})
        )
        self.assertIn("Maria Aparecida dos", wizard.line_ids.warnings)
        self.assertIn("26 caracteres", wizard.line_ids.warnings)
        wizard.action_negativate()
        negativation = move.credit_negativation_id
        note = negativation.message_ids.filtered(lambda m: "abreviado" in (m.body or ""))
        self.assertTrue(note, negativation.message_ids.mapped("body"))
        self.assertIn("nome", note.body)
        self.assertIn("Rua das", note.body)
        debt = negativation._bureau_debt()
        self.assertEqual(debt["name"], "Maria Aparecida dos")
        self.assertEqual(debt["address"]["street"], "Rua das")
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)

    def test_too_long_is_refused_with_field_length_and_limit(self):
        move = self._invoice()
        move.payment_reference = "NOSSO-NUMERO-1234"  # 17 > 16
        blockers = self._blockers(move)
        self.assertTrue(
            any(
                "nosso número" in b and "17 caracteres" in b and "no máximo 16" in b
                for b in blockers
            ),
            blockers,
        )
        with self.assertRaisesRegex(UserError, "nosso número"):
            self._negativate(move)
        self.assertFalse(move.credit_negativation_id)
        move.payment_reference = "NN-123"
        self.assertEqual(self._blockers(move), [])
        # The house number is never shortened: refused, on the debtor.
        self.debtor.street_number = "1234-A"
        blockers = self._blockers(move)
        self.assertTrue(
            any("Devedor João da Silva" in b and "campo número" in b for b in blockers),
            blockers,
        )
        self.debtor.street_number = "100"
        # The amount's digits, cents included: 10000.00 has 7 digits.
        big = self._invoice(amount=10000.0)
        blockers = self._blockers(big)
        self.assertTrue(any("7 dígitos" in b and "no máximo 6" in b for b in blockers), blockers)

    def test_sending_job_refuses_what_became_too_long(self):
        negativation = self._negativate(self._invoice())
        self.debtor.street_number = "12345"
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "error")
        self.assertIn("no máximo 4", negativation.message)


@tagged("post_install", "-at_install")
class TestAmountCeiling(NegativationCommon):
    """An amount above the integration's maximum without confirmation (R$ 1.000.000,00 by
    default) is negativated only when a user confirms it in the wizard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration.max_amount = 1000.0
        cls.env = cls.env(context=dict(cls.env.context, lang=PT))
        cls.Negativation = cls.env["credit.bureau.negativation"]

    def test_default_and_label(self):
        integration = self.env["credit.bureau.integration"].create(
            {"name": "Nova", "provider": "dummy", "company_id": self.company.id}
        )
        self.assertEqual(integration.max_amount, 1_000_000.0)
        field = (
            self.env["credit.bureau.integration"]
            .with_context(lang=PT)
            .fields_get(["max_amount"])["max_amount"]
        )
        self.assertEqual(field["string"], "Valor máximo sem confirmação")
        arch = self.env["credit.bureau.integration"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        self.assertIn('name="max_amount"', arch)
        with self.assertRaisesRegex(ValidationError, "máximo"):
            integration.with_context(lang=PT).max_amount = 0
        with self.assertRaises(ValidationError):
            integration.max_amount = integration.min_amount - 1

    def test_queue_without_confirmation_is_refused(self):
        move = self._invoice(amount=1500.0)
        ceiling = "acima do valor máximo sem confirmação da integração"
        blockers = self.Negativation._bureau_blockers(move, self.integration)
        self.assertTrue(any(ceiling in b and "1.500,00" in b for b in blockers), blockers)
        # As a bridge or a flow reached by RPC would call it: refused with the reason.
        negativations, refused = self.Negativation.with_user(self.manager)._bureau_queue(
            move, origin="manual"
        )
        self.assertFalse(negativations)
        self.assertTrue(any(ceiling in b for b in refused[move]))
        # A plain create() (RPC, import, a bridge) passes the same blockers: refused too.
        with self.assertRaisesRegex(UserError, ceiling):
            self.Negativation.with_user(self.manager).create({"move_id": move.id})
        self.assertFalse(move.credit_negativation_id)
        # At the ceiling exactly: no confirmation needed.
        at = self._invoice(amount=1000.0)
        self.assertEqual(self.Negativation._bureau_blockers(at, self.integration), [])

    def test_wizard_asks_for_the_confirmation(self):
        above = self._invoice(amount=1500.0)
        below = self._invoice(amount=150.0)
        moves = above | below
        Wizard = (
            self.env[WIZARD]
            .with_user(self.manager)
            .with_context(active_model="account.move", active_ids=moves.ids, lang=PT)
        )
        wizard = Wizard.create({})
        line = wizard.line_ids.filtered(lambda line: line.move_id == above)
        self.assertTrue(line.above_ceiling)
        self.assertFalse(line.blocked)  # the user's to confirm, not a blocker
        self.assertIn("Confirmo os valores acima do teto", line.warnings)
        self.assertEqual((wizard.ok_count, wizard.above_ceiling_count), (2, 1))
        arch = wizard.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="confirm_above_ceiling"', arch)
        with self.assertRaisesRegex(UserError, "nada foi enviado"):
            wizard.action_negativate()
        self.assertFalse(
            self.env["credit.bureau.negativation"].search([("move_id", "in", moves.ids)])
        )
        # Unticking the invoice above the ceiling: the other one goes alone.
        wizard = Wizard.create({})
        wizard.line_ids.filtered(lambda line: line.move_id == above).include = False
        self.assertEqual(wizard.above_ceiling_count, 0)
        wizard.action_negativate()
        self.assertTrue(below.credit_negativation_id)
        self.assertFalse(above.credit_negativation_id)
        # Confirmed: queued, and the confirmation is on the record's history.
        wizard = Wizard.create({"confirm_above_ceiling": True})
        wizard.action_negativate()
        negativation = above.credit_negativation_id
        self.assertEqual(negativation.state, "sending")
        self.assertEqual(negativation.amount, 1500.0)
        bodies = " ".join(negativation.message_ids.mapped("body"))
        self.assertIn("confirmado por", bodies)
        self.assertIn(self.manager.name, bodies)
        self.Negativation._cron_send()
        self.assertEqual(negativation.state, "pending", negativation.message)

    def test_automatic_routine_never_confirms(self):
        code = self.integration.restriction_code_ids.filtered(lambda c: c.code == "TI")
        self.integration.write({"auto_negativate": True, "auto_restriction_code_id": code.id})
        above = self._invoice(amount=1500.0, days_overdue=60)
        below = self._invoice(amount=150.0, days_overdue=60)
        # Its preview shows it blocked, with the reason.
        preview = self.integration.with_context(lang=PT).action_auto_preview()
        wizard = self.env[preview["res_model"]].browse(preview["res_id"])
        line = wizard.line_ids.filtered(lambda line: line.move_id == above)
        self.assertTrue(line.blocked)
        self.assertIn("valor máximo sem confirmação", line.blockers)
        negativations, refused = self.integration.with_context(lang=PT)._bureau_run_auto()
        self.assertEqual(negativations.move_id, below)
        self.assertIn(above, refused)
        self.assertTrue(
            any("a rotina automática nunca o envia" in b for b in refused[above]), refused[above]
        )
        self.assertFalse(above.credit_negativation_id)
