"""The SOA WebServices simulator, driven end to end by a real zeep client over loopback."""

import datetime
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from urllib.parse import urlsplit

import requests
import zeep
from zeep.exceptions import Fault, TransportError, XMLSyntaxError

from odoo.tests import BaseCase, tagged
from odoo.tests.common import _super_send

from odoo.addons.soa_webservices.simulator import app as simulator_app
from odoo.addons.soa_webservices.simulator.app import (
    EXAMPLE_DOCUMENTS,
    SOAWebServicesSimulator,
    report_profile,
)

CRED = {"Email": "demo@example.com", "Senha": "demo123"}
BAD_CRED = {"Email": "demo@example.com", "Senha": "errada"}
ADDRESS = {
    "CEP": "01310-100",
    "Logradouro": "Avenida Paulista",
    "Numero": "1000",
    "Complemento": "Sala 1",
    "Bairro": "Bela Vista",
}
SERVICES = ("serasa/negativacao", "serasa/concentre", "serasa/pefin", "sws/administracao")
SIMULATOR_DIR = os.path.dirname(simulator_app.__file__)


def strict_settings():
    return zeep.Settings(
        strict=True,
        xml_huge_tree=False,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def days_ago(days):
    return (datetime.date.today() - datetime.timedelta(days=days)).strftime("%d/%m/%Y")


def inclusao(documento="12345678810", contrato="CT-0001", coobrigado=None, **restricao):
    devedores = [{"Documento": documento, "TipoDevedor": "Principal", "Endereco": ADDRESS}]
    if coobrigado:
        devedores.append(
            {"Documento": coobrigado, "TipoDevedor": "CoObrigado", "Endereco": ADDRESS}
        )
    return {
        "Devedores": {"Devedor": devedores},
        "Restricao": {
            "CodigoRestricao": "TI",
            "Contrato": contrato,
            "NossoNumero": "000123",
            "DataVencimento": days_ago(40),
            "DataFinalContrato": days_ago(10),
            "Valor": Decimal("150.00"),
            **restricao,
        },
    }


@tagged("post_install", "-at_install")
class TestSOAWebServicesSimulator(BaseCase):
    sim_ports = set()

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # Odoo raises any timeout under 10 s to 10 s during tests; the simulator is on
        # loopback, so keep the short timeouts the fault-mode tests rely on.
        if urlsplit(r.url).port in cls.sim_ports:
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = SOAWebServicesSimulator(activation_delay=None, timeout_seconds=3)
        cls.sim.start()
        cls.addClassCleanup(cls.sim.stop)
        cls.sim_ports.add(cls.sim.port)
        cls.neg = cls.client("negativacao")
        cls.con = cls.client("concentre")
        cls.pef = cls.client("pefin")
        cls.adm = cls.client("administracao")

    @classmethod
    def client(cls, service, env="test-drive", timeout=5, operation_timeout=5, sim=None):
        transport = zeep.Transport(timeout=timeout, operation_timeout=operation_timeout)
        url = (sim or cls.sim).wsdl_url(service, env)
        return zeep.Client(url, transport=transport, settings=strict_settings())

    def setUp(self):
        super().setUp()
        self.sim.reset()
        self.sim.activation_delay = None
        self.sim.require_birth_date = False

    # --- helpers ------------------------------------------------------------------------------

    def assertOk(self, result):
        self.assertTrue(result.Status, result.Mensagem)
        self.assertTrue(result.Transacao.Status)
        self.assertEqual(result.Transacao.CodigoStatus, simulator_app.SUCCESS)

    def assertError(self, result, code):
        self.assertFalse(result.Status)
        self.assertFalse(result.Transacao.Status)
        self.assertEqual(result.Transacao.CodigoStatus, code, result.Mensagem)
        self.assertTrue(result.Mensagem)
        self.assertTrue(result.Transacao.CodigoStatusDescricao)

    def incluir(self, client=None, **kw):
        return (client or self.neg).service.Incluir(
            Credenciais=CRED, InclusaoNegativacao=inclusao(**kw)
        )

    def consulta(self, uid):
        return self.neg.service.Consulta(Credenciais=CRED, UniqueID=uid)

    def lista(self, condicao):
        result = self.neg.service.Lista(Credenciais=CRED, Condicao=condicao)
        self.assertOk(result)
        # An empty list is an empty <Negativacoes/>, which zeep turns into None.
        found = result.Negativacoes.Negativacao if result.Negativacoes else []
        self.assertEqual(result.TotalRegistros, len(found))
        return found

    def saldo(self):
        result = self.adm.service.Saldo(Credenciais=CRED)
        self.assertOk(result)
        return result.Saldo

    # --- WSDL -----------------------------------------------------------------------------------

    def test_wsdl_every_service_and_environment(self):
        expected = {
            "serasa/negativacao": {
                "CodigosRestricoes",
                "CodigosBaixa",
                "IncluirEnderecoDevedor",
                "Incluir",
                "Consulta",
                "Excluir",
                "Lista",
            },
            "serasa/concentre": {"Concentre"},
            "serasa/pefin": {"Pefin"},
            "sws/administracao": {"Saldo"},
        }
        for env in ("test-drive", "producao"):
            for path in SERVICES:
                url = self.sim.wsdl_url(path, env)
                self.assertEqual(url, f"{self.sim.url}/webservices/{env}/{path}.asmx?WSDL")
                client = self.client(path, env)
                name = simulator_app.SERVICES[path][0]
                service = client.wsdl.services[name]
                self.assertEqual(list(service.ports), [f"{name}Soap", f"{name}Soap12"])
                port = service.ports[f"{name}Soap"]
                self.assertEqual(port.binding_options["address"], url.removesuffix("?WSDL"))
                operations = port.binding._operations
                self.assertEqual(set(operations), expected[path])
                for op_name, operation in operations.items():
                    self.assertEqual(operation.soapaction, f"SOAWebServices/{op_name}")
                    self.assertEqual(operation.input.body.qname.namespace, "SOAWebServices")
                soap12 = service.ports[f"{name}Soap12"].binding
                self.assertEqual(set(soap12._operations), expected[path])
                self.assertEqual(self.sim.wsdl_requests[f"{env}/{path}"], 1)
        # "?wsdl" in any case, and the asmx help page.
        response = requests.get(self.sim.service_url("pefin") + "?wsdl", timeout=5)
        self.assertEqual(response.status_code, 200)
        self.assertIn(b'targetNamespace="SOAWebServices"', response.content)
        help_page = requests.get(self.sim.service_url("pefin"), timeout=5)
        self.assertIn("Pefin", help_page.text)
        self.assertEqual(requests.get(self.sim.url + "/nada.asmx", timeout=5).status_code, 404)

    def test_wsdl_loaded_once_per_client(self):
        client = self.client("negativacao")
        client.service.CodigosBaixa(Credenciais=CRED)
        client.service.CodigosRestricoes(Credenciais=CRED)
        client.service.Lista(Credenciais=CRED, Condicao="Ativas")
        self.assertEqual(self.sim.wsdl_requests["test-drive/serasa/negativacao"], 1)
        self.assertEqual(sum(self.sim.wsdl_requests.values()), 1)

    # --- negativação ------------------------------------------------------------------------------

    def test_code_lists(self):
        restricoes = self.neg.service.CodigosRestricoes(Credenciais=CRED)
        self.assertOk(restricoes)
        codes = {c.Codigo: c.Descricao for c in restricoes.Codigos.CodigoDescricao}
        self.assertIn("TI", codes)
        self.assertIn("TP", codes)
        baixa = self.neg.service.CodigosBaixa(Credenciais=CRED)
        self.assertOk(baixa)
        codes = {c.Codigo: c.Descricao for c in baixa.Codigos.CodigoDescricao}
        self.assertEqual(codes["01"], "PAGAMENTO DA DIVIDA")

    def test_state_walk(self):
        result = self.incluir()
        self.assertOk(result)
        self.assertEqual(result.Condicao, "Pendentes")
        uid = result.UniqueID
        self.assertEqual(len(uid), 36)
        record = self.consulta(uid)
        self.assertOk(record)
        self.assertEqual(record.Negativacao.Condicao, "Pendentes")
        self.assertEqual(record.Negativacao.Documento, "12345678810")
        self.assertEqual(record.Negativacao.Contrato, "CT-0001")
        self.assertEqual(record.Negativacao.Valor, Decimal("150.00"))
        self.assertEqual(record.Negativacao.TipoComunicado, "FAC")
        self.assertEqual([n.UniqueID for n in self.lista("Pendentes")], [uid])
        self.assertEqual(self.lista("Ativas"), [])

        self.assertEqual(self.sim.activate_all(), 1)
        record = self.consulta(uid)
        self.assertEqual(record.Negativacao.Condicao, "Ativas")
        self.assertTrue(record.Negativacao.DataDisponibilizacao)
        self.assertEqual([n.UniqueID for n in self.lista("Ativas")], [uid])
        self.assertEqual(self.lista("Pendentes"), [])

        bad_code = self.neg.service.Excluir(
            Credenciais=CRED, UniqueID=uid, CodigoBaixa="99", DataBaixa=days_ago(0)
        )
        self.assertError(bad_code, "N000M005")
        bad_date = self.neg.service.Excluir(
            Credenciais=CRED, UniqueID=uid, CodigoBaixa="01", DataBaixa="2024-01-01"
        )
        self.assertError(bad_date, "G000M001")
        baixa = self.neg.service.Excluir(
            Credenciais=CRED, UniqueID=uid, CodigoBaixa="01", DataBaixa=days_ago(0)
        )
        self.assertOk(baixa)
        self.assertEqual(baixa.Negativacao.Condicao, "Baixadas")
        self.assertEqual(baixa.Negativacao.CodigoBaixa, "01")
        self.assertEqual(baixa.Negativacao.DataBaixa, days_ago(0))
        self.assertEqual([n.UniqueID for n in self.lista("Baixadas")], [uid])
        self.assertEqual(self.lista("Ativas"), [])
        again = self.neg.service.Excluir(
            Credenciais=CRED, UniqueID=uid, CodigoBaixa="01", DataBaixa=days_ago(0)
        )
        self.assertError(again, "N000M003")
        self.assertError(self.consulta("00000000-0000-0000-0000-000000000000"), "N000M002")
        # Another environment is another database.
        producao = self.client("negativacao", "producao")
        self.assertError(producao.service.Consulta(Credenciais=CRED, UniqueID=uid), "N000M002")

    def test_activation_delay(self):
        self.sim.activation_delay = 0.3
        uid = self.incluir().UniqueID
        self.assertEqual(self.consulta(uid).Negativacao.Condicao, "Pendentes")
        time.sleep(0.35)
        self.assertEqual(self.consulta(uid).Negativacao.Condicao, "Ativas")

    def test_erro_and_indisponivel(self):
        by_rule = self.incluir(documento=EXAMPLE_DOCUMENTS["erro_inclusao"][0]).UniqueID
        self.sim.error_documents.add("123.456.780-62")
        chosen = self.incluir(documento="12345678062").UniqueID
        ok = self.incluir(documento="12345678143").UniqueID
        self.sim.activate_all()
        for uid in (by_rule, chosen):
            record = self.consulta(uid).Negativacao
            self.assertEqual(record.Condicao, "Erro")
            self.assertIn("endereço", record.Motivo)
        self.assertEqual({n.UniqueID for n in self.lista("Erro")}, {by_rule, chosen})
        self.assertError(
            self.neg.service.Excluir(
                Credenciais=CRED, UniqueID=by_rule, CodigoBaixa="01", DataBaixa=days_ago(0)
            ),
            "N000M003",
        )
        # A record in Erro was never included: sending it again is no duplicate.
        self.assertOk(self.incluir(documento=EXAMPLE_DOCUMENTS["erro_inclusao"][0]))
        self.sim.set_state(ok, "Indisponivel", "Bureau indisponível")
        self.assertEqual([n.UniqueID for n in self.lista("Indisponivel")], [ok])
        invalid = self.neg.service.Lista(Credenciais=CRED, Condicao="Todas")
        self.assertError(invalid, "G000M001")

    def test_duplicate_inclusion(self):
        first = self.incluir()
        self.assertOk(first)
        duplicate = self.incluir()
        self.assertError(duplicate, "N000M001")
        self.assertIn(first.UniqueID, duplicate.Mensagem)
        self.assertOk(self.incluir(contrato="CT-0002"))
        self.sim.activate_all()
        self.assertError(self.incluir(), "N000M001")
        self.neg.service.Excluir(
            Credenciais=CRED, UniqueID=first.UniqueID, CodigoBaixa="02", DataBaixa=days_ago(0)
        )
        self.assertOk(self.incluir())
        # Other environment, other records.
        self.assertOk(self.incluir(client=self.client("negativacao", "producao")))
        self.assertEqual(len(self.sim.negativacoes(env="test-drive")), 3)

    def test_coobrigado(self):
        result = self.incluir(coobrigado="11222333000181")
        self.assertOk(result)
        record = self.consulta(result.UniqueID).Negativacao
        self.assertEqual(record.DocumentoCoObrigado, "11222333000181")
        same = self.incluir(contrato="X", coobrigado="12345678810")
        self.assertError(same, "G000M001")
        payload = inclusao(contrato="Y")
        payload["Devedores"]["Devedor"][0]["TipoDevedor"] = "CoObrigado"
        no_principal = self.neg.service.Incluir(Credenciais=CRED, InclusaoNegativacao=payload)
        self.assertError(no_principal, "G000M001")
        payload = inclusao(contrato="Z")
        payload["Devedores"]["Devedor"] *= 2
        two = self.neg.service.Incluir(Credenciais=CRED, InclusaoNegativacao=payload)
        self.assertError(two, "G000M001")
        bad = self.incluir(contrato="W", coobrigado="11222333000180")
        self.assertError(bad, "G000M003")
        self.assertIn("coobrigado", bad.Mensagem)

    def test_inclusion_checks(self):
        cases = [
            ({"documento": "123.456.788-11"}, "G000M003"),
            ({"documento": "111.111.111-11"}, "G000M003"),
            ({"documento": ""}, "G000M003"),
            ({"CodigoRestricao": "ZZ"}, "N000M005"),
            ({"Valor": Decimal("9.99")}, "N000M006"),
            ({"DataVencimento": days_ago(5 * 366)}, "N000M007"),
            ({"DataVencimento": days_ago(-3)}, "N000M007"),
            ({"DataVencimento": "31/02/2025"}, "N000M007"),
            ({"DataFinalContrato": "amanhã"}, "G000M001"),
            ({"contrato": ""}, "G000M001"),
            ({"CodigoRestricao": "CH"}, "G000M001"),
        ]
        for kw, code in cases:
            with self.subTest(**{k: str(v) for k, v in kw.items()}):
                self.assertError(self.incluir(**kw), code)
        payload = inclusao()
        payload["Devedores"]["Devedor"][0]["Endereco"] = {"CEP": "01310100", "Numero": "1"}
        missing = self.neg.service.Incluir(Credenciais=CRED, InclusaoNegativacao=payload)
        self.assertError(missing, "N000M004")
        self.assertIn("Logradouro", missing.Mensagem)
        payload["Devedores"]["Devedor"][0]["Endereco"] = None
        self.assertError(
            self.neg.service.Incluir(Credenciais=CRED, InclusaoNegativacao=payload), "N000M004"
        )
        self.assertError(self.neg.service.Incluir(Credenciais=CRED), "G000M001")
        self.assertEqual(self.sim.negativacoes(), [])
        # Accepted: alphanumeric CNPJ, a cheque, another notice kind.
        self.assertOk(self.incluir(documento="12.ABC.345/01DE-35"))
        cheque = {
            "CodigoBanco": "001",
            "Agencia": "1234",
            "ContaCorrente": "12345-6",
            "NumeroCheque": "000101",
            "Alinea": "12",
        }
        self.assertOk(self.incluir(contrato="CH-1", CodigoRestricao="CH", RestricaoCheque=cheque))
        result = self.incluir(contrato="AR-1", TipoComunicado="AR")
        self.assertEqual(self.consulta(result.UniqueID).Negativacao.TipoComunicado, "AR")
        self.assertEqual(self.lista("Pendentes")[0].Documento, "12ABC34501DE35")

    def test_birth_date(self):
        def with_birth(value, contrato):
            payload = inclusao(contrato=contrato)
            payload["Devedores"]["Devedor"][0]["DataNascimento"] = value
            return self.neg.service.Incluir(Credenciais=CRED, InclusaoNegativacao=payload)

        self.assertError(with_birth("1990-05-01", "B1"), "P009M002")
        self.assertError(with_birth("30/02/1990", "B2"), "P009M002")
        self.assertError(with_birth(days_ago(17 * 365), "B3"), "P009M002")
        self.assertOk(with_birth("01/05/1990", "B4"))
        self.sim.require_birth_date = True
        self.assertError(self.incluir(contrato="B5"), "P009M001")
        # Companies have no birth date.
        self.assertOk(self.incluir(documento="11222333000181", contrato="B6"))

    def test_incluir_endereco_devedor(self):
        uid = self.incluir().UniqueID
        result = self.neg.service.IncluirEnderecoDevedor(
            Credenciais=CRED,
            Documento="123.456.788-10",
            Endereco={"CEP": "20040-002", "Numero": "55", "Complemento": "Loja B"},
        )
        self.assertOk(result)
        endereco = self.sim.get(uid)["devedores"][0]["Endereco"]
        self.assertEqual((endereco["CEP"], endereco["Numero"]), ("20040002", "55"))
        self.assertEqual(endereco["Logradouro"], "Avenida Paulista")
        bad_cep = self.neg.service.IncluirEnderecoDevedor(
            Credenciais=CRED, Documento="12345678810", Endereco={"CEP": "123", "Numero": "1"}
        )
        self.assertError(bad_cep, "N000M004")
        bad_doc = self.neg.service.IncluirEnderecoDevedor(
            Credenciais=CRED, Documento="12345678811", Endereco={"CEP": "20040002", "Numero": "1"}
        )
        self.assertError(bad_doc, "G000M003")

    # --- credentials ----------------------------------------------------------------------------

    def test_wrong_credentials_on_every_operation(self):
        calls = [
            (self.neg, "CodigosRestricoes", {}),
            (self.neg, "CodigosBaixa", {}),
            (self.neg, "IncluirEnderecoDevedor", {"Documento": "12345678810", "Endereco": ADDRESS}),
            (self.neg, "Incluir", {"InclusaoNegativacao": inclusao()}),
            (self.neg, "Consulta", {"UniqueID": "x"}),
            (
                self.neg,
                "Excluir",
                {"UniqueID": "x", "CodigoBaixa": "01", "DataBaixa": "01/01/2025"},
            ),
            (self.neg, "Lista", {"Condicao": "Ativas"}),
            (self.con, "Concentre", {"Documento": "12345678810"}),
            (self.pef, "Pefin", {"Documento": "12345678810"}),
            (self.adm, "Saldo", {}),
        ]
        for client, operation, kwargs in calls:
            with self.subTest(operation=operation):
                method = getattr(client.service, operation)
                self.assertError(method(Credenciais=BAD_CRED, **kwargs), "G000M000")
                self.assertError(method(**kwargs), "G000M000")
        self.assertEqual(self.sim.negativacoes(), [])
        self.assertEqual(self.saldo(), Decimal("500.00"))
        # The request log has the parsed fields, never the password.
        entry = self.sim.calls("Pefin")[0]
        self.assertEqual(entry["fields"]["Documento"], "12345678810")
        self.assertEqual(entry["fields"]["Credenciais"]["Senha"], "***")
        self.assertFalse(entry["authenticated"])
        self.assertEqual(entry["codigo_status"], "G000M000")

    # --- reports --------------------------------------------------------------------------------

    def test_concentre_profiles(self):
        expected = {
            "limpo": set(),
            "pendencias": {"PendenciasFinanceiras"},
            "protestos": {"Protestos"},
            "cheques": {"PendenciasBacen", "AcheiRecheque"},
            "completo": set(simulator_app.BLOCKS),
        }
        for profile, documents in EXAMPLE_DOCUMENTS.items():
            if profile not in expected:
                continue
            for document in documents:
                with self.subTest(profile=profile, document=document):
                    self.assertEqual(report_profile(document), profile)
                    report = self.con.service.Concentre(Credenciais=CRED, Documento=document)
                    self.assertOk(report)
                    self.assertEqual(report.Documento, document)
                    self.assertTrue(report.Nome)
                    with_data = {b for b in simulator_app.BLOCKS if report[b].TotalOcorrencias}
                    self.assertEqual(with_data, expected[profile])
                    total = 0
                    for block in simulator_app.BLOCKS:
                        self.assertEqual(
                            report[block].TotalOcorrencias, len(report[block].Ocorrencia)
                        )
                        self.assertTrue(report[block].Mensagem)
                        total += report[block].TotalOcorrencias
                    self.assertEqual(report.TotalOcorrencias, total)
                    self.assertEqual(report.ValorTotalOcorrencias > 0, profile != "limpo")
                    self.assertIsNone(report.Score)
                    again = self.con.service.Concentre(Credenciais=CRED, Documento=document)
                    self.assertEqual(
                        zeep.helpers.serialize_object(again), zeep.helpers.serialize_object(report)
                    )
        scored = self.con.service.Concentre(
            Credenciais=CRED, Documento="12345678810", Adicionais="Score"
        )
        self.assertTrue(0 <= scored.Score.Pontuacao <= 1000)
        self.assertIn(scored.Score.ClasseRisco, "ABCDE")
        worse = self.con.service.Concentre(
            Credenciais=CRED, Documento="12345678224", Adicionais="score"
        )
        self.assertLess(worse.Score.Pontuacao, scored.Score.Pontuacao)
        protesto = self.con.service.Concentre(Credenciais=CRED, Documento="12345678062")
        self.assertTrue(protesto.Protestos.Ocorrencia[0].Cartorio)
        invalid = self.con.service.Concentre(Credenciais=CRED, Documento="12345678800")
        self.assertError(invalid, "G000M003")

    def test_crednet_answers_like_concentre(self):
        # assumed contract: the Crednet operation of serasa/crednet.asmx mirrors Concentre.
        crednet = self.client("crednet")
        operations = crednet.wsdl.services["Crednet"].ports["CrednetSoap"].binding._operations
        self.assertEqual(set(operations), {"Crednet"})
        before = self.saldo()
        report = crednet.service.Crednet(
            Credenciais=CRED, Documento="12345678224", Adicionais="Score"
        )
        self.assertOk(report)
        concentre = self.con.service.Concentre(
            Credenciais=CRED, Documento="12345678224", Adicionais="Score"
        )
        self.assertEqual(
            zeep.helpers.serialize_object(report), zeep.helpers.serialize_object(concentre)
        )
        self.assertEqual(
            before - self.saldo(), self.sim.prices["Crednet"] + self.sim.prices["Concentre"]
        )
        self.assertError(
            crednet.service.Crednet(Credenciais=BAD_CRED, Documento="12345678810"), "G000M000"
        )

    def test_pefin_profiles(self):
        clean = self.pef.service.Pefin(Credenciais=CRED, Documento="123.456.788-10")
        self.assertOk(clean)
        self.assertEqual(clean.TotalOcorrencias, 0)
        self.assertTrue(clean.Nome and clean.NomeMae and clean.DataNascimento)
        pend = self.pef.service.Pefin(Credenciais=CRED, Documento="12345679891")
        self.assertGreater(len(pend.PendenciasFinanceiras), 0)
        self.assertTrue(pend.PendenciasFinanceiras[0].Valor)
        cheques = self.pef.service.Pefin(Credenciais=CRED, Documento="11222333000343")
        self.assertEqual(len(cheques.PendenciasBacen), 1)
        self.assertIsNone(cheques.NomeMae)
        full = self.pef.service.Pefin(Credenciais=CRED, Documento="11222333000424")
        self.assertTrue(full.AlertaDocumentos.Mensagem)
        self.assertEqual(
            full.TotalOcorrencias,
            len(full.PendenciasFinanceiras)
            + len(full.PendenciasVarejo)
            + len(full.PendenciasBacen),
        )
        self.assertOk(self.pef.service.Pefin(Credenciais=CRED, Documento="A1B2C3D4000193"))
        self.assertError(self.pef.service.Pefin(Credenciais=CRED, Documento="abc"), "G000M003")
        # This account's active negativations show in the reports.
        self.incluir(documento="12345678810", Valor=Decimal("77.70"))
        self.sim.activate_all()
        mine = self.pef.service.Pefin(Credenciais=CRED, Documento="12345678810")
        self.assertEqual(mine.TotalOcorrencias, 1)
        self.assertEqual(mine.PendenciasFinanceiras[0].Valor, "77.70")
        self.assertEqual(mine.PendenciasFinanceiras[0].Origem, self.sim.creditor_name)
        concentre = self.con.service.Concentre(Credenciais=CRED, Documento="12345678810")
        self.assertEqual(concentre.PendenciasFinanceiras.TotalOcorrencias, 1)
        self.assertEqual(concentre.ValorTotalOcorrencias, Decimal("77.70"))

    # --- billing --------------------------------------------------------------------------------

    def test_saldo_decreases_with_paid_calls(self):
        prices = self.sim.prices
        self.assertEqual(self.saldo(), Decimal("500.00"))
        self.con.service.Concentre(Credenciais=CRED, Documento="12345678810")
        self.assertEqual(self.saldo(), Decimal("500.00") - prices["Concentre"])
        self.pef.service.Pefin(Credenciais=CRED, Documento="12345678810")
        self.incluir()
        after = Decimal("500.00") - prices["Concentre"] - prices["Pefin"] - prices["Incluir"]
        self.assertEqual(self.saldo(), after)
        # Free: lists, status, failed calls.
        self.lista("Pendentes")
        self.neg.service.CodigosBaixa(Credenciais=CRED)
        self.incluir()  # duplicate
        self.pef.service.Pefin(Credenciais=CRED, Documento="1")
        self.assertEqual(self.saldo(), after)
        producao = self.client("administracao", "producao")
        self.assertEqual(producao.service.Saldo(Credenciais=CRED).Saldo, after)
        self.sim.set_balance("1.00")
        poor = self.con.service.Concentre(Credenciais=CRED, Documento="12345678810")
        self.assertError(poor, "G000M002")
        self.assertEqual(self.saldo(), Decimal("1.00"))

    # --- misbehaviour -----------------------------------------------------------------------------

    def test_misbehave_delay(self):
        self.sim.misbehave("delay", "Saldo", seconds=0.3)
        start = time.monotonic()
        self.assertEqual(self.saldo(), Decimal("500.00"))
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        start = time.monotonic()
        self.saldo()
        self.assertLess(time.monotonic() - start, 0.3)

    def test_misbehave_timeout_loses_nothing(self):
        impatient = self.client("negativacao", operation_timeout=0.4)
        self.sim.misbehave("timeout", "Incluir", seconds=1.5)
        with self.assertRaises(requests.exceptions.Timeout):
            self.incluir(client=impatient)
        self.assertEqual(self.lista("Pendentes"), [])
        self.assertOk(self.incluir(client=impatient))
        self.assertEqual(len(self.lista("Pendentes")), 1)

    def test_misbehave_timeout_after_commit(self):
        impatient = self.client("negativacao", operation_timeout=0.4)
        self.sim.misbehave("timeout_after_commit", "Incluir", seconds=1.5)
        with self.assertRaises(requests.exceptions.Timeout):
            self.incluir(client=impatient, contrato="CT-TIMEOUT")
        # Ask before re-sending: the inclusion was recorded.
        pending = self.lista("Pendentes")
        self.assertEqual(
            [(n.Documento, n.Contrato) for n in pending], [("12345678810", "CT-TIMEOUT")]
        )
        self.assertError(self.incluir(contrato="CT-TIMEOUT"), "N000M001")
        self.assertEqual(len(self.sim.negativacoes()), 1)

    def test_misbehave_http500(self):
        self.sim.misbehave("http500", "Incluir")
        with self.assertRaises(TransportError) as caught:
            self.incluir()
        self.assertEqual(caught.exception.status_code, 500)
        self.assertIn("Erro de Servidor", caught.exception.content.decode())
        self.assertEqual(self.sim.negativacoes(), [])
        self.assertOk(self.incluir())
        # commit=True: the call was processed, only the answer was lost.
        self.sim.misbehave("http500", "Incluir", commit=True, status=503)
        with self.assertRaises(TransportError) as caught:
            self.incluir(contrato="CT-2")
        self.assertEqual(caught.exception.status_code, 503)
        self.assertEqual(len(self.lista("Pendentes")), 2)

    def test_misbehave_fault(self):
        self.sim.misbehave("fault", "Pefin")
        with self.assertRaises(Fault) as caught:
            self.pef.service.Pefin(Credenciais=CRED, Documento="12345678810")
        self.assertEqual(caught.exception.code, "soap:Server")
        self.assertIn("não pôde processar", caught.exception.message)
        self.assertOk(self.pef.service.Pefin(Credenciais=CRED, Documento="12345678810"))
        # SOAP 1.2 binding: same operations, a 1.2 fault.
        soap12 = self.client("negativacao").bind("Negativacao", "NegativacaoSoap12")
        self.assertOk(soap12.CodigosBaixa(Credenciais=CRED))
        self.sim.misbehave("fault", "CodigosBaixa", message="Falha simulada")
        with self.assertRaises(Fault) as caught:
            soap12.CodigosBaixa(Credenciais=CRED)
        self.assertEqual(caught.exception.message, "Falha simulada")
        self.assertEqual(self.sim.calls("CodigosBaixa")[0]["soap_version"], "1.2")

    def test_misbehave_malformed(self):
        self.sim.misbehave("malformed", "Lista")
        with self.assertRaises(TransportError) as caught:
            self.neg.service.Lista(Credenciais=CRED, Condicao="Ativas")
        self.assertIn("invalid XML", str(caught.exception))
        self.assertEqual(caught.exception.status_code, 200)
        self.lista("Ativas")
        # A malformed WSDL: zeep refuses to build the client.
        self.sim.misbehave("malformed", "WSDL")
        with self.assertRaises(XMLSyntaxError):
            self.client("pefin")

    def test_misbehave_wrong_credentials_and_scope(self):
        self.sim.misbehave("wrong_credentials", "Saldo")
        self.assertError(self.adm.service.Saldo(Credenciais=CRED), "G000M000")
        self.assertEqual(self.saldo(), Decimal("500.00"))
        # operation/times scope the misbehaviour; None = any operation.
        self.sim.misbehave("http500", "Pefin", times=2)
        self.assertEqual(self.saldo(), Decimal("500.00"))
        for _attempt in range(2):
            with self.assertRaises(TransportError):
                self.pef.service.Pefin(Credenciais=CRED, Documento="12345678810")
        self.assertOk(self.pef.service.Pefin(Credenciais=CRED, Documento="12345678810"))
        self.sim.misbehave("fault", times=None)
        for client, call in ((self.adm, "Saldo"), (self.neg, "CodigosBaixa")):
            with self.assertRaises(Fault):
                getattr(client.service, call)(Credenciais=CRED)
        self.sim.clear_misbehaviour()
        self.saldo()
        self.assertEqual(
            [c["misbehaviour"] for c in self.sim.calls("Pefin")], ["http500", "http500", None]
        )
        # WSDL download failures surface as HTTP errors.
        self.sim.misbehave("http500", "WSDL")
        with self.assertRaises(requests.exceptions.HTTPError):
            self.client("pefin")
        with self.assertRaises(ValueError):
            self.sim.misbehave("explode")

    def test_stop_interrupts_a_timeout(self):
        sim = SOAWebServicesSimulator(timeout_seconds=30).start()
        self.sim_ports.add(sim.port)
        self.addCleanup(sim.stop)
        client = self.client("administracao", sim=sim, operation_timeout=20)
        sim.misbehave("timeout", "Saldo")
        errors = []

        def call():
            try:
                client.service.Saldo(Credenciais=CRED)
            except Exception as exc:
                errors.append(exc)

        thread = threading.Thread(target=call)
        start = time.monotonic()
        thread.start()
        time.sleep(0.3)
        sim.stop()
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(len(errors), 1)
        self.assertIsInstance(errors[0], TransportError | requests.exceptions.ConnectionError)

    # --- raw protocol -----------------------------------------------------------------------------

    def post(self, body, action=None, content_type="text/xml; charset=utf-8"):
        headers = {"Content-Type": content_type}
        if action is not None:
            headers["SOAPAction"] = f'"{action}"'
        return requests.post(
            self.sim.service_url("administracao"), data=body, headers=headers, timeout=5
        )

    def test_raw_soap_requests(self):
        envelope = (
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            '<Saldo xmlns="SOAWebServices"><Credenciais><Email>demo@example.com</Email>'
            "<Senha>demo123</Senha></Credenciais></Saldo></soap:Body></soap:Envelope>"
        )
        ok = self.post(envelope, "SOAWebServices/Saldo")
        self.assertEqual(ok.status_code, 200)
        self.assertIn("text/xml", ok.headers["Content-Type"])
        self.assertIn(b"<SaldoResponse", ok.content)
        self.assertIn(b"<SaldoResult><Saldo>500.00</Saldo>", ok.content)
        wrong_action = self.post(envelope, "SOAWebServices/Pefin")
        self.assertEqual(wrong_action.status_code, 500)
        self.assertIn(b"soap:Client", wrong_action.content)
        entity = (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + envelope.replace("demo123", "&e;")
        )
        rejected = self.post(entity, "SOAWebServices/Saldo")
        self.assertEqual(rejected.status_code, 500)
        self.assertNotIn(b"root:", rejected.content)
        self.assertIn(b"soap:Client", self.post("<not xml", "SOAWebServices/Saldo").content)
        unknown = self.post(envelope.replace("Saldo", "Extrato"))
        self.assertIn(b"Extrato", unknown.content)
        self.assertEqual(unknown.status_code, 500)
        soap12 = envelope.replace(
            "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"
        )
        answer = self.post(
            soap12,
            content_type='application/soap+xml; charset=utf-8; action="SOAWebServices/Saldo"',
        )
        self.assertEqual(answer.status_code, 200)
        self.assertIn("application/soap+xml", answer.headers["Content-Type"])
        self.assertIn(b"http://www.w3.org/2003/05/soap-envelope", answer.content)

    # --- persistence and the command line ---------------------------------------------------------

    def test_state_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "soa.json")
            sim = SOAWebServicesSimulator(activation_delay=None, state_file=path).start()
            self.sim_ports.add(sim.port)
            self.addCleanup(sim.stop)
            client = self.client("negativacao", sim=sim)
            uid = self.incluir(client=client).UniqueID
            sim.stop()
            again = SOAWebServicesSimulator(activation_delay=None, state_file=path)
            self.assertEqual(again.get(uid)["condicao"], "Pendentes")
            self.assertEqual(again.balance, Decimal("500.00") - again.prices["Incluir"])
            again.activate_all()
            self.assertEqual(
                SOAWebServicesSimulator(state_file=path).get(uid)["condicao"], "Ativas"
            )

    def test_command_line(self):
        port = free_port()
        self.sim_ports.add(port)
        process = subprocess.Popen(
            [sys.executable, SIMULATOR_DIR, "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}/webservices/test-drive/sws/administracao.asmx?WSDL"
            deadline = time.monotonic() + 20
            while True:
                try:
                    response = requests.get(url, timeout=2)
                    break
                except requests.exceptions.ConnectionError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.1)
            self.assertEqual(response.status_code, 200)
            self.assertIn(b'targetNamespace="SOAWebServices"', response.content)
            client = zeep.Client(
                url, transport=zeep.Transport(timeout=5), settings=strict_settings()
            )
            self.assertEqual(client.service.Saldo(Credenciais=CRED).Saldo, Decimal("500.00"))
        finally:
            process.send_signal(signal.SIGINT)
            output, _unused = process.communicate(timeout=10)
        self.assertEqual(process.returncode, 0, output)
        self.assertIn(url, output)
        self.assertIn("demo@example.com", output)
        self.assertIn("demo123", output)
