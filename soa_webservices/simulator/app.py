"""SOA WebServices simulator: a real SOAP 1.1/1.2 service (WSGI: werkzeug + lxml) on loopback.

Behaves like the vendor's ASP.NET ``.asmx`` services closely enough for the addon's zeep client
to run unchanged against it; no Odoo import, so it runs standalone
(``python soa_webservices/simulator``) and inside the tests
(``odoo.addons.soa_webservices.simulator.app``).

Services (``<env>`` = ``test-drive`` or ``producao``), WSDL at ``<path>?WSDL``::

    /webservices/<env>/serasa/negativacao.asmx  CodigosRestricoes CodigosBaixa
                                                IncluirEnderecoDevedor Incluir Consulta
                                                Excluir Lista
    /webservices/<env>/serasa/concentre.asmx    Concentre
    /webservices/<env>/serasa/crednet.asmx      Crednet (assumed: Concentre's request/answer)
    /webservices/<env>/serasa/pefin.asmx        Pefin
    /webservices/<env>/sws/administracao.asmx   Saldo

Deterministic rules (documents are compared without punctuation, upper case):

* report profile = last (check) digit of the CPF/CNPJ modulo 5: 0 limpo, 1 pendencias
  (PendenciasFinanceiras), 2 protestos, 3 cheques (PendenciasBacen + AcheiRecheque),
  4 completo (every block);
* an inclusion whose principal document ends in ``00`` (or is in ``sim.error_documents``)
  goes Pendentes -> Erro instead of Ativas;
* this account's Ativas negativations of a document show up in its PEFIN/Concentre reports.

Part 1 below is the SOAP contract (types, operations, WSDL) — one description drives the
WSDL and the order of the elements of every answer, so what zeep is told and what it
receives cannot disagree. Element names follow the vendor's public documentation; the ones
marked ``# assumed`` are our modelling of what is not public:

* the answer shapes (result type names ``Retorno*``, ``Codigos/CodigoDescricao``,
  ``Negativacao`` record with ``Condicao``/``Motivo``, ``Negativacoes`` list,
  ``Saldo``/``TipoConta``), the Concentre detail elements (``Ocorrencia`` repeated in
  each block) and the ``Score`` block;
* ``Restricao.TipoComunicado`` (FAC default), ``Devedor.DataNascimento``, natureza ``CH``;
* the success code ``G000M100`` and the codes ``G000M001``, ``G000M002``, ``N000M001``-``N000M007``
  (public: ``G000M000``, ``G000M003``, ``P009M001``, ``P009M002``);
* amounts in reports are text with a dot (``"1234.56"``), dates ``dd/mm/yyyy``;
* ``Concentre.Adicionais`` is a comma-separated string (``"Score"``);
* the ``Crednet`` operation of ``serasa/crednet.asmx`` (the service is public, its contract is
  not): same request and answer shape as ``Concentre`` (``RetornoCrednet``);
* both environments share one prepaid balance and charge the same prices;
* the widths of Incluir's fields (``MAX_LENGTHS``: the address parts 45 characters each,
  Contrato and NossoNumero 30) and of Valor (15 digits, cents included): a longer value is
  refused with ``G000M001``.
"""

import copy
import datetime
import decimal
import hashlib
import html
import json
import os
import random
import re
import threading
import time
import uuid
from collections import Counter, namedtuple

from lxml import etree
from stdnum.br import cnpj as stdnum_cnpj
from stdnum.br import cpf as stdnum_cpf
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

# ======================================================================================
# Part 1 — the SOAP contract
# ======================================================================================

NS = "SOAWebServices"
ENVIRONMENTS = ("test-drive", "producao")
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
HTTP_TRANSPORT = "http://schemas.xmlsoap.org/soap/http"

BUILTINS = ("string", "boolean", "int", "decimal")

Field = namedtuple("Field", "name type min many")


def el(name, type_="string", *, required=False, many=False):
    """A sequence member; optional (minOccurs=0) unless ``required``."""
    return Field(name, type_, 1 if required else 0, many)


def _envelope_fields():
    # Common to every answer: Status, Mensagem, Transacao (public).
    return [el("Status", "boolean", required=True), el("Mensagem"), el("Transacao", "Transacao")]


CONDICOES = ("Pendentes", "Ativas", "Erro", "Indisponivel", "Baixadas")
TIPOS_DEVEDOR = ("Principal", "CoObrigado")
TIPOS_COMUNICADO = ("FAC", "BoletoBancario", "ContasPublicas", "AR")

ENUMS = {
    "Condicao": CONDICOES,
    "TipoDevedor": TIPOS_DEVEDOR,
    "TipoComunicado": TIPOS_COMUNICADO,  # assumed (field name and place)
}

TYPES = {
    # --- common -------------------------------------------------------------------------
    "Credenciais": [el("Email"), el("Senha")],
    "Transacao": [
        el("Status", "boolean", required=True),
        el("CodigoStatus"),
        el("CodigoStatusDescricao"),
    ],
    # --- negativação: request -----------------------------------------------------------
    "Endereco": [
        el("CEP"),
        el("Logradouro"),
        el("Numero"),
        el("Complemento"),
        el("Bairro"),
    ],
    "Devedor": [
        el("Documento"),
        el("TipoDevedor", "TipoDevedor", required=True),
        el("DataNascimento"),  # assumed: optional, dd/mm/yyyy
        el("Endereco", "Endereco"),
    ],
    "ArrayOfDevedor": [el("Devedor", "Devedor", many=True)],
    "RestricaoCheque": [
        el("CodigoBanco"),
        el("Agencia"),
        el("ContaCorrente"),
        el("NumeroCheque"),
        el("Alinea"),
    ],
    "Restricao": [
        el("CodigoRestricao"),
        el("Contrato"),
        el("NossoNumero"),
        el("DataVencimento"),
        el("DataFinalContrato"),
        el("Valor", "decimal", required=True),
        el("TipoComunicado", "TipoComunicado"),  # assumed
        el("RestricaoCheque", "RestricaoCheque"),
    ],
    "InclusaoNegativacao": [
        el("Devedores", "ArrayOfDevedor"),
        el("Restricao", "Restricao"),
    ],
    # --- negativação: answers (shapes assumed, states public) ----------------------------
    "CodigoDescricao": [el("Codigo"), el("Descricao")],
    "ArrayOfCodigoDescricao": [el("CodigoDescricao", "CodigoDescricao", many=True)],
    "Negativacao": [
        el("UniqueID"),
        el("Condicao", "Condicao", required=True),
        el("Motivo"),
        el("Documento"),
        el("DocumentoCoObrigado"),
        el("Contrato"),
        el("NossoNumero"),
        el("CodigoRestricao"),
        el("DataVencimento"),
        el("Valor", "decimal"),
        el("TipoComunicado", "TipoComunicado"),
        el("DataInclusao"),
        el("DataDisponibilizacao"),
        el("CodigoBaixa"),
        el("DataBaixa"),
    ],
    "ArrayOfNegativacao": [el("Negativacao", "Negativacao", many=True)],
    "RetornoCodigos": [el("Codigos", "ArrayOfCodigoDescricao"), *_envelope_fields()],
    "RetornoBasico": _envelope_fields(),
    "RetornoInclusao": [el("UniqueID"), el("Condicao", "Condicao"), *_envelope_fields()],
    "RetornoConsulta": [el("Negativacao", "Negativacao"), *_envelope_fields()],
    "RetornoLista": [
        el("Condicao", "Condicao"),
        el("TotalRegistros", "int"),
        el("Negativacoes", "ArrayOfNegativacao"),
        *_envelope_fields(),
    ],
    # --- reports --------------------------------------------------------------------------
    "PendenciaFinanceira": [
        el("DataOcorrencia"),
        el("Modalidade"),
        el("Avalista"),
        el("Valor"),
        el("Contrato"),
        el("Origem"),
        el("Sigla"),
    ],
    "PendenciaVarejo": [
        el("CodigoCompensacaoBanco"),
        el("NumeroAgencia"),
        el("OrigemOcorrencia"),
        el("Sigla"),
        el("NumeroLojaFilial"),
    ],
    "PendenciaBacen": [
        el("TotalChequesSemFundo"),
        el("DataOcorrenciaAntiga"),
        el("DataOcorrenciaRecente"),
        el("CodigoCompensacao"),
        el("NumeroAgencia"),
        el("NomeFantasiaBanco"),
    ],
    "AlertaDocumentos": [
        el("Mensagem"),
        el("DDD1"),
        el("Fone1"),
        el("DDD2"),
        el("Fone2"),
        el("DDD3"),
        el("Fone3"),
    ],
    "Protesto": [  # detail fields assumed
        el("DataOcorrencia"),
        el("Valor"),
        el("Cartorio"),
        el("Cidade"),
        el("UF"),
    ],
    "AcaoJudicial": [  # detail fields assumed
        el("DataOcorrencia"),
        el("Natureza"),
        el("Valor"),
        el("Vara"),
        el("Cidade"),
        el("UF"),
    ],
    "ConvemDevedor": [  # detail fields assumed
        el("DataOcorrencia"),
        el("Modalidade"),
        el("Valor"),
        el("Contrato"),
        el("Origem"),
    ],
    "Recheque": [  # detail fields assumed
        el("DataOcorrencia"),
        el("CodigoBanco"),
        el("NomeBanco"),
        el("Agencia"),
        el("ContaCorrente"),
        el("NumeroCheque"),
        el("Alinea"),
        el("Valor"),
        el("Informante"),
    ],
    "Score": [  # assumed block
        el("Pontuacao", "int"),
        el("ClasseRisco"),
        el("Mensagem"),
    ],
    "RetornoPefin": [
        el("Documento"),
        el("Nome"),
        el("NomeMae"),
        el("DataNascimento"),
        el("TotalOcorrencias", "int"),
        el("AlertaDocumentos", "AlertaDocumentos"),
        el("PendenciasFinanceiras", "PendenciaFinanceira", many=True),
        el("PendenciasVarejo", "PendenciaVarejo", many=True),
        el("PendenciasBacen", "PendenciaBacen", many=True),
        *_envelope_fields(),
    ],
    "RetornoConcentre": [
        el("Documento"),
        el("Nome"),
        el("DataNascimento"),
        el("PendenciasInternas", "BlocoPendencias"),
        el("PendenciasFinanceiras", "BlocoPendencias"),
        el("RestricoesFinanceiras", "BlocoPendencias"),
        el("PendenciasBacen", "BlocoPendenciasBacen"),
        el("Protestos", "BlocoProtestos"),
        el("AcoesJudiciais", "BlocoAcoesJudiciais"),
        el("ConvemDevedores", "BlocoConvemDevedores"),
        el("AcheiRecheque", "BlocoAcheiRecheque"),
        el("TotalOcorrencias", "int"),
        el("ValorTotalOcorrencias", "decimal"),
        el("Score", "Score"),
        *_envelope_fields(),
    ],
    # --- administração ----------------------------------------------------------------------
    "RetornoSaldo": [el("Saldo", "decimal"), el("TipoConta"), *_envelope_fields()],
}

