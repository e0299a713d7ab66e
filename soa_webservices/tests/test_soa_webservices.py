"""The provider end to end: Odoo -> core seam -> zeep -> real sockets -> the simulator."""

from contextlib import contextmanager
from datetime import date, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.l10n_br_credit_bureau.soap import forget_clients
from odoo.addons.l10n_br_credit_bureau.tests.common import CreditBureauCommon, capture_logs
from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError
from odoo.addons.soa_webservices import uninstall_hook
from odoo.addons.soa_webservices.simulator import app as simulator_app
from odoo.addons.soa_webservices.simulator.app import EXAMPLE_DOCUMENTS, SOAWebServicesSimulator

EMAIL = "cobranca@velozfibra.com.br"
PASSWORD = "S3nh@-SOA-Secreta"
ADDRESS = {
    "zip": "01310-100",
    "street": "Avenida Paulista",
    "number": "1000",
    "complement": "Sala 1",
    "district": "Bela Vista",
    "city": "São Paulo",
    "state": "SP",
}
PROFILE_DOCUMENTS = {
    profile: EXAMPLE_DOCUMENTS[profile][0]
    for profile in ("limpo", "pendencias", "protestos", "cheques", "completo")
}
LOGGERS = ("odoo.addons.l10n_br_credit_bureau", "odoo.addons.soa_webservices")


def expected_counts(document, report="Concentre"):
    """Occurrences per normalised kind in the simulator's deterministic report."""
    data = simulator_app._dossier(document, date.today())
    if report == "Pefin":
        return {
            "financial": len(data["PendenciasFinanceiras"]),
            "check": len(data["PendenciasBacen"]),
            "other": len(data["PendenciasVarejo"]),
            "protest": 0,
            "lawsuit": 0,
        }
    return {
        "financial": len(data["PendenciasFinanceiras"]) + len(data["RestricoesFinanceiras"]),
        "protest": len(data["Protestos"]),
        "check": len(data["PendenciasBacen"]) + len(data["AcheiRecheque"]),
        "lawsuit": len(data["AcoesJudiciais"]),
        "other": len(data["PendenciasInternas"]) + len(data["ConvemDevedores"]),
    }


