from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.tests.test_i18n import TestI18n


@tagged("post_install", "-at_install")
class TestQueueI18n(TestI18n):
    """The core's checks of the translations, in the dependency set where this addon is
    installed (every exported term of every addon of the repository has its pt_BR entry,
    with the same placeholders)."""

    def test_every_exported_term_is_translated(self):
        return super().test_every_exported_term_is_translated()

    def test_translations_keep_the_placeholders(self):
        return super().test_translations_keep_the_placeholders()

    def test_job_queue_terms_in_portuguese(self):
        self.assertIn("l10n_br_credit_bureau_queue", self.modules)
        field = self.env["credit.bureau.integration"].with_context(lang="pt_BR")._fields
        self.assertEqual(
            field["requests_per_minute"]._description_string(self.env(context={"lang": "pt_BR"})),
            "Requisições por minuto",
        )
