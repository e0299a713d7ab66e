"""Simulator of the Crédito na Medida REST API, served over real HTTP on loopback.

The vendor has no homologação environment, so this simulator is the only safe place to
exercise the integration. Its wire protocol is the ASSUMED one of
``shared/bureaus/credito_na_medida.md`` (OAuth2 client credentials, REST/JSON, PDF reports):

* ``POST /oauth/token``: ``grant_type=client_credentials`` + HTTP Basic
  ``Client_ID:Client_Secret`` → ``{access_token, token_type: "Bearer", expires_in}``;
* ``GET /v1/produtos`` → ``[{codigo, nome, tipo: consulta|inclusao|baixa, preco}]``;
* ``POST /v1/consultas`` ``{produto, documento}`` → ``{id, documento, nome, score,
  pendencias: [{tipo, valor, data, credor}], pdf_base64}`` (a real PDF);
* ``POST /v1/negativacoes`` ``{documento, nome, data_nascimento?, endereco {cep,
  logradouro, numero, complemento, bairro, cidade, uf}, valor, data_vencimento, contrato,
  natureza}`` → ``201 {id, situacao: "pendente"}``; same documento + contrato → 409;
* ``GET /v1/negativacoes/{id}`` → ``{id, situacao: pendente|ativa|erro|baixada,
  mensagem}``;
* ``POST /v1/negativacoes/{id}/baixa`` ``{motivo}`` → ``{id, situacao: "baixada"}``;
* ``GET /v1/negativacoes?documento=&contrato=`` → ``[{id, situacao, mensagem, ...}]``
  [assumed, not even in the analogue API]: what was recorded for a document (and
  contract), so that a client can check after a timeout instead of sending again.

Errors are JSON ``{erro, codigo}`` (``erro`` in Portuguese, ``codigo`` a stable snake_case
identifier, see ``ERROS``). Every ``/v1`` call needs ``Authorization: Bearer <token>``.

Deterministic rules (so that tests and the demo can pick the outcome with the document):

* consultation profile = last digit of the document (always a check digit, so any valid
  CPF/CNPJ works): 0-3 nada consta, 4-5 pendências financeiras, 6-7 protestos, 8-9 cheques
  sem fundo (see ``profile_for_document`` and ``EXAMPLE_DOCUMENTS``);
* a negativação of a document whose first three characters are ``999`` (or listed in
  ``error_documents``), or whose CEP is ``99999999``, ends in ``erro`` when processed.

No Odoo import here: the tests import this module as
``odoo.addons.credito_na_medida.simulator.app`` and ``python credito_na_medida/simulator``
runs it stand-alone.
"""

import base64
import datetime
import hashlib
import io
import json
import math
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from stdnum.br import cnpj, cpf
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

DEFAULT_CLIENT_ID = "demo-client"
DEFAULT_CLIENT_SECRET = "demo-secret"
DEFAULT_PORT = 8093

# ------------------------------------------------------------------ catalogue

PRODUCTS = (
    {"codigo": "CNM-CONSULTA-PF", "nome": "Consulta Pessoa Física", "tipo": "consulta"},
    {"codigo": "CNM-CONSULTA-PJ", "nome": "Consulta Pessoa Jurídica", "tipo": "consulta"},
    {
        "codigo": "CNM-CONSULTA-SCORE",
        "nome": "Consulta Completa com Score",
        "tipo": "consulta",
    },
    {
        "codigo": "CNM-NEGATIVACAO",
        "nome": "Negativação com Carta Comunicado",
        "tipo": "inclusao",
    },
    {"codigo": "CNM-BAIXA", "nome": "Baixa de Negativação", "tipo": "baixa"},
)
PRICES = {
    "CNM-CONSULTA-PF": 3.90,
    "CNM-CONSULTA-PJ": 5.90,
    "CNM-CONSULTA-SCORE": 9.90,
    "CNM-NEGATIVACAO": 6.50,
    "CNM-BAIXA": 0.0,
}