@tagged("post_install", "-at_install")
class TestSOAWebServices(CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = SOAWebServicesSimulator(
            email=EMAIL, senha=PASSWORD, activation_delay=None, timeout_seconds=3
        )
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.soa = cls.env["credit.bureau.integration"].create(
            {
                "name": "SOA WebServices Filial",
                "provider": "soa_webservices",
                "company_id": cls.branch.id,
                "api_base_url": cls.sim.url,
                "soa_email": EMAIL,
                "soa_password": PASSWORD,
                "soa_timeout": 1,
            }
        )
        cls.soa.action_sync_products()

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.sim.activation_delay = None
        self.sim.require_birth_date = False

    # ------------------------------------------------------------------ helpers
    def product(self, code):
        return self.soa.product_ids.filtered(lambda p: p.code == code)

    def consult(self, document, product="CONCENTRE_SCORE", **values):
        return self._consult(document, product_id=self.product(product).id, **values)

    def debt(self, document="12345678810", contract="CT-0001", **values):
        return dict(
            {
                "document": document,
                "kind": "cpf" if len(document) == 11 else "cnpj",
                "name": "Cliente de Teste",
                "birth_date": date(1980, 5, 17),
                "address": dict(ADDRESS),
                "phone": "11999990000",
                "email": "cliente@example.com",
                "amount": 150.0,
                "due_date": date.today() - timedelta(days=40),
                "contract": contract,
                "our_number": "000123",
                "restriction_code": "TI",
                "send_sms": False,
                "responsible_cpf": False,
                "idempotency_key": f"{document}|{contract}",
            },
            **values,
        )

    def integration_like(self, **values):
        return self.env["credit.bureau.integration"].create(
            dict(
                {
                    "provider": "soa_webservices",
                    "company_id": self.head_office.id,
                    "api_base_url": self.sim.url,
                    "soa_email": EMAIL,
                    "soa_password": PASSWORD,
                    "soa_timeout": 1,
                },
                **values,
            )
        )

    def operations(self, operation=None):
        return [call["operation"] for call in self.sim.calls(operation)]

    @contextmanager
    def capture_logs(self):
        """Log records of the core's seam and of this addon."""
        with capture_logs(*LOGGERS) as capture:
            yield capture.records

    # ------------------------------------------------------------------ configuration
    def test_features_credentials_and_form(self):
        self.assertRecordValues(
            self.soa,
            [
                {
                    "supports_consultation": True,
                    "supports_negativation": True,
                    "supports_balance": True,
                    "supports_status_list": True,
                    "report_format": "html",
                    "is_paid_environment": False,
                }
            ],
        )
        self.assertTrue(self.soa._bureau_get_features()["co_obligor"])
        for name in ("soa_email", "soa_password"):
            field = self.soa._fields[name]
            self.assertEqual(field.groups, "base.group_system")
            self.assertFalse(field.copy)
            self.assertEqual(field.required_if_provider, "soa_webservices")
        with self.assertRaises(ValidationError):
            with self.env.cr.savepoint():
                self.env["credit.bureau.integration"].create(
                    {"name": "Sem senha", "provider": "soa_webservices", "soa_email": EMAIL}
                )
        arch = self.env["credit.bureau.integration"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        self.assertIn('name="soa_password"', arch)
        self.assertIn('password="True"', arch)
        self.assertIn('name="action_refresh_balance"', arch)
        # The credentials are the administrator's only.
        integration = self.soa.with_user(self.consult_user)
        self.assertNotIn("soa_password", integration.fields_get())

    def test_environment_paths(self):
        self.assertEqual(
            self.soa._soa_service_url("negativacao"),
            f"{self.sim.url}/webservices/test-drive/serasa/negativacao.asmx",
        )
        self.soa._bureau_test_connection()
        production = self.integration_like(name="Produção", environment="producao")
        production._bureau_test_connection()
        production._bureau_consult(PROFILE_DOCUMENTS["limpo"], "PEFIN")
        calls = self.sim.calls()
        self.assertEqual(
            [(c["env"], c["operation"]) for c in calls],
            [
                ("test-drive", "CodigosBaixa"),
                ("producao", "CodigosBaixa"),
                ("producao", "Pefin"),
            ],
        )
        # Without a base URL, the vendor's own address.
        production.api_base_url = False
        self.assertEqual(
            production._soa_service_url("concentre"),
            "https://www.soawebservices.com.br/webservices/producao/serasa/concentre.asmx",
        )
        # The balance lives in the production administration service, in both environments.
        self.assertEqual(
            self.soa._soa_service_url("administracao"),
            f"{self.sim.url}/webservices/producao/sws/administracao.asmx",
        )

    def test_connection_ok_and_wrong_credentials(self):
        self.soa.action_test_connection()
        self.assertEqual(self.soa.connection_state, "ok")
        self.assertIn("10", self.soa.connection_message)
        self.assertEqual(self.soa.balance, 500.0)
        self.assertEqual(self.operations(), ["CodigosBaixa", "Saldo"])

        wrong = self.integration_like(name="Senha errada", soa_password="errada")
        wrong.with_context(lang="pt_BR").action_test_connection()
        self.assertEqual(wrong.connection_state, "failed")
        self.assertIn("G000M000", wrong.connection_message)
        self.assertIn("e-mail e a senha", wrong.connection_message)
        with self.assertRaises(CreditBureauError) as caught:
            wrong._bureau_fetch_balance()
        self.assertEqual(caught.exception.code, "G000M000")
        self.assertTrue(caught.exception.retryable)

    def test_catalog_sync(self):
        self.soa.action_sync_products()
        self.assertEqual(
            sorted(self.soa.product_ids.mapped("code")),
            sorted(
                [
                    "CONCENTRE",
                    "CONCENTRE_SCORE",
                    "CREDNET",
                    "PEFIN",
                    "INCLUSAO_PEFIN",
                    "BAIXA_PEFIN",
                ]
            ),
        )
        self.assertEqual(self.product("INCLUSAO_PEFIN").kind, "inclusao")
        self.assertEqual(self.product("BAIXA_PEFIN").kind, "baixa")
        self.assertEqual(
            sorted(self.soa.restriction_code_ids.mapped("code")),
            sorted(code for code, _name in simulator_app.CODIGOS_RESTRICOES),
        )
        self.assertEqual(len(self.soa.removal_code_ids), len(simulator_app.CODIGOS_BAIXA))
        self.assertEqual(
            self.soa.removal_code_ids.filtered(lambda c: c.code == "01").name,
            "PAGAMENTO DA DIVIDA",
        )
        self.assertEqual(self.soa.default_product_id.kind, "consulta")
        # Prices typed by the administrator survive the next synchronisation.
        self.product("CONCENTRE").price = 12.9
        self.soa.action_sync_products()
        self.assertEqual(self.product("CONCENTRE").price, 12.9)
        self.assertEqual(self.operations(), ["CodigosRestricoes", "CodigosBaixa"] * 2)

    # ------------------------------------------------------------------ consultations
    def test_concentre_every_profile_through_the_wizard(self):
        for profile, document in PROFILE_DOCUMENTS.items():
            with self.subTest(profile=profile):
                consultation = self.consult(document, reason="Análise de crédito")
                counts = expected_counts(document)
                data = simulator_app._dossier(document, date.today())
                self.assertEqual(consultation.state, "done", consultation.error_message)
                self.assertEqual(consultation.integration_id, self.soa)
                self.assertEqual(consultation.consulted_name, data["Nome"])
                self.assertTrue(consultation.has_score)
                self.assertTrue(consultation.risk_class)
                self.assertGreater(consultation.default_probability, 0)
                self.assertEqual(consultation.financial_count, counts["financial"])
                self.assertEqual(consultation.protest_count, counts["protest"])
                self.assertEqual(consultation.check_count, counts["check"])
                self.assertEqual(consultation.lawsuit_count, counts["lawsuit"])
                self.assertEqual(consultation.total_count, sum(counts.values()))
                self.assertEqual(len(consultation.line_ids), sum(counts.values()))
                expected_financial = sum(
                    float(item["Valor"])
                    for item in data["PendenciasFinanceiras"] + data["RestricoesFinanceiras"]
                )
                self.assertAlmostEqual(consultation.financial_amount, expected_financial, 2)
                for line in consultation.line_ids:
                    self.assertIsInstance(line.date, date)
                    self.assertTrue(line.description)
                self.assertEqual(consultation.report_format, "html")
                self.assertIn(data["Nome"], consultation.report_html)
                self.assertIn("Financial pendencies", consultation.report_html)
                if profile == "limpo":
                    self.assertIn("Nada consta", consultation.message)
                    self.assertFalse(consultation.line_ids)
                else:
                    self.assertIn("Constam", consultation.message)
        concentre = self.sim.calls("Concentre")
        self.assertEqual(len(concentre), len(PROFILE_DOCUMENTS))
        self.assertEqual(concentre[0]["fields"]["Adicionais"], "Score")

    def test_kinds_dates_and_amounts(self):
        result = self.soa._bureau_consult(PROFILE_DOCUMENTS["completo"], "CONCENTRE")
        data = simulator_app._dossier(PROFILE_DOCUMENTS["completo"], date.today())
        by_kind = {}
        for line in result["lines"]:
            by_kind.setdefault(line["kind"], []).append(line)
        self.assertEqual(set(by_kind), {"financial", "protest", "check", "lawsuit", "other"})
        protest = by_kind["protest"][0]
        self.assertEqual(
            protest["date"],
            date(*reversed([int(x) for x in data["Protestos"][0]["DataOcorrencia"].split("/")])),
        )
        self.assertEqual(protest["amount"], float(data["Protestos"][0]["Valor"]))
        self.assertIsInstance(protest["amount"], float)
        lawsuit = by_kind["lawsuit"][0]
        self.assertIn(data["AcoesJudiciais"][0]["Natureza"], lawsuit["description"])
        self.assertIsNone(result["score"])  # no "Score" additional item asked
        self.assertEqual(result["name"], data["Nome"])

    def test_pefin_and_crednet_reports(self):
        document = PROFILE_DOCUMENTS["completo"]
        pefin = self.consult(document, product="PEFIN")
        counts = expected_counts(document, "Pefin")
        self.assertEqual(pefin.state, "done", pefin.error_message)
        self.assertEqual(pefin.financial_count, counts["financial"])
        self.assertEqual(pefin.check_count, counts["check"])
        self.assertEqual(pefin.total_count, sum(counts.values()))
        self.assertFalse(pefin.has_score)
        self.assertIn("EXTRAVIADO", pefin.report_html)  # AlertaDocumentos
        crednet = self.consult(
            document,
            product="CREDNET",
            confirm_repeat=True,
            repeat_reason="Outro relatório",
        )
        self.assertEqual(crednet.state, "done", crednet.error_message)
        self.assertEqual(crednet.total_count, sum(expected_counts(document).values()))
        self.assertEqual(self.operations(), ["Pefin", "Crednet"])

    def test_consultation_refusals(self):
        with self.assertRaises(CreditBureauError) as caught:
            self.soa.with_context(lang="pt_BR")._bureau_consult("12345678900", "PEFIN")
        self.assertEqual(caught.exception.code, "G000M003")
        self.assertFalse(caught.exception.retryable)
        self.assertIn("CPF/CNPJ", caught.exception.args[0])
        with self.assertRaises(CreditBureauError):
            self.soa._bureau_consult(PROFILE_DOCUMENTS["limpo"], "NO_SUCH_PRODUCT")
        self.sim.set_balance("1.00")
        with self.assertRaises(CreditBureauError) as caught:
            self.soa._bureau_consult(PROFILE_DOCUMENTS["limpo"], "CONCENTRE")
        self.assertEqual(caught.exception.code, "G000M002")
        self.assertTrue(caught.exception.retryable)
        self.assertIn("Saldo insuficiente", caught.exception.args[0])

    # ------------------------------------------------------------------ negativation
    def test_include_status_walk_and_remove(self):
        debts = [
            self.debt("12345678810", "CT-1", co_obligor=self.debt("11222333000181", "CT-1")),
            self.debt("12345679891", "CT-2"),
            self.debt("11222333000262", "CT-3"),
            self.debt("12345678143", "CT-4", birth_date=False),
            self.debt("12345679700", "CT-5"),  # ends in 00: the bureau refuses it
        ]
        results = [self.soa._bureau_include(debt) for debt in debts]
        for result in results:
            self.assertEqual(result["state"], "pending")
            self.assertTrue(result["reference"])
            self.assertTrue(result["message"])
        references = [result["reference"] for result in results]
        first = self.sim.get(references[0])
        self.assertEqual(first["documento"], "12345678810")
        self.assertEqual(first["documento_coobrigado"], "11222333000181")
        self.assertEqual(first["devedores"][1]["TipoDevedor"], "CoObrigado")
        self.assertEqual(first["devedores"][0]["DataNascimento"], "17/05/1980")
        self.assertEqual(first["devedores"][0]["Endereco"]["CEP"], "01310100")
        self.assertEqual(first["valor"], "150.00")
        self.assertEqual(first["codigo_restricao"], "TI")

        statuses = self.soa._bureau_fetch_status(references)
        self.assertEqual({s["state"] for s in statuses.values()}, {"pending"})
        self.assertEqual(self.operations("Lista"), ["Lista"])  # all found in Pendentes

        self.sim.activate_all()
        before = len(self.sim.calls())
        statuses = self.soa._bureau_fetch_status(references)
        lists = self.sim.calls()[before:]
        self.assertEqual([c["operation"] for c in lists], ["Lista"] * 3)
        self.assertEqual([c["fields"]["Condicao"] for c in lists], ["Pendentes", "Ativas", "Erro"])
        self.assertEqual(
            [statuses[ref]["state"] for ref in references],
            ["active", "active", "active", "active", "error"],
        )
        self.assertIn("comunicado", statuses[references[4]]["message"])

        removal = self.soa._bureau_remove(references[1], "01", date.today())
        self.assertEqual(removal["state"], "removed")
        self.assertEqual(self.sim.get(references[1])["condicao"], "Baixadas")
        self.assertEqual(self.sim.get(references[1])["codigo_baixa"], "01")
        before = len(self.sim.calls())
        statuses = self.soa._bureau_fetch_status(references)
        self.assertEqual(statuses[references[1]]["state"], "removed")
        self.assertEqual(len(self.sim.calls()) - before, len(simulator_app.CONDICOES))
        self.assertNotIn("Consulta", self.operations())
        # Removing twice: "N000M003 Negativação já baixada"; Consulta says Baixadas: it is
        # a removal, said so.
        again = self.soa._bureau_remove(references[1], "01", date.today())
        self.assertEqual((again["state"], again["already_removed"]), ("removed", True))
        self.assertEqual(self.operations()[-2:], ["Excluir", "Consulta"])
        # An identifier the vendor does not know: asked once, reported as an error.
        unknown = "00000000-0000-4000-8000-000000000000"
        statuses = self.soa._bureau_fetch_status([unknown])
        self.assertEqual(statuses[unknown]["state"], "error")
        self.assertEqual(self.operations("Consulta"), ["Consulta", "Consulta"])

    def test_duplicate_inclusion_refused(self):
        self.soa._bureau_include(self.debt())
        with self.assertRaises(CreditBureauError) as caught:
            self.soa._bureau_include(self.debt())
        self.assertEqual(caught.exception.code, "N000M001")
        self.assertFalse(caught.exception.retryable)
        self.assertEqual(len(self.sim.negativacoes()), 1)
        # Another contract of the same debtor is another debt.
        self.soa._bureau_include(self.debt(contract="CT-0002"))
        self.assertEqual(len(self.sim.negativacoes()), 2)

    def test_inclusion_refusals(self):
        self.sim.require_birth_date = True
        with self.assertRaises(CreditBureauError) as caught:
            self.soa.with_context(lang="pt_BR")._bureau_include(self.debt(birth_date=False))
        self.assertEqual(caught.exception.code, "P009M001")
        self.assertIn("data de nascimento", caught.exception.args[0])
        with self.assertRaises(CreditBureauError) as caught:
            self.soa._bureau_include(self.debt(birth_date=date.today() - timedelta(days=3650)))
        self.assertEqual(caught.exception.code, "P009M002")
        self.assertFalse(caught.exception.retryable)
        self.assertFalse(self.sim.negativacoes())

    def test_timeout_after_commit_then_find_inclusion(self):
        debt = self.debt("12345679891", "CT-77")
        self.assertIsNone(self.soa._bureau_find_inclusion(debt))
        self.sim.misbehave("timeout_after_commit", "Incluir")
        with self.assertRaises(CreditBureauError) as caught:
            self.soa._bureau_include(debt)
        self.assertTrue(caught.exception.timeout)
        self.assertTrue(caught.exception.retryable)
        (record,) = self.sim.negativacoes()
        found = self.soa._bureau_find_inclusion(debt)
        self.assertEqual(found["reference"], record["uid"])
        self.assertEqual(found["state"], "pending")
        self.assertEqual(self.operations("Incluir"), ["Incluir"])  # never re-sent
        # Active by now: still found; another contract is not.
        self.sim.activate_all()
        self.assertEqual(self.soa._bureau_find_inclusion(debt)["state"], "active")
        self.assertIsNone(self.soa._bureau_find_inclusion(self.debt("12345679891", "CT-78")))

    def test_timeout_before_processing_finds_nothing(self):
        debt = self.debt("12345679891", "CT-88")
        self.sim.misbehave("timeout", "Incluir")
        with self.assertRaises(CreditBureauError) as caught:
            self.soa._bureau_include(debt)
        self.assertTrue(caught.exception.timeout)
        self.assertIsNone(self.soa._bureau_find_inclusion(debt))
        # Now it is safe to send it again.
        self.assertEqual(self.soa._bureau_include(debt)["state"], "pending")

    def test_update_debtor_address(self):
        reference = self.soa._bureau_include(self.debt())["reference"]
        debt = dict(
            self.debt(),
            document="12345678810",
            address={"zip": "04538-132", "number": "500", "complement": "Apto 3"},
        )
        self.assertTrue(self.soa.supports_address_update)
        message = self.soa._bureau_update_address(debt)
        self.assertIn("1 negativação", message)
        self.assertEqual(self.sim.get(reference)["devedores"][0]["Endereco"]["CEP"], "04538132")
        call = self.sim.calls("IncluirEnderecoDevedor")[0]
        self.assertEqual(set(call["fields"]["Endereco"]), {"CEP", "Numero", "Complemento"})
        with self.assertRaises(CreditBureauError):
            self.soa._soa_update_debtor_address("12345678810", {"zip": "", "number": ""})

    def test_balance(self):
        self.soa._bureau_consult(PROFILE_DOCUMENTS["limpo"], "CONCENTRE")
        self.soa._bureau_include(self.debt())
        self.soa.action_refresh_balance()
        self.assertAlmostEqual(self.soa.balance, 500 - 12.9 - 3.5, 2)
        self.assertTrue(self.soa.balance_date)
        (call,) = self.sim.calls("Saldo")
        self.assertEqual(call["env"], "producao")

    # ------------------------------------------------------------------ faults
    def test_fault_modes_fail_consultations_cleanly(self):
        self.env = self.env(context=dict(self.env.context, lang="pt_BR"))
        document = PROFILE_DOCUMENTS["pendencias"]
        cases = [
            ("timeout", {}, "não respondeu a tempo"),
            ("http500", {}, "HTTP 500"),
            ("fault", {}, "Erro interno ao acessar o bureau"),
            ("malformed", {}, "resposta ilegível"),
            ("wrong_credentials", {}, "G000M000"),
        ]
        for mode, kw, text in cases:
            with self.subTest(mode=mode):
                self.sim.misbehave(mode, "Concentre", **kw)
                consultation = self.consult(document, reason=mode)
                self.assertEqual(consultation.state, "failed")
                self.assertIn(text, consultation.error_message)
                self.assertTrue(consultation.message_ids)
                self.sim.misbehave(mode, "Concentre", **kw)
                with self.assertRaises(CreditBureauError) as caught:
                    self.soa._bureau_consult(document, "CONCENTRE")
                self.assertTrue(caught.exception.retryable, mode)
                self.assertEqual(caught.exception.timeout, mode == "timeout")
                self.assertTrue(caught.exception.detail)
        # Nothing lost: every attempt is a record; the next one goes through.
        failed = self.env["credit.bureau.consultation"].search(
            [("document", "=", document), ("integration_id", "=", self.soa.id)]
        )
        self.assertEqual(failed.mapped("state"), ["failed"] * len(cases))
        consultation = self.consult(document, reason="de novo")
        self.assertEqual(consultation.state, "done", consultation.error_message)

    def test_delay_within_timeout_succeeds(self):
        self.sim.misbehave("delay", "Saldo", seconds=0.3)
        self.assertEqual(self.soa._bureau_fetch_balance(), 500.0)
        self.assertEqual(self.sim.calls("Saldo")[0]["misbehaviour"], "delay")

    def test_fault_modes_on_negativation_operations(self):
        for mode in ("http500", "fault", "malformed"):
            with self.subTest(mode=mode):
                self.sim.misbehave(mode, "Lista")
                with self.assertRaises(CreditBureauError) as caught:
                    self.soa._bureau_fetch_status(["x"])
                self.assertTrue(caught.exception.retryable)
                self.sim.misbehave(mode, "Incluir")
                with self.assertRaises(CreditBureauError):
                    self.soa._bureau_include(self.debt(contract=f"CT-{mode}"))
        self.assertFalse(self.sim.negativacoes())  # nothing half-done

    # ------------------------------------------------------------------ WSDL
    def test_wsdl_loaded_once(self):
        forget_clients()
        for _i in range(3):
            self.soa._bureau_test_connection()
            self.soa._bureau_fetch_catalog()
            self.soa._bureau_fetch_balance()
            self.soa._bureau_fetch_status(["x"])
            self.soa._bureau_consult(PROFILE_DOCUMENTS["limpo"], "PEFIN")
        self.assertEqual(
            dict(self.sim.wsdl_requests),
            {
                "test-drive/serasa/negativacao": 1,
                "producao/sws/administracao": 1,
                "test-drive/serasa/pefin": 1,
            },
        )
        self.assertGreater(len(self.sim.calls()), 15)

    def test_wsdl_failure_is_not_cached(self):
        forget_clients()
        self.sim.misbehave("http500", "WSDL")
        with self.assertRaises(CreditBureauError) as caught:
            self.soa._bureau_fetch_balance()
        self.assertTrue(caught.exception.retryable)
        self.sim.misbehave("malformed", "WSDL")
        with self.assertRaises(CreditBureauError) as caught:
            self.soa._bureau_fetch_balance()
        self.assertTrue(caught.exception.retryable)
        self.assertIn("WSDL", caught.exception.args[0])
        self.assertEqual(self.soa._bureau_fetch_balance(), 500.0)
        self.assertEqual(self.sim.wsdl_requests["producao/sws/administracao"], 3)

    # ------------------------------------------------------------------ secrets
    def test_secrets_absent_from_logs_and_chatter(self):
        self.env = self.env(context=dict(self.env.context, tracking_disable=False))
        with self.capture_logs() as records:
            forget_clients()
            self.soa.action_test_connection()
            self.soa.action_sync_products()
            self.consult(PROFILE_DOCUMENTS["completo"], reason="log")
            self.soa._bureau_include(self.debt())
            self.sim.misbehave("fault", "Concentre")
            self.consult(PROFILE_DOCUMENTS["cheques"], reason="falha")
            self.sim.misbehave("malformed", "Saldo")
            with self.assertRaises(CreditBureauError):
                self.soa._bureau_fetch_balance()
            self.soa.sudo().write({"soa_password": PASSWORD})  # unchanged, but written
        output = "\n".join(record.getMessage() for record in records)
        self.assertIn("Senha>********</", output)
        self.assertIn(EMAIL, output)  # the account is told apart
        self.assertIn("Incluir", output)
        self.assertNotIn(PASSWORD, output)
        messages = self.env["mail.message"].search(
            [("model", "in", ("credit.bureau.integration", "credit.bureau.consultation"))]
        )
        self.assertTrue(messages)
        for message in messages:
            self.assertNotIn(PASSWORD, str(message.body))
        tracked = self.env["mail.tracking.value"].search([])
        for value in tracked:
            self.assertNotIn(PASSWORD, str(value.old_value_char) + str(value.new_value_char))
        # The simulator's own request log never held it either.
        self.assertNotIn(PASSWORD, str(self.sim.requests))

    # ------------------------------------------------------------------ hooks
    def test_demo_values_and_uninstall_hook(self):
        values = self.env["credit.bureau.integration"]._bureau_demo_values("soa_webservices")
        self.assertEqual(values["api_base_url"], "http://127.0.0.1:8092")
        self.assertEqual(values["environment"], "homologacao")
        self.assertEqual(
            (values["soa_email"], values["soa_password"]), ("demo@example.com", "demo123")
        )
        self.assertIsNone(self.env["credit.bureau.integration"]._bureau_demo_values("none"))
        demo = self.env["credit.bureau.integration"].create(
            dict(values, company_id=self.head_office.id, api_base_url=self.sim.url)
        )
        self.assertTrue(demo.id)
        uninstall_hook(self.env)
        self.assertRecordValues(
            (self.soa | demo).with_context(active_test=False),
            [{"active": False, "provider": "none"}] * 2,
        )
