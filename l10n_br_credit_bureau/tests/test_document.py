from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from ..tools import clean_document, format_document, validate_document


def alphanumeric_cnpj(base):
    """Check digits of an alphanumeric CNPJ (value of a character = ASCII code - 48)."""
    values = [ord(c) - 48 for c in base]
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        total = sum(v * w for v, w in zip(values, weights, strict=True))
        digit = 0 if total % 11 < 2 else 11 - total % 11
        values.append(digit)
        base += str(digit)
    return base


@tagged("post_install", "-at_install")
class TestDocument(TransactionCase):
    def test_valid_cpf_and_cnpj(self):
        self.assertEqual(validate_document(self.env, "529.982.247-25"), ("52998224725", "cpf"))
        self.assertEqual(
            validate_document(self.env, "11.222.333/0001-81"), ("11222333000181", "cnpj")
        )

    def test_alphanumeric_cnpj(self):
        document = alphanumeric_cnpj("A1B2C3D40001")
        self.assertEqual(validate_document(self.env, document.lower()), (document, "cnpj"))
        self.assertEqual(format_document(document)[:3], "A1.")

    def test_invalid_documents_are_refused_in_portuguese_ready_messages(self):
        for value in ("529.982.247-24", "11.222.333/0001-82", "123", "", "ABCDEFGHIJKLMN"):
            with self.subTest(value=value), self.assertRaises(UserError):
                validate_document(self.env, value)

    def test_repeated_digits_and_example_refused(self):
        # python-stdnum accepts these; Receita never issues them.
        for value in ("111.111.111-11", "00000000000", "11111111111111", "12.ABC.345/01DE-35"):
            with self.subTest(value=value), self.assertRaises(UserError):
                validate_document(self.env, value)

    def test_odoo_base_vat_accepts_them_with_stdnum_2_2(self):
        """Odoo's own VAT check (base_vat, through l10n_latam_base) relies on python-stdnum:
        with 2.2 it accepts the alphanumeric CNPJ and still refuses a wrong check digit."""
        partner = self.env["res.partner"]
        self.assertTrue(partner.check_vat_br(alphanumeric_cnpj("A1B2C3D40001")))
        self.assertTrue(partner.check_vat_br("11222333000181"))
        self.assertTrue(partner.check_vat_br("52998224725"))
        self.assertFalse(partner.check_vat_br("11222333000182"))
        company = self.env["res.partner"].create(
            {
                "name": "Empresa Alfanumérica",
                "is_company": True,
                "country_id": self.env.ref("base.br").id,
                "vat": alphanumeric_cnpj("Z9Y8X7W60001"),
            }
        )
        self.assertTrue(company.vat)

    def test_clean_document(self):
        self.assertEqual(clean_document(" 12.abc.345/01de-35 "), "12ABC34501DE35")
