"""The Crédito na Medida simulator, exercised over real sockets on loopback."""

import base64
import datetime
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit

import requests
from PyPDF2 import PdfReader

from odoo.tests import BaseCase, common, tagged

from odoo.addons.credito_na_medida.simulator import app as simulator_app
from odoo.addons.credito_na_medida.simulator.app import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    EXAMPLE_DOCUMENTS,
    SCORE_RANGE,
    CreditoNaMedidaSimulator,
    format_document,
    is_valid_document,
    normalize_document,
    profile_for_document,
)

CLIENT_TIMEOUT = 0.4  # what a client waits in the fault tests
PAST_TIMEOUT = 1.2  # how long the simulator stalls in the timeout modes
TIMEOUT = 10  # every other request


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestCreditoNaMedidaSimulator(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = CreditoNaMedidaSimulator(timeout_seconds=PAST_TIMEOUT).start()
        cls.addClassCleanup(cls.sim.stop)

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # Odoo raises every timeout under 10 s to 10 s during tests; the fault tests need
        # short ones. Still loopback only: anything else goes to Odoo's blocking handler.
        if urlsplit(r.url).hostname in ("127.0.0.1", "localhost"):
            return common._super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.today = datetime.date.today()

    # ------------------------------------------------------------------ helpers

    def _url(self, path):
        return self.sim.url + path

    def _token_response(self, client_id=DEFAULT_CLIENT_ID, secret=DEFAULT_CLIENT_SECRET, **kw):
        data = kw.pop("data", {"grant_type": "client_credentials"})
        return requests.post(
            self._url("/oauth/token"),
            data=data,
            auth=(client_id, secret) if client_id is not None else None,
            timeout=TIMEOUT,
            **kw,
        )

    def _token(self):
        response = self._token_response()
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["access_token"]

    def _call(self, method, path, token=None, payload=None, timeout=TIMEOUT, auth=True):
        headers = {}
        if auth:
            headers["Authorization"] = f"Bearer {token or self._token()}"
        return requests.request(
            method, self._url(path), json=payload, headers=headers, timeout=timeout
        )

    def _debtor(self, **changes):
        payload = {
            "documento": "390.533.447-05",
            "nome": "FULANO DE TAL",
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
            "data_vencimento": (self.today - datetime.timedelta(days=30)).isoformat(),
            "contrato": f"CT-{uuid.uuid4().hex[:8]}",
            "natureza": "TI",
        }
        for key, value in changes.items():
            if key.startswith("endereco."):
                payload["endereco"][key.split(".", 1)[1]] = value
            elif value is None:
                payload.pop(key, None)
            else:
                payload[key] = value
        return payload

    def _negativar(self, token, **changes):
        return self._call("POST", "/v1/negativacoes", token, self._debtor(**changes))

    def _assert_error(self, response, status, codigo):
        self.assertEqual(response.status_code, status, response.text)
        body = response.json()
        self.assertEqual(body["codigo"], codigo, body)
        self.assertTrue(body["erro"], body)
        return body

    # ------------------------------------------------------------------ token

    def test_token_issue(self):
        response = self._token_response()
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 3600)
        self.assertGreater(len(body["access_token"]), 20)
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertEqual(self.sim.token_requests, 1)
        ok = self._call("GET", "/v1/produtos", body["access_token"])
        self.assertEqual(ok.status_code, 200)
        self.assertEqual(self.sim.token_requests, 1)

    def test_token_wrong_credentials(self):
        self._assert_error(self._token_response(secret="errado"), 401, "credenciais_invalidas")
        self._assert_error(self._token_response(client_id="outro"), 401, "credenciais_invalidas")
        self._assert_error(self._token_response(client_id=None), 401, "credenciais_invalidas")
        self._assert_error(
            self._token_response(data={"grant_type": "password"}), 400, "grant_type_invalido"
        )
        self.assertEqual(self.sim.token_requests, 4)
        self.assertEqual(self.sim.tokens_issued, 0)

    def test_token_expiry(self):
        self.sim.token_ttl = 0.8
        response = self._token_response()
        self.assertEqual(response.json()["expires_in"], 1)
        token = response.json()["access_token"]
        self.assertEqual(self._call("GET", "/v1/produtos", token).status_code, 200)
        time.sleep(0.85)
        body = self._assert_error(self._call("GET", "/v1/produtos", token), 401, "token_expirado")
        self.assertEqual(body["erro"], "token expirado")
        self.assertEqual(self._call("GET", "/v1/produtos").status_code, 200)  # a new token
        # expire_tokens() forces the expiry of every token at once
        token = self._token()
        self.sim.expire_tokens()
        self._assert_error(self._call("GET", "/v1/produtos", token), 401, "token_invalido")

    def test_v1_needs_a_bearer_token(self):
        calls = [
            ("GET", "/v1/produtos", None),
            ("POST", "/v1/consultas", {"produto": "CNM-CONSULTA-PF", "documento": "x"}),
            ("POST", "/v1/negativacoes", self._debtor()),
            ("GET", f"/v1/negativacoes/{uuid.uuid4()}", None),
            ("POST", f"/v1/negativacoes/{uuid.uuid4()}/baixa", {"motivo": "01"}),
        ]
        for method, path, payload in calls:
            with self.subTest(path=path):
                response = self._call(method, path, payload=payload, auth=False)
                body = self._assert_error(response, 401, "token_ausente")
                self.assertEqual(body["erro"], "token expirado")
                self.assertIn("Bearer", response.headers["WWW-Authenticate"])
                response = self._call(method, path, token="inventado", payload=payload)
                self._assert_error(response, 401, "token_invalido")
        response = requests.get(
            self._url("/v1/produtos"),
            auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
            timeout=TIMEOUT,
        )
        self._assert_error(response, 401, "token_ausente")
        self.assertEqual(self.sim.negativacoes, [])

    # ------------------------------------------------------------------ products

    def test_products(self):
        response = self._call("GET", "/v1/produtos")
        self.assertEqual(response.status_code, 200)
        products = response.json()
        self.assertTrue(products)
        for product in products:
            self.assertEqual(set(product), {"codigo", "nome", "tipo", "preco"})
            self.assertIsInstance(product["preco"], int | float)
        self.assertEqual({p["tipo"] for p in products}, {"consulta", "inclusao", "baixa"})

    # ------------------------------------------------------------------ consultations

    def test_example_documents(self):
        for outcome, documents in EXAMPLE_DOCUMENTS.items():
            for document in documents:
                with self.subTest(document=document):
                    self.assertTrue(is_valid_document(document))
                    if outcome == "erro":
                        self.assertTrue(simulator_app.is_error_document(document))
                    else:
                        self.assertEqual(profile_for_document(document), outcome)
                        self.assertFalse(simulator_app.is_error_document(document))

    def test_consultation_profiles(self):
        token = self._token()
        expected_tipo = {
            "nada_consta": set(),
            "pendencias_financeiras": {"pendencia_financeira"},
            "protestos": {"protesto"},
            "cheques": {"cheque_sem_fundo"},
        }
        for profile, documents in EXAMPLE_DOCUMENTS.items():
            if profile == "erro":
                continue
            for document in documents:
                with self.subTest(document=document):
                    payload = {"produto": "CNM-CONSULTA-SCORE", "documento": document}
                    response = self._call("POST", "/v1/consultas", token, payload)
                    self.assertEqual(response.status_code, 200, response.text)
                    body = response.json()
                    self.assertTrue(body["id"])
                    self.assertEqual(body["documento"], normalize_document(document))
                    self.assertTrue(body["nome"])
                    low, high = SCORE_RANGE[profile]
                    self.assertTrue(low <= body["score"] <= high, body["score"])
                    tipos = {p["tipo"] for p in body["pendencias"]}
                    self.assertEqual(tipos, expected_tipo[profile])
                    for item in body["pendencias"]:
                        self.assertEqual(set(item), {"tipo", "valor", "data", "credor"})
                        self.assertGreater(item["valor"], 0)
                        data = datetime.date.fromisoformat(item["data"])
                        self.assertGreater(data, _years_before(self.today, 5))
                    pdf = base64.b64decode(body["pdf_base64"], validate=True)
                    self.assertTrue(pdf.startswith(b"%PDF"))
                    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
                    self.assertIn(format_document(document), text)
                    self.assertIn(body["nome"], text)
                    self.assertIn(str(body["score"]), text)
                    if body["pendencias"]:
                        self.assertIn(body["pendencias"][0]["credor"], text)
                    else:
                        self.assertIn("Nada consta", text)
                    # deterministic by document
                    again = self._call("POST", "/v1/consultas", token, payload).json()
                    self.assertNotEqual(again["id"], body["id"])
                    for key in ("nome", "score", "pendencias"):
                        self.assertEqual(again[key], body[key])
        self.assertEqual(len(self.sim.consultas), 2 * 12)

    def test_consultation_errors(self):
        token = self._token()
        cases = [
            ({"produto": "CNM-CONSULTA-PF", "documento": "390.533.447-06"}, "documento_invalido"),
            ({"produto": "CNM-CONSULTA-PF", "documento": "111.111.111-11"}, "documento_invalido"),
            ({"produto": "CNM-CONSULTA-PF"}, "campo_obrigatorio"),
            ({"produto": "NAO-EXISTE", "documento": "390.533.447-05"}, "produto_invalido"),
            ({"produto": "CNM-NEGATIVACAO", "documento": "390.533.447-05"}, "produto_invalido"),
            ({"documento": "390.533.447-05"}, "campo_obrigatorio"),
        ]
        for payload, codigo in cases:
            with self.subTest(payload=payload):
                response = self._call("POST", "/v1/consultas", token, payload)
                self._assert_error(response, 422, codigo)
        response = requests.post(
            self._url("/v1/consultas"),
            data="isto não é JSON",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=TIMEOUT,
        )
        self._assert_error(response, 400, "json_invalido")
        self.assertEqual(self.sim.consultas, [])

    # ------------------------------------------------------------------ negativations

    def test_negativation_state_walk_and_baixa(self):
        self.sim.activation_delay = 0.8
        token = self._token()
        response = self._negativar(token)
        self.assertEqual(response.status_code, 201, response.text)
        created = response.json()
        self.assertEqual(created["situacao"], "pendente")
        path = f"/v1/negativacoes/{created['id']}"
        body = self._call("GET", path, token).json()
        self.assertEqual(body["situacao"], "pendente")
        self.assertTrue(body["mensagem"])
        time.sleep(0.85)
        body = self._call("GET", path, token).json()
        self.assertEqual((body["id"], body["situacao"]), (created["id"], "ativa"))
        response = self._call("POST", path + "/baixa", token, {"motivo": "01"})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"id": created["id"], "situacao": "baixada"})
        body = self._call("GET", path, token).json()
        self.assertEqual(body["situacao"], "baixada")
        self.assertEqual(body["motivo_baixa"], "01")
        self.assertIn("01", body["mensagem"])
        # a second baixa (a retry after a timeout) is refused, saying it was removed already
        response = self._call("POST", path + "/baixa", token, {"motivo": "01"})
        self.assertEqual(response.status_code, 409, response.text)
        again = response.json()
        self.assertEqual(
            (again["codigo"], again["id"], again["situacao"]),
            ("negativacao_ja_baixada", created["id"], "baixada"),
        )
        self.assertIn("já baixada", again["erro"])
        self.assertEqual(again["baixada_em"], self.sim.negativacao(created["id"])["atualizada_em"])
        stored = self.sim.negativacao(created["id"])
        self.assertEqual(stored["documento"], "39053344705")
        self.assertEqual(stored["endereco"]["cidade"], "São Paulo")

    def test_negativation_manual_processing_and_baixa_while_pending(self):
        self.sim.activation_delay = None
        token = self._token()
        first = self._negativar(token).json()
        second = self._negativar(token).json()
        time.sleep(0.05)
        path = f"/v1/negativacoes/{first['id']}"
        self.assertEqual(self._call("GET", path, token).json()["situacao"], "pendente")
        response = self._call("POST", f"/v1/negativacoes/{second['id']}/baixa", token, {})
        self._assert_error(response, 422, "motivo_invalido")
        response = self._call(
            "POST", f"/v1/negativacoes/{second['id']}/baixa", token, {"motivo": "03"}
        )
        self.assertEqual(response.json()["situacao"], "baixada")
        self.assertEqual(self.sim.activate_all(), 1)
        self.assertEqual(self._call("GET", path, token).json()["situacao"], "ativa")
        self.assertEqual(self.sim.negativacao(second["id"])["situacao"], "baixada")

    def test_negativation_erro(self):
        token = self._token()
        for document in EXAMPLE_DOCUMENTS["erro"]:
            with self.subTest(document=document):
                created = self._negativar(token, documento=document).json()
                body = self._call("GET", f"/v1/negativacoes/{created['id']}", token).json()
                self.assertEqual(body["situacao"], "erro")
                self.assertIn("documento", body["mensagem"])
                response = self._call(
                    "POST", f"/v1/negativacoes/{created['id']}/baixa", token, {"motivo": "01"}
                )
                self._assert_error(response, 409, "situacao_invalida")
        # the settable set, whatever the formatting
        self.sim.error_documents.add("11144477735")
        created = self._negativar(token, documento="111.444.777-35").json()
        body = self._call("GET", f"/v1/negativacoes/{created['id']}", token).json()
        self.assertEqual(body["situacao"], "erro")
        # a CEP the post office does not know
        created = self._negativar(token, **{"endereco.cep": "99999999"}).json()
        body = self._call("GET", f"/v1/negativacoes/{created['id']}", token).json()
        self.assertEqual(body["situacao"], "erro")
        self.assertIn("CEP", body["mensagem"])
        # once refused, the same debt may be sent again (corrected)
        again = self._negativar(token, contrato=self.sim.negativacao(created["id"])["contrato"])
        self.assertEqual(again.status_code, 201, again.text)
        self.sim.reset()
        self.assertEqual(self.sim.error_documents, set())

    def test_negativation_validation_errors(self):
        token = self._token()
        five_years = _years_before(self.today, 5)
        cases = [
            ("documento", "390.533.447-06", "documento_invalido"),
            ("documento", "11.222.333/0001-82", "documento_invalido"),
            ("documento", "12.ABC.345/01DE-36", "documento_invalido"),
            ("documento", "111.111.111-11", "documento_invalido"),
            ("documento", "00.000.000/0000-00", "documento_invalido"),
            ("documento", "1234567", "documento_invalido"),
            ("documento", "", "campo_obrigatorio"),
            ("nome", "A" * 71, "nome_invalido"),
            ("nome", "   ", "campo_obrigatorio"),
            ("data_nascimento", "17/05/1980", "data_nascimento_invalida"),
            ("data_nascimento", "1980-02-30", "data_nascimento_invalida"),
            ("endereco", "Rua X, 1", "endereco_incompleto"),
            ("endereco.logradouro", "R" * 46, "endereco_invalido"),
            ("endereco.numero", "1" * 46, "endereco_invalido"),
            ("endereco.complemento", "C" * 46, "endereco_invalido"),
            ("endereco.bairro", "B" * 46, "endereco_invalido"),
            ("endereco.bairro", "", "endereco_incompleto"),
            ("endereco.numero", None, "endereco_incompleto"),
            ("endereco.cidade", "C" * 26, "cidade_invalida"),
            ("endereco.uf", "XX", "uf_invalida"),
            ("endereco.cep", "0131010", "cep_invalido"),
            ("endereco.cep", "013101000", "cep_invalido"),
            ("endereco.cep", "01310-100", "cep_invalido"),
            ("endereco.cep", "0131O100", "cep_invalido"),
            ("valor", 0, "valor_invalido"),
            ("valor", -10.5, "valor_invalido"),
            ("valor", "150.00", "valor_invalido"),
            ("valor", None, "valor_invalido"),
            (
                "data_vencimento",
                (five_years - datetime.timedelta(days=1)).isoformat(),
                "vencimento_prescrito",
            ),
            ("data_vencimento", "2025-13-01", "data_vencimento_invalida"),
            ("data_vencimento", "10/01/2025", "data_vencimento_invalida"),
            (
                "data_vencimento",
                (self.today + datetime.timedelta(days=1)).isoformat(),
                "vencimento_futuro",
            ),
            ("contrato", "", "campo_obrigatorio"),
            ("natureza", "TIX", "natureza_invalida"),
            ("natureza", None, "campo_obrigatorio"),
        ]
        for key, value, codigo in cases:
            with self.subTest(field=key, value=value):
                response = self._negativar(token, **{key: value})
                self._assert_error(response, 422, codigo)
        self.assertEqual(self.sim.negativacoes, [])
        # the limits themselves are accepted
        accepted = [
            {"nome": "A" * 70},
            {"endereco.logradouro": "R" * 45, "endereco.bairro": "B" * 45},
            {"endereco.complemento": "", "endereco.cidade": "C" * 25},
            {"data_vencimento": five_years.isoformat()},
            {"data_vencimento": self.today.isoformat(), "valor": 0.01},
            {"documento": "12.abc.345/01de-35"},  # alphanumeric CNPJ, any case
            {"documento": "11222333000181", "data_nascimento": None},
        ]
        for changes in accepted:
            with self.subTest(changes=changes):
                response = self._negativar(token, **changes)
                self.assertEqual(response.status_code, 201, response.text)
        stored = {n["documento"] for n in self.sim.negativacoes}
        self.assertIn("12ABC34501DE35", stored)

    def test_negativation_under_18(self):
        token = self._token()
        eighteen = _years_before(self.today, 18)
        minor = (eighteen + datetime.timedelta(days=1)).isoformat()
        body = self._assert_error(
            self._negativar(token, data_nascimento=minor), 422, "devedor_menor_de_idade"
        )
        self.assertIn("18", body["erro"])
        response = self._negativar(token, data_nascimento=eighteen.isoformat())
        self.assertEqual(response.status_code, 201, response.text)

    def test_negativation_duplicate(self):
        token = self._token()
        first = self._negativar(token, documento="390.533.447-05", contrato="CT-1")
        self.assertEqual(first.status_code, 201)
        duplicate = self._negativar(token, documento="39053344705", contrato="CT-1")
        self.assertEqual(duplicate.status_code, 409, duplicate.text)
        body = duplicate.json()
        self.assertTrue(body["erro"])
        self.assertEqual(body["id"], first.json()["id"])
        other = self._negativar(token, documento="39053344705", contrato="CT-2")
        self.assertEqual(other.status_code, 201)
        self.sim.activate_all()  # still a duplicate once active
        self.assertEqual(self._negativar(token, contrato="CT-1").status_code, 409)
        baixa = f"/v1/negativacoes/{first.json()['id']}/baixa"
        self.assertEqual(self._call("POST", baixa, token, {"motivo": "01"}).status_code, 200)
        self.assertEqual(self._negativar(token, contrato="CT-1").status_code, 201)

    def test_negativation_lookup(self):
        """[assumed] GET /v1/negativacoes?documento=&contrato=: what was recorded."""
        self.sim.activation_delay = None
        token = self._token()
        first = self._negativar(token, contrato="CT-A").json()
        self._call("POST", f"/v1/negativacoes/{first['id']}/baixa", token, {"motivo": "01"})
        second = self._negativar(token, contrato="CT-A").json()
        third = self._negativar(token, contrato="CT-B").json()
        response = self._call("GET", "/v1/negativacoes?documento=390.533.447-05", token)
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual([r["id"] for r in body], [first["id"], second["id"], third["id"]])
        self.assertEqual([r["situacao"] for r in body], ["baixada", "pendente", "pendente"], body)
        path = "/v1/negativacoes?documento=39053344705&contrato=CT-A"
        body = self._call("GET", path, token).json()
        self.assertEqual([r["id"] for r in body], [first["id"], second["id"]])
        self.assertEqual(body[1]["contrato"], "CT-A")
        self.assertEqual(body[1]["documento"], "39053344705")
        path = "/v1/negativacoes?documento=39053344705&contrato=CT-X"
        self.assertEqual(self._call("GET", path, token).json(), [])
        self._assert_error(
            self._call("GET", "/v1/negativacoes?contrato=CT-A", token), 422, "campo_obrigatorio"
        )
        self._assert_error(
            self._call("GET", "/v1/negativacoes?documento=39053344705", auth=False),
            401,
            "token_ausente",
        )
        self.sim.activate_all()
        path = "/v1/negativacoes?documento=39053344705&contrato=CT-B"
        self.assertEqual(self._call("GET", path, token).json()[0]["situacao"], "ativa")

    def test_not_found(self):
        token = self._token()
        unknown = uuid.uuid4()
        response = self._call("GET", f"/v1/negativacoes/{unknown}", token)
        self._assert_error(response, 404, "negativacao_nao_encontrada")
        response = self._call("POST", f"/v1/negativacoes/{unknown}/baixa", token, {"motivo": "01"})
        self._assert_error(response, 404, "negativacao_nao_encontrada")
        self._assert_error(self._call("GET", "/v1/nada", token), 404, "nao_encontrado")
        response = requests.get(self._url("/oauth/token"), timeout=TIMEOUT)
        self._assert_error(response, 405, "metodo_nao_permitido")

    # ------------------------------------------------------------------ log and reset

    def test_request_log_hides_secrets(self):
        token = self._token()
        payload = self._debtor()
        self._call("POST", "/v1/negativacoes", token, payload)
        token_entry, entry = self.sim.requests
        self.assertEqual(token_entry["path"], "/oauth/token")
        self.assertEqual(token_entry["form"], {"grant_type": "client_credentials"})
        self.assertEqual(token_entry["headers"]["Authorization"], "Basic ***")
        self.assertEqual((entry["method"], entry["path"]), ("POST", "/v1/negativacoes"))
        self.assertEqual(entry["headers"]["Authorization"], "Bearer ***")
        self.assertEqual(entry["json"], payload)
        self.assertEqual(entry["status"], 201)
        self.assertIsNone(entry["misbehaviour"])
        log = repr(self.sim.requests)
        self.assertNotIn(token, log)
        self.assertNotIn(DEFAULT_CLIENT_SECRET, log)

    def test_reset(self):
        self.sim.token_ttl = 5
        self.sim.misbehave("http500", times=None)
        self.assertEqual(self._token_response().status_code, 500)
        self.sim.reset()
        token = self._token()
        self._negativar(token)
        self.sim.reset()
        self.assertEqual(
            (self.sim.requests, self.sim.negativacoes, self.sim.token_requests), ([], [], 0)
        )
        self.assertEqual(self.sim.token_ttl, 3600)
        self._assert_error(self._call("GET", "/v1/produtos", token), 401, "token_invalido")

    # ------------------------------------------------------------------ misbehaviour

    def test_misbehave_delay(self):
        token = self._token()
        self.sim.misbehave("delay", "/v1/produtos", seconds=0.3)
        start = time.monotonic()
        response = self._call("GET", "/v1/produtos", token)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.sim.requests[-1]["misbehaviour"], "delay")
        self.assertEqual(self._call("GET", "/v1/produtos", token).status_code, 200)
        self.assertIsNone(self.sim.requests[-1]["misbehaviour"])

    def test_misbehave_timeout(self):
        token = self._token()
        self.sim.misbehave("timeout", "/v1/negativacoes", method="POST")
        with self.assertRaises(requests.exceptions.Timeout):
            self._call("POST", "/v1/negativacoes", token, self._debtor(), CLIENT_TIMEOUT)
        self.assertEqual(self.sim.negativacoes, [])  # nothing was processed
        response = self._negativar(token)
        self.assertEqual(response.status_code, 201)

    def test_misbehave_timeout_after_commit(self):
        token = self._token()
        payload = self._debtor()
        self.sim.misbehave("timeout_after_commit", "/v1/negativacoes")
        with self.assertRaises(requests.exceptions.Timeout):
            self._call("POST", "/v1/negativacoes", token, payload, CLIENT_TIMEOUT)
        (stored,) = self.sim.negativacoes  # recorded all the same
        self.assertEqual(stored["contrato"], payload["contrato"])
        # a blind retry is a duplicate, whose answer names what was recorded
        retry = self._call("POST", "/v1/negativacoes", token, payload)
        self.assertEqual(retry.status_code, 409)
        self.assertEqual(retry.json()["id"], stored["id"])
        body = self._call("GET", f"/v1/negativacoes/{stored['id']}", token).json()
        self.assertIn(body["situacao"], ("pendente", "ativa"))

    def test_misbehave_http500(self):
        token = self._token()
        self.sim.misbehave("http500", "/v1/consultas")
        self.assertEqual(self._call("GET", "/v1/produtos", token).status_code, 200)
        payload = {"produto": "CNM-CONSULTA-PF", "documento": "390.533.447-05"}
        response = self._call("POST", "/v1/consultas", token, payload)
        self._assert_error(response, 500, "erro_interno")
        self.assertEqual(self._call("POST", "/v1/consultas", token, payload).status_code, 200)
        self.sim.misbehave("http500", body="<html><body>Internal Server Error</body></html>")
        response = self._call("GET", "/v1/produtos", token)
        self.assertEqual(response.status_code, 500)
        self.assertIn("text/html", response.headers["Content-Type"])

    def test_misbehave_error_json(self):
        token = self._token()
        self.sim.misbehave(
            "error_json", "/v1/produtos", times=2, status=400, erro="conta bloqueada", codigo="E42"
        )
        for _attempt in range(2):
            response = self._call("GET", "/v1/produtos", token)
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.json(), {"erro": "conta bloqueada", "codigo": "E42"})
        self.assertEqual(self._call("GET", "/v1/produtos", token).status_code, 200)
        self.sim.misbehave("error_json", status=503, codigo="erro_interno")
        response = self._call("GET", "/v1/produtos", token)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["codigo"], "erro_interno")

    def test_misbehave_malformed(self):
        token = self._token()
        self.sim.misbehave("malformed", "/v1/produtos")
        response = self._call("GET", "/v1/produtos", token)
        self.assertEqual(response.status_code, 200)
        with self.assertRaises(ValueError):
            response.json()
        self.sim.misbehave(
            "malformed", body="<html>manutenção</html>", content_type="text/html; charset=utf-8"
        )
        response = self._call("GET", "/v1/produtos", token)
        self.assertEqual((response.status_code, response.text), (200, "<html>manutenção</html>"))

    def test_misbehave_expire_token(self):
        self.sim.misbehave("expire_token")
        token = self._token()  # the token endpoint is not affected
        body = self._assert_error(self._call("GET", "/v1/produtos", token), 401, "token_expirado")
        self.assertEqual(body["erro"], "token expirado")
        # the token is really gone: only a client that refreshes succeeds
        self._assert_error(self._call("GET", "/v1/produtos", token), 401, "token_invalido")
        self.assertEqual(self._call("GET", "/v1/produtos", self._token()).status_code, 200)

    def test_misbehave_selection(self):
        token = self._token()
        self.sim.misbehave("http500", "/v1/negativacoes", method="GET", times=None)
        created = self._negativar(token)
        self.assertEqual(created.status_code, 201)
        path = f"/v1/negativacoes/{created.json()['id']}"
        for _attempt in range(3):
            self.assertEqual(self._call("GET", path, token).status_code, 500)
        self.sim.clear_misbehaviours()
        self.assertEqual(self._call("GET", path, token).status_code, 200)
        with self.assertRaises(ValueError):
            self.sim.misbehave("explode")

    def test_stop_interrupts_timeout(self):
        sim = CreditoNaMedidaSimulator(timeout_seconds=60).start()
        self.addCleanup(sim.stop)
        sim.misbehave("timeout", "/oauth/token")
        outcome = []

        def call():
            try:
                response = requests.post(
                    sim.url + "/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
                    timeout=30,
                )
                outcome.append(response.status_code)
            except requests.exceptions.RequestException as exc:
                outcome.append(exc)

        thread = threading.Thread(target=call)
        thread.start()
        deadline = time.monotonic() + 5
        while not sim.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        start = time.monotonic()
        sim.stop()
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.assertLess(time.monotonic() - start, 5)
        self.assertTrue(outcome)

    # ------------------------------------------------------------------ command line

    def test_command_line(self):
        port = _free_port()
        folder = os.path.dirname(simulator_app.__file__)
        process = subprocess.Popen(
            [sys.executable, folder, "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(lambda: process.poll() is None and process.kill())
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = requests.post(
                    url + "/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
                    timeout=2,
                )
                break
            except requests.exceptions.ConnectionError:
                time.sleep(0.1)
        self.assertIsNotNone(response, "the simulator did not answer")
        self.assertEqual(response.status_code, 200)
        token = response.json()["access_token"]
        products = requests.get(
            url + "/v1/produtos", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
        )
        self.assertEqual(products.status_code, 200)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        self.assertEqual(process.returncode, 0, err)
        self.assertIn(url, out)
        self.assertIn(DEFAULT_CLIENT_ID, out)
        self.assertIn(DEFAULT_CLIENT_SECRET, out)
