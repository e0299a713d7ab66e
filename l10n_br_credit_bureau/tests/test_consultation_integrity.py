"""A consultation is a paid, personal record: only the provider's answer writes it. No user
(any group, RPC included) creates one, nor changes its result or what identifies it; users
read those of their companies only."""

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.models import MAGIC_COLUMNS
from odoo.tests import Form, new_test_user, tagged

from ..models.credit_bureau_consultation import PROTECTED_FIELDS, RESULT_FIELDS
from .common import CreditBureauCommon


@tagged("post_install", "-at_install")
class TestConsultationIntegrity(CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pt_BR")
        # Only the consultation group: no CRM, no invoicing.
        cls.consult_only = new_test_user(
            cls.env,
            login="cb_consult_only",
            groups="base.group_user,l10n_br_credit_bureau.group_consult",
            company_id=cls.head_office.id,
            company_ids=[(6, 0, (cls.head_office | cls.branch).ids)],
        )
        # A credit analyst of the branch only: reads every consultation of the branch (a
        # seller would read only their own and their customers', see test_rights).
        cls.branch_user = new_test_user(
            cls.env,
            login="cb_branch_only",
            groups="base.group_user,l10n_br_credit_bureau.group_credit_analyst",
            company_id=cls.branch.id,
            company_ids=[(6, 0, cls.branch.ids)],
        )
        cls.other_integration = cls.env["credit.bureau.integration"].create(
            {"name": "Simulado Outra", "provider": "dummy", "company_id": cls.other_company.id}
        )
        cls.other_integration.action_sync_products()

    def _values(self, consultation, names):
        """The values of ``names``, as the database has them now."""
        consultation.invalidate_recordset()
        return consultation.read(sorted(names))[0]

    def test_every_stored_field_is_protected(self):
        """A field added later is protected too, or this test says so."""
        Consultation = self.env["credit.bureau.consultation"]
        chatter = set(self.env["mail.thread"]._fields)
        stored = {
            name
            for name, field in Consultation._fields.items()
            if field.store and name not in chatter and name not in MAGIC_COLUMNS
        }
        self.assertEqual(stored - PROTECTED_FIELDS, set())
        self.assertLessEqual(RESULT_FIELDS, PROTECTED_FIELDS)

    def test_a_forged_score_is_refused_in_portuguese_and_changes_nothing(self):
        consultation = self._consult("529.982.247-25")  # by the consult user, in the branch
        self.assertEqual(consultation.state, "done")
        before = self._values(consultation, PROTECTED_FIELDS - {"line_ids"})
        lines = consultation.line_ids.read(["amount", "creditor", "kind"])
        for user in (self.consult_user, self.consult_only, self.admin_user):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
                    consultation.with_user(user).with_context(lang="pt_BR").write(
                        {"score": 999, "has_score": True, "state": "done", "message": "Nada consta"}
                    )
                text = caught.exception.args[0]
                self.assertIn("gravados apenas pela resposta do intermediador", text)
                self.assertIn("Score", text)
                self.assertIn("Mensagem do intermediador", text)
                with self.assertRaises(UserError), self.env.cr.savepoint():
                    consultation.with_user(user).write(
                        {"line_ids": [fields.Command.clear()], "total_count": 0}
                    )
                with self.assertRaises(UserError), self.env.cr.savepoint():
                    consultation.with_user(user).write({"user_id": user.id})
        self.assertEqual(self._values(consultation, PROTECTED_FIELDS - {"line_ids"}), before)
        self.assertEqual(consultation.line_ids.read(["amount", "creditor", "kind"]), lines)

    def test_no_consultation_is_created_but_by_asking_the_provider(self):
        Consultation = self.env["credit.bureau.consultation"]
        count = Consultation.search_count([])
        values = {
            "document": "52998224725",
            "document_type": "cpf",
            "integration_id": self.integration.id,
            "company_id": self.branch.id,
        }
        for user in (self.consult_user, self.consult_only, self.admin_user):
            for forged in ({}, {"state": "done", "score": 999, "has_score": True}):
                with self.subTest(user=user.login, forged=forged):
                    with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
                        Consultation.with_user(user).with_context(lang="pt_BR").create(
                            dict(values, **forged)
                        )
                    self.assertIn("criada apenas pelo assistente", caught.exception.args[0])
        # Not even code running as superuser creates a consultation already answered.
        with self.assertRaises(UserError) as caught, self.env.cr.savepoint():
            Consultation.with_context(lang="pt_BR").create(dict(values, state="done", score=999))
        self.assertIn("Score", caught.exception.args[0])
        self.assertIn("Situação", caught.exception.args[0])
        done = self._consult("529.982.247-25")
        with self.assertRaises(UserError), self.env.cr.savepoint():
            done.copy()  # a copy would be "done" without an answer
        with self.assertRaises(UserError), self.env.cr.savepoint():
            done.with_user(self.consult_user).copy()
        self.assertEqual(Consultation.search_count([]), count + 1)
        # Created pending (by the wizard's flow), it is done only by the provider's answer.
        pending = Consultation.create(dict(values, product_code="BASICO"))
        self.assertEqual(pending.state, "pending")
        pending._bureau_run()
        self.assertEqual(pending.state, "done")

    def test_occurrences_come_only_from_the_answer(self):
        consultation = self._consult("529.982.247-25")
        line = consultation.line_ids[0]
        Line = self.env["credit.bureau.consultation.line"]
        for user in (self.consult_user, self.admin_user):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError), self.env.cr.savepoint():
                    Line.with_user(user).create(
                        {"consultation_id": consultation.id, "kind": "protest", "amount": 1}
                    )
                with self.assertRaises(UserError), self.env.cr.savepoint():
                    line.with_user(user).write({"amount": 0.01})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            line.with_user(self.consult_user).unlink()
        self.assertEqual(len(consultation.line_ids), 2)

    def test_only_the_administrator_deletes_a_consultation(self):
        """LGPD: an administrator may delete a consultation (the data subject's request);
        its occurrences and the provider's report go with it. Nobody else may."""
        consultation = self._consult("529.982.247-25")
        lines, attachment = consultation.line_ids, consultation.report_attachment_id
        self.assertTrue(lines and attachment)
        for user in (self.consult_user, self.consult_only):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                consultation.with_user(user).unlink()
        consultation.with_user(self.admin_user).unlink()
        self.assertFalse(consultation.exists() or lines.exists() or attachment.exists())

    def test_the_wizard_checks_what_the_user_may_do(self):
        Consultation = self.env["credit.bureau.consultation"]
        count = Consultation.search_count([])
        Wizard = self.env["credit.bureau.consult.wizard"].with_context(lang="pt_BR")
        # A company that is not the user's.
        wizard = Wizard.with_user(self.consult_user).create(
            {"document": "529.982.247-25", "company_id": self.other_company.id}
        )
        with self.assertRaises(AccessError) as caught:
            wizard.action_consult()
        self.assertIn("não é uma das suas empresas", caught.exception.args[0])
        # Another company's integration (refused by the company check of the wizard), an
        # archived one, or a product of another integration.
        with self.assertRaises(UserError):
            Wizard.with_user(self.consult_user).create(
                {
                    "document": "529.982.247-25",
                    "company_id": self.branch.id,
                    "integration_id": self.other_integration.id,
                }
            )
        wizard = Wizard.with_user(self.consult_user).create(
            {"document": "529.982.247-25", "company_id": self.branch.id}
        )
        self.assertEqual(wizard.integration_id, self.integration)
        self.integration.active = False
        with self.assertRaises(UserError) as caught:
            wizard.action_consult()
        self.assertIn("arquivada", caught.exception.args[0])
        self.integration.active = True
        wizard.write({"product_id": self.other_integration.default_product_id.id})
        with self.assertRaises(UserError) as caught:
            wizard.action_consult()
        self.assertIn("não é um produto de consulta", caught.exception.args[0])
        # A lead the salesman does not read (another salesman's).
        lead = self.env["crm.lead"].create(
            {
                "name": "De outro vendedor",
                "company_id": self.branch.id,
                "user_id": self.admin_user.id,
            }
        )
        wizard = Wizard.with_user(self.consult_user).create(
            {"document": "529.982.247-25", "company_id": self.branch.id, "lead_id": lead.id}
        )
        with self.assertRaises(AccessError):
            wizard.action_consult()
        # Without the consultation group.
        with self.assertRaises(AccessError):
            Wizard.with_user(self.plain_user).create(
                {"document": "529.982.247-25", "company_id": self.head_office.id}
            )
        self.assertEqual(Consultation.search_count([]), count)

    def test_a_consult_only_user_consults_prints_and_reuses(self):
        """The whole path of a user with only the consultation group: the partner's button,
        the wizard, the record and its chatter (posted by the flow, authored by the user),
        the printed report, and the earlier report offered for free."""
        user = self.consult_only
        partner = self.partner.with_user(user)
        action = partner.action_credit_consult()
        wizard_form = Form(
            self.env[action["res_model"]].with_user(user).with_context(**action["context"])
        )
        wizard_form.reason = "Novo contrato"
        wizard = wizard_form.save()
        consultation = self.env["credit.bureau.consultation"].browse(
            wizard.action_consult()["res_id"]
        )
        self.assertRecordValues(
            consultation,
            [{"state": "done", "user_id": user.id, "partner_id": self.partner.id}],
        )
        self.assertIn(user.partner_id, consultation.message_ids.author_id)
        form = Form(consultation.with_user(user))
        self.assertEqual(form.state, "done")
        self.assertEqual(form.score, consultation.score)
        self.assertEqual(partner.credit_last_consultation_id, consultation)
        self.assertEqual(
            consultation.with_user(user).action_print_report()["type"], "ir.actions.report"
        )
        html, _kind = (
            self.env["ir.actions.report"]
            .with_user(user)
            ._render_qweb_html("l10n_br_credit_bureau.report_consultation", consultation.ids)
        )
        self.assertIn(consultation.name, html.decode())
        # Again within the interval: the earlier report is offered, free.
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_user(user)
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(wizard.previous_consultation_id, consultation)
        self.assertEqual(wizard.action_open_previous()["res_id"], consultation.id)
        wizard.write({"confirm_repeat": True, "repeat_reason": "Mudança de plano"})
        again = self.env["credit.bureau.consultation"].browse(wizard.action_consult()["res_id"])
        self.assertRecordValues(again, [{"state": "done", "repeat_of_id": consultation.id}])
        # A failure is recorded too, with its message in the chatter.
        self.integration.dummy_fail = "error"
        failed = self._consult("390.533.447-05", user=user, company=self.head_office)
        self.assertEqual(failed.state, "failed")
        self.assertIn(user.partner_id, failed.message_ids.author_id)

    def test_users_read_only_the_consultations_of_their_companies(self):
        head = self._consult("529.982.247-25", company=self.head_office)
        branch = self._consult("390.533.447-05", company=self.branch)
        other = self._consult("529.982.247-25", user=self.other_user, company=self.other_company)
        self.assertEqual((head | branch | other).mapped("state"), ["done"] * 3)
        expected = {
            self.consult_user: head | branch,
            self.admin_user: head | branch,
            self.branch_user: branch,
            self.other_user: other,
        }
        everything = head | branch | other
        for user, visible in expected.items():
            with self.subTest(user=user.login):
                Consultation = self.env["credit.bureau.consultation"].with_user(user)
                self.assertEqual(Consultation.search([("id", "in", everything.ids)]), visible)
                for consultation in everything - visible:
                    with self.assertRaises(AccessError), self.env.cr.savepoint():
                        consultation.with_user(user).read(["score"])
                    with self.assertRaises(AccessError), self.env.cr.savepoint():
                        consultation.line_ids.with_user(user).read(["amount"])
                self.assertEqual(
                    self.env["credit.bureau.consultation.line"]
                    .with_user(user)
                    .search([("consultation_id", "in", everything.ids)])
                    .consultation_id,
                    visible.filtered("line_ids"),
                )
