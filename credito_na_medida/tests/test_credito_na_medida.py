"""The Crédito na Medida provider end to end: the addon against its simulator, over real
sockets on loopback (no mock of the network)."""

import datetime
import io
import time
from contextlib import contextmanager
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from PyPDF2 import PdfReader

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.credito_na_medida import const, uninstall_hook
from odoo.addons.credito_na_medida.simulator.app import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    EXAMPLE_DOCUMENTS,
    SCORE_RANGE,
    CreditoNaMedidaSimulator,
    format_document,
    normalize_document,
)
from odoo.addons.l10n_br_credit_bureau.tests.common import (
    CreditBureauCommon,
    LoopbackRequestsMixin,
    capture_logs,
)
from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError

SHORT_TIMEOUT = 0.5  # what the addon waits in the fault tests
SIM_PAUSE = 1.5  # how long the simulator stalls in its timeout modes
PROVIDER = "credito_na_medida"


@tagged("post_install", "-at_install")
class TestCreditoNaMedida(CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = CreditoNaMedidaSimulator(timeout_seconds=SIM_PAUSE, activation_delay=None)
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.cnm = cls.env["credit.bureau.integration"].create(
            {
                "name": "Crédito na Medida Filial",
                "provider": PROVIDER,
                "company_id": cls.branch.id,
                "environment": "homologacao",
                "api_base_url": cls.sim.url,
                "cnm_client_id": DEFAULT_CLIENT_ID,
                "cnm_client_secret": DEFAULT_CLIENT_SECRET,
            }
        )
        cls.cnm.action_sync_products()
        cls.cnm._cnm_forget_token()

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.cnm._cnm_forget_token()
        self.addCleanup(self.cnm._cnm_forget_token)
        self.today = datetime.date.today()

    # ------------------------------------------------------------------ helpers
    @contextmanager
    def _short_timeout(self):
        with patch.object(const, "REQUEST_TIMEOUT", SHORT_TIMEOUT):
            yield

    def _capture_logs(self):
        return capture_logs("odoo.addons.l10n_br_credit_bureau", "odoo.addons.credito_na_medida")

    def _paths(self, method=None):
        return [
            (r["method"], r["path"], r["status"])
            for r in self.sim.requests
            if method is None or r["method"] == method
        ]

    def _debt(self, address=None, **changes):
        debt = {
            "document": "39053344705",
            "kind": "cpf",
            "name": "Fulano de Tal",
            "birth_date": datetime.date(1980, 5, 17),
            "address": {
                "zip": "01310-100",
                "street": "Avenida Paulista",
                "number": "1000",
                "complement": "Sala 12",
                "district": "Bela Vista",
                "city": "São Paulo",
                "state": "SP",
            },
            "phone": "11999998888",
            "email": "fulano@example.com",
            "amount": 150.0,
            "due_date": self.today - datetime.timedelta(days=30),
            "contract": "CT-2025-0001",
            "our_number": "NF-123",
            "restriction_code": "TI",
            "send_sms": False,
            "responsible_cpf": False,
            "idempotency_key": "inv-1",
            "co_obligor": None,
        }
        debt["address"].update(address or {})
        debt.update(changes)
        return debt

    def _consult_cnm(self, document, product="CNM-CONSULTA-SCORE"):
        product = self.cnm.product_ids.filtered(lambda p: p.code == product)
        return self._consult(document, integration_id=self.cnm.id, product_id=product.id)

    # ------------------------------------------------------------------ set-up
    def test_provider_registered_with_its_features(self):
        self.assertRecordValues(
            self.cnm,
            [
                {
                    "supports_consultation": True,
                    "supports_negativation": True,
                    "supports_balance": False,
                    "supports_status_list": False,
                    "report_format": "pdf",
                    # Production is charged; Homologation is the simulator, free.
                    "costs_money_always": False,
                    "is_paid_environment": False,
                }
            ],
        )
        self.assertEqual(self.cnm._provider_label(), "Crédito na Medida")
        fields_ = self.cnm._fields
        for name in ("cnm_client_id", "cnm_client_secret"):
            self.assertEqual(fields_[name].groups, "base.group_system")
            self.assertFalse(fields_[name].copy)
            self.assertEqual(fields_[name].required_if_provider, PROVIDER)
        # The wizard says it is free in Homologation, charged in Production.
        wizard = self.env["credit.bureau.consult.wizard"].new(
            {"document": "390.533.447-05", "integration_id": self.cnm.id}
        )
        self.assertFalse(wizard.is_paid_environment)
        self.assertEqual(wizard.cost_notice_level, "info")
        production = self.cnm.copy({"name": "Produção", "environment": "producao"})
        self.assertTrue(production.is_paid_environment)

    def test_form_shows_credentials_and_the_warning(self):
        arch = self.env["credit.bureau.integration"].get_view(view_type="form")["arch"]
        self.assertIn('name="cnm_client_secret"', arch)
        self.assertIn('password="True"', arch)
        self.assertIn("no homologation environment", arch)
        # Users without the settings right do not even get the credential fields.
        arch = (
            self.env["credit.bureau.integration"]
            .with_user(self.admin_user)
            .get_view(view_type="form")["arch"]
        )
        self.assertNotIn("cnm_client_secret", arch)

    def test_credentials_required(self):
        with self.assertRaises(ValidationError) as caught:
            self.env["credit.bureau.integration"].create(
                {"name": "Sem segredo", "provider": PROVIDER, "cnm_client_id": "x"}
            )
        self.assertIn("Client Secret", caught.exception.args[0])
        # copy=False: a copy starts archived and needs its own credentials to be activated
        archived = self.cnm.copy({"name": "Cópia arquivada"})
        self.assertFalse(archived.active)
        with self.assertRaises(ValidationError):
            archived.active = True
        integration = self.cnm.copy(
            {
                "name": "Cópia",
                "cnm_client_id": "outro",
                "cnm_client_secret": "outro-segredo",
                "active": True,
            }
        )
        self.assertEqual(integration.sudo().cnm_client_id, "outro")
        with self.assertRaises(ValidationError):
            self.cnm.cnm_client_secret = False

    def test_homologation_is_the_simulator_never_production(self):
        integration = self.cnm.copy(
            {"name": "Sem URL", "api_base_url": False, "cnm_client_id": "a", "active": False}
        )
        self.assertEqual(
            integration._cnm_url(const.PATH_PRODUCTS), const.SIMULATOR_URL + "/v1/produtos"
        )
        integration.environment = "producao"
        self.assertEqual(
            integration._cnm_url(const.PATH_NEGATIVATION, "a/b"),
            const.BASE_URL + "/v1/negativacoes/a%2Fb",
        )

    def test_demo_values(self):
        Integration = self.env["credit.bureau.integration"]
        values = Integration._bureau_demo_values(PROVIDER)
        self.assertEqual(values["api_base_url"], "http://127.0.0.1:8093")
        self.assertEqual(values["environment"], "homologacao")
        self.assertEqual(
            (values["cnm_client_id"], values["cnm_client_secret"]),
            (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
        )
        self.assertIsNone(Integration._bureau_demo_values("dummy"))
        demo = Integration.create(dict(values, company_id=self.other_company.id))
        self.assertFalse(demo.is_paid_environment)  # the simulator: free

    def test_uninstall_hook_archives_the_integrations(self):
        uninstall_hook(self.env)
        integration = self.cnm.with_context(active_test=False)
        self.assertRecordValues(integration, [{"active": False, "provider": "none"}])
        self.assertEqual(self.integration.provider, "dummy")  # others untouched

    # ------------------------------------------------------------------ OAuth2 token
    def test_token_cached_across_calls(self):
        self.cnm.action_test_connection()
        self.assertEqual(self.cnm.connection_state, "ok", self.cnm.connection_message)
        self.assertIn("5", self.cnm.connection_message)
        self.cnm.action_sync_products()
        self._consult_cnm("390.533.447-05")
        self.cnm._bureau_fetch_status([])
        self.cnm._bureau_include(self._debt())
        self.assertEqual(self.sim.token_requests, 1)
        self.assertEqual(self.sim.tokens_issued, 1)
        token_call = self.sim.requests[0]
        self.assertEqual((token_call["method"], token_call["path"]), ("POST", "/oauth/token"))
        self.assertEqual(token_call["form"], {"grant_type": "client_credentials"})
        self.assertEqual(token_call["headers"]["Authorization"], "Basic ***")
        for call in self.sim.requests[1:]:
            self.assertEqual(call["headers"]["Authorization"], "Bearer ***")
            self.assertLess(call["status"], 300, call)

    def test_token_renewed_before_it_expires(self):
        self.sim.token_ttl = 1  # expires_in 1: kept 0.9 s
        self.cnm._cnm_fetch_products()
        self.assertEqual(self.sim.token_requests, 1)
        self.cnm._cnm_fetch_products()
        self.assertEqual(self.sim.token_requests, 1)
        time.sleep(1.0)
        self.cnm._cnm_fetch_products()
        self.assertEqual(self.sim.token_requests, 2)
        self.assertNotIn(401, [status for _m, _p, status in self._paths()])

    def test_token_refreshed_once_on_401(self):
        self.cnm._cnm_fetch_products()
        first = self.cnm._cnm_cached_token()
        self.sim.misbehave("expire_token", "/v1/consultas")
        result = self.cnm._bureau_consult("39053344705", "CNM-CONSULTA-PF")
        self.assertTrue(result["report_pdf"])
        self.assertEqual(self.sim.token_requests, 2)
        self.assertNotEqual(self.cnm._cnm_cached_token(), first)
        self.assertEqual(
            self._paths(),
            [
                ("POST", "/oauth/token", 200),
                ("GET", "/v1/produtos", 200),
                ("POST", "/v1/consultas", 401),
                ("POST", "/oauth/token", 200),
                ("POST", "/v1/consultas", 200),
            ],
        )

    def test_token_refused_again_is_not_looped(self):
        self.sim.misbehave("expire_token", times=None)
        with self.assertRaises(CreditBureauError) as caught:
            self.cnm.with_context(lang="pt_BR")._cnm_fetch_products()
        self.assertEqual(self.sim.token_requests, 2)
        self.assertEqual(
            [status for method, path, status in self._paths() if path == "/v1/produtos"],
            [401, 401],
        )
        self.assertIn("token expirado", caught.exception.args[0])
        self.assertIn("credenciais", caught.exception.args[0])
        self.assertEqual(caught.exception.code, "token_expirado")

    def test_wrong_credentials(self):
        self.cnm.sudo().cnm_client_secret = "segredo-errado"
        action = self.cnm.with_context(lang="pt_BR").action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(self.cnm.connection_state, "failed")
        message = self.cnm.connection_message
        self.assertIn("Crédito na Medida recusou o Client ID e o Client Secret", message)
        self.assertIn(self.cnm.name, message)
        self.assertNotIn("segredo-errado", message)
        self.assertEqual(self._paths(), [("POST", "/oauth/token", 401)])
        # Changing the secret forgets the token made with the old one.
        self.cnm.sudo().cnm_client_secret = DEFAULT_CLIENT_SECRET
        self.cnm.action_test_connection()
        self.assertEqual(self.cnm.connection_state, "ok")
        token = self.cnm._cnm_cached_token()
        self.assertTrue(token)
        self.cnm.sudo().cnm_client_secret = "outro"
        self.assertIsNone(self.cnm._cnm_cached_token())

    # ------------------------------------------------------------------ catalog
    def test_catalog_sync(self):
        self.cnm.product_ids.unlink()
        self.cnm.code_ids.unlink()
        self.cnm.default_product_id = False
        self.cnm.action_sync_products()
        products = {p.code: (p.kind, p.price) for p in self.cnm.product_ids}
        self.assertEqual(
            products,
            {
                "CNM-CONSULTA-PF": ("consulta", 3.9),
                "CNM-CONSULTA-PJ": ("consulta", 5.9),
                "CNM-CONSULTA-SCORE": ("consulta", 9.9),
                "CNM-NEGATIVACAO": ("inclusao", 6.5),
                "CNM-BAIXA": ("baixa", 0.0),
            },
        )
        self.assertEqual(self.cnm.default_product_id.kind, "consulta")
        self.assertEqual(
            sorted(self.cnm.restriction_code_ids.mapped("code")),
            ["CD", "DP", "NF", "OO", "TI", "TP"],
        )
        self.assertEqual(
            sorted(self.cnm.removal_code_ids.mapped("code")),
            ["01", "02", "03", "04", "17", "19", "20", "40", "44", "45"],
        )
        self.assertEqual(
            self._paths(), [("POST", "/oauth/token", 200), ("GET", "/v1/produtos", 200)]
        )

    # ------------------------------------------------------------------ consultation
    def test_consultation_pdf_stored_and_printed(self):
        consultation = self._consult_cnm("390.533.447-05")
        self.assertEqual(consultation.state, "done", consultation.error_message)
        answer = self.sim.consultas[-1]
        self.assertEqual(
            self.sim.requests[-1]["json"],
            {"produto": "CNM-CONSULTA-SCORE", "documento": "39053344705"},
        )
        self.assertRecordValues(
            consultation,
            [
                {
                    "integration_id": self.cnm.id,
                    "user_id": self.consult_user.id,
                    "product_code": "CNM-CONSULTA-SCORE",
                    "cost": 0.0,  # Homologation: the simulator, free
                    "protocol": answer["id"],
                    "consulted_name": answer["nome"],
                    "score": answer["score"],
                    "has_score": True,
                    "report_format": "pdf",
                    "financial_count": len(answer["pendencias"]),
                    "total_count": len(answer["pendencias"]),
                }
            ],
        )
        attachment = consultation.report_attachment_id
        self.assertEqual(attachment.mimetype, "application/pdf")
        pdf = attachment.raw
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        self.assertIn(answer["id"], text)  # the vendor's own report, not ours
        self.assertIn(format_document("39053344705"), text)
        # "Print report" prints our report (the distributor's PDF following it); the
        # distributor's PDF alone has its own button.
        action = consultation.with_user(self.consult_user).action_print_report()
        self.assertEqual(action["type"], "ir.actions.report")
        action = consultation.with_user(self.consult_user).action_download_provider_report()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["url"], f"/web/content/{attachment.id}?download=true")

    def test_consultation_normalised_per_profile(self):
        kinds = {
            "nada_consta": None,
            "pendencias_financeiras": "financial",
            "protestos": "protest",
            "cheques": "check",
        }
        for profile, kind in kinds.items():
            document = normalize_document(EXAMPLE_DOCUMENTS[profile][0])
            with self.subTest(profile=profile):
                result = self.cnm._bureau_consult(document, "CNM-CONSULTA-PF")
                answer = self.sim.consultas[-1]
                low, high = SCORE_RANGE[profile]
                self.assertTrue(low <= result["score"] <= high)
                self.assertEqual(result["name"], answer["nome"])
                self.assertEqual(result["protocol"], answer["id"])
                self.assertTrue(result["report_pdf"].startswith(b"%PDF"))
                self.assertIsNone(result["report_html"])
                self.assertEqual(len(result["lines"]), len(answer["pendencias"]))
                for line, item in zip(result["lines"], answer["pendencias"], strict=True):
                    self.assertEqual(line["kind"], kind)
                    self.assertIsInstance(line["date"], datetime.date)
                    self.assertEqual(line["date"].isoformat(), item["data"])
                    self.assertEqual(line["amount"], item["valor"])
                    self.assertEqual(line["creditor"], item["credor"])
                    self.assertTrue(line["description"])
                # Numbers only: the words of the result are the core's, and the
                # distributor gives no probability of default (not a 0).
                self.assertIsNone(result["message"])
                self.assertIsNone(result["default_probability"])
                if kind:
                    self.assertTrue(answer["pendencias"])
                else:
                    self.assertFalse(result["lines"])
        # Through the wizard: the core's counters follow the lines.
        consultation = self._consult_cnm(EXAMPLE_DOCUMENTS["protestos"][0])
        self.assertEqual(consultation.protest_count, len(self.sim.consultas[-1]["pendencias"]))
        self.assertEqual(consultation.financial_count, 0)
        self.assertEqual(set(consultation.line_ids.mapped("kind")), {"protest"})
        consultation = self._consult_cnm(EXAMPLE_DOCUMENTS["nada_consta"][0])
        self.assertEqual((consultation.total_count, consultation.state), (0, "done"))

    def test_consultation_fault_modes(self):
        cases = [
            ("delay", {"seconds": SIM_PAUSE}, "did not answer in time"),
            ("timeout", {}, "did not answer in time"),
            ("http500", {}, "is unavailable (HTTP 500"),
            ("http500", {"body": "<html>Internal Server Error</html>"}, "is unavailable"),
            (
                "error_json",
                {"status": 400, "erro": "conta bloqueada", "codigo": "E42"},
                "refused the request (credit consultation): conta bloqueada",
            ),
            ("error_json", {"status": 503}, "is unavailable (HTTP 503"),
            ("malformed", {}, "sent an unreadable answer"),
            ("malformed", {"body": '{"id": "x", "pdf_base64": "@@@"}'}, "unreadable answer"),
            ("malformed", {"body": '{"id": "x", "pdf_base64": "aGVsbG8="}'}, "unreadable"),
        ]
        for mode, options, expected in cases:
            with self.subTest(mode=mode, options=options), self._short_timeout():
                self.sim.misbehave(mode, "/v1/consultas", **options)
                with self.assertRaises(CreditBureauError) as caught:
                    self.cnm._bureau_consult("39053344705", "CNM-CONSULTA-PF")
                self.assertIn(expected, caught.exception.args[0])
                self.assertEqual(caught.exception.timeout, mode in ("delay", "timeout"))
                # ... and through the core's wizard: a failed consultation with the message
                self.sim.misbehave(mode, "/v1/consultas", **options)
                consultation = self._consult_cnm("390.533.447-05")
                self.assertEqual(consultation.state, "failed")
                self.assertIn(expected, consultation.error_message)
                self.assertFalse(consultation.report_attachment_id)
        self.assertEqual(self.sim.token_requests, 1)
        # in Portuguese
        self.sim.misbehave("error_json", "/v1/consultas", erro="conta bloqueada")
        with self.assertRaises(CreditBureauError) as caught:
            self.cnm.with_context(lang="pt_BR")._bureau_consult("39053344705", "X")
        self.assertEqual(
            caught.exception.args[0],
            "A Crédito na Medida recusou a solicitação (consulta de crédito): conta bloqueada",
        )
        # a short delay is only slow
        self.sim.misbehave("delay", "/v1/consultas", seconds=0.1)
        with self._short_timeout():
            self.assertEqual(self._consult_cnm("390.533.447-05").state, "done")

    def test_consultation_without_product(self):
        with self.assertRaises(CreditBureauError) as caught:
            self.cnm._bureau_consult("39053344705", False)
        self.assertIn("product", caught.exception.args[0])
        self.assertEqual(self.sim.requests, [])

    # ------------------------------------------------------------------ negativation
    def test_include_status_remove_state_walk(self):
        debt = self._debt()
        result = self.cnm._bureau_include(debt)
        self.assertEqual(result["state"], "pending")
        reference = result["reference"]
        sent = self.sim.requests[-1]["json"]
        self.assertEqual(
            sent,
            {
                "documento": "39053344705",
                "nome": "Fulano de Tal",
                "data_nascimento": "1980-05-17",
                "endereco": {
                    "cep": "01310100",
                    "logradouro": "Avenida Paulista",
                    "numero": "1000",
                    "complemento": "Sala 12",
                    "bairro": "Bela Vista",
                    "cidade": "São Paulo",
                    "uf": "SP",
                },
                "valor": 150.0,
                "data_vencimento": debt["due_date"].isoformat(),
                "contrato": "CT-2025-0001",
                "natureza": "TI",
            },
        )
        status = self.cnm._bureau_fetch_status([reference])
        self.assertEqual(status[reference]["state"], "pending")
        self.assertTrue(status[reference]["message"])
        self.sim.activate_all()  # the vendor's daily processing
        status = self.cnm._bureau_fetch_status([reference])
        self.assertEqual(status[reference]["state"], "active")
        removal = self.cnm._bureau_remove(reference, "01", self.today)
        self.assertEqual(removal["state"], "removed")
        self.assertIn("01", removal["message"])
        self.assertEqual(self.sim.requests[-1]["json"], {"motivo": "01"})
        status = self.cnm._bureau_fetch_status([reference])
        self.assertEqual(status[reference]["state"], "removed")
        self.assertEqual(self.sim.negativacao(reference)["motivo_baixa"], "01")
        # A second removal (the answer to the first one lost): "already removed", a removal.
        again = self.cnm.with_context(lang="pt_BR")._bureau_remove(reference, "01", self.today)
        self.assertEqual((again["state"], again["already_removed"]), ("removed", True))
        self.assertIn("já a tinha baixado", again["message"])
        self.assertIn("já baixada", again["message"])
        self.assertEqual(self.sim.requests[-1]["status"], 409)
        # a removal code record works as well as its code
        second = self.cnm._bureau_include(self._debt(contract="CT-2"))["reference"]
        code = self.cnm.removal_code_ids.filtered(lambda c: c.code == "19")
        self.assertEqual(self.cnm._bureau_remove(second, code, self.today)["state"], "removed")

    def test_include_rejected_in_processing_and_unknown_reference(self):
        document = normalize_document(EXAMPLE_DOCUMENTS["erro"][0])
        reference = self.cnm._bureau_include(self._debt(document=document))["reference"]
        self.sim.activate_all()
        unknown = "00000000-0000-0000-0000-000000000000"
        status = self.cnm._bureau_fetch_status([reference, unknown])
        self.assertEqual(status[reference]["state"], "error")
        self.assertIn("documento", status[reference]["message"])
        self.assertEqual(status[unknown]["state"], "error")
        with self.assertRaises(CreditBureauError) as caught:
            self.cnm._bureau_remove(reference, "01", self.today)
        self.assertIn("não pode ser baixada", caught.exception.args[0])
        self.assertEqual(caught.exception.code, "situacao_invalida")

    def test_include_without_birth_date_and_vendor_validation(self):
        self.cnm._bureau_include(self._debt(birth_date=False))
        self.assertNotIn("data_nascimento", self.sim.requests[-1]["json"])
        # what only the vendor checks comes back as its message
        old = self.today - relativedelta(years=6)
        with self.assertRaises(CreditBureauError) as caught:
            self.cnm.with_context(lang="pt_BR")._bureau_include(
                self._debt(contract="CT-OLD", due_date=old)
            )
        self.assertIn("mais de 5 anos", caught.exception.args[0])
        self.assertEqual(caught.exception.code, "vencimento_prescrito")

    def test_under_18_refused_before_any_request(self):
        minor = self.today - relativedelta(years=18) + datetime.timedelta(days=1)
        with self.assertRaises(CreditBureauError) as caught:
            self.cnm.with_context(lang="pt_BR")._bureau_include(self._debt(birth_date=minor))
        message = caught.exception.args[0]
        self.assertIn("menor de 18 anos", message)
        self.assertIn("Nada foi enviado", message)
        self.assertFalse(caught.exception.retryable)
        self.assertEqual(self.sim.requests, [])  # not even a token
        # eighteen today: accepted
        adult = self.today - relativedelta(years=18)
        self.assertEqual(self.cnm._bureau_include(self._debt(birth_date=adult))["state"], "pending")

    def test_field_limits(self):
        # The core fits the debt to the limits of const.FIELD_LIMITS before sending (see
        # tests/test_field_limits.py for the whole flow), at the last whole word.
        cnm = self.cnm.with_context(lang="pt_BR")
        debt = self._debt(
            name="Maria " + "Souza " * 20,
            address={"street": "Rua " + "Longa " * 10, "city": "Cidade de Nome Muito Comprido"},
        )
        shortened = cnm._bureau_limit_notes(cnm._bureau_apply_limits(debt)[1])
        self.assertTrue(any("cidade" in note for note in shortened), shortened)
        cnm._bureau_include(cnm._bureau_fit_debt(debt))
        sent = self.sim.requests[-1]["json"]
        self.assertLessEqual(len(sent["nome"]), 70)
        self.assertTrue(sent["nome"].startswith("Maria Souza Souza"))
        self.assertLessEqual(len(sent["endereco"]["logradouro"]), 45)
        self.assertEqual(sent["endereco"]["cidade"], "Cidade de Nome Muito")
        refused = [
            ({"zip": "0131010"}, "8 dígitos"),
            ({"zip": ""}, "incompleto (CEP)"),
            ({"street": " ", "number": ""}, "incompleto (logradouro, número)"),
            ({"state": "XX"}, "UF"),
        ]
        self.sim.reset()
        for address, expected in refused:
            with self.subTest(address=address):
                with self.assertRaises(CreditBureauError) as caught:
                    self.cnm.with_context(lang="pt_BR")._bureau_include(self._debt(address=address))
                self.assertIn(expected, caught.exception.args[0])
        with self.assertRaisesRegex(UserError, "61"):
            self.cnm._bureau_fit_debt(self._debt(contract="C" * 61, our_number=False))
        with self.assertRaises(CreditBureauError):
            self.cnm._bureau_include(self._debt(restriction_code=False))
        self.assertEqual(self.sim.requests, [])

    def test_duplicate_409(self):
        first = self.cnm._bureau_include(self._debt())["reference"]
        with self.assertRaises(CreditBureauError) as caught:
            self.cnm.with_context(lang="pt_BR")._bureau_include(self._debt())
        error = caught.exception
        self.assertEqual(error.code, "negativacao_duplicada")
        self.assertEqual(error.reference, first)
        self.assertIn(first, error.args[0])
        self.assertIn("já tem uma negativação", error.args[0])
        self.assertFalse(error.retryable)
        found = self.cnm._bureau_find_inclusion(self._debt())
        self.assertEqual(found["reference"], first)
        self.assertEqual(len(self.sim.negativacoes), 1)

    def test_timeout_after_commit_then_find_inclusion(self):
        debt = self._debt(contract="CT-TIMEOUT")
        self.sim.misbehave("timeout_after_commit", "/v1/negativacoes", method="POST")
        with self._short_timeout(), self.assertRaises(CreditBureauError) as caught:
            self.cnm._bureau_include(debt)
        self.assertTrue(caught.exception.timeout)
        (stored,) = self.sim.negativacoes  # the vendor recorded it all the same
        found = self.cnm._bureau_find_inclusion(debt)
        self.assertEqual(found["reference"], stored["id"])
        self.assertEqual(found["state"], "pending")
        self.assertTrue(found["message"])
        self.assertEqual(len(self._paths("POST")) - self.sim.token_requests, 1)  # not re-sent
        lookup = self.sim.requests[-1]
        self.assertEqual((lookup["method"], lookup["path"]), ("GET", "/v1/negativacoes"))
        # A timeout before processing: nothing held, the caller may send it.
        other = self._debt(contract="CT-LOST")
        self.sim.misbehave("timeout", "/v1/negativacoes", method="POST")
        with self._short_timeout(), self.assertRaises(CreditBureauError) as caught:
            self.cnm._bureau_include(other)
        self.assertTrue(caught.exception.timeout)
        self.assertIsNone(self.cnm._bureau_find_inclusion(other))
        # A removed one is history, not what was just sent.
        self.cnm._bureau_remove(stored["id"], "01", self.today)
        self.assertIsNone(self.cnm._bureau_find_inclusion(debt))

    def test_negativation_fault_modes(self):
        reference = self.cnm._bureau_include(self._debt())["reference"]
        cases = [
            ("GET", "http500", {}, False),
            ("GET", "malformed", {}, False),
            ("GET", "timeout", {}, True),
            ("POST", "error_json", {"status": 400, "erro": "motivo recusado"}, False),
        ]
        for method, mode, options, timeout in cases:
            with self.subTest(mode=mode), self._short_timeout():
                self.sim.misbehave(mode, "/v1/negativacoes/", method=method, **options)
                with self.assertRaises(CreditBureauError) as caught:
                    if method == "GET":
                        self.cnm._bureau_fetch_status([reference])
                    else:
                        self.cnm._bureau_remove(reference, "01", self.today)
                self.assertEqual(caught.exception.timeout, timeout)
                self.assertTrue(caught.exception.args[0])
        # A failure in the middle of a status round: what was read is kept, the round stops.
        second = self.cnm._bureau_include(self._debt(contract="CT-2"))["reference"]
        third = self.cnm._bureau_include(self._debt(contract="CT-3"))["reference"]
        self.sim.misbehave("http500", f"/v1/negativacoes/{second}", method="GET")
        statuses = self.cnm._bureau_fetch_status([reference, second, third])
        self.assertEqual(list(statuses), [reference])
        self.assertEqual(statuses[reference]["state"], "pending")
        self.assertNotIn(third, [path.rsplit("/", 1)[-1] for _m, path, _s in self._paths("GET")])

    # ------------------------------------------------------------------ secrets
    def test_secrets_absent_from_logs_and_chatter(self):
        tokens = set()
        with self._capture_logs() as capture:
            self.cnm.action_test_connection()
            tokens.add(self.cnm._cnm_cached_token())
            self.sim.misbehave("expire_token", "/v1/produtos")
            self.cnm.action_sync_products()
            tokens.add(self.cnm._cnm_cached_token())
            consultation = self._consult_cnm("390.533.447-05")
            self.cnm._bureau_include(self._debt())
            self.sim.misbehave("error_json", erro=f"segredo {DEFAULT_CLIENT_SECRET} vazado")
            failed = self._consult_cnm("100.000.008-76")
            self.cnm.sudo().cnm_client_secret = "segredo-errado-123"
            self.cnm.action_test_connection()
        self.assertEqual(len(tokens), 2)
        self.assertEqual(consultation.state, "done")
        self.assertEqual(failed.state, "failed")
        output = capture.text
        self.assertIn("answered HTTP 200", output)  # the capture works
        self.assertIn("/oauth/token", output)
        self.assertIn("renewing it once", output)
        messages = self.env["mail.message"].search(
            [
                "|",
                "&",
                ("model", "=", "credit.bureau.integration"),
                ("res_id", "=", self.cnm.id),
                "&",
                ("model", "=", "credit.bureau.consultation"),
                ("res_id", "in", (consultation | failed).ids),
            ]
        )
        self.assertTrue(messages)
        chatter = "\n".join(str(m.body) for m in messages)
        stored = "\n".join([failed.error_message, self.cnm.connection_message or ""])
        for secret in [DEFAULT_CLIENT_SECRET, "segredo-errado-123", *tokens]:
            self.assertNotIn(secret, output)
            self.assertNotIn(secret, chatter)
            self.assertNotIn(secret, stored)
        self.assertNotIn(consultation.report_attachment_id.datas.decode()[:200], output)


@tagged("post_install", "-at_install")
class TestCreditoNaMedidaPrint(LoopbackRequestsMixin, HttpCase):
    """ "Print report" prints ours followed by the distributor's PDF; "Provider's PDF"
    downloads, over HTTP, the very PDF the distributor sent."""

    def test_print_downloads_the_distributors_pdf(self):
        sim = CreditoNaMedidaSimulator().start()
        self.addCleanup(sim.stop)
        integration = self.env["credit.bureau.integration"].create(
            {
                "name": "Crédito na Medida",
                "provider": PROVIDER,
                "api_base_url": sim.url,
                "cnm_client_id": DEFAULT_CLIENT_ID,
                "cnm_client_secret": DEFAULT_CLIENT_SECRET,
            }
        )
        self.addCleanup(integration._cnm_forget_token)
        integration.action_sync_products()
        wizard = self.env["credit.bureau.consult.wizard"].create(
            {"document": "390.533.447-05", "integration_id": integration.id}
        )
        consultation = self.env["credit.bureau.consultation"].browse(
            wizard.action_consult()["res_id"]
        )
        self.assertEqual(consultation.state, "done", consultation.error_message)
        # Our report, then the distributor's pages, in one PDF.
        printed, _kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("l10n_br_credit_bureau.report_consultation", consultation.ids)
        )
        pages = PdfReader(io.BytesIO(printed)).pages
        self.assertIn(consultation.name, pages[0].extract_text())
        self.assertIn(consultation.protocol, pages[-1].extract_text())
        action = consultation.action_download_provider_report()
        self.authenticate("admin", "admin")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.assertEqual(response.content, consultation.report_attachment_id.raw)
        text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        self.assertIn(consultation.protocol, text)
