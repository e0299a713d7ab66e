from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CreditBureauCommon


@tagged("post_install", "-at_install")
class TestIntegration(CreditBureauCommon):
    def _feature_on(self):
        feature = self.env.ref("l10n_br_credit_bureau.group_credit_bureau_enabled")
        return feature in self.env.ref("base.group_user").all_implied_ids

    def test_switch_follows_active_integrations(self):
        Integration = self.env["credit.bureau.integration"]
        self.assertTrue(self._feature_on())
        Integration.search([]).action_archive()
        self.assertFalse(self._feature_on())
        self.assertFalse(self.env["res.config.settings"].create({}).group_credit_bureau_enabled)
        self.integration.action_unarchive()
        self.assertTrue(self._feature_on())
        self.assertTrue(self.env["res.config.settings"].create({}).group_credit_bureau_enabled)
        Integration.search([]).unlink()
        self.assertFalse(self._feature_on())
        Integration.create({"name": "Nova", "provider": "dummy"})
        self.assertTrue(self._feature_on())

    def test_switch_hides_buttons_tabs_and_menus(self):
        partner = self.partner.with_user(self.consult_user)
        self.assertTrue(partner.credit_bureau_enabled)
        menus = self.env["ir.ui.menu"].with_user(self.consult_user)._visible_menu_ids()
        root = self.env.ref("l10n_br_credit_bureau.menu_credit_bureau_root")
        self.assertIn(root.id, menus)
        self.env["credit.bureau.integration"].search([]).action_archive()
        self.env.invalidate_all()
        self.env.registry.clear_cache("groups")
        partner = self.partner.with_user(self.consult_user)
        self.assertFalse(partner.credit_bureau_enabled)
        menus = self.env["ir.ui.menu"].with_user(self.consult_user)._visible_menu_ids()
        self.assertNotIn(root.id, menus)
        # Users without the consultation group never see the button.
        self.integration.action_unarchive()
        self.env.invalidate_all()
        self.assertFalse(self.partner.with_user(self.plain_user).credit_bureau_enabled)

    def test_branch_uses_its_head_office_integration(self):
        self.assertEqual(self.branch.credit_bureau_integration_id, self.integration)
        own = self.env["credit.bureau.integration"].create(
            {"name": "Filial própria", "provider": "dummy", "company_id": self.branch.id}
        )
        self.branch.invalidate_recordset()
        self.assertEqual(self.branch.credit_bureau_integration_id, own)
        self.assertEqual(self.head_office.credit_bureau_integration_id, self.integration)
        self.assertFalse(self.other_company.credit_bureau_integration_id)

    def test_responsible_cpf_validated(self):
        self.integration.responsible_cpf = "529.982.247-25"
        with self.assertRaises(ValidationError):
            self.integration.responsible_cpf = "529.982.247-24"
        with self.assertRaises(ValidationError):
            self.integration.responsible_cpf = "11.222.333/0001-81"  # a CNPJ

    def test_sync_products_and_codes_as_records(self):
        self.assertEqual(
            sorted(self.integration.product_ids.mapped("code")),
            ["BASICO", "COMPLETO", "EXCLUSAO", "INCLUSAO"],
        )
        self.assertIn("TI", self.integration.restriction_code_ids.mapped("code"))
        self.assertIn("01", self.integration.removal_code_ids.mapped("code"))
        self.assertEqual(self.integration.default_product_id.code, "BASICO")
        # A second synchronisation updates, duplicates nothing, archives what disappeared.
        self.integration.product_ids.filtered(lambda p: p.code == "BASICO").price = 99
        self.env["credit.bureau.product"].create(
            {"integration_id": self.integration.id, "code": "OLD", "name": "Antigo"}
        )
        self.integration.action_sync_products()
        products = self.integration.product_ids
        self.assertEqual(len(products), 4)
        self.assertEqual(products.filtered(lambda p: p.code == "BASICO").price, 4.5)

    def test_sync_keeps_prices_a_provider_does_not_publish(self):
        product = self.integration.product_ids.filtered(lambda p: p.code == "BASICO")
        product.price = 7.5
        self.env["credit.bureau.product"]._bureau_sync(
            self.integration, [{"code": "BASICO", "name": "Consulta básica", "kind": "consulta"}]
        )
        self.assertEqual(product.price, 7.5)

    def test_connection_test_records_result(self):
        self.integration.action_test_connection()
        self.assertEqual(self.integration.connection_state, "ok")
        self.assertEqual(self.integration.balance, 1000.0)
        # A failure of the provider is transient (unstable); a refusal needs a person (failed).
        self.integration.dummy_fail = "error"
        self.integration.action_test_connection()
        self.assertEqual(self.integration.connection_state, "unstable")
        self.assertTrue(self.integration.connection_message)
        self.integration.dummy_fail = "auth"
        self.integration.action_test_connection()
        self.assertEqual(self.integration.connection_state, "failed")
        self.assertTrue(self.integration.connection_message)

    def test_core_holds_no_provider_specific_code(self):
        import pathlib

        root = pathlib.Path(__file__).resolve().parent.parent
        this_test = pathlib.Path(__file__).resolve()
        sources = [
            p for p in root.rglob("*") if p.suffix in (".py", ".xml", ".js") and p != this_test
        ]
        for code in ("connect_sa", "soa_webservices", "credito_na_medida"):
            for path in sources:
                self.assertNotIn(code, path.read_text(encoding="utf-8"), path)
