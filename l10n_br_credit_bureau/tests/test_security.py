from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CreditBureauCommon


@tagged("post_install", "-at_install")
class TestSecurity(CreditBureauCommon):
    def test_only_the_consult_group_consults(self):
        with self.assertRaises(AccessError):
            self._consult("529.982.247-25", user=self.plain_user, company=self.head_office)
        consultation = self._consult("529.982.247-25")
        with self.assertRaises(AccessError):
            consultation.with_user(self.plain_user).read(["score"])
        with self.assertRaises(AccessError):
            consultation.report_attachment_id.with_user(self.plain_user).read(["datas"])

    def test_branch_users_see_only_their_companies(self):
        consultation = self._consult("529.982.247-25")
        Consultation = self.env["credit.bureau.consultation"]
        self.assertIn(consultation, Consultation.with_user(self.consult_user).search([]))
        self.assertNotIn(consultation, Consultation.with_user(self.other_user).search([]))
        with self.assertRaises(AccessError):
            consultation.with_user(self.other_user).read(["score"])
        with self.assertRaises(AccessError):
            consultation.report_attachment_id.with_user(self.other_user).read(["datas"])
        # A branch reads its head office's integration; another company does not.
        Integration = self.env["credit.bureau.integration"]
        self.assertIn(self.integration, Integration.with_user(self.consult_user).search([]))
        self.assertNotIn(self.integration, Integration.with_user(self.other_user).search([]))
        self.assertNotIn(
            self.integration.product_ids[0],
            self.env["credit.bureau.product"].with_user(self.other_user).search([]),
        )

    def test_integrations_managed_by_admins_credentials_by_system_only(self):
        with self.assertRaises(AccessError):
            self.integration.with_user(self.consult_user).write({"min_amount": 1})
        self.integration.with_user(self.admin_user).write({"min_amount": 15})
        with self.assertRaises(AccessError):
            self.integration.with_user(self.admin_user).read(["api_base_url"])
        self.integration.write({"api_base_url": "http://127.0.0.1:1"})
        self.assertFalse(self.integration.copy().sudo().api_base_url)
