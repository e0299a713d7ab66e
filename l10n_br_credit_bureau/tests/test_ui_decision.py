from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDecisionUi(HttpCase):
    def test_decision_tour(self):
        """A seller consults an opportunity, sees "Reprovado" with the reasons, tries to win
        it and is stopped with the reason and a button to consult."""
        self.env["credit.bureau.integration"].create(
            {"name": "Simulado", "provider": "dummy"}
        ).action_sync_products()
        # The policy shipped (readme/CONFIGURE.md), with the won opportunities blocked.
        policy = self.env.ref("l10n_br_credit_bureau.credit_policy_isp")
        policy.block_won = True
        self.env["res.lang"]._activate_lang("pt_BR")
        self.env.ref("base.user_admin").write({"lang": "pt_BR"})
        self.env.company.partner_id.lang = "pt_BR"
        lead = self.env["crm.lead"].create(
            {
                "name": "Fibra 500 Mb - Cliente Cheque",
                "type": "opportunity",
                "credit_document": "100.000.021-43",  # the simulator: a bounced check
                "user_id": self.env.ref("base.user_admin").id,
            }
        )
        self.start_tour(f"/odoo/crm/{lead.id}", "credit_bureau_decision_tour", login="admin")
        decision = self.env["credit.bureau.decision"].search([("lead_id", "=", lead.id)])
        self.assertEqual(decision.decision, "rejected")
        self.assertEqual(decision.policy_id, policy)
        self.assertNotEqual(lead.won_status, "won")