PROFILES = ("nada_consta", "pendencias_financeiras", "protestos", "cheques")
PROFILE_BY_LAST_DIGIT = {
    "0": "nada_consta",
    "1": "nada_consta",
    "2": "nada_consta",
    "3": "nada_consta",
    "4": "pendencias_financeiras",
    "5": "pendencias_financeiras",
    "6": "protestos",
    "7": "protestos",
    "8": "cheques",
    "9": "cheques",
}
# Valid documents per outcome (checked by the tests).
EXAMPLE_DOCUMENTS = {
    "nada_consta": ["987.654.321-00", "100.000.003-61", "11.222.333/0001-81"],
    "pendencias_financeiras": ["390.533.447-05", "111.444.777-35", "12.ABC.345/01DE-35"],
    "protestos": ["100.000.008-76", "100.000.009-57", "11.987.654/0001-77"],
    "cheques": ["123.456.789-09", "100.000.001-08", "11.222.333/0009-39"],
    "erro": ["999.000.001-88", "999.111.222-71", "99.988.877/0001-08"],
}
PENDENCIA_TIPO = {
    "pendencias_financeiras": "pendencia_financeira",
    "protestos": "protesto",
    "cheques": "cheque_sem_fundo",
}
PENDENCIA_LABEL = {
    "pendencia_financeira": "Pendência financeira",
    "protesto": "Protesto",
    "cheque_sem_fundo": "Cheque sem fundo",
}
SCORE_RANGE = {
    "nada_consta": (650, 950),
    "pendencias_financeiras": (300, 549),
    "protestos": (200, 449),
    "cheques": (100, 349),
}
CREDITORS = {
    "pendencia_financeira": (
        "BANCO EXEMPLO S.A.",
        "FINANCEIRA MODELO S.A.",
        "LOJAS DEMONSTRAÇÃO LTDA",
        "TELEFONIA FICTÍCIA S.A.",
        "PROVEDOR INTERNET TESTE LTDA",
    ),
    "protesto": (
        "1º TABELIONATO DE PROTESTO DE SÃO PAULO",
        "2º TABELIONATO DE PROTESTO DE CAMPINAS",
        "TABELIONATO DE PROTESTO DE BELO HORIZONTE",
    ),
    "cheque_sem_fundo": (
        "BANCO EXEMPLO S.A. - AG 0001",
        "BANCO MODELO S.A. - AG 1234",
        "COOPERATIVA DE CRÉDITO TESTE - AG 0042",
    ),
}
FIRST_NAMES = (
    "JOÃO",
    "MARIA",
    "JOSÉ",
    "ANA",
    "ANTÔNIO",
    "FRANCISCA",
    "CARLOS",
    "CONCEIÇÃO",
    "PAULO",
    "LÚCIA",
)
LAST_NAMES = (
    "DA SILVA",
    "DOS SANTOS",
    "OLIVEIRA",
    "SOUZA",
    "PEREIRA",
    "LIMA",
    "CARVALHO",
    "FERREIRA",
    "RODRIGUES",
    "ALMEIDA",
)
COMPANY_ACTIVITIES = (
    "COMÉRCIO DE ALIMENTOS",
    "SERVIÇOS DE INFORMÁTICA",
    "TRANSPORTES",
    "MATERIAIS DE CONSTRUÇÃO",
    "TELECOMUNICAÇÕES",
)

# ------------------------------------------------------------------ negativação rules

UFS = frozenset(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()
)
MAX_NAME = 70
MAX_ADDRESS_FIELD = 45
MAX_CITY = 25
MAX_CONTRACT = 60
MAX_VALUE_DIGITS = 15  # valor, cents included
MIN_AGE = 18
MAX_DEBT_AGE_YEARS = 5
ERROR_DOCUMENT_PREFIX = "999"
ERROR_CEP = "99999999"
SITUACOES = ("pendente", "ativa", "erro", "baixada")
MENSAGENS = {
    "pendente": "Aguardando processamento diário; carta comunicado em emissão.",
    "ativa": "Negativação ativa.",
    "erro_documento": "Registro rejeitado no processamento: documento com impedimento "
    "cadastral para inclusão.",
    "erro_cep": "Registro rejeitado no processamento: CEP inexistente na base dos Correios.",
    "baixada": "Negativação baixada (motivo {motivo}).",
}
ADDRESS_FIELDS = ("cep", "logradouro", "numero", "complemento", "bairro", "cidade", "uf")
ADDRESS_REQUIRED = ("cep", "logradouro", "numero", "bairro", "cidade", "uf")

