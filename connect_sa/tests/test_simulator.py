"""The Connect SA simulator, exercised over real sockets on loopback (no database needed)."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date, timedelta

import requests
from requests.adapters import HTTPAdapter

from odoo.tests import BaseCase, tagged

from ..simulator.app import (
    CONSULTA_PATH,
    DEFAULT_ERROR_DOCUMENTS,
    DEFAULT_LOGIN,
    DEFAULT_SENHA_CONSULTA,
    DEFAULT_SENHA_PEFIN,
    EXAMPLE_DOCUMENTS,
    MSG_CREDENCIAIS,
    PEFIN_PATH,
    ConnectSASimulator,
    profile_for,
)

TIMEOUT = 10  # seconds, every ordinary call
SIMULATOR_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "simulator"
)
BRL = re.compile(r"^R\$ \d{1,3}(\.\d{3})*,\d{2}$")
DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
REGISTRO_FIELDS = {
    "alerta",
    "quantidade",
    "valorTotal",
    "dataMaisAntigo",
    "dataMaisRecente",
    "nomeMaisRecente",
}
PROFILE_BLOCK = {
    "pendencias_financeiras": "pendenciasFinanceiras",
    "protestos": "protestos",
    "cheques_sem_fundo": "chequesSemFundo",
}


def _today(days=0):
    return (date.today() + timedelta(days=days)).strftime("%d/%m/%Y")


def _raw_post(url, data, timeout):
    """POST with a short client timeout.

    Odoo's test case patches requests.Session.send and raises any timeout under 10 s to 10 s;
    the transport adapter underneath is not patched, so short timeouts hold here.
    """
    prepared = requests.Request("POST", url, data=data).prepare()
    adapter = HTTPAdapter()
    try:
        return adapter.send(prepared, timeout=timeout)
    finally:
        adapter.close()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestConnectSASimulator(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = ConnectSASimulator(timeout_seconds=1.0).start()
        cls.addClassCleanup(cls.sim.stop)

    def setUp(self):
        super().setUp()
        self.sim.reset()

    # -- helpers ---------------------------------------------------------------------

    def consulta(self, documento, tipodocumento="F", estatica="N", **overrides):
        data = {
            "login": DEFAULT_LOGIN,
            "password": DEFAULT_SENHA_CONSULTA,
            "consulta": "CREDNET_LIGHT",
            "tipodocumento": tipodocumento,
            "documento": documento,
            "tiporesposta": "J",
            "estatica": estatica,
            **overrides,
        }
        return requests.post(self.sim.url + CONSULTA_PATH, data=data, timeout=TIMEOUT)

    def pefin(self, acao, **fields):
        data = {"login": DEFAULT_LOGIN, "password": DEFAULT_SENHA_PEFIN, "acao": acao, **fields}
        return requests.post(self.sim.url + PEFIN_PATH, data=data, timeout=TIMEOUT)

    def inclusion(self, **overrides):
        fields = {
            "tipodocumento": "F",
            "documento": EXAMPLE_DOCUMENTS["nada_consta"]["F"],
            "nome": "Fulano de Tal",
            "cep": "01310100",
            "logradouro": "Avenida Paulista",
            "numero": "1000",
            "complemento": "Sala 1",
            "bairro": "Bela Vista",
            "cidade": "São Paulo",
            "uf": "SP",
            "telefone": "11999998888",
            "email": "fulano@example.com",
            "valor": "150.00",
            "data_vencimento": _today(-40),
            "contrato": "FAT-0001",
            "nosso_numero": "000123",
            "codigo_restricao": "TI",
            "envia_sms": "S",
            "cpf_responsavel": EXAMPLE_DOCUMENTS["protestos"]["F"],
        }
        fields.update(overrides)
        return fields

    def include(self, **overrides):
        answer = self.pefin("incluir", **self.inclusion(**overrides)).json()
        self.assertEqual(answer["status"]["codigo"], "00", answer)
        return answer["status"]["protocolo"]

    def situacao(self, protocolo):
        answer = self.pefin("consultar", protocolo=protocolo).json()
        self.assertEqual(answer["status"]["codigo"], "00", answer)
        return answer["situacao"]

    # -- credentials -------------------------------------------------------------------

    def test_consultation_credentials(self):
        doc = EXAMPLE_DOCUMENTS["nada_consta"]["F"]
        self.assertEqual(self.consulta(doc).json()["status"]["mensagem"], "Sucesso")
        for login, password in (
            (DEFAULT_LOGIN, "errada"),
            ("outro", DEFAULT_SENHA_CONSULTA),
            (DEFAULT_LOGIN, DEFAULT_SENHA_PEFIN),  # the PEFIN pair is not the consultation pair
        ):
            answer = self.consulta(doc, login=login, password=password)
            self.assertEqual(answer.status_code, 200)
            self.assertEqual(answer.json()["status"]["mensagem"], MSG_CREDENCIAIS)
            self.assertEqual(answer.json()["status"]["protocolo"], "")
        self.assertEqual(self.sim.paid_consultations, 1)

    def test_pefin_credentials(self):
        self.assertEqual(self.pefin("produtos").json()["status"]["codigo"], "00")
        answer = self.pefin("produtos", password=DEFAULT_SENHA_CONSULTA).json()
        self.assertEqual(
            answer["status"], {"mensagem": MSG_CREDENCIAIS, "codigo": "01", "protocolo": ""}
        )
        # The PEFIN login follows the consultation login unless it has its own.
        self.sim.set_credentials(login_pefin="cobranca", senha_pefin="nova")
        self.assertEqual(self.pefin("produtos", password="nova").json()["status"]["codigo"], "01")
        answer = self.pefin("produtos", login="cobranca", password="nova").json()
        self.assertEqual(answer["status"]["codigo"], "00")
        doc = EXAMPLE_DOCUMENTS["nada_consta"]["F"]
        self.assertEqual(self.consulta(doc).json()["status"]["mensagem"], "Sucesso")
        self.sim.reset()
        self.assertEqual(self.sim.effective_login_pefin, DEFAULT_LOGIN)
        self.assertEqual(self.sim.senha_pefin, DEFAULT_SENHA_PEFIN)

    def test_request_log_shows_which_pair(self):
        self.consulta(EXAMPLE_DOCUMENTS["nada_consta"]["F"])
        self.pefin("motivos_baixa")
        self.assertEqual(
            [(r.endpoint, r.acao) for r in self.sim.requests],
            [("ws_consulta", None), ("ws_pefin", "motivos_baixa")],
        )
        self.assertEqual(self.sim.requests[0].form["password"], DEFAULT_SENHA_CONSULTA)
        endpoint, acao, form = self.sim.requests[1]
        self.assertEqual((endpoint, acao), ("ws_pefin", "motivos_baixa"))
        self.assertEqual((form["login"], form["password"]), (DEFAULT_LOGIN, DEFAULT_SENHA_PEFIN))

    # -- consultations -----------------------------------------------------------------

    def test_canned_and_paid(self):
        doc = EXAMPLE_DOCUMENTS["protestos"]["J"]
        canned = self.consulta(doc, "J", estatica="S").json()
        self.assertEqual((self.sim.canned_consultations, self.sim.paid_consultations), (1, 0))
        paid = self.consulta(doc, "J", estatica="N").json()
        again = self.consulta(doc, "J", estatica="N").json()
        self.assertEqual((self.sim.canned_consultations, self.sim.paid_consultations), (1, 2))
        self.assertTrue(canned["status"]["protocolo"].startswith("EST"))
        self.assertTrue(paid["status"]["protocolo"].isdigit())
        self.assertNotEqual(paid["status"]["protocolo"], again["status"]["protocolo"])
        self.assertIn("CONSULTA ESTÁTICA", canned["resultado"]["html"])
        self.assertNotIn("CONSULTA ESTÁTICA", paid["resultado"]["html"])
        for key in ("quadroResumoConsta", "score", "protestos"):
            self.assertEqual(canned["resultado"][key], paid["resultado"][key])
            self.assertEqual(again["resultado"][key], paid["resultado"][key])
        self.assertEqual(canned["entrada"]["nomeConsultado"], paid["entrada"]["nomeConsultado"])
        self.assertEqual([c["estatica"] for c in self.sim.consultations], ["S", "N", "N"])
        # No default: a missing `estatica` is an error, never a paid consultation.
        answer = self.consulta(doc, "J", estatica="").json()
        self.assertIn("estatica", answer["status"]["mensagem"])
        self.assertEqual(self.sim.paid_consultations, 2)

    def test_report_profiles(self):
        for profile, documents in EXAMPLE_DOCUMENTS.items():
            for kind, doc in documents.items():
                with self.subTest(profile=profile, document=doc):
                    self.assertEqual(profile_for(doc), profile)
                    answer = self.consulta(doc, kind[0]).json()
                    self.check_report(answer, doc, profile)

    def check_report(self, answer, doc, profile):
        self.assertEqual(answer["status"]["mensagem"], "Sucesso")
        self.assertEqual(answer["entrada"]["documentoConsultado"], doc)
        self.assertTrue(answer["entrada"]["nomeConsultado"])
        quadro = answer["resultado"]["quadroResumoConsta"]
        registros = quadro["registros"]
        self.assertEqual(set(registros), {"pendenciasFinanceiras", "protestos", "chequesSemFundo"})
        for key, block in registros.items():
            self.assertEqual(set(block), REGISTRO_FIELDS)
            self.assertRegex(block["valorTotal"], BRL)
            expected = PROFILE_BLOCK.get(profile) == key
            self.assertEqual(block["alerta"], "CONSTA" if expected else "NADA CONSTA")
            self.assertEqual(block["quantidade"] > 0, expected)
            self.assertEqual(len(answer["resultado"][key]), block["quantidade"])
            if expected:
                self.assertRegex(block["dataMaisAntigo"], DATE)
                self.assertRegex(block["dataMaisRecente"], DATE)
                self.assertTrue(block["nomeMaisRecente"])
                self.assertNotEqual(block["valorTotal"], "R$ 0,00")
        total = sum(block["quantidade"] for block in registros.values())
        self.assertEqual(quadro["quantidadeTotalOcorrencias"], total)
        self.assertEqual(
            answer["status"]["descricaoCodigoResposta"],
            "Nada Consta" if profile == "nada_consta" else "Constam Restrições",
        )
        score = answer["resultado"]["score"]
        self.assertTrue(0 <= score["pontuacao"] <= 1000)
        self.assertIn(score["classeRisco"], "ABCDE")
        self.assertRegex(score["probabilidadeInadimplencia"], r"^\d+,\d{2}%$")
        if profile == "nada_consta":
            self.assertGreaterEqual(score["pontuacao"], 650)
        else:
            self.assertLess(score["pontuacao"], 650)
        page = answer["resultado"]["html"]
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertIn(answer["status"]["protocolo"], page)
        self.assertIn("Quadro resumo", page)

    def test_invalid_consultations(self):
        cases = {
            "CPF inválido": {"documento": "11122230029"},
            "CPF inválido: 11111111111": {"documento": "11111111111"},
            "CPF inválido: 11222333000424": {"documento": "11222333000424"},  # a CNPJ sent as F
            "CNPJ inválido": {"documento": "11222333000425", "tipodocumento": "J"},
            "Tipo de documento inválido": {"tipodocumento": "X"},
            "Produto de consulta inválido": {"consulta": "INEXISTENTE"},
            "Tipo de resposta": {"tiporesposta": "X"},
        }
        for message, overrides in cases.items():
            with self.subTest(message=message):
                doc = overrides.pop("documento", EXAMPLE_DOCUMENTS["nada_consta"]["F"])
                answer = self.consulta(doc, **overrides)
                self.assertEqual(answer.status_code, 200)
                self.assertIn(message, answer.json()["status"]["mensagem"])
        self.assertEqual(self.sim.paid_consultations, 0)
        # Punctuation is tolerated and the alphanumeric CNPJ may come in lower case.
        answer = self.consulta("111.222.300-28").json()
        self.assertEqual(answer["entrada"]["documentoConsultado"], "11122230028")
        answer = self.consulta("12.abc.345/01de-35", "J", tiporesposta="A").json()
        self.assertEqual(answer["entrada"]["documentoConsultado"], "12ABC34501DE35")

    # -- PEFIN -------------------------------------------------------------------------

    def test_products_and_codes(self):
        products = self.pefin("produtos").json()["produtos"]
        by_code = {p["codigo"]: p for p in products}
        self.assertEqual(by_code["CREDNET_LIGHT"]["tipo"], "CONSULTA")
        self.assertEqual(by_code["RELATORIO_BASICO"]["tipo"], "CONSULTA")
        self.assertEqual(
            {p["descricao"] for p in products if p["tipo"] == "PEFIN"},
            {"Inclusão Pefin", "Exclusão Pefin"},
        )
        for product in products:
            self.assertRegex(product["valor"], BRL)
        motivos = self.pefin("motivos_inclusao").json()["motivos"]
        self.assertLessEqual({"CD", "DP", "NF", "OO", "TI", "TP"}, {m["codigo"] for m in motivos})
        motivos = self.pefin("motivos_baixa").json()["motivos"]
        self.assertEqual(
            [m["codigo"] for m in motivos],
            ["01", "02", "03", "04", "17", "19", "20", "40", "44", "45"],
        )
        self.assertEqual(motivos[0]["descricao"], "Pagamento da dívida")
        answer = self.pefin("apagar_tudo").json()
        self.assertEqual(answer["status"]["codigo"], "06")

    def test_inclusion_validation(self):
        cases = {
            "CPF inválido": {"documento": "11122230029"},
            "CNPJ inválido": {"tipodocumento": "J"},
            "CEP inválido": {"cep": "0131010"},
            "Campo obrigatório não informado: logradouro, bairro": {"logradouro": "", "bairro": ""},
            "UF inválida": {"uf": "XX"},
            "maior que zero": {"valor": "0.00"},
            "Valor inválido": {"valor": "R$ 10"},
            "abaixo do mínimo": {"valor": "9.99"},
            "Data de vencimento inválida": {"data_vencimento": "2024-01-31"},
            "ainda não está vencida": {"data_vencimento": _today()},
            "mais de 5 anos": {"data_vencimento": _today(-5 * 366)},
            "natureza": {"codigo_restricao": "XX"},
            "Telefone obrigatório": {"telefone": ""},
            "E-mail inválido": {"email": "fulano"},
            "CPF do responsável": {"cpf_responsavel": "123"},
        }
        for message, overrides in cases.items():
            with self.subTest(message=message):
                answer = self.pefin("incluir", **self.inclusion(**overrides)).json()
                self.assertEqual(answer["status"]["codigo"], "02")
                self.assertIn(message, answer["status"]["mensagem"])
                self.assertEqual(answer["status"]["protocolo"], "")
        self.assertEqual(self.sim.records, {})
        self.sim.minimum_value = 0
        self.include(valor="5,00", envia_sms="N", telefone="", email="", cpf_responsavel="")

    def test_state_walk(self):
        answer = self.pefin("incluir", **self.inclusion()).json()
        self.assertEqual(answer["status"]["mensagem"], "Sucesso")
        self.assertEqual(answer["situacao"], "PENDENTE")
        protocolo = answer["status"]["protocolo"]
        self.assertTrue(protocolo)
        record = self.sim.records[protocolo]
        self.assertTrue(record["sms_enviado"])
        self.assertEqual(record["cpf_responsavel"], EXAMPLE_DOCUMENTS["protestos"]["F"])
        # activation_delay 0: the next consultar finds it active.
        answer = self.pefin("consultar", protocolo=protocolo).json()
        self.assertEqual(answer["situacao"], "ATIVA")
        self.assertIn("ativa", answer["mensagem"])
        self.assertEqual(answer["registro"]["contrato"], "FAT-0001")
        self.assertEqual(answer["registro"]["valor"], "150.00")
        bad = self.pefin("excluir", protocolo=protocolo, codigo_baixa="99", data_baixa=_today(1))
        self.assertEqual(bad.json()["status"]["codigo"], "02")
        self.assertIn("Código de baixa inválido", bad.json()["status"]["mensagem"])
        self.assertIn("futura", bad.json()["status"]["mensagem"])
        answer = self.pefin("excluir", protocolo=protocolo, codigo_baixa="01", data_baixa=_today())
        self.assertEqual(answer.json()["status"]["codigo"], "00")
        self.assertEqual(answer.json()["situacao"], "BAIXADA")
        answer = self.pefin("consultar", protocolo=protocolo).json()
        self.assertEqual(answer["situacao"], "BAIXADA")
        self.assertIn("Pagamento da dívida", answer["mensagem"])
        self.assertEqual(answer["registro"]["codigo_baixa"], "01")
        again = self.pefin("excluir", protocolo=protocolo, codigo_baixa="01", data_baixa=_today())
        self.assertEqual(again.json()["status"]["codigo"], "05")
        missing = self.pefin("consultar", protocolo="PF000").json()
        self.assertEqual(missing["status"]["codigo"], "04")
        missing = self.pefin("excluir", protocolo="PF000", codigo_baixa="01", data_baixa=_today())
        self.assertEqual(missing.json()["status"]["codigo"], "04")

    def test_activation_delay(self):
        self.sim.activation_delay = 0.3
        protocolo = self.include()
        self.assertEqual(self.situacao(protocolo), "PENDENTE")
        time.sleep(0.35)
        self.assertEqual(self.situacao(protocolo), "ATIVA")
        self.sim.activation_delay = 3600
        other = self.include(contrato="FAT-0002")
        self.assertEqual(self.situacao(other), "PENDENTE")
        self.assertEqual(self.sim.activate_all(), 1)
        self.assertEqual(self.situacao(other), "ATIVA")

    def test_error_documents(self):
        for doc in sorted(DEFAULT_ERROR_DOCUMENTS):
            with self.subTest(document=doc):
                tipo = "F" if len(doc) == 11 else "J"
                protocolo = self.include(tipodocumento=tipo, documento=doc)
                answer = self.pefin("consultar", protocolo=protocolo).json()
                self.assertEqual(answer["situacao"], "ERRO")
                self.assertIn("endereço", answer["mensagem"])
                refused = self.pefin(
                    "excluir", protocolo=protocolo, codigo_baixa="01", data_baixa=_today()
                ).json()
                self.assertEqual(refused["status"]["codigo"], "05")
                # An inclusion in error does not block re-sending it.
                again = self.include(tipodocumento=tipo, documento=doc)
                self.assertNotEqual(again, protocolo)
        # Tests may choose their own error documents.
        doc = EXAMPLE_DOCUMENTS["cheques_sem_fundo"]["F"]
        self.sim.error_documents.add(doc)
        self.assertEqual(self.situacao(self.include(documento=doc)), "ERRO")

    def test_duplicate_inclusion(self):
        self.sim.activation_delay = 3600
        protocolo = self.include()
        answer = self.pefin("incluir", **self.inclusion()).json()
        self.assertEqual(answer["status"]["codigo"], "03")
        self.assertIn("duplicidade", answer["status"]["mensagem"])
        self.assertEqual(answer["status"]["protocolo"], protocolo)
        self.assertEqual(answer["situacao"], "PENDENTE")
        self.sim.activate_all()
        answer = self.pefin("incluir", **self.inclusion(documento="111.222.300-28")).json()
        self.assertEqual((answer["status"]["codigo"], answer["situacao"]), ("03", "ATIVA"))
        self.include(contrato="FAT-0002")  # another contract of the same debtor is fine
        self.pefin("excluir", protocolo=protocolo, codigo_baixa="02", data_baixa=_today())
        self.assertNotEqual(self.include(), protocolo)  # after the removal, a new inclusion
        self.assertEqual(len(self.sim.find_records(contrato="FAT-0001")), 2)

    def test_status_by_document_and_contract(self):
        protocolo = self.include()
        answer = self.pefin(
            "consultar", documento=EXAMPLE_DOCUMENTS["nada_consta"]["F"], contrato="FAT-0001"
        ).json()
        self.assertEqual(answer["status"]["protocolo"], protocolo)
        self.assertEqual(answer["registro"]["protocolo"], protocolo)
        answer = self.pefin(
            "consultar", documento=EXAMPLE_DOCUMENTS["nada_consta"]["F"], contrato="OUTRO"
        ).json()
        self.assertEqual(answer["status"]["codigo"], "04")
        self.assertEqual(self.pefin("consultar").json()["status"]["codigo"], "02")

    # -- misbehaviour ------------------------------------------------------------------

    def test_delay(self):
        self.sim.misbehave("delay", "produtos", seconds=0.4)
        start = time.monotonic()
        answer = self.pefin("produtos").json()
        self.assertGreaterEqual(time.monotonic() - start, 0.4)
        self.assertEqual(answer["status"]["codigo"], "00")
        start = time.monotonic()
        self.pefin("produtos")
        self.assertLess(time.monotonic() - start, 0.4)

    def test_timeout(self):
        self.sim.misbehave("timeout", "incluir")  # sleeps timeout_seconds = 1 s
        with self.assertRaises(requests.exceptions.ReadTimeout):
            data = {"login": DEFAULT_LOGIN, "password": DEFAULT_SENHA_PEFIN, "acao": "incluir"}
            _raw_post(self.sim.url + PEFIN_PATH, {**data, **self.inclusion()}, timeout=0.3)
        self.assertEqual(self.sim.records, {})  # nothing recorded
        self.include()  # the next call behaves

    def test_timeout_after_commit(self):
        self.sim.misbehave("timeout_after_commit", "incluir", seconds=1.0)
        fields = self.inclusion()
        data = {"login": DEFAULT_LOGIN, "password": DEFAULT_SENHA_PEFIN, "acao": "incluir"}
        with self.assertRaises(requests.exceptions.ReadTimeout):
            _raw_post(self.sim.url + PEFIN_PATH, {**data, **fields}, timeout=0.3)
        self.assertEqual(len(self.sim.records), 1)
        (protocolo,) = self.sim.records
        # The client asks before re-sending, and a blind re-send is refused anyway.
        answer = self.pefin("consultar", documento=fields["documento"], contrato="FAT-0001").json()
        self.assertEqual(answer["status"]["protocolo"], protocolo)
        answer = self.pefin("incluir", **fields).json()
        self.assertEqual(
            (answer["status"]["codigo"], answer["status"]["protocolo"]), ("03", protocolo)
        )
        self.assertEqual(len(self.sim.records), 1)

    def test_timeout_interrupted_by_stop(self):
        sim = ConnectSASimulator(timeout_seconds=30).start()
        self.addCleanup(sim.stop)
        sim.misbehave("timeout")
        url = sim.url + PEFIN_PATH
        outcome = []

        def call():
            try:
                outcome.append(_raw_post(url, {"acao": "produtos"}, timeout=20).status_code)
            except requests.exceptions.RequestException as error:
                outcome.append(error)

        caller = threading.Thread(target=call)
        caller.start()
        deadline = time.monotonic() + 5
        while not sim.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        start = time.monotonic()
        sim.stop()
        caller.join(10)
        self.assertFalse(caller.is_alive())
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(outcome, [503])  # the sleep ends at once, "Serviço indisponível"
        self.assertIsNone(sim.url)

    def test_http500(self):
        self.sim.misbehave("http500", "ws_consulta")
        doc = EXAMPLE_DOCUMENTS["nada_consta"]["F"]
        self.assertEqual(self.consulta(doc).status_code, 500)
        self.assertEqual(self.sim.paid_consultations, 0)
        self.assertEqual(self.consulta(doc).status_code, 200)
        self.sim.misbehave("http500", "pefin", status=502)
        self.assertEqual(self.pefin("motivos_baixa").status_code, 502)

    def test_error_json(self):
        self.sim.misbehave("error_json", "consultar", mensagem="Serasa fora do ar.")
        self.assertEqual(self.pefin("produtos").json()["status"]["codigo"], "00")  # not targeted
        answer = self.pefin("consultar", protocolo="x")
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.json()["status"]["mensagem"], "Serasa fora do ar.")
        self.assertEqual(answer.json()["status"]["codigo"], "99")
        self.sim.misbehave("error_json", "consulta")
        answer = self.consulta(EXAMPLE_DOCUMENTS["nada_consta"]["F"]).json()
        self.assertNotEqual(answer["status"]["mensagem"], "Sucesso")
        self.assertEqual(self.sim.paid_consultations, 0)

    def test_malformed(self):
        self.sim.misbehave("malformed", times=2)
        for answer in (self.pefin("produtos"), self.consulta(EXAMPLE_DOCUMENTS["protestos"]["F"])):
            self.assertEqual(answer.status_code, 200)
            with self.assertRaises(ValueError):
                answer.json()
        self.assertEqual(self.pefin("produtos").json()["status"]["codigo"], "00")

    def test_wrong_credentials(self):
        self.sim.misbehave("wrong_credentials", "ws_pefin", times=None)
        self.assertEqual(self.pefin("produtos").json()["status"]["codigo"], "01")
        self.assertEqual(self.pefin("motivos_baixa").json()["status"]["codigo"], "01")
        doc = EXAMPLE_DOCUMENTS["nada_consta"]["F"]
        self.assertEqual(self.consulta(doc).json()["status"]["mensagem"], "Sucesso")
        self.assertEqual(len(self.sim.pending_misbehaviours), 1)
        self.sim.clear_misbehaviours()
        self.assertEqual(self.pefin("produtos").json()["status"]["codigo"], "00")

    def test_misbehave_arguments(self):
        with self.assertRaises(ValueError):
            self.sim.misbehave("explode")
        with self.assertRaises(TypeError):
            self.sim.misbehave("malformed", seconds=1)
        self.assertEqual(self.sim.pending_misbehaviours, [])

    def test_http_level(self):
        self.assertEqual(
            requests.get(self.sim.url + CONSULTA_PATH, timeout=TIMEOUT).status_code, 405
        )
        answer = requests.post(self.sim.url + "/outro/", data={}, timeout=TIMEOUT)
        self.assertEqual(answer.status_code, 404)

    # -- command line ------------------------------------------------------------------

    def test_command_line(self):
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, SIMULATOR_DIR, "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 20
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    self.assertIsNone(process.poll(), "the simulator exited")
                    self.assertLess(time.monotonic(), deadline, "the simulator did not listen")
                    time.sleep(0.1)
            answer = requests.post(
                url + CONSULTA_PATH,
                data={
                    "login": DEFAULT_LOGIN,
                    "password": DEFAULT_SENHA_CONSULTA,
                    "consulta": "RELATORIO_BASICO",
                    "tipodocumento": "F",
                    "documento": EXAMPLE_DOCUMENTS["cheques_sem_fundo"]["F"],
                    "tiporesposta": "J",
                    "estatica": "S",
                },
                timeout=TIMEOUT,
            ).json()
            self.assertEqual(answer["status"]["descricaoCodigoResposta"], "Constam Restrições")
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        self.assertEqual(process.returncode, 0, err)
        self.assertIn(url, out)
        self.assertIn(DEFAULT_SENHA_CONSULTA, out)
        self.assertIn(DEFAULT_SENHA_PEFIN, out)
        self.assertIn("encerrado", out)
