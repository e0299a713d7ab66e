"""The provider end to end: Odoo -> core seam -> zeep -> real sockets -> the simulator."""

from datetime import date, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.soap import forget_clients
from odoo.addons.l10n_br_credit_bureau.tests.common import CreditBureauCommon, capture_logs
from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError
from odoo.addons.spc_brasil.simulator.app import CONSULTA_PATH, INSUMO_PATH, SPCBrasilSimulator

OPERATOR = "778899"
PASSWORD = "S3nh@-SPC-Secreta"
LOGGERS = ("odoo.addons.l10n_br_credit_bureau", "odoo.addons.spc_brasil")


def make_debt(document="52998224725", contract="FAT/2026/0001", **values):
    return dict(
        {
            "document": document,
            "kind": "cpf" if len(document) == 11 else "cnpj",
            "name": "Cliente de Teste",
            "birth_date": date(1980, 5, 17),
            "address": {
                "zip": "13010-100",
                "street": "Rua das Flores",
                "number": "100",
                "complement": "",
                "district": "Centro",
                "city": "Campinas",
                "state": "SP",
            },
            "amount": 150.0,
            "due_date": date.today() - timedelta(days=40),
            "contract": contract,
            "our_number": "",
            "restriction_code": "104",
        },
        **values,
    )