# codigo → (HTTP status, default erro text)
ERROS = {
    "credenciais_invalidas": (401, "credenciais inválidas"),
    "grant_type_invalido": (400, "grant_type não suportado; use client_credentials"),
    "token_ausente": (401, "token expirado"),
    "token_invalido": (401, "token expirado"),
    "token_expirado": (401, "token expirado"),
    "json_invalido": (400, "corpo da requisição não é um objeto JSON válido"),
    "nao_encontrado": (404, "recurso não encontrado"),
    "metodo_nao_permitido": (405, "método não permitido"),
    "negativacao_nao_encontrada": (404, "negativação não encontrada"),
    "negativacao_duplicada": (
        409,
        "já existe negativação para este documento e contrato",
    ),
    "situacao_invalida": (409, "negativação com erro não pode ser baixada"),
    "produto_invalido": (422, "produto inexistente ou não é de consulta"),
    "campo_obrigatorio": (422, "campo obrigatório não informado"),
    "documento_invalido": (422, "CPF/CNPJ inválido"),
    "nome_invalido": (422, "nome do devedor deve ter até 70 caracteres"),
    "data_nascimento_invalida": (422, "data de nascimento inválida (use aaaa-mm-dd)"),
    "devedor_menor_de_idade": (422, "devedor menor de 18 anos não pode ser negativado"),
    "endereco_incompleto": (422, "endereço incompleto"),
    "endereco_invalido": (422, "campo do endereço com mais de 45 caracteres"),
    "cidade_invalida": (422, "cidade deve ter até 25 caracteres"),
    "uf_invalida": (422, "UF inválida"),
    "cep_invalido": (422, "CEP deve ter 8 dígitos"),
    "valor_invalido": (422, "valor deve ser maior que zero e ter até 15 dígitos"),
    "data_vencimento_invalida": (422, "data de vencimento inválida (use aaaa-mm-dd)"),
    "vencimento_prescrito": (
        422,
        "dívida vencida há mais de 5 anos não pode ser negativada",
    ),
    "vencimento_futuro": (422, "dívida ainda não vencida não pode ser negativada"),
    "contrato_invalido": (422, "contrato deve ter até 60 caracteres"),
    "natureza_invalida": (422, "natureza deve ser um código de 2 caracteres (ex.: TI)"),
    "motivo_invalido": (422, "motivo da baixa deve ser um código de 2 dígitos (ex.: 01)"),
    "erro_interno": (500, "erro interno no servidor"),
    "tempo_esgotado": (504, "tempo de resposta esgotado"),
    "requisicao_invalida": (400, "requisição inválida"),
}

MISBEHAVIOURS = (
    "delay",
    "timeout",
    "http500",
    "error_json",
    "malformed",
    "expire_token",
    "timeout_after_commit",
)


class ValidationFailure(Exception):
    """A request the vendor would refuse: carries the ``codigo`` of ``ERROS``."""

    def __init__(self, codigo, erro=None):
        super().__init__(codigo)
        self.codigo = codigo
        self.erro = erro or ERROS[codigo][1]


# ------------------------------------------------------------------ pure helpers


def normalize_document(documento):
    """Digits (and, for the alphanumeric CNPJ, upper-case letters) only."""
    return re.sub(r"[\s./\-–]", "", str(documento or "")).upper()


def is_valid_document(documento):
    """Valid CPF (11 digits) or CNPJ (14, alphanumeric allowed), never one repeated char."""
    number = normalize_document(documento)
    if not number or len(set(number)) == 1:
        return False
    if len(number) == 11:
        return cpf.is_valid(number)
    if len(number) == 14:
        return cnpj.is_valid(number)
    return False


def format_document(documento):
    number = normalize_document(documento)
    if len(number) == 11:
        return cpf.format(number)
    if len(number) == 14:
        return cnpj.format(number)
    return number


def profile_for_document(documento):
    """Consultation profile: the document's last digit, 0-3 / 4-5 / 6-7 / 8-9."""
    number = normalize_document(documento)
    return PROFILE_BY_LAST_DIGIT.get(number[-1:], "nada_consta")


def is_error_document(documento, extra=()):
    """Documents whose negativação ends in ``erro``: prefix ``999`` or listed in ``extra``."""
    number = normalize_document(documento)
    extra_numbers = {normalize_document(d) for d in extra}
    return number.startswith(ERROR_DOCUMENT_PREFIX) or number in extra_numbers


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _parse_date(value, codigo):
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValidationFailure(codigo)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailure(codigo) from exc


def _money_br(value):
    text = f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"R$ {text}"


def _required_text(payload, key):
    value = payload.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailure("campo_obrigatorio", f"campo obrigatório não informado: {key}")
    if not isinstance(value, str):
        raise ValidationFailure("campo_obrigatorio", f"campo deve ser texto: {key}")
    return value.strip()