# Crednet: assumed to answer like Concentre.
TYPES["RetornoCrednet"] = list(TYPES["RetornoConcentre"])

# Concentre blocks: TotalOcorrencias, Mensagem and the repeated detail element "Ocorrencia".
for _block, _detail in (
    ("BlocoPendencias", "PendenciaFinanceira"),
    ("BlocoPendenciasBacen", "PendenciaBacen"),
    ("BlocoProtestos", "Protesto"),
    ("BlocoAcoesJudiciais", "AcaoJudicial"),
    ("BlocoConvemDevedores", "ConvemDevedor"),
    ("BlocoAcheiRecheque", "Recheque"),
):
    TYPES[_block] = [
        el("TotalOcorrencias", "int", required=True),
        el("Mensagem"),
        el("Ocorrencia", _detail, many=True),
    ]

Operation = namedtuple("Operation", "name fields result doc")

# service path (without ".asmx") -> (WSDL service name, operations)
SERVICES = {
    "serasa/negativacao": (
        "Negativacao",
        [
            Operation(
                "CodigosRestricoes",
                [],
                "RetornoCodigos",
                "Códigos de restrição (natureza) que a conta pode usar.",
            ),
            Operation("CodigosBaixa", [], "RetornoCodigos", "Códigos de motivo de baixa."),
            Operation(
                "IncluirEnderecoDevedor",
                [el("Documento"), el("Endereco", "Endereco")],
                "RetornoBasico",
                "Inclui ou corrige o endereço de um devedor.",
            ),
            Operation(
                "Incluir",
                [el("InclusaoNegativacao", "InclusaoNegativacao")],
                "RetornoInclusao",
                "Inclui uma negativação (PEFIN); devolve o UniqueID.",
            ),
            Operation(
                "Consulta",
                [el("UniqueID")],
                "RetornoConsulta",
                "Situação de uma negativação pelo UniqueID.",
            ),
            Operation(
                "Excluir",
                [el("UniqueID"), el("CodigoBaixa"), el("DataBaixa")],
                "RetornoConsulta",
                "Baixa (exclusão) de uma negativação.",
            ),
            Operation(
                "Lista",
                [el("Condicao", "Condicao", required=True)],
                "RetornoLista",
                "Todas as negativações em uma condição.",
            ),
        ],
    ),
    "serasa/concentre": (
        "Concentre",
        [
            Operation(
                "Concentre",
                [el("Documento"), el("Adicionais")],
                "RetornoConcentre",
                "Relatório Concentre por CPF/CNPJ.",
            )
        ],
    ),
    "serasa/crednet": (
        "Crednet",
        [
            Operation(
                "Crednet",
                [el("Documento"), el("Adicionais")],
                "RetornoCrednet",
                "Relatório Crednet por CPF/CNPJ.",
            )
        ],
    ),
    "serasa/pefin": (
        "Pefin",
        [Operation("Pefin", [el("Documento")], "RetornoPefin", "Relatório PEFIN por CPF/CNPJ.")],
    ),
    "sws/administracao": (
        "Administracao",
        [Operation("Saldo", [], "RetornoSaldo", "Saldo pré-pago da conta.")],
    ),
}

OPERATIONS = {op.name: (path, op) for path, (_name, ops) in SERVICES.items() for op in ops}


def _collect_types(type_name, seen):
    if type_name in BUILTINS or type_name in seen:
        return
    seen.add(type_name)
    for field in TYPES.get(type_name, ()):
        _collect_types(field.type, seen)


def _qname(type_name):
    return f"s:{type_name}" if type_name in BUILTINS else f"tns:{type_name}"


def _sequence(parent, fields):
    seq = etree.SubElement(parent, f"{{{XSD_NS}}}sequence")
    for field in fields:
        etree.SubElement(
            seq,
            f"{{{XSD_NS}}}element",
            minOccurs=str(field.min),
            maxOccurs="unbounded" if field.many else "1",
            name=field.name,
            type=_qname(field.type),
        )


def build_wsdl(service_path, location):
    """The WSDL of one service (document/literal wrapped, SOAP 1.1 and 1.2 bindings)."""
    service_name, operations = SERVICES[service_path]
    nsmap = {
        "wsdl": WSDL_NS,
        "soap": WSDL_SOAP11,
        "soap12": WSDL_SOAP12,
        "s": XSD_NS,
        "tns": NS,
    }
    W = f"{{{WSDL_NS}}}"
    S = f"{{{XSD_NS}}}"
    root = etree.Element(W + "definitions", nsmap=nsmap, targetNamespace=NS)
    types = etree.SubElement(root, W + "types")
    schema = etree.SubElement(types, S + "schema", elementFormDefault="qualified")
    schema.set("targetNamespace", NS)
    used = set()
    for op in operations:
        req = etree.SubElement(schema, S + "element", name=op.name)
        _sequence(
            etree.SubElement(req, S + "complexType"),
            [el("Credenciais", "Credenciais"), *op.fields],
        )
        resp = etree.SubElement(schema, S + "element", name=op.name + "Response")
        _sequence(etree.SubElement(resp, S + "complexType"), [el(op.name + "Result", op.result)])
        _collect_types("Credenciais", used)
        _collect_types(op.result, used)
        for field in op.fields:
            _collect_types(field.type, used)
    for type_name in sorted(used):
        if type_name in ENUMS:
            simple = etree.SubElement(schema, S + "simpleType", name=type_name)
            restriction = etree.SubElement(simple, S + "restriction", base="s:string")
            for value in ENUMS[type_name]:
                etree.SubElement(restriction, S + "enumeration", value=value)
        else:
            _sequence(etree.SubElement(schema, S + "complexType", name=type_name), TYPES[type_name])
    for op in operations:
        for suffix, element in (("SoapIn", op.name), ("SoapOut", op.name + "Response")):
            msg = etree.SubElement(root, W + "message", name=op.name + suffix)
            etree.SubElement(msg, W + "part", name="parameters", element="tns:" + element)
    port_type = etree.SubElement(root, W + "portType", name=service_name + "Soap")
    for op in operations:
        wop = etree.SubElement(port_type, W + "operation", name=op.name)
        etree.SubElement(wop, W + "documentation").text = op.doc
        etree.SubElement(wop, W + "input", message=f"tns:{op.name}SoapIn")
        etree.SubElement(wop, W + "output", message=f"tns:{op.name}SoapOut")
    for suffix, soap_ns in (("Soap", WSDL_SOAP11), ("Soap12", WSDL_SOAP12)):
        P = f"{{{soap_ns}}}"
        binding = etree.SubElement(
            root, W + "binding", name=service_name + suffix, type=f"tns:{service_name}Soap"
        )
        etree.SubElement(binding, P + "binding", transport=HTTP_TRANSPORT)
        for op in operations:
            wop = etree.SubElement(binding, W + "operation", name=op.name)
            etree.SubElement(wop, P + "operation", soapAction=f"{NS}/{op.name}", style="document")
            for direction in ("input", "output"):
                etree.SubElement(etree.SubElement(wop, W + direction), P + "body", use="literal")
    service = etree.SubElement(root, W + "service", name=service_name)
    for suffix, soap_ns in (("Soap", WSDL_SOAP11), ("Soap12", WSDL_SOAP12)):
        port = etree.SubElement(
            service, W + "port", name=service_name + suffix, binding=f"tns:{service_name}{suffix}"
        )
        etree.SubElement(port, f"{{{soap_ns}}}address", location=location)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


