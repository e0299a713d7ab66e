from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .test_negativation import NegativationCommon

WIZARD = "credit.bureau.mass.negativate.wizard"


@tagged("post_install", "-at_install")
class TestNegativateWizard(NegativationCommon):
    """The negativation wizard: natureza among the synchronised codes, the choice of the
    invoices, and bad input refused in Portuguese before anything is created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.codes = {code.code: code for code in cls.integration.restriction_code_ids}

    def _partner_wizard(self, partner=None, lang="pt_BR"):
        action = (partner or self.debtor).with_context(lang=lang).action_credit_negativate()
        return self.env[action["res_model"]].with_context(action["context"], lang=lang)

    def _nothing_created(self, moves):
        self.assertFalse(
            self.env["credit.bureau.negativation"].search([("move_id", "in", moves.ids)])
        )
        self.assertFalse(self.env["credit.bureau.negativation.batch"].search([]))

    # ------------------------------------------------------------------ natureza
    def test_natureza_among_the_synchronised_codes(self):
        move = self._invoice()
        labels = self.env[WIZARD].with_context(lang="pt_BR").fields_get(["restriction_code_id"])
        self.assertEqual(labels["restriction_code_id"]["string"], "Código de restrição (natureza)")
        wizard = self._partner_wizard().create({})
        # Proposed: the integration's default; offered: its synchronised codes.
        self.assertEqual(wizard.restriction_code_id, self.codes["TI"])
        self.assertEqual(wizard.allowed_restriction_code_ids, self.integration.restriction_code_ids)
        self.assertFalse(wizard.restriction_warning)
        wizard.restriction_code_id = self.codes["DP"]
        wizard.action_negativate()
        self.assertEqual(move.credit_negativation_id.restriction_code, "DP")
        # The preview of the automatic routine shows the routine's own natureza.
        self.integration.auto_restriction_code_id = self.codes["TP"]
        other = self._invoice(amount=222)
        preview = self.integration.action_auto_preview()
        wizard = self.env[preview["res_model"]].browse(preview["res_id"])
        self.assertEqual(wizard.line_ids.move_id, other)
        self.assertEqual(wizard.restriction_code_id, self.codes["TP"])

    def test_natureza_without_default_or_without_catalog_is_refused(self):
        move = self._invoice()
        self.integration.default_restriction_code_id = False
        wizard = self._partner_wizard().create({})
        self.assertFalse(wizard.restriction_code_id)
        self.assertIn("não tem natureza padrão", wizard.restriction_warning)
        with self.assertRaisesRegex(UserError, "não tem natureza padrão"):
            wizard.action_negativate()
        self._nothing_created(move)
        # Chosen by the user, it goes.
        wizard.restriction_code_id = self.codes["TP"]
        self.assertFalse(wizard.restriction_warning)
        wizard.action_negativate()
        self.assertEqual(move.credit_negativation_id.restriction_code, "TP")
        # No code synchronised at all: told to synchronise the catalog.
        other = self._invoice(amount=321)
        self.integration.restriction_code_ids.action_archive()
        wizard = self._partner_wizard().create({})
        self.assertFalse(wizard.allowed_restriction_code_ids)
        with self.assertRaisesRegex(UserError, "Sincronizar produtos"):
            wizard.action_negativate()
        self._nothing_created(other)

    def test_automatic_routine_never_guesses_the_natureza(self):
        self.integration.write({"auto_negativate": True, "default_restriction_code_id": False})
        move = self._invoice(days_overdue=60)
        with mute_logger("odoo.addons.l10n_br_credit_bureau.models.credit_bureau_integration"):
            self.integration._bureau_run_auto()
        self.assertFalse(move.credit_negativation_id)
        self.assertIn("natureza", self.integration.message_ids[0].body)
        self.integration.auto_restriction_code_id = self.codes["TP"]
        created, _refused = self.integration._bureau_run_auto()
        self.assertEqual(created.mapped("restriction_code"), ["TP"])

    def test_natureza_with_integrations_of_several_branches(self):
        self.company.write({"child_ids": [fields.Command.create({"name": "Filial Norte"})]})
        self.cr.precommit.run()  # the branch shares the head office's chart
        branch = self.company.child_ids
        self.env.user.company_ids |= branch
        own = self.env["credit.bureau.integration"].create(
            {"name": "Filial própria", "provider": "dummy", "company_id": branch.id}
        )
        own.action_sync_products()
        own_codes = {code.code: code for code in own.restriction_code_ids}
        own.default_restriction_code_id = own_codes["TP"]
        head, north = self._invoice(), self._invoice(company=branch, amount=200)
        moves = head | north

        def wizard():
            return (
                self.env[WIZARD]
                .with_context(lang="pt_BR", active_model="account.move", active_ids=moves.ids)
                .create({})
            )

        # Different defaults: none proposed, each integration sends its own.
        first = wizard()
        self.assertFalse(first.restriction_code_id)
        self.assertEqual(first.allowed_restriction_code_ids, self.integration.restriction_code_ids)
        first.action_negativate()
        self.assertEqual(head.credit_negativation_id.restriction_code, "TI")
        self.assertEqual(north.credit_negativation_id.restriction_code, "TP")
        self.env["credit.bureau.negativation"].search([]).sudo().write({"state": "cancelled"})
        # One value chosen: each integration receives its own code of that value.
        second = wizard()
        second.restriction_code_id = self.codes["DP"]
        second.action_negativate()
        self.assertEqual(head.credit_negativation_id.restriction_code, "DP")
        self.assertEqual(north.credit_negativation_id.restriction_code, "DP")
        self.env["credit.bureau.negativation"].search([]).sudo().write({"state": "cancelled"})
        # Same default everywhere: proposed. Only the values both offer are listed.
        own.default_restriction_code_id = own_codes["TI"]
        own_codes["DP"].action_archive()
        third = wizard()
        self.assertEqual(third.restriction_code_id, self.codes["TI"])
        self.assertNotIn("DP", third.allowed_restriction_code_ids.mapped("code"))
        third.restriction_code_id = self.codes["DP"]  # forced past the domain
        with self.assertRaisesRegex(UserError, "não oferece o código de restrição DP"):
            third.action_negativate()
        self._nothing_created_since(moves)

    def _nothing_created_since(self, moves):
        self.assertFalse(
            self.env["credit.bureau.negativation"].search(
                [("move_id", "in", moves.ids), ("state", "!=", "cancelled")]
            )
        )

    # ------------------------------------------------------------------ choice of the invoices
    def test_manual_negativation_of_a_partner_chooses_its_invoices(self):
        first = self._invoice(days_overdue=90, amount=100)
        second = self._invoice(days_overdue=60, amount=200)
        third = self._invoice(days_overdue=40, amount=300)
        small = self._invoice(days_overdue=30, amount=5)  # below the minimum: blocked
        self._invoice(days_overdue=-3, amount=400)  # not overdue: not listed
        # As the web client does: the dialog's onchange, a tick removed, then save.
        with Form(self._partner_wizard()) as form:
            self.assertEqual(form.origin, "manual")
            self.assertEqual((form.ok_count, form.blocked_count, form.ok_amount), (3, 1, 600))
            for index in range(len(form.line_ids)):
                with form.line_ids.edit(index) as line:
                    if line.move_id == small:
                        self.assertFalse(line.include)
                        with self.assertRaises(AssertionError):  # not selectable
                            line.include = True
                    elif line.move_id == second:
                        line.include = False
            self.assertEqual((form.ok_count, form.debtor_count, form.ok_amount), (2, 1, 400))
        wizard = form.record
        self.assertEqual(
            wizard.line_ids.filtered("include").move_id, first | third, "the choice was saved"
        )
        action = wizard.action_negativate()
        negativations = self.env["credit.bureau.negativation"].search([])
        self.assertEqual(negativations.move_id, first | third)
        self.assertEqual(set(negativations.mapped("origin")), {"manual"})
        self.assertFalse(negativations.batch_id)
        self.assertEqual(action["res_model"], "credit.bureau.negativation")
        self.assertCountEqual(action["domain"][0][2], negativations.ids)
        # From a list, it is a mass negativation (a batch, in the background).
        wizard = (
            self.env[WIZARD]
            .with_context(active_model="res.partner", active_ids=self.debtor.ids)
            .create({})
        )
        self.assertEqual((wizard.origin, wizard.ok_count), ("mass", 1))
        wizard.action_negativate()
        self.assertEqual(second.credit_negativation_id.origin, "mass")
        self.assertTrue(second.credit_negativation_id.batch_id)

    def test_manual_negativation_of_one_invoice(self):
        move = self._invoice()
        other = self._invoice(amount=250)
        action = move.action_credit_negativate()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        self.assertEqual(wizard.line_ids.move_id, move)
        wizard.action_negativate()
        self.assertEqual(move.credit_negativation_id.origin, "manual")
        self.assertFalse(other.credit_negativation_id)

    # ------------------------------------------------------------------ bad input
    def test_bad_input_is_refused_in_portuguese_and_nothing_is_sent(self):
        first, second = self._invoice(amount=100), self._invoice(amount=200)
        moves = first | second
        wizard = self._partner_wizard().create({})
        wizard.line_ids.include = False
        self.assertEqual(wizard.ok_count, 0)
        with self.assertRaisesRegex(UserError, "Selecione ao menos uma fatura"):
            wizard.action_negativate()
        self._nothing_created(moves)
        # A debtor with nothing overdue.
        clean = self._debtor("Em Dia Ltda", "390.533.447-05")
        with self.assertRaisesRegex(UserError, "Não há fatura vencida"):
            self._partner_wizard(clean).create({}).action_negativate()
        # Everything blocked: the blockers are listed.
        blocked = self._debtor("Sem CEP", "111.444.777-35", zip=False)
        late = self._invoice(partner=blocked)
        with self.assertRaisesRegex(UserError, "Nada pode ser negativado(.|\n)*endereço"):
            self._partner_wizard(blocked).create({}).action_negativate()
        self._nothing_created(late)
        # An invoice negativated by someone else since the preview: nothing is half-sent.
        wizard = self._partner_wizard().create({})
        self.assertEqual(wizard.ok_count, 2)
        self._negativate(first)
        with self.assertRaisesRegex(UserError, f"nada foi enviado(.|\n)*{first.name}"):
            wizard.action_negativate()
        self.assertFalse(second.credit_negativation_id)
        # The filter of the mass wizard.
        wizard = self.env[WIZARD].with_context(lang="pt_BR").create({"days_overdue": -1})
        with self.assertRaisesRegex(UserError, "não podem ser negativos"):
            wizard.action_apply_filter()
