"""The Connect SA provider end to end: Odoo → the request seam → real HTTP on loopback →
the simulator, and back into records."""

import base64
import pathlib
from datetime import date, datetime, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.module import get_module_path
from odoo.tests import new_test_user, tagged

from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError

from .. import const, uninstall_hook
from ..simulator.app import (
    DEFAULT_ERROR_DOCUMENTS,
    DEFAULT_LOGIN,
    DEFAULT_SENHA_CONSULTA,
    DEFAULT_SENHA_PEFIN,
    ERROR_JSON_MESSAGE,
    EXAMPLE_DOCUMENTS,
    MOTIVOS_BAIXA,
    build_report,
)
from ..tools import national_phone, parse_brl, parse_date, parse_percent
from .common import (
    CLEAN_CPF,
    LOGIN,
    PASSWORD,
    PEFIN_LOGIN,
    PEFIN_PASSWORD,
    ConnectSACommon,
)

KIND_OF_BLOCK = {
    "pendenciasFinanceiras": "financial",
    "protestos": "protest",
    "chequesSemFundo": "check",
}


@tagged("post_install", "-at_install")
class TestConnectSAProvider(ConnectSACommon):
    # ------------------------------------------------------------------ set-up, contract
    def test_provider_registered_with_its_features(self):
        integration = self.integration
        self.assertEqual(integration._provider_label(), "Connect SA")
        self.assertTrue(integration.supports_consultation)
        self.assertTrue(integration.supports_negativation)
        self.assertFalse(integration.supports_status_list)
        self.assertFalse(integration.supports_balance)
        self.assertEqual(integration.report_format, "html")
        self.assertFalse(integration.is_paid_environment)
        integration.environment = "producao"
        self.assertTrue(integration.is_paid_environment)

    def test_credentials_required_and_admin_only(self):
        with self.assertRaises(ValidationError) as caught:
            self.env["credit.bureau.integration"].create(
                {"name": "Sem senha", "provider": "connect_sa", "connect_sa_login": "x"}
            )
        self.assertIn("Consultation password", caught.exception.args[0])
        self.assertIn("PEFIN password", caught.exception.args[0])
        self.assertNotIn("PEFIN login", caught.exception.args[0])  # follows the login
        for name in (
            "connect_sa_login",
            "connect_sa_password",
            "connect_sa_pefin_login",
            "connect_sa_pefin_password",
        ):
            field = self.integration._fields[name]
            self.assertEqual(field.groups, "base.group_system", name)
            self.assertFalse(field.copy, name)
        # A credit administrator who is not a system administrator never reads them.
        integration = self.integration.with_user(self.credit_admin)
        self.assertEqual(integration.name, "Connect SA Matriz")
        with self.assertRaises(AccessError):
            integration.read(["connect_sa_password"])
        # A copy carries no credential: it starts archived, and cannot be activated before
        # its own credentials are given.
        copy = self.integration.copy()
        self.assertFalse(copy.active)
        self.assertFalse(copy.sudo().connect_sa_password)
        with self.assertRaises(ValidationError):
            copy.active = True
        copy.write({"connect_sa_login": "outro", "connect_sa_password": "a",
                    "connect_sa_pefin_password": "b", "active": True})  # fmt: skip
        self.assertFalse(copy.sudo().connect_sa_pefin_login)

    def test_form_view_shows_the_credentials_for_connect_sa_only(self):
        arch = self.env["credit.bureau.integration"].get_view(
            self.env.ref("l10n_br_credit_bureau.credit_bureau_integration_view_form").id
        )["arch"]
        self.assertIn('name="connect_sa_password"', arch)
        self.assertIn('name="action_connect_sa_change_password"', arch)
        # a non-system user's view has neither the fields nor the button
        arch = (
            self.env["credit.bureau.integration"]
            .with_user(self.credit_admin)
            .get_view(self.env.ref("l10n_br_credit_bureau.credit_bureau_integration_view_form").id)[
                "arch"
            ]
        )
        self.assertNotIn("connect_sa_password", arch)
        self.assertNotIn("action_connect_sa_change_password", arch)

    def test_demo_values_point_at_the_simulator(self):
        values = self.env["credit.bureau.integration"]._bureau_demo_values("connect_sa")
        self.assertEqual(values["api_base_url"], "http://127.0.0.1:8091")
        self.assertEqual(values["connect_sa_login"], DEFAULT_LOGIN)
        self.assertEqual(values["connect_sa_password"], DEFAULT_SENHA_CONSULTA)
        self.assertEqual(values["connect_sa_pefin_password"], DEFAULT_SENHA_PEFIN)
        self.assertEqual(values["environment"], "homologacao")
        demo = self.env["credit.bureau.integration"].create(
            dict(values, company_id=self.company.id, api_base_url=self.sim.url)
        )
        self.sim.set_credentials(
            login=DEFAULT_LOGIN,
            senha_consulta=DEFAULT_SENHA_CONSULTA,
            login_pefin="",
            senha_pefin=DEFAULT_SENHA_PEFIN,
        )
        demo.action_test_connection()
        self.assertEqual(demo.connection_state, "ok", demo.connection_message)
        self.assertIsNone(self.env["credit.bureau.integration"]._bureau_demo_values("dummy"))

    def test_uninstall_hook_archives_the_integrations(self):
        uninstall_hook(self.env)
        self.integration.invalidate_recordset()
        self.assertFalse(self.integration.active)
        self.assertEqual(self.integration.provider, "none")

    def test_core_holds_no_connect_sa_code(self):
        root = pathlib.Path(get_module_path("l10n_br_credit_bureau"))
        for path in root.rglob("*"):
            if path.suffix in (".py", ".xml", ".js", ".csv") and "tests" not in path.parts:
                text = path.read_text(encoding="utf-8")
                self.assertNotIn("connect_sa", text, path)
                self.assertNotIn("connectsa", text.lower(), path)

    def test_parsers(self):
        self.assertEqual(parse_brl("R$ 1.234,56"), 1234.56)
        self.assertEqual(parse_brl("R$ 0,00"), 0.0)
        self.assertEqual(parse_brl("R$ 1.234.567,00"), 1234567.0)
        self.assertEqual(parse_brl("1234.56"), 1234.56)
        self.assertIsNone(parse_brl(""))
        self.assertIsNone(parse_brl("R$"))
        self.assertEqual(parse_percent("12,34%"), 12.34)
        self.assertEqual(parse_date("05/03/2025"), date(2025, 3, 5))
        self.assertIsNone(parse_date("2025-03-05"))
        self.assertIsNone(parse_date(""))
        self.assertEqual(national_phone("+55 (19) 99876-5432"), "19998765432")
        self.assertEqual(national_phone("019 3232-4500"), "1932324500")

    # ------------------------------------------------------------------ connection test
    def test_connection_ok_uses_each_pair(self):
        self.integration.action_test_connection()
        self.assertEqual(self.integration.connection_state, "ok")
        self.assertIn("working", self.integration.connection_message)
        consulta, pefin = self.sim.requests
        self.assertEqual((consulta.endpoint, consulta.form["estatica"]), ("ws_consulta", "S"))
        self.assertEqual((consulta.form["login"], consulta.form["password"]), (LOGIN, PASSWORD))
        self.assertEqual((pefin.endpoint, pefin.acao), ("ws_pefin", "produtos"))
        self.assertEqual(
            (pefin.form["login"], pefin.form["password"]), (PEFIN_LOGIN, PEFIN_PASSWORD)
        )
        self.assertEqual(self.sim.paid_consultations, 0)
        # Even in production the connection test costs nothing.
        self.integration.environment = "producao"
        self.integration.action_test_connection()
        self.assertEqual(self.sim.paid_consultations, 0)

    def test_connection_with_wrong_credentials(self):
        self.integration.connect_sa_password = "Errada-1111"
        self.integration.action_test_connection()
        self.assertEqual(self.integration.connection_state, "failed")
        self.assertIn("consultation API", self.integration.connection_message)
        self.assertIn("Login ou senha inválidos", self.integration.connection_message)
        self.assertNotIn("Errada-1111", self.integration.connection_message)
        self.integration.connect_sa_password = PASSWORD
        self.integration.connect_sa_pefin_password = "Errada-2222"
        self.integration.action_test_connection()
        self.assertEqual(self.integration.connection_state, "failed")
        self.assertIn("PEFIN login or password", self.integration.connection_message)
        # in Portuguese
        with self.assertRaises(CreditBureauError) as caught:
            self.integration.with_context(lang="pt_BR")._bureau_test_connection()
        self.assertIn("recusou o login ou a senha do PEFIN", caught.exception.args[0])

    def test_pefin_login_follows_the_login(self):
        self.sim.set_credentials(login_pefin="")
        self.integration.connect_sa_pefin_login = False
        self.integration.action_test_connection()
        self.assertEqual(
            self.integration.connection_state, "ok", self.integration.connection_message
        )
        self.assertEqual(self.pefin_requests()[0].form["login"], LOGIN)

    # ------------------------------------------------------------------ catalog
    def test_catalog_synchronised_into_records(self):
        self.integration.product_ids.unlink()
        self.integration.code_ids.unlink()
        self.integration.default_product_id = False
        self.integration.action_sync_products()
        products = {p.code: p for p in self.integration.product_ids}
        self.assertEqual(
            {code: p.kind for code, p in products.items()},
            {
                "CREDNET_LIGHT": "consulta",
                "RELATORIO_BASICO": "consulta",
                "CREDNET_PLUS": "consulta",
                "INCLUSAO_PEFIN": "inclusao",
                "EXCLUSAO_PEFIN": "baixa",
            },
        )
        self.assertEqual(products["CREDNET_LIGHT"].price, 4.9)
        self.assertEqual(products["INCLUSAO_PEFIN"].name, "Inclusão Pefin")
        self.assertEqual(products["EXCLUSAO_PEFIN"].name, "Exclusão Pefin")
        self.assertEqual(self.integration.default_product_id.kind, "consulta")
        self.assertLessEqual(
            {"CD", "DP", "NF", "OO", "TI", "TP"},
            set(self.integration.restriction_code_ids.mapped("code")),
        )
        self.assertEqual(
            sorted(self.integration.removal_code_ids.mapped("code")),
            sorted(code for code, _name in MOTIVOS_BAIXA),
        )
        self.assertEqual(
            [(r.endpoint, r.acao) for r in self.sim.requests],
            [
                ("ws_pefin", "produtos"),
                ("ws_pefin", "motivos_inclusao"),
                ("ws_pefin", "motivos_baixa"),
            ],
        )
        for request in self.sim.requests:  # the PEFIN pair
            self.assertEqual(request.form["password"], PEFIN_PASSWORD)
        # A second run updates and duplicates nothing.
        self.integration.action_sync_products()
        self.assertEqual(len(self.integration.product_ids), 5)

    # ------------------------------------------------------------------ consultations
    def _expected(self, document, kind):
        return build_report(document, kind, "CREDNET_LIGHT", "X", "S", now=datetime.now())

    def test_consultation_of_each_profile(self):
        for profile, documents in EXAMPLE_DOCUMENTS.items():
            for kind, document in documents.items():
                if document == "12ABC34501DE35":
                    continue  # Receita's example CNPJ: refused by the core, see below
                with self.subTest(profile=profile, document=document):
                    consultation = self.consult(document)
                    self.check_consultation(consultation, document, kind[0])
        self.assertEqual(self.sim.paid_consultations, 0)
        # The core refuses Receita's example CNPJ before anything is sent.
        count = len(self.sim.requests)
        with self.assertRaises(UserError):
            self.consult("12ABC34501DE35")
        self.assertEqual(len(self.sim.requests), count)

    def check_consultation(self, consultation, document, kind):
        expected = self._expected(document, kind)
        resultado = expected["resultado"]
        score = resultado["score"]
        self.assertEqual(consultation.state, "done", consultation.error_message)
        self.assertEqual(consultation.consulted_name, expected["entrada"]["nomeConsultado"])
        self.assertTrue(consultation.protocol.startswith("EST"))
        self.assertEqual(consultation.message, expected["status"]["descricaoCodigoResposta"])
        self.assertTrue(consultation.has_score)
        self.assertEqual(consultation.score, score["pontuacao"])
        self.assertEqual(consultation.risk_class, score["classeRisco"])
        self.assertAlmostEqual(
            consultation.default_probability,
            float(score["probabilidadeInadimplencia"].rstrip("%").replace(",", ".")),
        )
        self.assertEqual(consultation.cost, 0.0)  # canned answer: free
        blocks = resultado["quadroResumoConsta"]["registros"]
        for key, kind_name in KIND_OF_BLOCK.items():
            block = blocks[key]
            self.assertEqual(consultation[f"{kind_name}_count"], block["quantidade"], key)
            self.assertAlmostEqual(
                consultation[f"{kind_name}_amount"],
                sum(parse_brl(item["valor"]) for item in resultado[key]),
                places=2,
            )
            lines = consultation.line_ids.filtered(lambda line, k=kind_name: line.kind == k)
            self.assertEqual(len(lines), block["quantidade"])
            self.assertEqual(
                sorted(lines.mapped("date")),
                sorted(datetime.strptime(i["data"], "%d/%m/%Y").date() for i in resultado[key]),
            )
            for line in lines:
                self.assertIsInstance(line.date, date)
                if kind_name == "protest":
                    # The registry office of a protest is never taken for its creditor.
                    self.assertFalse(line.creditor)
                    self.assertIn("TABELIÃO DE PROTESTO", line.office)
                    self.assertTrue(line.city)
                else:
                    self.assertTrue(line.creditor)
                self.assertTrue(line.description)
        self.assertEqual(
            consultation.total_count, resultado["quadroResumoConsta"]["quantidadeTotalOcorrencias"]
        )
        self.assertEqual(consultation.report_format, "html")
        html = base64.b64decode(consultation.report_attachment_id.datas).decode()
        self.assertIn("CONSULTA ESTÁTICA", html)
        self.assertIn(consultation.protocol, html)
        self.assertIn("Quadro resumo", consultation.report_html)
        self.assertNotIn("<script", consultation.report_html)

    def test_homologation_is_canned_production_is_paid(self):
        doc_a = EXAMPLE_DOCUMENTS["protestos"]["F"]
        doc_b = EXAMPLE_DOCUMENTS["protestos"]["J"]
        canned = self.consult(doc_a)
        request = self.sim.requests[-1]
        self.assertEqual(request.form["estatica"], "S")
        self.assertEqual(request.form["tipodocumento"], "F")
        self.assertEqual(request.form["tiporesposta"], "J")
        self.assertEqual(request.form["consulta"], self.integration.default_product_id.code)
        self.assertEqual((self.sim.canned_consultations, self.sim.paid_consultations), (1, 0))
        self.assertEqual(canned.cost, 0.0)
        self.integration.environment = "producao"
        paid = self.consult(doc_b)
        request = self.sim.requests[-1]
        self.assertEqual(request.form["estatica"], "N")
        self.assertEqual(request.form["tipodocumento"], "J")
        self.assertEqual((self.sim.canned_consultations, self.sim.paid_consultations), (1, 1))
        self.assertEqual(paid.state, "done")
        self.assertEqual(paid.cost, self.integration.default_product_id.price)
        self.assertTrue(paid.protocol.isdigit())
        html = base64.b64decode(paid.report_attachment_id.datas).decode()
        self.assertNotIn("CONSULTA ESTÁTICA", html)

    def test_consultation_uses_the_chosen_product_and_the_consultation_pair(self):
        plus = self.integration.product_ids.filtered(lambda p: p.code == "CREDNET_PLUS")
        consultation = self.consult(CLEAN_CPF, product_id=plus.id)
        self.assertEqual(consultation.state, "done")
        (request,) = self.sim.requests
        self.assertEqual(request.endpoint, "ws_consulta")
        self.assertEqual(request.form["consulta"], "CREDNET_PLUS")
        self.assertEqual((request.form["login"], request.form["password"]), (LOGIN, PASSWORD))
        self.assertEqual(request.form["documento"], CLEAN_CPF)

    def test_consultation_faults_end_in_a_failed_record(self):
        cases = [
            ("timeout", {"seconds": 2}, "did not answer in time"),
            ("http500", {}, "unavailable (HTTP 500"),
            ("error_json", {}, ERROR_JSON_MESSAGE),
            ("malformed", {}, "unreadable answer"),
            ("wrong_credentials", {}, "login or password of the consultation API"),
        ]
        documents = [
            EXAMPLE_DOCUMENTS["nada_consta"]["F"],
            EXAMPLE_DOCUMENTS["nada_consta"]["J"],
            EXAMPLE_DOCUMENTS["pendencias_financeiras"]["F"],
            EXAMPLE_DOCUMENTS["protestos"]["J"],
            EXAMPLE_DOCUMENTS["cheques_sem_fundo"]["F"],
        ]
        with self.short_timeout():
            for (mode, kw, message), document in zip(cases, documents, strict=True):
                with self.subTest(mode=mode):
                    self.sim.misbehave(mode, "consulta", **kw)
                    consultation = self.consult(document, reason="Contrato")
                    self.assertEqual(consultation.state, "failed")
                    self.assertIn(message, consultation.error_message)
                    self.assertEqual(consultation.reason, "Contrato")  # nothing lost
                    self.assertEqual(consultation.document, document)
                    self.assertIn(
                        message,
                        "\n".join(consultation.message_ids.mapped("body")).replace("&amp;", "&"),
                    )
            # A delay shorter than the timeout is only slow.
            self.sim.misbehave("delay", "consulta", seconds=0.2)
            consultation = self.consult(EXAMPLE_DOCUMENTS["cheques_sem_fundo"]["J"])
            self.assertEqual(consultation.state, "done")
        failed = self.env["credit.bureau.consultation"].search(
            [("integration_id", "=", self.integration.id), ("state", "=", "failed")]
        )
        self.assertEqual(len(failed), 5)

    def test_vendor_errors_of_the_consultation(self):
        with self.assertRaises(CreditBureauError) as caught:
            self.integration._bureau_consult(CLEAN_CPF, "INEXISTENTE")
        self.assertIn("Produto de consulta inválido", caught.exception.args[0])
        self.assertIn("refused the request", caught.exception.args[0])
        self.integration.default_product_id = False
        with self.assertRaises(CreditBureauError) as caught:
            self.integration._bureau_consult(CLEAN_CPF, None)
        self.assertIn("synchronise", caught.exception.args[0])
        # A wrong address (developer mode) is an HTTP error, not a crash.
        self.integration.api_base_url = self.sim.url + "/outro"
        with self.assertRaises(CreditBureauError) as caught:
            self.integration._bureau_consult(CLEAN_CPF, "CREDNET_LIGHT")
        self.assertIn("HTTP 404", caught.exception.args[0])

    # ------------------------------------------------------------------ PEFIN
    def test_include_sends_every_field_with_the_pefin_pair(self):
        result = self.integration._bureau_include(self.debt())
        self.assertEqual(result["state"], "pending")
        self.assertTrue(result["reference"].startswith("PF"))
        self.assertIn("comunicação prévia", result["message"])
        (request,) = self.sim.requests
        self.assertEqual((request.endpoint, request.acao), ("ws_pefin", "incluir"))
        self.assertEqual(set(request.form) - {"login", "password", "acao", "tiporesposta"},
                         set(const.INCLUDE_FIELDS))  # fmt: skip
        self.assertEqual(
            (request.form["login"], request.form["password"]), (PEFIN_LOGIN, PEFIN_PASSWORD)
        )
        form = request.form
        self.assertEqual(form["valor"], "1234.50")
        self.assertEqual(
            form["data_vencimento"], (date.today() - timedelta(days=40)).strftime("%d/%m/%Y")
        )
        self.assertEqual(form["telefone"], "11999998888")
        self.assertEqual(form["envia_sms"], "S")
        self.assertEqual(form["cpf_responsavel"], "52998224725")
        self.assertEqual(form["tipodocumento"], "F")
        self.assertEqual(form["codigo_restricao"], "TI")
        self.assertEqual(form["nosso_numero"], "000123")
        record = self.sim.records[result["reference"]]
        self.assertTrue(record["sms_enviado"])
        self.assertEqual(record["bairro"], "Bela Vista")
        # No phone: no SMS is asked (the postal notice is what the law requires).
        self.integration._bureau_include(
            self.debt(contract="FAT-0002", phone="", send_sms=True, responsible_cpf="")
        )
        form = self.sim.requests[-1].form
        self.assertEqual((form["envia_sms"], form["telefone"]), ("N", ""))
        self.assertEqual(form["cpf_responsavel"], "")

    def test_include_defaults_from_the_integration(self):
        self.integration.write(
            {
                "send_sms": True,
                "responsible_cpf": "529.982.247-25",
                "default_restriction_code_id": self.integration.restriction_code_ids.filtered(
                    lambda c: c.code == "TP"
                ).id,
            }
        )
        debt = self.debt(restriction_code=False, responsible_cpf="")
        del debt["send_sms"]
        self.integration._bureau_include(debt)
        form = self.sim.requests[-1].form
        self.assertEqual(
            (form["envia_sms"], form["cpf_responsavel"], form["codigo_restricao"]),
            ("S", "52998224725", "TP"),
        )

    def test_state_walk_include_status_remove(self):
        integration = self.integration
        self.sim.activation_delay = 3600
        result = integration._bureau_include(self.debt())
        reference = result["reference"]
        self.assertEqual(
            integration._bureau_fetch_status([reference])[reference]["state"], "pending"
        )
        self.sim.activate_all()
        status = integration._bureau_fetch_status([reference])[reference]
        self.assertEqual(status["state"], "active")
        self.assertIn("ativa", status["message"])
        removal = integration._bureau_remove(reference, "01", date.today())
        self.assertEqual(removal["state"], "removed")
        self.assertIn("Pagamento da dívida", removal["message"])
        record = self.sim.records[reference]
        self.assertEqual((record["codigo_baixa"], record["data_baixa"]),
                         ("01", date.today().strftime("%d/%m/%Y")))  # fmt: skip
        self.assertEqual(
            integration._bureau_fetch_status([reference])[reference]["state"], "removed"
        )
        # A removal retried (e.g. after a timeout) finds it removed: a success, not an error.
        again = integration._bureau_remove(reference, "01", date.today())
        self.assertEqual(again["state"], "removed")
        # Status of several records, one unknown.
        other = integration._bureau_include(self.debt(contract="FAT-0002"))["reference"]
        statuses = integration._bureau_fetch_status([reference, other, "PF-INEXISTENTE"])
        self.assertEqual(statuses[reference]["state"], "removed")
        self.assertEqual(statuses[other]["state"], "pending")
        self.assertEqual(statuses["PF-INEXISTENTE"]["state"], "error")
        self.assertIn("não encontrado", statuses["PF-INEXISTENTE"]["message"])
        self.assertTrue(all(r.form["password"] == PEFIN_PASSWORD for r in self.sim.requests))
        # The first call failing fails the query; a failure half-way keeps what came.
        self.sim.misbehave("http500", "consultar")
        with self.assertRaises(CreditBureauError):
            integration._bureau_fetch_status([reference, other])
        original = type(integration)._connect_sa_pefin

        def second_call_fails(record, *args, **kwargs):
            answer = original(record, *args, **kwargs)
            self.sim.misbehave("http500", "consultar")
            return answer

        self.patch(type(integration), "_connect_sa_pefin", second_call_fails)
        statuses = integration._bureau_fetch_status([reference, other, "PF-INEXISTENTE"])
        self.assertEqual(set(statuses), {reference})

    def test_error_state_and_removal_refused(self):
        document = sorted(DEFAULT_ERROR_DOCUMENTS)[0]
        reference = self.integration._bureau_include(self.debt(document=document))["reference"]
        status = self.integration._bureau_fetch_status([reference])[reference]
        self.assertEqual(status["state"], "error")
        self.assertIn("endereço", status["message"])
        with self.assertRaises(CreditBureauError) as caught:
            self.integration._bureau_remove(reference, "01", date.today())
        self.assertIn("não está ativa", caught.exception.args[0])
        # A record in error does not block sending it again (Reenviar negativações com erro).
        again = self.integration._bureau_include(self.debt(document=document))
        self.assertNotEqual(again["reference"], reference)

    def test_duplicate_inclusion_refused(self):
        first = self.integration._bureau_include(self.debt())
        with self.assertRaises(CreditBureauError) as caught:
            self.integration._bureau_include(self.debt())
        error = caught.exception
        self.assertEqual(error.code, "duplicate")
        self.assertFalse(error.retryable)
        self.assertIn("duplicate inclusion", error.args[0])
        self.assertEqual(error.reference, first["reference"])
        self.assertEqual(len(self.sim.records), 1)

    def test_homologation_never_negativates_at_the_vendor(self):
        reference = self.integration._bureau_include(self.debt())["reference"]
        self.integration.api_base_url = False  # the vendor's own host
        with self.assertRaises(CreditBureauError) as caught:
            self.integration._bureau_include(self.debt(contract="FAT-0002"))
        self.assertIn("no test environment for PEFIN", caught.exception.args[0])
        self.assertEqual(len(self.sim.requests), 1)
        # A removal is never held back (it is legally due); here it goes to the simulator.
        self.integration.api_base_url = self.sim.url
        self.assertEqual(
            self.integration._bureau_remove(reference, "01", date.today())["state"], "removed"
        )

    def test_vendor_validation_errors_are_clear(self):
        with self.assertRaises(CreditBureauError) as caught:
            self.integration._bureau_include(
                self.debt(address={"zip": "", "street": "", "city": "São Paulo", "state": "SP"})
            )
        self.assertIn("Campo obrigatório não informado", caught.exception.args[0])
        self.assertEqual(caught.exception.code, "02")
        self.assertFalse(self.sim.records)

    def test_timeout_after_commit_then_find_without_resending(self):
        debt = self.debt()
        self.assertIsNone(self.integration._bureau_find_inclusion(debt))
        self.sim.reset()
        self.sim.misbehave("timeout_after_commit", "incluir", seconds=2)
        with self.short_timeout(), self.assertRaises(CreditBureauError) as caught:
            self.integration._bureau_include(debt)
        self.assertTrue(caught.exception.timeout)
        self.assertTrue(caught.exception.retryable)
        found = self.integration._bureau_find_inclusion(debt)
        (reference,) = self.sim.records
        self.assertEqual(found["reference"], reference)
        self.assertIn(found["state"], ("pending", "active"))
        self.assertEqual([r.acao for r in self.pefin_requests()], ["incluir", "consultar"])
        lookup = self.pefin_requests()[1].form
        self.assertEqual((lookup["documento"], lookup["contrato"]), (CLEAN_CPF, "FAT-0001"))
        self.assertNotIn("protocolo", lookup)
        # An earlier negativation of the contract, already removed, is not this one.
        self.integration._bureau_remove(reference, "01", date.today())
        self.assertIsNone(self.integration._bureau_find_inclusion(debt))

    def test_pefin_faults(self):
        cases = [
            ("timeout", {"seconds": 2}, "did not answer in time"),
            ("http500", {}, "unavailable (HTTP 500"),
            ("error_json", {}, ERROR_JSON_MESSAGE),
            ("malformed", {}, "unreadable answer"),
            ("wrong_credentials", {}, "PEFIN login or password"),
        ]
        with self.short_timeout():
            for mode, kw, message in cases:
                with self.subTest(mode=mode):
                    self.sim.misbehave(mode, "incluir", **kw)
                    with self.assertRaises(CreditBureauError) as caught:
                        self.integration._bureau_include(self.debt())
                    self.assertIn(message, caught.exception.args[0])
                    self.assertEqual(caught.exception.timeout, mode == "timeout")
            # timeout: the simulator never processed it; wrong credentials: neither.
            self.assertFalse(self.sim.records)
            self.sim.misbehave("delay", "incluir", seconds=0.2)
            self.assertEqual(self.integration._bureau_include(self.debt())["state"], "pending")

    # ------------------------------------------------------------------ secrets
    def test_secrets_absent_from_logs_errors_and_chatter(self):
        secrets = (PASSWORD, PEFIN_PASSWORD, "Errada-3333")
        errors = []
        with self.capture_logs() as records, self.short_timeout():
            self.integration.action_test_connection()
            self.integration.action_sync_products()
            self.consult(CLEAN_CPF)
            self.integration._bureau_include(self.debt())
            for mode in ("http500", "malformed", "error_json", "timeout"):
                self.sim.misbehave(mode, "pefin", **({"seconds": 2} if mode == "timeout" else {}))
                with self.assertRaises(CreditBureauError) as caught:
                    self.integration._bureau_fetch_status(["PF1"])
                errors.append(caught.exception)
            self.integration.connect_sa_password = "Errada-3333"
            self.integration.action_test_connection()
            self.consult(EXAMPLE_DOCUMENTS["protestos"]["F"])
        output = self.log_text(records)
        self.assertIn("ws_consulta", output)
        self.assertIn("ws_pefin", output)
        self.assertIn(LOGIN, output)  # the logins are no secret
        self.assertIn("********", output)
        for secret in secrets:
            self.assertNotIn(secret, output)
            for error in errors:
                self.assertNotIn(secret, error.args[0])
                self.assertNotIn(secret, error.detail)
        messages = self.env["mail.message"].search([])
        bodies = "\n".join(messages.mapped("body"))
        tracked = self.env["mail.tracking.value"].search([])
        tracked_text = "\n".join(
            str(value)
            for value in tracked.mapped("old_value_char") + tracked.mapped("new_value_char")
        )
        for secret in secrets:
            self.assertNotIn(secret, bodies)
            self.assertNotIn(secret, tracked_text)
            self.assertNotIn(secret, self.integration.connection_message)