# ======================================================================================
# Part 2 — codes, tables and deterministic data
# ======================================================================================

# Transacao.CodigoStatus values. Public: G000M000, G000M003, P009M001, P009M002. The others
# are the simulator's own [assumed] codes: a client must treat an unknown code generically
# (Status false + Mensagem), never as a specific condition.
SUCCESS = "G000M100"  # assumed
ERRORS = {
    "G000M000": "Credenciais inválidas",  # public
    "G000M001": "Requisição inválida",  # assumed
    "G000M002": "Saldo insuficiente",  # assumed
    "G000M003": "Documento inválido",  # public
    "P009M001": "Data de nascimento não informada",  # public
    "P009M002": "Data de nascimento inválida",  # public
    "N000M001": "Negativação já existente para o documento e contrato",  # assumed
    "N000M002": "Negativação não encontrada",  # assumed
    "N000M003": "A situação da negativação não permite a operação",  # assumed
    "N000M004": "Endereço do devedor incompleto",  # assumed
    "N000M005": "Código não permitido",  # assumed
    "N000M006": "Valor abaixo do mínimo aceito pelo bureau",  # assumed
    "N000M007": "Data de vencimento inválida",  # assumed
}
DESCRIPTIONS = {SUCCESS: "Transação realizada com sucesso", **ERRORS}

# Natureza codes (a selection; "CH" assumed for a cheque, which needs RestricaoCheque).
CODIGOS_RESTRICOES = [
    ("CD", "CREDIARIO"),
    ("CH", "CHEQUE"),
    ("DP", "DUPLICATA"),
    ("NF", "NOTA FISCAL"),
    ("OO", "OUTRAS OPERACOES"),
    ("TI", "SERVICOS DE DADOS/INTERNET"),
    ("TP", "SERVICOS DE TELEFONIA"),
]
CODIGOS_BAIXA = [
    ("01", "PAGAMENTO DA DIVIDA"),
    ("02", "RENEGOCIACAO DA DIVIDA"),
    ("03", "POR SOLICITACAO DO CLIENTE"),
    ("04", "ORDEM JUDICIAL"),
    ("17", "COMUNICADO DEVOLVIDO (CORREIO)"),
    ("19", "ACORDO"),
    ("20", "DEPOSITO"),
    ("40", "FRAUDE"),
    ("44", "FALECIMENTO DO DEVEDOR"),
    ("45", "CONTESTACAO"),
]

# Report profile by the last (check) digit of the document, modulo 5.
PROFILES = ("limpo", "pendencias", "protestos", "cheques", "completo")

# Valid documents per report profile, and ones whose inclusions end in Erro.
EXAMPLE_DOCUMENTS = {
    "limpo": ("12345678810", "11222333001820", "12ABC34501DE35"),
    "pendencias": ("12345679891", "11222333000181"),
    "protestos": ("12345678062", "11222333000262"),
    "cheques": ("12345678143", "11222333000343", "A1B2C3D4000193"),
    "completo": ("12345678224", "11222333000424"),
    "erro_inclusao": ("12345679700", "11222333001900"),
}

DEFAULT_PRICES = {"Concentre": "12.90", "Crednet": "9.90", "Pefin": "4.90", "Incluir": "3.50"}
MISBEHAVIOURS = (
    "delay",
    "timeout",
    "http500",
    "fault",
    "malformed",
    "wrong_credentials",
    "timeout_after_commit",
)
BLOCKS = (
    "PendenciasInternas",
    "PendenciasFinanceiras",
    "RestricoesFinanceiras",
    "PendenciasBacen",
    "Protestos",
    "AcoesJudiciais",
    "ConvemDevedores",
    "AcheiRecheque",
)

_FIRST = ("ANA", "BRUNO", "CARLA", "DANIEL", "EDUARDA", "FABIO", "GABRIELA", "HEITOR", "IRIS")
_MOTHERS = ("MARIA", "ANTONIA", "FRANCISCA", "LUCIA", "TEREZA", "JOANA")
_LAST = ("SILVA", "SOUZA", "OLIVEIRA", "PEREIRA", "LIMA", "COSTA", "RIBEIRO", "ALMEIDA")
_COMPANY = ("ALFA", "BETA", "DELTA", "ORION", "VEGA", "ATLAS", "NOVA", "PRISMA")
_CREDITORS = ("BANCO EXEMPLO S.A.", "LOJAS MODELO LTDA", "TELECOM DEMO S.A.", "FINANCEIRA FICTICIA")
_MODALIDADES = ("FINANCIAMENTO", "CARTAO DE CREDITO", "CREDIARIO", "SERV TELECOM", "EMPRESTIMO")
_BANKS = (("001", "BANCO DO BRASIL"), ("237", "BRADESCO"), ("341", "ITAU"), ("104", "CAIXA"))
_CITIES = (("SAO PAULO", "SP"), ("CAMPINAS", "SP"), ("BELO HORIZONTE", "MG"), ("CURITIBA", "PR"))


class SimError(Exception):
    """An answer with Status false and ``code`` in Transacao.CodigoStatus."""

    def __init__(self, code, message=None):
        super().__init__(message or ERRORS[code])
        self.code = code
        self.message = message or ERRORS[code] + "."


def normalize_document(value):
    return re.sub(r"[\s./-]", "", str(value or "")).upper()


def document_kind(value):
    """'CPF' or 'CNPJ' for a valid document, None otherwise (repeated digits rejected)."""
    doc = normalize_document(value)
    if len(set(doc)) <= 1:
        return None
    if len(doc) == 11 and doc.isdigit() and stdnum_cpf.is_valid(doc):
        return "CPF"
    if len(doc) == 14 and stdnum_cnpj.is_valid(doc):
        return "CNPJ"
    return None


def report_profile(document):
    """The deterministic report profile of a document: the last (check) digit modulo 5.

    0/5 limpo, 1/6 pendencias, 2/7 protestos, 3/8 cheques, 4/9 completo.
    """
    doc = normalize_document(document)
    return PROFILES[int(doc[-1]) % 5] if doc[-1:].isdigit() else PROFILES[0]


def is_error_document(document):
    """Inclusions whose principal document's check digits are "00" end in Erro."""
    return normalize_document(document).endswith("00")


def _parse_date(value):
    value = (value or "").strip()
    if not re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
        return None
    try:
        return datetime.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        return None


def _years_ago(today, years):
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _fmt_date(day):
    return day.strftime("%d/%m/%Y")


# Widths of Incluir's fields, in characters (assumed, as the client's const.py), and the
# digits of Valor, cents included.
MAX_LENGTHS = {
    "Logradouro": 45,
    "Numero": 45,
    "Complemento": 45,
    "Bairro": 45,
    "Contrato": 30,
    "NossoNumero": 30,
}
MAX_VALUE_DIGITS = 15


