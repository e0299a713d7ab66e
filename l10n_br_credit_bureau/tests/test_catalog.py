from odoo.tests import tagged

from .common import CreditBureauCommon


@tagged("post_install", "-at_install")
class TestCatalogSearch(CreditBureauCommon):
    """Codes and products are found by the code users type ("TI", "01") and by name."""

    def test_codes_found_by_code_and_by_name(self):
        Code = self.env["credit.bureau.code"]
        domain = [("integration_id", "=", self.integration.id)]
        restriction = self.integration.restriction_code_ids.filtered(lambda c: c.code == "TI")
        removal = self.integration.removal_code_ids.filtered(lambda c: c.code == "01")
        self.assertTrue(restriction and removal)
        found = Code.name_search("TI", [*domain, ("kind", "=", "restriction")])
        self.assertIn(restriction.id, [id_ for id_, _name in found])
        found = Code.name_search("01", [*domain, ("kind", "=", "removal")])
        self.assertEqual([id_ for id_, _name in found][:1], removal.ids)
        word = removal.name.split()[0]
        found = Code.name_search(word, [*domain, ("kind", "=", "removal")])
        self.assertIn(removal.id, [id_ for id_, _name in found])
        # As a many2one field searches it (the "natureza" of the mass wizard).
        self.assertIn(restriction, Code.search([("display_name", "ilike", "TI")]))

    def test_products_found_by_code_and_by_name(self):
        Product = self.env["credit.bureau.product"]
        product = self.integration.product_ids[:1]
        self.assertTrue(product)
        for text in (product.code, product.name):
            with self.subTest(text=text):
                found = Product.name_search(text, [("integration_id", "=", self.integration.id)])
                self.assertIn(product.id, [id_ for id_, _name in found])
