"""The receipt of a negativation ("Comprovante de negativação"), a PDF in our own layout,
printed from the negativation by who may read it."""

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_negativation import NegativationCommon
from .test_result_vocabulary import PT, VocabularyMixin

RECEIPT = "l10n_br_credit_bureau.report_negativation_receipt"


@tagged("post_install", "-at_install")
class TestNegativationReceipt(VocabularyMixin, NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_portuguese()
        cls.manager.write({"lang": PT, "tz": "America/Sao_Paulo"})
        cls.consult_only = new_test_user(
            cls.env,
            login="receipt_consult",
            groups="base.group_user,l10n_br_credit_bureau.group_consult",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.plain = new_test_user(
            cls.env,
            login="receipt_plain",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    def _sent(self, amount):
        move = self._invoice(amount=amount)
        wizard = (
            self.env["credit.bureau.mass.negativate.wizard"]
            .with_user(self.manager)
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({})
        )
        wizard.action_negativate()
        negativation = move.credit_negativation_id
        self.assertEqual(negativation.user_id, self.manager)
        self.env["credit.bureau.negativation"]._cron_send()
        self.env["credit.bureau.negativation"]._cron_poll_status()
        self.assertEqual(negativation.state, "active")
        return move, negativation

    def _money(self, currency, amount):
        """The amount as our reports print it in pt_BR (thousands ".", decimals ",")."""
        digits = f"{amount:,.2f}".translate(str.maketrans(",.", ".,"))
        if currency.position == "after":
            return f"{digits} {currency.symbol}"
        return f"{currency.symbol} {digits}"

    def test_receipt_of_an_included_then_removed_negativation(self):
        move, negativation = self._sent(1234.56)
        manager = negativation.with_user(self.manager).with_context(lang=PT)
        # The form prints it once sent; the print menu offers it too.
        form = manager.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_print_receipt"', form)
        self.assertIn("Imprimir comprovante", form)
        action = manager.action_print_receipt()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], RECEIPT)
        bindings = (
            self.env["ir.actions.actions"]
            .with_user(self.manager)
            .get_bindings("credit.bureau.negativation")
        )
        report = self.env.ref("l10n_br_credit_bureau.action_report_negativation_receipt")
        self.assertIn(report.id, [binding["id"] for binding in bindings["report"]])

        (text,) = self.render_pdf(RECEIPT, negativation, user=self.manager)
        natureza = self.integration.restriction_code_ids.filtered(lambda c: c.code == "TI")
        sent = fields.Datetime.context_timestamp(manager, negativation.sent_date)
        for expected in (
            "Comprovante de negativação",
            negativation.name,
            negativation.reference,
            "Ativa",
            self.debtor.name,
            "529.982.247-25",
            move.name,
            self._money(move.currency_id, 1234.56),
            f"TI - {natureza.name}",
            self.integration.name,
            self.company.name,
            self.manager.name,
            negativation.due_date.strftime("%d/%m/%Y"),
            sent.strftime("%d/%m/%Y"),
            negativation.expected_visible_date.strftime("%d/%m/%Y"),
            fields.Datetime.context_timestamp(manager, negativation.active_date).strftime(
                "%d/%m/%Y"
            ),
            "Enviada por",
            "Visível a partir de",
            "Ativa desde",
        ):
            # A long value may wrap inside its cell: compared without the spaces.
            self.assertIn(expected.replace(" ", ""), text.replace(" ", ""))
        self.assertNotIn("52998224725", text)
        self.assertNotIn("Remoção solicitada em", text)  # nothing removed yet

        # Paid, then removed: the removal code and its dates.
        self._pay(move)
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(negativation.state, "removed")
        (text,) = self.render_pdf(RECEIPT, negativation, user=self.manager)
        removal = self.integration.removal_code_ids.filtered(
            lambda c: c.code == negativation.removal_code
        )
        removed = fields.Datetime.context_timestamp(manager, negativation.removed_date)
        for expected in (
            "Removida",
            "Código de remoção",
            f"{removal.code} - {removal.name}",
            "Remoção solicitada em",
            "Removida em",
            removed.strftime("%d/%m/%Y"),
        ):
            self.assertIn(expected.replace(" ", ""), text.replace(" ", ""))

    def test_receipt_needs_the_negativation_rights(self):
        _move, negativation = self._sent(150.0)
        report = self.env.ref("l10n_br_credit_bureau.action_report_negativation_receipt")
        for user in (self.consult_only, self.plain):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    negativation.with_user(user).action_print_receipt()
                with self.assertRaises(AccessError):
                    self.render_pdf(RECEIPT, negativation, user=user)
                bindings = (
                    self.env["ir.actions.actions"]
                    .with_user(user)
                    .get_bindings("credit.bureau.negativation")
                )
                self.assertNotIn(
                    report.id, [binding["id"] for binding in bindings.get("report", [])]
                )
        self.assertEqual(report.group_ids, self.env.ref("l10n_br_credit_bureau.group_negativation"))
