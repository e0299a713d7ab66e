from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..models import credit_bureau_integration_dummy


@tagged("post_install", "-at_install")
class TestDummyProvider(TransactionCase):
    """The simulated provider is offered only to tests, developer mode and the system's
    code: outside of them a user can neither choose it nor see it in the list."""

    def test_simulated_provider_refused_to_users_outside_tests(self):
        admin = new_test_user(
            self.env, login="cb_dummy_admin", groups="base.group_system,base.group_user"
        )
        Integration = self.env["credit.bureau.integration"].with_user(admin)
        self.assertFalse(Integration.env.su)
        with patch.object(credit_bureau_integration_dummy, "_testing", return_value=False):
            with self.assertRaisesRegex(ValidationError, "simulado"):
                Integration.with_context(lang="pt_BR").create(
                    {"name": "Simulado", "provider": "dummy"}
                )
            connect = Integration.create({"name": "Outro", "provider": "none"})
            with self.assertRaisesRegex(ValidationError, "simulado"):
                connect.with_context(lang="pt_BR").provider = "dummy"
            providers = dict(Integration.fields_get(["provider"])["provider"]["selection"])
            self.assertNotIn("dummy", providers)
            # The system's own code (demo scripts, benchmarks) may still use it.
            integration = Integration.sudo().create({"name": "Simulado", "provider": "dummy"})
            self.assertEqual(integration.provider, "dummy")
        # In tests it is offered.
        self.assertIn("dummy", dict(Integration.fields_get(["provider"])["provider"]["selection"]))
