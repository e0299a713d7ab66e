"""Who sees and changes negativations: company isolation (record rules) and groups (ACLs)."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_negativation import NegativationCommon


@tagged("post_install", "-at_install")
class TestNegativationSecurity(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Provedor B")["company"]
        cls.integration_b = cls.env["credit.bureau.integration"].create(
            {"name": "Simulado B", "provider": "dummy", "company_id": cls.company_b.id}
        )
        cls.integration_b.action_sync_products()
        cls.integration_b.default_restriction_code_id = (
            cls.integration_b.restriction_code_ids.filtered(lambda c: c.code == "TI")
        )
        groups = "base.group_user,account.group_account_invoice,"
        cls.user_a = cls.manager  # negativation group, company A only
        cls.user_b = new_test_user(
            cls.env,
            login="neg_manager_b",
            groups=groups + "l10n_br_credit_bureau.group_negativation",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.consult_only = new_test_user(
            cls.env,
            login="neg_consult_only",
            groups=groups + "l10n_br_credit_bureau.group_consult",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        # A's records: two negativations in a batch, sent.
        moves = cls._invoice() | cls._invoice(amount=200)
        wizard = (
            cls.env["credit.bureau.mass.negativate.wizard"]
            .with_user(cls.user_a)
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({})
        )
        action = wizard.action_negativate()
        cls.batch_a = cls.env["credit.bureau.negativation.batch"].browse(action["res_id"])
        cls.negativations_a = cls.batch_a.negativation_ids
        cls.env["credit.bureau.negativation"]._cron_send()

    def test_records_of_another_company_are_invisible(self):
        self.assertEqual(len(self.negativations_a), 2)
        self.assertEqual(self.batch_a.company_id, self.company)
        Negativation = self.env["credit.bureau.negativation"].with_user(self.user_b)
        Batch = self.env["credit.bureau.negativation.batch"].with_user(self.user_b)
        # A's own user sees them.
        self.assertEqual(
            self.env["credit.bureau.negativation"].with_user(self.user_a).search([]),
            self.negativations_a,
        )
        # B's does not: search, count, read, chatter.
        self.assertFalse(Negativation.search([]))
        self.assertEqual(Negativation.search_count([]), 0)
        self.assertFalse(Batch.search([]))
        with self.assertRaises(AccessError):
            self.negativations_a.with_user(self.user_b).read(["state", "amount"])
        with self.assertRaises(AccessError):
            self.batch_a.with_user(self.user_b).read(["refused_summary"])
        with self.assertRaises(AccessError):
            self.negativations_a[0].message_ids.with_user(self.user_b).read(["body"])
        self.assertFalse(
            self.env["mail.message"]
            .with_user(self.user_b)
            .search([("model", "=", "credit.bureau.negativation")])
        )
        # The debtor is shared by both companies: B counts none of A's on it.
        self.assertEqual(self.debtor.with_user(self.user_a).credit_negativation_count, 2)
        self.debtor.invalidate_recordset(["credit_negativation_count"])  # another request
        self.assertEqual(self.debtor.with_user(self.user_b).credit_negativation_count, 0)
        # Nor through the negativations report (list, pivot, graph: read_group) and its form.
        report = self.env.ref("l10n_br_credit_bureau.action_credit_negativation_report")
        self.assertEqual(report.res_model, "credit.bureau.negativation")
        self.assertEqual(
            Negativation.formatted_read_group([], ["state"], ["__count", "amount:sum"]), []
        )
        self.assertEqual(Negativation.web_search_read([], {"name": {}})["length"], 0)
        with self.assertRaises(AccessError):
            Negativation.browse(self.negativations_a[0].id).web_read({"name": {}})
        # Opening A's batch's list: its domain gives nothing to B.
        action = self.batch_a.action_view_negativations()
        self.assertFalse(Negativation.search(action["domain"]))
        # B's own negativations are B's only.
        move_b = self._invoice(company=self.company_b, amount=321)
        wizard = (
            self.env["credit.bureau.mass.negativate.wizard"]
            .with_user(self.user_b)
            .with_context(active_model="account.move", active_ids=move_b.ids)
            .create({})
        )
        self.assertEqual((wizard.ok_count, wizard.blocked_count), (1, 0))
        wizard.action_negativate()
        mine = Negativation.search([])
        self.assertEqual((mine.move_id, mine.integration_id), (move_b, self.integration_b))
        with self.assertRaises(AccessError):
            mine.with_user(self.user_a).read(["state"])

    def test_without_the_negativation_group_nothing_is_read_nor_created(self):
        negativation = self.negativations_a[0]
        Negativation = self.env["credit.bureau.negativation"]
        values = {"move_id": self._invoice(amount=333).id}
        with self.assertRaises(AccessError):
            negativation.with_user(self.consult_only).read(["state"])
        with self.assertRaises(AccessError):
            Negativation.with_user(self.consult_only).search([])
        with self.assertRaises(AccessError):
            Negativation.with_user(self.consult_only).create(values)
        with self.assertRaises(AccessError):
            self.batch_a.with_user(self.consult_only).read(["state"])
        with self.assertRaises(AccessError):
            self.env["credit.bureau.negativation.remove.wizard"].with_user(
                self.consult_only
            ).create({"negativation_ids": [(6, 0, negativation.ids)]})
        # The negativation group: reads and creates within its company.
        self.assertEqual(negativation.with_user(self.user_a).state, "pending")
        created = Negativation.with_user(self.user_a).create(values)
        self.assertEqual(created.company_id, self.company)
        # No one deletes a negativation but an administrator (the audit trail stays).
        with self.assertRaises(AccessError):
            created.with_user(self.user_a).unlink()

    def test_a_negativation_user_does_not_touch_the_integration(self):
        Integration = self.integration.with_user(self.user_a)
        self.assertEqual(Integration.name, "Simulado")  # reads its own company's
        for values in (
            {"responsible_cpf": "390.533.447-05"},
            {"min_amount": 1},
            {"provider": "none"},
            {"active": False},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                Integration.write(values)
        with self.assertRaises(AccessError):
            Integration.read(["api_base_url"])
        with self.assertRaises(AccessError):
            Integration.write({"api_base_url": "http://127.0.0.1:1"})
        with self.assertRaises(AccessError):
            self.env["credit.bureau.integration"].with_user(self.user_a).create(
                {"name": "Minha", "provider": "dummy", "company_id": self.company.id}
            )
        with self.assertRaises(AccessError):
            Integration.unlink()
        # Nor another company's integration, not even to read it.
        with self.assertRaises(AccessError):
            self.integration_b.with_user(self.user_a).read(["name"])
