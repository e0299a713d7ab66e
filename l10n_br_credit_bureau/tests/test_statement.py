from odoo.tests import new_test_user, tagged

from .test_negativation import NegativationCommon


@tagged("post_install", "-at_install")
class TestStatement(NegativationCommon):
    """The monthly statement: what the finance team reconciles with the distributor's
    invoice (counts and cost per month, integration, branch, user and operation)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(
            cls.env,
            login="statement_admin",
            groups="base.group_user,account.group_account_invoice,"
            "l10n_br_credit_bureau.group_admin",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    def _consult(self, document):
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.admin)
            .create({"document": document, "company_id": self.company.id})
        )
        action = wizard.action_consult()
        return self.env["credit.bureau.consultation"].browse(action["res_id"])

    def _rows(self):
        # A report computed by each query: rows of a former query are not kept.
        self.env["credit.bureau.statement"].invalidate_model()
        Statement = self.env["credit.bureau.statement"].with_user(self.admin)
        return {
            row.operation: (row.count, row.cost, row.user_id, row.integration_id)
            for row in Statement.search([("integration_id", "=", self.integration.id)])
        }

    def test_counts_and_costs_of_the_month(self):
        self.integration.environment = "producao"
        consultations = self._consult("529.982.247-25") | self._consult("390.533.447-05")
        self.assertEqual(set(consultations.mapped("state")), {"done"})
        paid = self._invoice(amount=200)
        negativations = self._negativate(self._invoice() | paid)
        self.env["credit.bureau.negativation"]._cron_send()
        self._pay(paid)
        self.env["credit.bureau.negativation"]._cron_remove()
        self.assertEqual(negativations.filtered(lambda n: n.move_id == paid).state, "removed")
        rows = self._rows()
        inclusion_price = self.integration.product_ids.filtered(
            lambda p: p.kind == "inclusao"
        ).price
        self.assertEqual(rows["consultation"][0], 2)
        self.assertAlmostEqual(rows["consultation"][1], sum(consultations.mapped("cost")))
        self.assertTrue(rows["consultation"][1] > 0)
        self.assertEqual(rows["consultation"][2], self.admin)
        self.assertEqual(rows["inclusion"][:2], (2, 2 * inclusion_price))
        self.assertEqual(rows["removal"][0], 1)
        # In homologação the provider charges nothing per operation.
        self.integration.environment = "homologacao"
        self.assertEqual(self._rows()["inclusion"][:2], (2, 0.0))

    def test_only_the_administrator_of_the_company_reads_it(self):
        self._consult("529.982.247-25")
        self.assertTrue(self._rows())
        other = self.setup_other_company()["company"]
        stranger = new_test_user(
            self.env,
            login="statement_stranger",
            groups="base.group_user,l10n_br_credit_bureau.group_admin",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        Statement = self.env["credit.bureau.statement"]
        self.assertFalse(Statement.with_user(stranger).search([]))
        seller = new_test_user(
            self.env,
            login="statement_seller",
            groups="base.group_user,l10n_br_credit_bureau.group_consult",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        self.assertFalse(Statement.with_user(seller).has_access("read"))