def _check_lengths(fields, label):
    for name, value in fields.items():
        limit = MAX_LENGTHS.get(name)
        if limit and len(_text(value)) > limit:
            raise SimError(
                "G000M001",
                f"{name} {label} com {len(_text(value))} caracteres: o máximo é {limit}.",
            )


def _money(value):
    return decimal.Decimal(str(value)).quantize(decimal.Decimal("0.01"))


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _dossier(document, today):
    """Deterministic occurrences of a document (same document, same day -> same data)."""
    doc = normalize_document(document)
    rng = random.Random(int(hashlib.sha256(doc.encode()).hexdigest(), 16))
    profile = report_profile(doc)
    kind = document_kind(doc)

    def day(lo=30, hi=1500):
        return _fmt_date(today - datetime.timedelta(days=rng.randint(lo, hi)))

    def amount(lo=50, hi=5000):
        return f"{rng.randint(lo * 100, hi * 100) / 100:.2f}"

    def pendencia(sigla="PEFIN"):
        return {
            "DataOcorrencia": day(),
            "Modalidade": rng.choice(_MODALIDADES),
            "Avalista": "NAO",
            "Valor": amount(),
            "Contrato": str(rng.randint(10**9, 10**10 - 1)),
            "Origem": rng.choice(_CREDITORS),
            "Sigla": sigla,
        }

    def bacen():
        code, bank = rng.choice(_BANKS)
        return {
            "TotalChequesSemFundo": str(rng.randint(1, 4)),
            "DataOcorrenciaAntiga": day(400, 1500),
            "DataOcorrenciaRecente": day(30, 399),
            "CodigoCompensacao": code,
            "NumeroAgencia": f"{rng.randint(1, 9999):04d}",
            "NomeFantasiaBanco": bank,
        }

    def protesto():
        city, uf = rng.choice(_CITIES)
        return {
            "DataOcorrencia": day(),
            "Valor": amount(100, 20000),
            "Cartorio": f"{rng.randint(1, 10)}",
            "Cidade": city,
            "UF": uf,
        }

    def acao():
        city, uf = rng.choice(_CITIES)
        return {
            "DataOcorrencia": day(),
            "Natureza": rng.choice(("EXECUCAO", "BUSCA E APREENSAO", "COBRANCA")),
            "Valor": amount(1000, 80000),
            "Vara": f"{rng.randint(1, 40)}A VARA CIVEL",
            "Cidade": city,
            "UF": uf,
        }

    def convem():
        return {
            "DataOcorrencia": day(),
            "Modalidade": rng.choice(_MODALIDADES),
            "Valor": amount(),
            "Contrato": str(rng.randint(10**9, 10**10 - 1)),
            "Origem": rng.choice(_CREDITORS),
        }

    def recheque():
        code, bank = rng.choice(_BANKS)
        return {
            "DataOcorrencia": day(),
            "CodigoBanco": code,
            "NomeBanco": bank,
            "Agencia": f"{rng.randint(1, 9999):04d}",
            "ContaCorrente": f"{rng.randint(10000, 999999)}-{rng.randint(0, 9)}",
            "NumeroCheque": f"{rng.randint(1, 999999):06d}",
            "Alinea": rng.choice(("11", "12", "21")),
            "Valor": amount(30, 3000),
            "Informante": rng.choice(_CREDITORS),
        }

    if kind == "CNPJ":
        name = f"{rng.choice(_COMPANY)} {rng.choice(_COMPANY)} COMERCIO LTDA"
        birth = mother = None
    else:
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {rng.choice(_LAST)}"
        mother = f"{rng.choice(_MOTHERS)} {rng.choice(_LAST)} {rng.choice(_LAST)}"
        birth = _fmt_date(today - datetime.timedelta(days=rng.randint(20 * 365, 70 * 365)))
    data = {
        "profile": profile,
        "Nome": name,
        "NomeMae": mother,
        "DataNascimento": birth,
        "score_base": rng.randint(0, 99),
        **{block: [] for block in BLOCKS},
        "PendenciasVarejo": [],
        "AlertaDocumentos": None,
    }
    if profile == "pendencias":
        data["PendenciasFinanceiras"] = [pendencia() for _ in range(rng.randint(1, 3))]
    elif profile == "protestos":
        data["Protestos"] = [protesto() for _ in range(rng.randint(1, 3))]
    elif profile == "cheques":
        data["PendenciasBacen"] = [bacen()]
        data["AcheiRecheque"] = [recheque() for _ in range(rng.randint(1, 2))]
    elif profile == "completo":
        data["PendenciasInternas"] = [pendencia("INTERNA")]
        data["PendenciasFinanceiras"] = [pendencia(), pendencia("REFIN")]
        data["RestricoesFinanceiras"] = [pendencia("REFIN")]
        data["PendenciasBacen"] = [bacen()]
        data["Protestos"] = [protesto()]
        data["AcoesJudiciais"] = [acao()]
        data["ConvemDevedores"] = [convem()]
        data["AcheiRecheque"] = [recheque()]
        code, _bank = rng.choice(_BANKS)
        data["PendenciasVarejo"] = [
            {
                "CodigoCompensacaoBanco": code,
                "NumeroAgencia": f"{rng.randint(1, 9999):04d}",
                "OrigemOcorrencia": rng.choice(_CREDITORS),
                "Sigla": "VAREJO",
                "NumeroLojaFilial": str(rng.randint(1, 300)),
            }
        ]
        data["AlertaDocumentos"] = {
            "Mensagem": "DOCUMENTO INFORMADO COMO EXTRAVIADO PELO TITULAR",
            "DDD1": "11",
            "Fone1": "40040000",
        }
    return data


# ======================================================================================
# Part 3 — XML helpers
# ======================================================================================


def _safe_parser():
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )


def xml_to_python(element):
    """Element -> str (leaf) or dict (children; repeated names -> list). Namespaces dropped."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        if element.get(f"{{{XSI_NS}}}nil") in ("true", "1"):
            return None
        return element.text or ""
    result = {}
    for child in children:
        name = etree.QName(child).localname
        value = xml_to_python(child)
        if name in result:
            if not isinstance(result[name], list):
                result[name] = [result[name]]
            result[name].append(value)
        else:
            result[name] = value
    return result


def _lexical(type_name, value):
    if type_name == "boolean":
        return "true" if value else "false"
    if type_name == "int":
        return str(int(value))
    if type_name == "decimal":
        return str(_money(value))
    return str(value)


def build_element(parent, name, type_name, value):
    """Write ``value`` as element ``name`` of ``type_name``, in the WSDL's element order."""
    node = etree.SubElement(parent, f"{{{NS}}}{name}")
    if type_name in TYPES:
        for field in TYPES[type_name]:
            item = value.get(field.name) if isinstance(value, dict) else None
            if item is None or (field.many and not item):
                if field.min:
                    raise ValueError(f"{type_name}.{field.name} is required")
                continue
            for one in item if field.many else [item]:
                build_element(node, field.name, field.type, one)
    else:
        node.text = _lexical(type_name, value)
    return node


def soap_envelope(version, build_body):
    env_ns = SOAP12_ENV if version == "1.2" else SOAP11_ENV
    root = etree.Element(
        f"{{{env_ns}}}Envelope", nsmap={"soap": env_ns, "xsi": XSI_NS, "xsd": XSD_NS}
    )
    build_body(etree.SubElement(root, f"{{{env_ns}}}Body"))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def soap_fault(version, message, client=False):
    env_ns = SOAP12_ENV if version == "1.2" else SOAP11_ENV

    def body(parent):
        fault = etree.SubElement(parent, f"{{{env_ns}}}Fault")
        if version == "1.2":
            code = etree.SubElement(fault, f"{{{env_ns}}}Code")
            value = etree.SubElement(code, f"{{{env_ns}}}Value")
            value.text = "soap:Sender" if client else "soap:Receiver"
            reason = etree.SubElement(fault, f"{{{env_ns}}}Reason")
            text = etree.SubElement(reason, f"{{{env_ns}}}Text")
            text.set("{http://www.w3.org/XML/1998/namespace}lang", "pt-BR")
            text.text = message
            etree.SubElement(fault, f"{{{env_ns}}}Detail")
        else:
            etree.SubElement(fault, "faultcode").text = "soap:Client" if client else "soap:Server"
            etree.SubElement(fault, "faultstring").text = message
            etree.SubElement(fault, "detail")

    return soap_envelope(version, body)


