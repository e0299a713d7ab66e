from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_stdnum_validates_alphanumeric_cnpj(self):
        from stdnum.br import cnpj

        self.assertTrue(cnpj.is_valid("12ABC34501DE35"))
