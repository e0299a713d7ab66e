from odoo.tests import HttpCase, tagged

from .test_credit_control_negativation import CreditControlCommon


@tagged("post_install", "-at_install")
class TestCreditControlUi(CreditControlCommon, HttpCase):
    def test_negativate_lines_tour(self):
        """In the browser, in Portuguese: the lines of a run, the action Negativar, the
        preview with the blocked invoice and its reason, then each line's status."""
        clean = self._invoice(days_overdue=40)
        incomplete = self._debtor("Sem CEP Ltda", "390.533.447-05", zip=False)
        blocked = self._invoice(days_overdue=40, partner=incomplete)
        lines = self._run().line_ids
        self.assertEqual(lines.invoice_id, clean | blocked)
        self.env.ref("base.user_admin").write(
            {
                "lang": "pt_BR",
                "company_ids": [(4, self.company.id)],
                "company_id": self.company.id,
                "group_ids": [
                    (4, self.env.ref("l10n_br_credit_bureau.group_negativation").id),
                    (
                        4,
                        self.env.ref(
                            "account_credit_control.group_account_credit_control_manager"
                        ).id,
                    ),
                ],
            }
        )
        self.start_tour(
            "/odoo/action-account_credit_control.credit_control_line_action"
            f"?cids={self.company.id}",
            "credit_control_negativate_tour",
            login="admin",
        )
        self.assertRecordValues(
            clean.credit_negativation_id,
            [
                {
                    "state": "sending",
                    "origin": "credit_control",
                    "user_id": self.ref("base.user_admin"),
                }
            ],
        )
        self.assertFalse(blocked.credit_negativation_id)
        self.assertEqual(
            lines.sorted(lambda line: line.invoice_id != clean).mapped("state"), ["sent", "error"]
        )