def validate_document_field(payload):
    documento = _required_text(payload, "documento")
    if not is_valid_document(documento):
        raise ValidationFailure("documento_invalido")
    return normalize_document(documento)


def _validate_address(endereco):
    if not isinstance(endereco, dict):
        raise ValidationFailure("endereco_incompleto", "endereço não informado")
    for key in ADDRESS_REQUIRED:
        value = endereco.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailure("endereco_incompleto", f"endereço incompleto: {key}")
    complemento = endereco.get("complemento") or ""
    if not isinstance(complemento, str):
        raise ValidationFailure("endereco_invalido", "complemento deve ser texto")
    for key in ("logradouro", "numero", "complemento", "bairro"):
        if len((endereco.get(key) or "").strip()) > MAX_ADDRESS_FIELD:
            raise ValidationFailure(
                "endereco_invalido", f"{key} do endereço com mais de 45 caracteres"
            )
    if len(endereco["cidade"].strip()) > MAX_CITY:
        raise ValidationFailure("cidade_invalida")
    if endereco["uf"].strip().upper() not in UFS:
        raise ValidationFailure("uf_invalida")
    if not re.fullmatch(r"\d{8}", endereco["cep"].strip()):
        raise ValidationFailure("cep_invalido")
    return {key: (endereco.get(key) or "").strip() for key in ADDRESS_FIELDS}


def _validate_dates(payload, today):
    nascimento = payload.get("data_nascimento")
    if nascimento not in (None, ""):
        birth = _parse_date(nascimento, "data_nascimento_invalida")
        if birth > today or birth > _years_before(today, MIN_AGE):
            raise ValidationFailure("devedor_menor_de_idade")
    vencimento = _parse_date(payload.get("data_vencimento"), "data_vencimento_invalida")
    if vencimento < _years_before(today, MAX_DEBT_AGE_YEARS):
        raise ValidationFailure("vencimento_prescrito")
    if vencimento > today:
        raise ValidationFailure("vencimento_futuro")


def validate_negativacao(payload, today=None):
    """Check a ``POST /v1/negativacoes`` body; return the normalised record fields."""
    today = today or datetime.date.today()
    documento = validate_document_field(payload)
    nome = _required_text(payload, "nome")
    if len(nome) > MAX_NAME:
        raise ValidationFailure("nome_invalido")
    _validate_dates(payload, today)
    endereco = _validate_address(payload.get("endereco"))
    valor = payload.get("valor")
    if isinstance(valor, bool) or not isinstance(valor, int | float) or not valor > 0:
        raise ValidationFailure("valor_invalido")
    if not math.isfinite(valor) or len(str(round(valor * 100))) > MAX_VALUE_DIGITS:
        raise ValidationFailure("valor_invalido")
    contrato = _required_text(payload, "contrato")
    if len(contrato) > MAX_CONTRACT:
        raise ValidationFailure("contrato_invalido")
    natureza = _required_text(payload, "natureza").upper()
    if not re.fullmatch(r"[A-Z0-9]{2}", natureza):
        raise ValidationFailure("natureza_invalida")
    return {
        "documento": documento,
        "nome": nome,
        "data_nascimento": payload.get("data_nascimento") or None,
        "endereco": endereco,
        "valor": round(float(valor), 2),
        "data_vencimento": payload["data_vencimento"],
        "contrato": contrato,
        "natureza": natureza,
    }


# ------------------------------------------------------------------ consultation


def _hash_bytes(documento):
    return hashlib.sha256(normalize_document(documento).encode()).digest()


def consultation_data(documento, today=None):
    """The deterministic bureau answer for a document (without id and PDF)."""
    today = today or datetime.date.today()
    number = normalize_document(documento)
    digest = _hash_bytes(number)
    profile = profile_for_document(number)
    if len(number) == 11:
        nome = " ".join(
            (
                FIRST_NAMES[digest[0] % len(FIRST_NAMES)],
                LAST_NAMES[digest[1] % len(LAST_NAMES)],
                # never the same surname twice
                LAST_NAMES[(digest[1] + 1 + digest[2] % (len(LAST_NAMES) - 1)) % len(LAST_NAMES)],
            )
        )
    else:
        nome = (
            f"{LAST_NAMES[digest[1] % len(LAST_NAMES)]} "
            f"{COMPANY_ACTIVITIES[digest[0] % len(COMPANY_ACTIVITIES)]} LTDA"
        )
    low, high = SCORE_RANGE[profile]
    score = low + int.from_bytes(digest[3:5], "big") % (high - low + 1)
    pendencias = []
    tipo = PENDENCIA_TIPO.get(profile)
    if tipo:
        creditors = CREDITORS[tipo]
        for index in range(1 + digest[5] % 3):
            seed = digest[6 + 3 * index : 9 + 3 * index]
            cents = 5000 + int.from_bytes(seed[:2], "big") * 7 % 495000
            days = 30 + (seed[2] * 7 + index * 131) % 1650  # always under five years
            pendencias.append(
                {
                    "tipo": tipo,
                    "valor": round(cents / 100, 2),
                    "data": (today - datetime.timedelta(days=days)).isoformat(),
                    "credor": creditors[(seed[0] + index) % len(creditors)],
                }
            )
    return {"documento": number, "nome": nome, "score": score, "pendencias": pendencias}


