"""With Sales installed, the negativation group (which reads invoices without invoicing or
sales rights) still opens an invoice's form: it reads the invoiced sale orders, nothing
else."""

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.l10n_br_credit_bureau.tests.test_negativation import NegativationCommon


@tagged("post_install", "-at_install")
class TestNegativationReadsInvoicedOrders(NegativationCommon):
    def test_the_invoice_form_with_sales(self):
        # The sale is made by a salesperson (the test's accountant has no sales rights).
        env = self.env(su=True)
        product = env["product.product"].create(
            {"name": "Plano fibra", "type": "service", "invoice_policy": "order", "list_price": 150}
        )
        order = env["sale.order"].create(
            {
                "partner_id": self.debtor.id,
                "order_line": [fields.Command.create({"product_id": product.id})],
            }
        )
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.action_post()
        quotation = order.copy()
        as_manager = invoice.with_user(self.manager)
        form = Form(as_manager)
        self.assertEqual(form.partner_id, self.debtor)
        self.assertEqual(as_manager.sale_order_count, 1)
        self.assertEqual(order.with_user(self.manager).name, order.name)
        with self.assertRaises(AccessError):
            quotation.with_user(self.manager).read(["name"])