@tagged("post_install", "-at_install")
class TestConnectSAPasswordChange(ConnectSACommon):
    def change(self, **values):
        action = self.integration.action_connect_sa_change_password()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create(values)
        return wizard, wizard.action_apply()

    def stored(self):
        self.integration.invalidate_recordset()
        integration = self.integration.sudo()
        return (
            integration.connect_sa_login,
            integration.connect_sa_password,
            integration.connect_sa_pefin_login,
            integration.connect_sa_pefin_password,
        )

    def test_both_pairs_replaced_after_a_test_call(self):
        self.sim.set_credentials(senha_consulta="Nova-Consulta-1", senha_pefin="Nova-Pefin-2")
        wizard, _action = self.change(password="Nova-Consulta-1", pefin_password="Nova-Pefin-2")
        self.assertEqual(wizard.login, LOGIN)
        self.assertEqual(wizard.pefin_login, PEFIN_LOGIN)
        self.assertEqual(self.stored(), (LOGIN, "Nova-Consulta-1", PEFIN_LOGIN, "Nova-Pefin-2"))
        consulta, pefin = self.sim.requests
        self.assertEqual((consulta.form["password"], consulta.form["estatica"]),
                         ("Nova-Consulta-1", "S"))  # fmt: skip
        self.assertEqual((pefin.acao, pefin.form["password"]), ("produtos", "Nova-Pefin-2"))
        self.assertFalse(wizard.password or wizard.pefin_password)  # forgotten at once
        self.assertEqual(self.integration.connection_state, "ok")
        message = self.integration.message_ids[0]
        self.assertIn("changed by", message.body)
        self.assertIn(self.env.user.name, message.body)
        self.assertIn("consultation and PEFIN", message.body)
        self.assertEqual(message.author_id, self.env.user.partner_id)
        bodies = "\n".join(self.integration.message_ids.mapped("body"))
        for secret in ("Nova-Consulta-1", "Nova-Pefin-2", PASSWORD, PEFIN_PASSWORD):
            self.assertNotIn(secret, bodies)
        self.assertFalse(
            self.integration.message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name.startswith("connect_sa_")
            )
        )

    def test_pefin_pair_optional(self):
        self.sim.set_credentials(senha_consulta="Nova-Consulta-1")
        self.change(password="Nova-Consulta-1")
        self.assertEqual(self.stored(), (LOGIN, "Nova-Consulta-1", PEFIN_LOGIN, PEFIN_PASSWORD))
        self.assertEqual([r.endpoint for r in self.sim.requests], ["ws_consulta"])
        self.assertIn("consultation credentials changed", self.integration.message_ids[0].body)

    def test_failed_check_changes_nothing(self):
        messages = self.integration.message_ids
        with self.assertRaises(UserError) as caught:
            self.change(password="Errada-4444", pefin_password="Errada-5555")
        self.assertIn("were not changed", caught.exception.args[0])
        self.assertNotIn("Errada-4444", caught.exception.args[0])
        self.assertEqual(self.stored(), (LOGIN, PASSWORD, PEFIN_LOGIN, PEFIN_PASSWORD))
        self.assertEqual(self.integration.message_ids, messages)
        # A good consultation pair with a wrong PEFIN pair changes nothing either.
        self.sim.set_credentials(senha_consulta="Nova-Consulta-1")
        with self.assertRaises(UserError):
            self.change(password="Nova-Consulta-1", pefin_password="Errada-5555")
        self.assertEqual(self.stored(), (LOGIN, PASSWORD, PEFIN_LOGIN, PEFIN_PASSWORD))

    def test_only_system_administrators(self):
        wizard_model = self.env["connect.sa.password.wizard"].with_user(self.credit_admin)
        with self.assertRaises(AccessError):
            wizard_model.create(
                {"integration_id": self.integration.id, "login": "x", "password": "y"}
            )
        with self.assertRaises(AccessError):
            wizard_model.with_user(self.consult_user).create(
                {"integration_id": self.integration.id, "login": "x", "password": "y"}
            )

    def test_a_stored_password_changes_only_through_the_test_call(self):
        admin = new_test_user(
            self.env,
            login="cs_system_admin",
            groups="base.group_user,base.group_system,l10n_br_credit_bureau.group_admin",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
        integration = self.integration.with_user(admin)
        self.assertTrue(integration.connect_sa_secrets_stored)
        # Typed over (the form, an RPC call, an import): refused, nothing changed.
        for name in ("connect_sa_password", "connect_sa_pefin_password"):
            with self.assertRaises(UserError) as caught:
                integration.write({name: "Digitada-9999"})
            self.assertIn("Change password", caught.exception.args[0])
        with self.assertRaises(UserError):
            integration.with_context(lang="pt_BR").write({"connect_sa_password": "x"})
        self.assertEqual(self.stored(), (LOGIN, PASSWORD, PEFIN_LOGIN, PEFIN_PASSWORD))
        # Writing the same value, or the other fields, is not a change of password.
        integration.write({"connect_sa_password": PASSWORD, "name": "Connect SA Matriz"})
        # The form shows them read-only once stored.
        arch = integration.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('readonly="connect_sa_secrets_stored"', arch)
        # Through the button, by the same administrator, after a test call: changed.
        self.sim.set_credentials(senha_consulta="Nova-Consulta-1")
        action = integration.action_connect_sa_change_password()
        wizard = (
            self.env[action["res_model"]]
            .with_user(admin)
            .with_context(**action["context"])
            .create({"password": "Nova-Consulta-1"})
        )
        wizard.action_apply()
        self.assertEqual(self.stored(), (LOGIN, "Nova-Consulta-1", PEFIN_LOGIN, PEFIN_PASSWORD))
        self.assertEqual(self.integration.message_ids[0].author_id, admin.partner_id)
        # An integration that has no password yet (just switched to Connect SA) takes one.
        other = self.env["credit.bureau.integration"].create(
            {"name": "Outra", "provider": "dummy", "company_id": self.company.id}
        )
        other.with_user(admin).write(
            {
                "provider": "connect_sa",
                "connect_sa_login": "outro",
                "connect_sa_password": "a",
                "connect_sa_pefin_password": "b",
            }
        )
        self.assertEqual(other.sudo().connect_sa_password, "a")