def consultation_pdf(data, produto, consulta_id, when):
    """A small real PDF report of a consultation (reportlab), returned as bytes."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title="Relatório de Consulta - Crédito na Medida",
        author="Crédito na Medida (simulador)",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        invariant=1,
    )
    styles = getSampleStyleSheet()
    story = [
        Paragraph("Crédito na Medida - Relatório de Consulta", styles["Title"]),
        Paragraph("Simulador do projeto: sem valor comercial", styles["Italic"]),
        Spacer(1, 0.4 * cm),
    ]
    rows = [
        ("Consulta", consulta_id),
        ("Data", when.strftime("%d/%m/%Y %H:%M")),
        ("Produto", produto),
        ("Documento", format_document(data["documento"])),
        ("Nome", data["nome"]),
        ("Score", str(data["score"])),
    ]
    for label, value in rows:
        story.append(Paragraph(f"<b>{label}:</b> {_xml(value)}", styles["Normal"]))
    story += [Spacer(1, 0.5 * cm), Paragraph("Pendências", styles["Heading2"])]
    if data["pendencias"]:
        table = [["Tipo", "Data", "Credor", "Valor"]]
        for item in data["pendencias"]:
            table.append(
                [
                    PENDENCIA_LABEL.get(item["tipo"], item["tipo"]),
                    datetime.date.fromisoformat(item["data"]).strftime("%d/%m/%Y"),
                    item["credor"],
                    _money_br(item["valor"]),
                ]
            )
        grid = Table(table, colWidths=[3.8 * cm, 2.4 * cm, 7.6 * cm, 3.2 * cm])
        grid.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("ALIGN", (3, 1), (3, -1), "RIGHT"),
                ]
            )
        )
        story.append(grid)
    else:
        story.append(Paragraph("Nada consta para o documento consultado.", styles["Normal"]))
    doc.build(story)
    return buffer.getvalue()


def _xml(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------ the simulator


@dataclass
class Misbehaviour:
    mode: str
    path_prefix: str | None = None
    remaining: int | None = 1  # None: every matching call until reset()/clear
    method: str | None = None
    options: dict = field(default_factory=dict)

    def matches(self, method, path):
        if self.path_prefix is not None and not path.startswith(self.path_prefix):
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if self.mode == "expire_token" and not path.startswith("/v1/"):
            return False  # only calls that carry a token can see it expire
        return self.remaining is None or self.remaining > 0


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass


def _json_response(payload, status=200, headers=None):
    return Response(
        json.dumps(payload, ensure_ascii=False),
        status=status,
        headers=headers,
        content_type="application/json; charset=utf-8",
    )


def _error(codigo, erro=None, status=None, **extra):
    default_status, default_text = ERROS.get(codigo, (400, codigo))
    payload = {"erro": erro or default_text, "codigo": codigo, **extra}
    headers = None
    if codigo.startswith("token_"):
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    return _json_response(payload, status or default_status, headers)


class CreditoNaMedidaSimulator:
    """The Crédito na Medida API in memory, as a WSGI app and a loopback HTTP server.

    ``sim = CreditoNaMedidaSimulator(token_ttl=2).start()`` then point the client at
    ``sim.url``; ``sim.stop()`` at the end. Settings are plain attributes that may be
    changed at any time (``token_ttl``, ``activation_delay``, ``timeout_seconds``,
    ``error_documents``); ``reset()`` restores the constructor's values and forgets every
    token, record, misbehaviour and logged request.
    """

    def __init__(
        self,
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        token_ttl=3600,
        activation_delay=0,
        timeout_seconds=30.0,
        error_documents=(),
        quiet=True,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self._defaults = {
            "token_ttl": token_ttl,
            "activation_delay": activation_delay,
            "timeout_seconds": timeout_seconds,
            "error_documents": set(error_documents),
        }
        self.quiet = quiet
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None
        self.host = None
        self.port = None
        self.url_map = Map(
            [
                Rule("/oauth/token", endpoint="token", methods=["POST"]),
                Rule("/v1/produtos", endpoint="produtos", methods=["GET"]),
                Rule("/v1/consultas", endpoint="consultar", methods=["POST"]),
                Rule("/v1/negativacoes", endpoint="negativar", methods=["POST"]),
                Rule("/v1/negativacoes", endpoint="buscar", methods=["GET"]),
                Rule("/v1/negativacoes/<rid>", endpoint="situacao", methods=["GET"]),
                Rule("/v1/negativacoes/<rid>/baixa", endpoint="baixar", methods=["POST"]),
            ],
            strict_slashes=False,
        )
        self.reset()

    # -------------------------------------------------------------- control API

    def reset(self):
        """Back to the constructor's settings with no token, record, fault or log."""
        with self._lock:
            self.token_ttl = self._defaults["token_ttl"]
            self.activation_delay = self._defaults["activation_delay"]
            self.timeout_seconds = self._defaults["timeout_seconds"]
            self.error_documents = set(self._defaults["error_documents"])
            self._tokens = {}
            self._negativacoes = {}
            self.consultas = []
            self._misbehaviours = []
            self.requests = []
            self.token_requests = 0
            self.tokens_issued = 0

    def misbehave(self, mode, path_prefix=None, times=1, **kw):
        """Make the next ``times`` matching calls misbehave (``times=None``: all of them).

        ``path_prefix`` restricts to paths starting with it (``None``: any path), the
        optional ``method`` keyword to one HTTP method. Modes and their keywords:

        * ``delay`` (``seconds``=1): answer normally after a pause;
        * ``timeout`` (``seconds``=``timeout_seconds``): nothing is processed, the answer
          (504) comes only after the pause, which ``stop()`` interrupts;
        * ``http500`` (``body``: raw text instead of the JSON error);
        * ``error_json`` (``status``=400, ``erro``, ``codigo``="requisicao_invalida");
        * ``malformed`` (``body``, ``content_type``): a 200 whose body is not JSON;
        * ``expire_token``: 401 ``token expirado`` and the presented token is revoked, so
          only a client that fetches a new token and retries succeeds (``/v1`` calls only);
        * ``timeout_after_commit`` (``seconds``=``timeout_seconds``): the call IS processed
          (e.g. the negativação is recorded) but the answer comes after the pause.
        """
        if mode not in MISBEHAVIOURS:
            raise ValueError(f"unknown misbehaviour {mode!r}; one of {MISBEHAVIOURS}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        method = kw.pop("method", None)
        rule = Misbehaviour(mode, path_prefix, times, method, kw)
        with self._lock:
            self._misbehaviours.append(rule)
        return rule

    def clear_misbehaviours(self):
        with self._lock:
            self._misbehaviours = []

    def activate_all(self):
        """Run the "daily processing" now: every pendente becomes ativa (or erro)."""
        with self._lock:
            pending = [r for r in self._negativacoes.values() if r["situacao"] == "pendente"]
            for record in pending:
                self._process(record)
            return len(pending)

    def negativacao(self, rid):
        """A copy of a stored negativação (after lazy processing), or None."""
        with self._lock:
            record = self._negativacoes.get(rid)
            if record is None:
                return None
            self._advance(record)
            return json.loads(json.dumps(record))

    @property
    def negativacoes(self):
        with self._lock:
            return [self.negativacao(rid) for rid in list(self._negativacoes)]

    def expire_tokens(self):
        """Make every issued token expire now."""
        with self._lock:
            self._tokens = {}

    # -------------------------------------------------------------- server

    @property
    def url(self):
        if self.port is None:
            return None
        return f"http://{self.host}:{self.port}"

    def start(self, host="127.0.0.1", port=0):
        """Serve on ``host:port`` (0: a free port) in a daemon thread; return self."""
        if self._server is not None:
            return self
        self._stopping.clear()
        handler = _QuietHandler if self.quiet else WSGIRequestHandler
        self._server = make_server(host, port, self, threaded=True, request_handler=handler)
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            name=f"credito-na-medida-simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        """Stop serving; calls sleeping in ``timeout`` modes wake up at once."""
        self._stopping.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -------------------------------------------------------------- WSGI

    def __call__(self, environ, start_response):
        return self.wsgi_app(environ, start_response)

    def wsgi_app(self, environ, start_response):
        request = Request(environ)
        entry = self._log(request)
        response = self._dispatch(request, entry)
        entry["status"] = response.status_code
        return response(environ, start_response)

    def _log(self, request):
        headers = {}
        for key, value in request.headers.items():
            if key.lower() == "authorization":
                value = value.split(" ", 1)[0] + " ***"
            headers[key] = value
        body = request.get_json(silent=True) if request.is_json else None
        entry = {
            "method": request.method,
            "path": request.path,
            "headers": headers,
            "json": body,
            "form": dict(request.form) if request.path == "/oauth/token" else None,
            "time": time.time(),
            "status": None,
            "misbehaviour": None,
        }
        with self._lock:
            self.requests.append(entry)
        return entry

    def _take_misbehaviour(self, request):
        with self._lock:
            for rule in self._misbehaviours:
                if rule.matches(request.method, request.path):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return rule
        return None

    def _sleep(self, seconds):
        self._stopping.wait(max(0.0, float(seconds)))

    def _dispatch(self, request, entry):
        rule = self._take_misbehaviour(request)
        if rule is None:
            return self._route(request)
        entry["misbehaviour"] = rule.mode
        opts = rule.options
        pause = opts.get("seconds", self.timeout_seconds)
        if rule.mode == "delay":
            self._sleep(opts.get("seconds", 1.0))
            return self._route(request)
        if rule.mode == "timeout":
            self._sleep(pause)
            return _error("tempo_esgotado")
        if rule.mode == "timeout_after_commit":
            response = self._route(request)
            self._sleep(pause)
            return response
        if rule.mode == "http500":
            if "body" in opts:
                return Response(opts["body"], 500, content_type="text/html; charset=utf-8")
            return _error("erro_interno")
        if rule.mode == "error_json":
            return _error(
                opts.get("codigo", "requisicao_invalida"),
                opts.get("erro"),
                opts.get("status", 400),
            )
        if rule.mode == "malformed":
            return Response(
                opts.get("body", '{"id": "trunc'),
                200,
                content_type=opts.get("content_type", "application/json; charset=utf-8"),
            )
        # expire_token
        with self._lock:
            self._tokens.pop(self._bearer(request), None)
        return _error("token_expirado")

    def _route(self, request):
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except MethodNotAllowed:
            return _error("metodo_nao_permitido")
        except NotFound:
            return _error("nao_encontrado")
        if endpoint != "token":
            failure = self._check_token(request)
            if failure:
                return _error(failure)
        try:
            return getattr(self, f"_ep_{endpoint}")(request, **args)
        except ValidationFailure as exc:
            return _error(exc.codigo, exc.erro)

    # -------------------------------------------------------------- auth

    @staticmethod
    def _bearer(request):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return token.strip()

    def _check_token(self, request):
        token = self._bearer(request)
        if token is None:
            return "token_ausente"
        with self._lock:
            expires_at = self._tokens.get(token)
            if expires_at is None:
                return "token_invalido"
            if time.monotonic() >= expires_at:
                del self._tokens[token]
                return "token_expirado"
        return None

    def _ep_token(self, request):
        with self._lock:
            self.token_requests += 1
        auth = request.authorization
        if (
            auth is None
            or auth.type != "basic"
            or auth.username != self.client_id
            or auth.password != self.client_secret
        ):
            return _error("credenciais_invalidas")
        if request.form.get("grant_type") != "client_credentials":
            return _error("grant_type_invalido")
        token = secrets.token_urlsafe(32)
        with self._lock:
            ttl = float(self.token_ttl)
            self._tokens[token] = time.monotonic() + ttl
            self.tokens_issued += 1
        return _json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": math.ceil(ttl)},
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    # -------------------------------------------------------------- endpoints

    @staticmethod
    def _payload(request):
        payload = request.get_json(silent=True, force=True)
        if not isinstance(payload, dict):
            raise ValidationFailure("json_invalido")
        return payload

    def _ep_produtos(self, request):
        return _json_response([{**p, "preco": PRICES[p["codigo"]]} for p in PRODUCTS])

    def _ep_consultar(self, request):
        payload = self._payload(request)
        produto = payload.get("produto")
        if not produto:
            raise ValidationFailure("campo_obrigatorio", "campo obrigatório não informado: produto")
        codes = {p["codigo"] for p in PRODUCTS if p["tipo"] == "consulta"}
        if produto not in codes:
            raise ValidationFailure("produto_invalido")
        documento = validate_document_field(payload)
        now = datetime.datetime.now().replace(microsecond=0)
        data = consultation_data(documento, now.date())
        consulta_id = str(uuid.uuid4())
        pdf = consultation_pdf(data, produto, consulta_id, now)
        answer = {
            "id": consulta_id,
            "produto": produto,
            "data_consulta": now.isoformat(),
            **data,
            "pdf_base64": base64.b64encode(pdf).decode("ascii"),
        }
        with self._lock:
            self.consultas.append({k: v for k, v in answer.items() if k != "pdf_base64"})
        return _json_response(answer)

    def _ep_negativar(self, request):
        fields = validate_negativacao(self._payload(request))
        with self._lock:
            for other in self._negativacoes.values():
                self._advance(other)
                if (
                    other["documento"] == fields["documento"]
                    and other["contrato"] == fields["contrato"]
                    and other["situacao"] not in ("baixada", "erro")
                ):
                    return _error("negativacao_duplicada", id=other["id"])
            now = datetime.datetime.now().replace(microsecond=0).isoformat()
            record = {
                "id": str(uuid.uuid4()),
                **fields,
                "situacao": "pendente",
                "mensagem": MENSAGENS["pendente"],
                "motivo_baixa": None,
                "criada_em": now,
                "atualizada_em": now,
                "_created": time.monotonic(),
            }
            self._negativacoes[record["id"]] = record
        return _json_response({"id": record["id"], "situacao": "pendente"}, 201)

    def _ep_buscar(self, request):
        """[assumed] The negativações of a document (and contract), oldest first."""
        documento = normalize_document(request.args.get("documento"))
        if not documento:
            raise ValidationFailure(
                "campo_obrigatorio", "campo obrigatório não informado: documento"
            )
        contrato = (request.args.get("contrato") or "").strip()
        with self._lock:
            found = []
            for record in self._negativacoes.values():
                if record["documento"] != documento:
                    continue
                if contrato and record["contrato"] != contrato:
                    continue
                self._advance(record)
                found.append(self._public(record))
        return _json_response(found)

    def _ep_situacao(self, request, rid):
        with self._lock:
            record = self._negativacoes.get(rid)
            if record is None:
                return _error("negativacao_nao_encontrada")
            self._advance(record)
            return _json_response(self._public(record))

    def _ep_baixar(self, request, rid):
        with self._lock:
            record = self._negativacoes.get(rid)
            if record is None:
                return _error("negativacao_nao_encontrada")
            payload = self._payload(request)
            motivo = payload.get("motivo")
            if not isinstance(motivo, str) or not re.fullmatch(r"\d{2}", motivo.strip()):
                raise ValidationFailure("motivo_invalido")
            self._advance(record)
            if record["situacao"] == "erro":
                return _error("situacao_invalida")
            if record["situacao"] != "baixada":  # a repeated baixa is answered the same
                record.update(
                    situacao="baixada",
                    motivo_baixa=motivo.strip(),
                    mensagem=MENSAGENS["baixada"].format(motivo=motivo.strip()),
                    atualizada_em=datetime.datetime.now().replace(microsecond=0).isoformat(),
                )
            return _json_response({"id": record["id"], "situacao": "baixada"})

    # -------------------------------------------------------------- processing

    @staticmethod
    def _public(record):
        return {
            "id": record["id"],
            "situacao": record["situacao"],
            "mensagem": record["mensagem"],
            "documento": record["documento"],
            "contrato": record["contrato"],
            "motivo_baixa": record["motivo_baixa"],
            "criada_em": record["criada_em"],
            "atualizada_em": record["atualizada_em"],
        }

    def _advance(self, record):
        """Lazy "daily processing": a pendente older than ``activation_delay`` is processed."""
        delay = self.activation_delay
        if record["situacao"] != "pendente" or delay is None:
            return
        if time.monotonic() - record["_created"] >= float(delay):
            self._process(record)

    def _process(self, record):
        if is_error_document(record["documento"], self.error_documents):
            situacao, mensagem = "erro", MENSAGENS["erro_documento"]
        elif record["endereco"]["cep"] == ERROR_CEP:
            situacao, mensagem = "erro", MENSAGENS["erro_cep"]
        else:
            situacao, mensagem = "ativa", MENSAGENS["ativa"]
        record.update(
            situacao=situacao,
            mensagem=mensagem,
            atualizada_em=datetime.datetime.now().replace(microsecond=0).isoformat(),
        )