@tagged("post_install", "-at_install")
class TestSPCBrasil(CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        forget_clients()
        cls.sim = SPCBrasilSimulator(operator=OPERATOR, password=PASSWORD, timeout_seconds=3)
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.addClassCleanup(forget_clients)
        cls.spc = cls.env["credit.bureau.integration"].create(
            {
                "name": "SPC Filial",
                "provider": "spc_brasil",
                "company_id": cls.branch.id,
                "api_base_url": cls.sim.url,
                "spc_operator": OPERATOR,
                "spc_password": PASSWORD,
                "spc_cdl_name": "CDL Campinas",
                "spc_timeout": 1,
            }
        )
        cls.spc.action_sync_products()

    def setUp(self):
        super().setUp()
        self.sim.reset()

    def product(self, code):
        return self.spc.product_ids.filtered(lambda p: p.code == code)

    # ------------------------------------------------------------------ configuration
    def test_features_and_credentials(self):
        self.assertRecordValues(
            self.spc,
            [{"supports_consultation": True, "supports_negativation": True}],
        )
        self.assertFalse(self.spc.supports_status_list)
        password = self.spc._fields["spc_password"]
        self.assertEqual(password.groups, "base.group_system")
        self.assertFalse(password.copy)
        self.assertEqual(password.required_if_provider, "spc_brasil")
        self.assertEqual(self.spc._fields["spc_operator"].required_if_provider, "spc_brasil")
        self.assertEqual(self.spc.spc_notice_days, 10)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.env["credit.bureau.integration"].create(
                {"name": "Sem senha", "provider": "spc_brasil", "spc_operator": OPERATOR}
            )
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.spc.spc_notice_days = -1
        self.assertNotIn("spc_password", self.spc.with_user(self.consult_user).fields_get())

    def test_connection_sends_both_credentials_and_masks_the_password(self):
        with capture_logs(*LOGGERS) as logs:
            self.spc.action_test_connection()
        self.assertEqual(self.spc.connection_state, "ok", self.spc.connection_message)
        (call,) = self.sim.calls("listarProdutos")
        self.assertTrue(call["basic"])
        self.assertTrue(call["token"])
        self.assertIn("listarProdutos", logs.text)
        self.assertNotIn(PASSWORD, logs.text)
        self.assertNotIn(PASSWORD, self.spc._bureau_mask(f"x {PASSWORD} y"))

    def test_wrong_password_needs_the_administrator(self):
        wrong = self.spc.copy(
            {"spc_password": "errada", "name": "Errada", "api_base_url": self.sim.url}
        )
        wrong.action_test_connection()
        self.assertEqual(wrong.connection_state, "failed")
        self.assertIn("401", wrong.connection_message)
        # HTTP Basic right, the UsernameToken refused (the fault AUT001).
        self.sim.misbehave("auth", "listarProdutos")
        with self.assertRaises(CreditBureauError) as caught:
            self.spc._bureau_test_connection()
        self.assertTrue(caught.exception.needs_admin)
        self.assertEqual(caught.exception.code, "AUT001")

    def test_transport_failures_are_transient(self):
        for mode in ("timeout", "http500", "garbage"):
            self.sim.reset()
            self.sim.misbehave(mode, "listarProdutos", times=2 if mode == "timeout" else 3)
            with self.assertRaises(CreditBureauError) as caught:
                self.spc._bureau_test_connection()
            self.assertTrue(caught.exception.retryable, mode)
            self.assertFalse(caught.exception.needs_admin, mode)
            self.assertEqual(caught.exception.timeout, mode == "timeout")
            self.spc.action_test_connection()
            self.assertEqual(self.spc.connection_state, "unstable", mode)
        # Working again: the WSDL too may be down, and is read again on the next call.
        self.sim.reset()
        forget_clients()
        self.sim.misbehave("http500", "WSDL")
        with self.assertRaises(CreditBureauError):
            self.spc._bureau_test_connection()
        self.spc.action_test_connection()
        self.assertEqual(self.spc.connection_state, "ok")

    def test_environment_addresses(self):
        self.spc._bureau_test_connection()
        self.assertEqual(self.sim.wsdl_requests, 0)  # the WSDL is read once per process
        production = self.spc.copy({"environment": "producao", "api_base_url": False})
        self.assertEqual(
            production._bureau_base_url("https://servicos.spc.org.br"),
            "https://servicos.spc.org.br",
        )
        forget_clients()
        self.spc._bureau_test_connection()
        self.assertEqual(self.sim.wsdl_requests, 1)
        self.assertTrue(self.sim.wsdl_url(CONSULTA_PATH).endswith("consultaWebService?wsdl"))
        self.assertTrue(self.sim.wsdl_url(INSUMO_PATH).endswith("spcWebService?wsdl"))

    # ------------------------------------------------------------------ catalog
    def test_catalog(self):
        products = {p.code: p for p in self.spc.product_ids}
        self.assertEqual(set(products), {"127", "176", "283", "319"})
        self.assertEqual(products["176"].audience, "cpf")
        self.assertEqual(products["283"].audience, "cnpj")
        self.assertEqual(products["127"].audience, "both")
        self.assertEqual(products["319"].price, 9.40)
        self.assertTrue(products["319"].price_known)
        self.assertEqual(products["319"]._bureau_cost(), 0.0)  # training is free
        production = self.spc.copy({"environment": "producao"})
        self.assertEqual(products["319"]._bureau_cost(production), 9.40)
        restrictions = self.spc.restriction_code_ids
        self.assertIn("104", restrictions.mapped("code"))
        self.assertEqual(set(self.spc.removal_code_ids.mapped("code")), {"1", "2", "3", "4"})
        self.assertEqual(self.spc.default_product_id.kind, "consulta")

    # ------------------------------------------------------------------ consultation
    def test_consultation_with_score(self):
        result = self.spc._bureau_consult("11144477735", "319")
        self.assertEqual(result["name"], "CONSUMIDOR 7735")
        self.assertTrue(result["protocol"])
        self.assertIsInstance(result["score"], int)
        self.assertTrue(result["risk_class"])
        self.assertEqual(
            sorted(line["kind"] for line in result["lines"]), ["check", "financial", "protest"]
        )
        self.assertIn("LOJAS MODELO LTDA", result["report_html"])
        self.assertEqual(len(self.sim.calls("consultaScore")), 1)

    def test_consultation_without_score_through_the_wizard(self):
        consultation = self._consult("529.982.247-25", product_id=self.product("176").id)
        self.assertEqual(consultation.state, "done", consultation.message)
        self.assertFalse(self.sim.calls("consultaScore"))
        self.assertFalse(consultation.score)

    # ------------------------------------------------------------------ negativation
    def test_inclusion_of_a_company_and_removal(self):
        debt = make_debt("11444777000161", kind="cnpj", name="Empresa Cliente Ltda")
        result = self.spc._bureau_include(debt)
        self.assertEqual(result["state"], "pending")
        (record,) = self.sim.negativacoes()
        self.assertEqual(result["reference"], record["protocolo"])
        self.assertEqual((record["tipo"], record["documento"]), ("J", "11444777000161"))
        self.assertEqual(record["endereco"]["cep"], "13010100")
        self.assertEqual(record["endereco"]["cidade"], "Campinas")
        (call,) = self.sim.calls("incluirSpc")
        self.assertEqual(call["fields"]["insumoSpc"]["codigo-tipo-devedor"], "C")

    def test_duplicate_is_found_by_a_consultation_of_the_debtor(self):
        debt = make_debt()
        first = self.spc._bureau_include(debt)
        with self.assertRaises(CreditBureauError) as caught:
            self.spc._bureau_include(debt)
        self.assertTrue(caught.exception.duplicate)
        self.assertEqual(caught.exception.reference, first["reference"])
        found = self.spc._bureau_find_inclusion(debt)
        self.assertEqual(found["reference"], first["reference"])
        self.assertIsNone(self.spc._bureau_find_inclusion(make_debt(contract="OUTRO")))

    def test_removal_of_an_unknown_contract_is_refused(self):
        debt = make_debt()
        result = self.spc._bureau_include(debt)
        self.sim.reset()  # SPC forgot it: nothing to remove
        with self.assertRaises(CreditBureauError) as caught:
            self.spc._bureau_remove(result["reference"], "1", date.today())
        self.assertIn("No negativation", caught.exception.args[0])

    def test_field_limits_are_declared(self):
        limits = self.spc._bureau_field_limits()
        self.assertEqual(limits["contract"], (20, "refuse"))
        self.assertEqual(limits["street"], (50, "truncate"))
        self.assertEqual(self.integration._bureau_field_limits(), {})