IIS_ERROR_PAGE = """<!DOCTYPE html>
<html>
    <head>
        <title>Erro de Runtime</title>
        <meta name="viewport" content="width=device-width" />
    </head>
    <body bgcolor="white">
            <span><H1>Erro de Servidor no Aplicativo '/webservices'.
            <hr width=100% size=1 color=silver></H1>
            <h2> <i>Erro de Runtime</i> </h2></span>
            <b> Descrição: </b>Ocorreu um erro de aplicativo no servidor.<br><br>
            <b>Detalhes:</b> {detail}<br><br>
    </body>
</html>
<!--
[HttpException]: {detail}
-->
"""


# ======================================================================================
# Part 4 — the simulator
# ======================================================================================

_PATH_RE = re.compile(
    r"^/webservices/(test-drive|producao)/(serasa/negativacao|serasa/concentre|serasa/crednet"
    r"|serasa/pefin"
    r"|sws/administracao)\.asmx/?$",
    re.IGNORECASE,
)
_OPEN = ("Pendentes", "Ativas", "Indisponivel")  # states that block a second inclusion


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request (the tests make hundreds)."""

    def log_request(self, *args, **kwargs):
        pass


def service_path(service):
    """'negativacao', 'serasa/negativacao(.asmx)' or 'Negativacao' -> 'serasa/negativacao'."""
    key = str(service).strip("/").lower().removesuffix(".asmx")
    for path, (name, _ops) in SERVICES.items():
        if key in (path, path.split("/")[-1], name.lower()):
            return path
    raise ValueError(f"unknown SOA WebServices service: {service!r}")


class SOAWebServicesSimulator:
    """A loopback SOAP server behaving like SOA WebServices (see the module docstring)."""

    def __init__(
        self,
        email="demo@example.com",
        senha="demo123",
        activation_delay=0,
        state_file=None,
        *,
        balance="500.00",
        prices=None,
        timeout_seconds=30.0,
        min_value="10.00",
        require_birth_date=False,
        creditor_name="EMPRESA DEMONSTRACAO LTDA",
    ):
        self.email = email
        self.senha = senha
        # Seconds a record stays Pendentes before the next read promotes it; None: only
        # activate_all() / set_state() move it.
        self.activation_delay = activation_delay
        self.state_file = state_file
        self.initial_balance = _money(balance)
        self.prices = {op: _money(v) for op, v in {**DEFAULT_PRICES, **(prices or {})}.items()}
        self.timeout_seconds = timeout_seconds
        self.min_value = _money(min_value)
        self.require_birth_date = require_birth_date
        self.creditor_name = creditor_name
        self.error_documents = set()
        self.host = None
        self.port = None
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None
        self._clear()
        if state_file and os.path.exists(state_file):
            self._load()

    # --- life cycle -----------------------------------------------------------------------

    def start(self, host="127.0.0.1", port=0):
        if self._server is not None:
            raise RuntimeError("simulator already started")
        self._stopping.clear()
        self._server = make_server(host, port, self, threaded=True, request_handler=_QuietHandler)
        self.host, self.port = host, self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"soa-webservices-simulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        """Stop serving; answers sleeping in a delay/timeout are woken up and dropped."""
        self._stopping.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def service_url(self, service, env="test-drive"):
        if env not in ENVIRONMENTS:
            raise ValueError(f"env must be one of {ENVIRONMENTS}")
        return f"{self.url}/webservices/{env}/{service_path(service)}.asmx"

    def wsdl_url(self, service, env="test-drive"):
        return self.service_url(service, env) + "?WSDL"

    def wsdl_urls(self, env="test-drive"):
        return {path: self.wsdl_url(path, env) for path in SERVICES}

    # --- state ----------------------------------------------------------------------------

    def _clear(self):
        self.records = {}  # UniqueID -> record dict
        self.addresses = {}  # "env|document" -> Endereco dict
        self.balance = self.initial_balance
        self.requests = []
        self.wsdl_requests = Counter()  # "test-drive/serasa/negativacao" -> fetches
        self._misbehaviours = []

    def reset(self):
        """Forget negativations, request log, WSDL counters, misbehaviours; restore balance."""
        with self._lock:
            self._clear()
            self.error_documents = set()
            self._save()

    def _save(self):
        if not self.state_file:
            return
        data = {
            "balance": str(self.balance),
            "records": list(self.records.values()),
            "addresses": self.addresses,
        }
        tmp = f"{self.state_file}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
        os.replace(tmp, self.state_file)

    def _load(self):
        with open(self.state_file, encoding="utf-8") as handle:
            data = json.load(handle)
        self.balance = _money(data.get("balance", self.initial_balance))
        self.records = {rec["uid"]: rec for rec in data.get("records", [])}
        self.addresses = data.get("addresses", {})

    def set_balance(self, value):
        with self._lock:
            self.balance = _money(value)
            self._save()

    def negativacoes(self, condicao=None, env=None):
        """Copies of the records (optionally of one condition / environment)."""
        with self._lock:
            self._advance()
            return [
                dict(rec)
                for rec in sorted(self.records.values(), key=lambda r: r["created"])
                if (condicao is None or rec["condicao"] == condicao)
                and (env is None or rec["env"] == env)
            ]

    def get(self, unique_id):
        with self._lock:
            self._advance()
            rec = self.records.get(unique_id)
            return dict(rec) if rec else None

    def set_state(self, unique_id, condicao, motivo=None):
        """Force a record into any condition (e.g. Indisponivel, Erro with ``motivo``)."""
        if condicao not in CONDICOES:
            raise ValueError(f"condicao must be one of {CONDICOES}")
        with self._lock:
            rec = self.records[unique_id]
            rec["condicao"] = condicao
            rec["motivo"] = motivo
            if condicao == "Ativas" and not rec.get("data_disponibilizacao"):
                rec["data_disponibilizacao"] = self._now_text()
            self._save()

    def activate_all(self):
        """Process every Pendentes record now (-> Ativas, or Erro); returns how many."""
        with self._lock:
            pending = [r for r in self.records.values() if r["condicao"] == "Pendentes"]
            for rec in pending:
                self._promote(rec)
            self._save()
            return len(pending)

    def _is_error(self, document):
        chosen = {normalize_document(d) for d in self.error_documents}
        return document in chosen or is_error_document(document)

    def _promote(self, rec):
        if self._is_error(rec["documento"]):
            rec["condicao"] = "Erro"
            rec["motivo"] = (
                "Inclusão rejeitada pelo bureau: endereço do devedor não localizado para o "
                f"envio do comunicado (CEP {rec.get('cep', '')})."
            )
        else:
            rec["condicao"] = "Ativas"
            rec["data_disponibilizacao"] = self._now_text()

    def _advance(self):
        if self.activation_delay is None:
            return
        now = time.time()
        changed = False
        for rec in self.records.values():
            if rec["condicao"] == "Pendentes" and now - rec["created"] >= self.activation_delay:
                self._promote(rec)
                changed = True
        if changed:
            self._save()

    @staticmethod
    def _now_text():
        return datetime.datetime.now().strftime("%d/%m/%Y %H:%M:%S")

    # --- misbehaviour -----------------------------------------------------------------------

    def misbehave(self, mode, operation=None, times=1, **kw):
        """Make the next ``times`` calls (None: all) of ``operation`` (None: any) misbehave.

        Modes: delay (seconds=1.0), timeout (seconds=timeout_seconds; not processed, then
        HTTP 504), http500 (status=500, IIS HTML page), fault (SOAP Fault, HTTP 500,
        soap:Server; message=...), malformed (truncated XML, HTTP 200; body=bytes),
        wrong_credentials (G000M000 answer), timeout_after_commit (processed and recorded,
        answer sent after seconds=timeout_seconds). ``commit=True`` makes timeout, http500,
        fault and malformed process the call before failing. ``operation="WSDL"`` targets
        the WSDL downloads.
        """
        if mode not in MISBEHAVIOURS:
            raise ValueError(f"mode must be one of {MISBEHAVIOURS}")
        if operation is not None and operation != "WSDL" and operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}")
        with self._lock:
            self._misbehaviours.append(
                {"mode": mode, "operation": operation, "times": times, "kw": kw}
            )

    def clear_misbehaviour(self):
        with self._lock:
            self._misbehaviours = []

    def _take_misbehaviour(self, operation):
        with self._lock:
            for rule in self._misbehaviours:
                wanted = rule["operation"]
                if wanted == operation or (wanted is None and operation != "WSDL"):
                    if rule["times"] is not None:
                        rule["times"] -= 1
                        if rule["times"] <= 0:
                            self._misbehaviours.remove(rule)
                    return rule
        return None

    def _sleep(self, seconds):
        self._stopping.wait(float(seconds))

    def calls(self, operation=None):
        """Request log entries (optionally of one operation)."""
        with self._lock:
            return [r for r in self.requests if operation is None or r["operation"] == operation]

    # --- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        return self.dispatch(request)(environ, start_response)

    def dispatch(self, request):
        match = _PATH_RE.match(request.path)
        if not match:
            return Response(self._html_page("Recurso não encontrado", request.path), 404)
        env, path = match.group(1).lower(), match.group(2).lower()
        if request.method == "GET":
            if any(key.lower() == "wsdl" for key in request.args):
                return self._wsdl(request, env, path)
            return Response(self._help_page(env, path), 200, content_type="text/html")
        if request.method != "POST":
            return Response("Método não permitido", 405, content_type="text/plain")
        return self._soap(request, env, path)

    @staticmethod
    def _html_page(title, detail):
        return IIS_ERROR_PAGE.replace("Erro de Runtime", html.escape(title)).replace(
            "{detail}", html.escape(detail)
        )

    def _help_page(self, env, path):
        name, ops = SERVICES[path]
        items = "".join(f"<li>{op.name}: {html.escape(op.doc)}</li>" for op in ops)
        return (
            f"<html><head><title>{name}</title></head><body><h1>{name} ({env})</h1>"
            f"<ul>{items}</ul><p><a href='?WSDL'>Descrição do serviço (WSDL)</a></p>"
            "</body></html>"
        )

    def _failure(self, rule, version, operation, answer=None):
        """The response of a failing misbehaviour, or None to answer normally."""
        mode, kw = rule["mode"], rule["kw"]
        if mode == "timeout":
            self._sleep(kw.get("seconds", self.timeout_seconds))
            page = self._html_page("Tempo esgotado", "O servidor demorou demais para responder.")
            return Response(page, 504, content_type="text/html; charset=utf-8")
        if mode == "http500":
            page = self._html_page(
                "Erro de Runtime", kw.get("message", "Erro interno no servidor de aplicação.")
            )
            return Response(page, kw.get("status", 500), content_type="text/html; charset=utf-8")
        if mode == "fault":
            message = kw.get(
                "message",
                "O servidor não pôde processar a solicitação. ---> Erro interno ao acessar "
                "o bureau.",
            )
            body = soap_fault(version, message)
            return Response(body, 500, content_type=self._content_type(version))
        if mode == "malformed":
            body = kw.get("body")
            if body is None:
                full = answer or soap_envelope(
                    version,
                    lambda b: build_element(
                        etree.SubElement(b, f"{{{NS}}}{operation}Response", nsmap={None: NS}),
                        operation + "Result",
                        "RetornoBasico",
                        {"Status": True, "Mensagem": "OK"},
                    ),
                )
                body = full[: len(full) * 2 // 3]
            return Response(body, 200, content_type=self._content_type(version))
        return None

    @staticmethod
    def _content_type(version):
        if version == "1.2":
            return "application/soap+xml; charset=utf-8"
        return "text/xml; charset=utf-8"

    def _wsdl(self, request, env, path):
        with self._lock:
            self.wsdl_requests[f"{env}/{path}"] += 1
        rule = self._take_misbehaviour("WSDL")
        if rule and rule["mode"] == "delay":
            self._sleep(rule["kw"].get("seconds", 1.0))
        elif rule and rule["mode"] in ("timeout", "http500", "malformed", "fault"):
            if rule["mode"] == "malformed":
                rule["kw"].setdefault("body", build_wsdl(path, "x")[:300])
            return self._failure(rule, "1.1", "WSDL")
        location = f"{request.host_url.rstrip('/')}/webservices/{env}/{path}.asmx"
        return Response(build_wsdl(path, location), 200, content_type="text/xml; charset=utf-8")

    def _soap(self, request, env, path):
        version = "1.2" if request.mimetype == "application/soap+xml" else "1.1"
        try:
            root = etree.fromstring(request.get_data(), _safe_parser())
        except etree.XMLSyntaxError as exc:
            return self._client_fault(version, f"Requisição XML inválida: {exc}")
        if root.getroottree().docinfo.doctype:
            return self._client_fault(version, "DTD não é permitida na requisição.")
        env_ns = etree.QName(root).namespace
        if etree.QName(root).localname != "Envelope" or env_ns not in (SOAP11_ENV, SOAP12_ENV):
            return self._client_fault(version, "O elemento raiz não é um envelope SOAP.")
        version = "1.2" if env_ns == SOAP12_ENV else "1.1"
        body = root.find(f"{{{env_ns}}}Body")
        op_el = None if body is None else next((c for c in body if isinstance(c.tag, str)), None)
        operations = {op.name for op in SERVICES[path][1]}
        if op_el is None or etree.QName(op_el).namespace != NS:
            return self._client_fault(version, "O corpo SOAP não contém uma operação válida.")
        operation = etree.QName(op_el).localname
        if operation not in operations:
            return self._client_fault(
                version, f"O servidor não reconheceu a operação {operation} neste serviço."
            )
        action = self._soap_action(request, version)
        if action and action != f"{NS}/{operation}":
            return self._client_fault(
                version,
                f"O servidor não reconheceu o valor do cabeçalho HTTP SOAPAction: {action}.",
            )
        fields = xml_to_python(op_el)
        fields = fields if isinstance(fields, dict) else {}
        entry = {
            "time": time.time(),
            "env": env,
            "service": path,
            "operation": operation,
            "soap_version": version,
            "soap_action": action,
            "fields": _masked(fields),
            "authenticated": self._authenticated(fields),
            "misbehaviour": None,
            "codigo_status": None,
        }
        rule = self._take_misbehaviour(operation)
        mode = rule["mode"] if rule else None
        entry["misbehaviour"] = mode
        with self._lock:
            self.requests.append(entry)
        kw = rule["kw"] if rule else {}
        if mode == "delay":
            self._sleep(kw.get("seconds", 1.0))
        answer = None
        if mode in (None, "delay", "wrong_credentials", "timeout_after_commit") or kw.get("commit"):
            answer, entry["codigo_status"] = self._answer(
                env, operation, fields, version, wrong_credentials=mode == "wrong_credentials"
            )
        if mode == "timeout_after_commit":
            self._sleep(kw.get("seconds", self.timeout_seconds))
        elif mode not in (None, "delay", "wrong_credentials"):
            return self._failure(rule, version, operation, answer)
        return Response(answer, 200, content_type=self._content_type(version))

    @staticmethod
    def _soap_action(request, version):
        if version == "1.1":
            action = request.headers.get("SOAPAction", "")
        else:
            action = request.mimetype_params.get("action", "")
        return action.strip().strip('"')

    def _client_fault(self, version, message):
        return Response(
            soap_fault(version, message, client=True), 500, content_type=self._content_type(version)
        )

    def _authenticated(self, fields):
        cred = _dict(fields.get("Credenciais"))
        return (
            _text(cred.get("Email")).lower() == self.email.lower()
            and cred.get("Senha") == self.senha
        )

    def _answer(self, env, operation, fields, version, wrong_credentials=False):
        """Process one call; returns (SOAP answer bytes, CodigoStatus)."""
        result_type = OPERATIONS[operation][1].result
        with self._lock:
            try:
                if wrong_credentials or not self._authenticated(fields):
                    raise SimError(
                        "G000M000", "Credenciais inválidas: verifique o e-mail e a senha."
                    )
                data, message = getattr(self, "_op_" + operation)(env, fields)
                status, code = True, SUCCESS
            except SimError as exc:
                data, message, status, code = {}, exc.message, False, exc.code
            self._save()
        data.update(
            Status=status,
            Mensagem=message,
            Transacao={
                "Status": status,
                "CodigoStatus": code,
                "CodigoStatusDescricao": DESCRIPTIONS[code],
            },
        )

        def body(parent):
            wrapper = etree.SubElement(parent, f"{{{NS}}}{operation}Response", nsmap={None: NS})
            build_element(wrapper, operation + "Result", result_type, data)

        return soap_envelope(version, body), code

    # --- operations: common helpers -----------------------------------------------------------

    def _charge(self, operation):
        price = self.prices.get(operation, decimal.Decimal(0))
        if price and self.balance < price:
            raise SimError(
                "G000M002",
                f"Saldo insuficiente: a operação custa {_brl(price)} e o saldo é "
                f"{_brl(self.balance)}.",
            )
        self.balance -= price

    @staticmethod
    def _document(value, label="Documento"):
        doc = normalize_document(value)
        if not doc:
            raise SimError("G000M003", f"{label} não informado.")
        if not document_kind(doc):
            raise SimError("G000M003", f"{label} inválido: {value} não é um CPF ou CNPJ válido.")
        return doc

    def _record_out(self, rec):
        return {
            "UniqueID": rec["uid"],
            "Condicao": rec["condicao"],
            "Motivo": rec.get("motivo"),
            "Documento": rec["documento"],
            "DocumentoCoObrigado": rec.get("documento_coobrigado"),
            "Contrato": rec["contrato"],
            "NossoNumero": rec.get("nosso_numero"),
            "CodigoRestricao": rec["codigo_restricao"],
            "DataVencimento": rec["data_vencimento"],
            "Valor": rec["valor"],
            "TipoComunicado": rec["tipo_comunicado"],
            "DataInclusao": rec["data_inclusao"],
            "DataDisponibilizacao": rec.get("data_disponibilizacao"),
            "CodigoBaixa": rec.get("codigo_baixa"),
            "DataBaixa": rec.get("data_baixa"),
        }

    def _find(self, env, fields):
        uid = _text(fields.get("UniqueID")).lower()
        if not uid:
            raise SimError("G000M001", "UniqueID não informado.")
        rec = self.records.get(uid)
        if rec is None or rec["env"] != env:
            raise SimError("N000M002", f"Negativação não encontrada: UniqueID {uid}.")
        return rec

    @staticmethod
    def _check_address(endereco, label, full=True):
        endereco = _dict(endereco)
        _check_lengths(endereco, f"do endereço do devedor {label}")
        cep = re.sub(r"\D", "", _text(endereco.get("CEP")))
        missing = [] if len(cep) == 8 and len(set(cep)) > 1 else ["CEP (8 dígitos)"]
        required = ("Logradouro", "Numero", "Bairro") if full else ("Numero",)
        missing += [name for name in required if not _text(endereco.get(name))]
        if missing:
            raise SimError(
                "N000M004",
                f"Endereço do devedor {label} incompleto para o envio do comunicado: "
                f"informe {', '.join(missing)}.",
            )
        return {
            "CEP": cep,
            **{k: _text(endereco.get(k)) for k in ("Logradouro", "Numero", "Complemento")},
            "Bairro": _text(endereco.get("Bairro")),
        }

    def _check_birth_date(self, devedor, doc, label):
        raw = _text(devedor.get("DataNascimento"))
        if not raw:
            if self.require_birth_date and document_kind(doc) == "CPF":
                raise SimError("P009M001", f"Data de nascimento do devedor {label} não informada.")
            return None
        born = _parse_date(raw)
        today = datetime.date.today()
        if born is None or born > today:
            raise SimError(
                "P009M002", f"Data de nascimento do devedor {label} inválida: {raw} (dd/mm/aaaa)."
            )
        if born > _years_ago(today, 18):
            raise SimError(
                "P009M002", f"Data de nascimento do devedor {label} indica menor de 18 anos."
            )
        return raw

    # --- negativação ----------------------------------------------------------------------------

    def _op_CodigosRestricoes(self, env, fields):
        codes = [{"Codigo": c, "Descricao": d} for c, d in CODIGOS_RESTRICOES]
        return {"Codigos": {"CodigoDescricao": codes}}, f"{len(codes)} códigos de restrição."

    def _op_CodigosBaixa(self, env, fields):
        codes = [{"Codigo": c, "Descricao": d} for c, d in CODIGOS_BAIXA]
        return {"Codigos": {"CodigoDescricao": codes}}, f"{len(codes)} códigos de baixa."

    def _op_IncluirEnderecoDevedor(self, env, fields):
        doc = self._document(fields.get("Documento"))
        endereco = self._check_address(fields.get("Endereco"), doc, full=False)
        known = self.addresses.get(f"{env}|{doc}", {})
        merged = {**known, **{k: v for k, v in endereco.items() if v}}
        self.addresses[f"{env}|{doc}"] = merged
        updated = 0
        for rec in self.records.values():
            if rec["env"] == env and rec["condicao"] in _OPEN:
                for devedor in rec["devedores"]:
                    if devedor["Documento"] == doc:
                        devedor["Endereco"] = {**devedor.get("Endereco", {}), **merged}
                        updated += 1
        return {}, f"Endereço do devedor atualizado ({updated} negativação(ões) em aberto)."

    def _op_Incluir(self, env, fields):  # noqa: C901 - a flat list of the vendor's checks
        inclusao = _dict(fields.get("InclusaoNegativacao"))
        if not inclusao:
            raise SimError("G000M001", "InclusaoNegativacao não informada.")
        devedores = [_dict(d) for d in _list(_dict(inclusao.get("Devedores")).get("Devedor"))]
        if not devedores:
            raise SimError("G000M001", "Informe ao menos um devedor.")
        tipos = [_text(d.get("TipoDevedor")) for d in devedores]
        for tipo in tipos:
            if tipo not in TIPOS_DEVEDOR:
                raise SimError(
                    "G000M001", f"TipoDevedor inválido: {tipo!r} (Principal ou CoObrigado)."
                )
        if tipos.count("Principal") != 1 or tipos.count("CoObrigado") > 1:
            raise SimError(
                "G000M001", "Informe um devedor Principal e no máximo um devedor CoObrigado."
            )
        parsed = []
        for devedor, tipo in zip(devedores, tipos, strict=True):
            label = "principal" if tipo == "Principal" else "coobrigado"
            doc = self._document(devedor.get("Documento"), f"Documento do devedor {label}")
            parsed.append(
                {
                    "Documento": doc,
                    "TipoDevedor": tipo,
                    "DataNascimento": self._check_birth_date(devedor, doc, label),
                    "Endereco": self._check_address(devedor.get("Endereco"), label),
                }
            )
        principal = next(d for d in parsed if d["TipoDevedor"] == "Principal")
        coobrigado = next((d for d in parsed if d["TipoDevedor"] == "CoObrigado"), None)
        if coobrigado and coobrigado["Documento"] == principal["Documento"]:
            raise SimError("G000M001", "O coobrigado não pode ser o próprio devedor principal.")
        restricao = _dict(inclusao.get("Restricao"))
        if not restricao:
            raise SimError("G000M001", "Restricao não informada.")
        codigo = _text(restricao.get("CodigoRestricao")).upper()
        if codigo not in dict(CODIGOS_RESTRICOES):
            raise SimError("N000M005", f"Código de restrição não permitido: {codigo!r}.")
        contrato = _text(restricao.get("Contrato"))
        if not contrato:
            raise SimError("G000M001", "Contrato não informado.")
        _check_lengths(restricao, "da restrição")
        today = datetime.date.today()
        vencimento = _parse_date(restricao.get("DataVencimento"))
        if vencimento is None:
            raise SimError("N000M007", "DataVencimento não informada ou inválida (use dd/mm/aaaa).")
        if vencimento >= today:
            raise SimError("N000M007", "A dívida ainda não está vencida (DataVencimento).")
        if vencimento < _years_ago(today, 5):
            raise SimError("N000M007", "Dívida vencida há mais de 5 anos não pode ser negativada.")
        final = _text(restricao.get("DataFinalContrato"))
        if final and _parse_date(final) is None:
            raise SimError("G000M001", "DataFinalContrato inválida (use dd/mm/aaaa).")
        try:
            valor = _money(_text(restricao.get("Valor")) or "x")
        except decimal.InvalidOperation:
            raise SimError("G000M001", "Valor não informado ou inválido.") from None
        if len(str(int(abs(valor) * 100))) > MAX_VALUE_DIGITS:
            raise SimError("G000M001", f"Valor com mais de {MAX_VALUE_DIGITS} dígitos.")
        if valor < self.min_value:
            raise SimError(
                "N000M006", f"Valor {_brl(valor)} abaixo do mínimo de {_brl(self.min_value)}."
            )
        comunicado = _text(restricao.get("TipoComunicado")) or "FAC"
        if comunicado not in TIPOS_COMUNICADO:
            raise SimError("G000M001", f"TipoComunicado inválido: {comunicado!r}.")
        cheque = _dict(restricao.get("RestricaoCheque"))
        if codigo == "CH" and not _text(cheque.get("NumeroCheque")):
            raise SimError("G000M001", "RestricaoCheque obrigatória para a natureza CH.")
        self._advance()
        for rec in self.records.values():
            if (
                rec["env"] == env
                and rec["documento"] == principal["Documento"]
                and rec["contrato"] == contrato
                and rec["condicao"] in _OPEN
            ):
                raise SimError(
                    "N000M001",
                    f"Já existe negativação {rec['condicao']} para o documento "
                    f"{rec['documento']} e o contrato {contrato} (UniqueID {rec['uid']}).",
                )
        self._charge("Incluir")
        uid = str(uuid.uuid4())
        self.records[uid] = {
            "uid": uid,
            "env": env,
            "condicao": "Pendentes",
            "motivo": None,
            "documento": principal["Documento"],
            "documento_coobrigado": coobrigado["Documento"] if coobrigado else None,
            "devedores": parsed,
            "cep": principal["Endereco"]["CEP"],
            "contrato": contrato,
            "nosso_numero": _text(restricao.get("NossoNumero")) or None,
            "codigo_restricao": codigo,
            "data_vencimento": _fmt_date(vencimento),
            "data_final_contrato": final or None,
            "valor": str(valor),
            "tipo_comunicado": comunicado,
            "restricao_cheque": cheque or None,
            "created": time.time(),
            "data_inclusao": self._now_text(),
            "data_disponibilizacao": None,
            "codigo_baixa": None,
            "data_baixa": None,
        }
        return (
            {"UniqueID": uid, "Condicao": "Pendentes"},
            "Negativação recebida; pendente de processamento pelo bureau (comunicado ao "
            "devedor em andamento).",
        )

    def _op_Consulta(self, env, fields):
        self._advance()
        rec = self._find(env, fields)
        return {"Negativacao": self._record_out(rec)}, f"Negativação na condição {rec['condicao']}."

    def _op_Excluir(self, env, fields):
        self._advance()
        rec = self._find(env, fields)
        codigo = _text(fields.get("CodigoBaixa"))
        if codigo not in dict(CODIGOS_BAIXA):
            raise SimError("N000M005", f"Código de baixa não permitido: {codigo!r}.")
        data_baixa = _parse_date(fields.get("DataBaixa"))
        if data_baixa is None or data_baixa > datetime.date.today():
            raise SimError("G000M001", "DataBaixa não informada ou inválida (dd/mm/aaaa).")
        if rec["condicao"] == "Baixadas":
            raise SimError("N000M003", f"Negativação já baixada em {rec['data_baixa']}.")
        if rec["condicao"] not in ("Pendentes", "Ativas"):
            raise SimError(
                "N000M003", f"Negativação na condição {rec['condicao']} não pode ser baixada."
            )
        rec.update(condicao="Baixadas", codigo_baixa=codigo, data_baixa=_fmt_date(data_baixa))
        return {"Negativacao": self._record_out(rec)}, "Baixa da negativação efetuada."

    def _op_Lista(self, env, fields):
        condicao = _text(fields.get("Condicao"))
        if condicao not in CONDICOES:
            raise SimError("G000M001", f"Condicao inválida: {condicao!r} ({', '.join(CONDICOES)}).")
        self._advance()
        found = [
            self._record_out(rec)
            for rec in sorted(self.records.values(), key=lambda r: r["created"])
            if rec["env"] == env and rec["condicao"] == condicao
        ]
        return (
            {
                "Condicao": condicao,
                "TotalRegistros": len(found),
                "Negativacoes": {"Negativacao": found},
            },
            f"{len(found)} negativação(ões) na condição {condicao}.",
        )

    # --- reports ------------------------------------------------------------------------------

    def _own_pendencias(self, env, doc):
        """This account's Ativas negativations of ``doc``, as PEFIN occurrences."""
        self._advance()
        natureza = dict(CODIGOS_RESTRICOES)
        return [
            {
                "DataOcorrencia": rec["data_vencimento"],
                "Modalidade": natureza.get(rec["codigo_restricao"], rec["codigo_restricao"]),
                "Avalista": "NAO" if rec["documento"] == doc else "SIM",
                "Valor": rec["valor"],
                "Contrato": rec["contrato"],
                "Origem": self.creditor_name,
                "Sigla": "PEFIN",
            }
            for rec in sorted(self.records.values(), key=lambda r: r["created"])
            if rec["env"] == env
            and rec["condicao"] == "Ativas"
            and doc in (rec["documento"], rec.get("documento_coobrigado"))
        ]

    def _op_Concentre(self, env, fields, operation="Concentre"):
        doc = self._document(fields.get("Documento"))
        self._charge(operation)
        data = _dossier(doc, datetime.date.today())
        data["PendenciasFinanceiras"] = data["PendenciasFinanceiras"] + self._own_pendencias(
            env, doc
        )
        result = {"Documento": doc, "Nome": data["Nome"], "DataNascimento": data["DataNascimento"]}
        total, amount = 0, decimal.Decimal(0)
        for block in BLOCKS:
            items = data[block]
            total += len(items)
            amount += sum((_money(i["Valor"]) for i in items if "Valor" in i), decimal.Decimal(0))
            result[block] = {
                "TotalOcorrencias": len(items),
                "Mensagem": f"Constam {len(items)} ocorrência(s)." if items else "Nada consta.",
                "Ocorrencia": items,
            }
        result.update(TotalOcorrencias=total, ValorTotalOcorrencias=amount)
        adicionais = {a.lower() for a in re.split(r"[\s,;]+", _text(fields.get("Adicionais")))}
        if "score" in adicionais:
            result["Score"] = _score(data, total)
        message = (
            f"Constam {total} ocorrência(s) para o documento informado."
            if total
            else "Nada consta para o documento informado."
        )
        return result, message

    def _op_Crednet(self, env, fields):
        # assumed: Crednet answers like Concentre (its own price)
        return self._op_Concentre(env, fields, operation="Crednet")

    def _op_Pefin(self, env, fields):
        doc = self._document(fields.get("Documento"))
        self._charge("Pefin")
        data = _dossier(doc, datetime.date.today())
        pendencias = data["PendenciasFinanceiras"] + self._own_pendencias(env, doc)
        total = len(pendencias) + len(data["PendenciasVarejo"]) + len(data["PendenciasBacen"])
        result = {
            "Documento": doc,
            "Nome": data["Nome"],
            "NomeMae": data["NomeMae"],
            "DataNascimento": data["DataNascimento"],
            "TotalOcorrencias": total,
            "AlertaDocumentos": data["AlertaDocumentos"],
            "PendenciasFinanceiras": pendencias,
            "PendenciasVarejo": data["PendenciasVarejo"],
            "PendenciasBacen": data["PendenciasBacen"],
        }
        message = (
            f"Constam {total} ocorrência(s) para o documento informado."
            if total
            else "Nada consta para o documento informado."
        )
        return result, message

    # --- administração --------------------------------------------------------------------------

    def _op_Saldo(self, env, fields):
        return (
            {"Saldo": self.balance, "TipoConta": "PrePago"},
            f"Saldo disponível: {_brl(self.balance)}.",
        )


def _score(data, total):
    base = {"limpo": 750, "pendencias": 380, "protestos": 330, "cheques": 280, "completo": 90}
    points = min(1000, base[data["profile"]] + data["score_base"] * 2 - 10 * total)
    points = max(0, points)
    classe = next(
        c
        for limit, c in ((800, "A"), (600, "B"), (400, "C"), (200, "D"), (0, "E"))
        if points >= limit
    )
    risk = round(100 - points / 10.5, 1)
    return {
        "Pontuacao": points,
        "ClasseRisco": classe,
        "Mensagem": f"Probabilidade de inadimplência em 12 meses: {risk:.1f}%".replace(".", ",")
        + ".",
    }


def _brl(value):
    text = f"{_money(value):,.2f}"
    return "R$ " + text.replace(",", "_").replace(".", ",").replace("_", ".")


def _masked(fields):
    """A copy of the request fields with the password hidden."""
    masked = copy.deepcopy(fields)
    cred = masked.get("Credenciais")
    if isinstance(cred, dict) and "Senha" in cred:
        cred["Senha"] = "***"
    return masked
