"""Simulator of the Connect SA wire protocol (consultation API and PEFIN API).

Real HTTP on loopback, no Odoo: stdlib + werkzeug + python-stdnum. ``ConnectSAApp`` is the
WSGI application (all state and behaviour); ``ConnectSASimulator`` serves it with
``werkzeug.serving.make_server`` in a daemon thread::

    sim = ConnectSASimulator().start()          # port 0: a free port
    requests.post(sim.url + CONSULTA_PATH, data={...}, timeout=10)
    sim.misbehave("timeout_after_commit", "incluir", seconds=1)
    sim.stop()

Run it by hand with ``python connect_sa/simulator [--host 127.0.0.1] [--port 8091]``.

Deterministic rules (see ``profile_for`` and ``EXAMPLE_DOCUMENTS``):

* the report profile of a document is ``PROFILES[int(last check digit) % 4]``:
  0 nada consta, 1 pendências financeiras (PEFIN/REFIN), 2 protestos, 3 cheques sem fundo;
  names, amounts, dates and score are derived from a SHA-256 of the document;
* a PEFIN inclusion of a document in ``error_documents`` (default
  ``DEFAULT_ERROR_DOCUMENTS``) goes PENDENTE → ERRO instead of PENDENTE → ATIVA.
"""

# ASSUMED — facts of the vendor's protocol this simulator invents, to be confirmed with
# Connect SA (the consultation API's form fields, `status.mensagem` = "Sucesso",
# `descricaoCodigoResposta`, `entrada` and `resultado.quadroResumoConsta.registros` with
# alerta/quantidade/valorTotal/dataMaisAntigo/dataMaisRecente/nomeMaisRecente are public):
#
# Consultation API
# - Every answer, errors included, is HTTP 200 + JSON; an error has `status.mensagem` = the
#   error text (e.g. "Login ou senha inválidos.") and empty `protocolo`.
# - `tiporesposta` J and A both answer JSON (A is undocumented); anything else is an error.
#   `estatica` must be S or N (no default: a missing value is an error, never a paid call).
# - `documento` is compacted like python-stdnum does (dots, slashes, dashes dropped, letters
#   upper-cased); CPF with F, CNPJ (numeric or alphanumeric) with J; repeated-digit
#   documents are refused. `consulta` must be one of the consultation product codes.
# - `registros` keys: `pendenciasFinanceiras` (PEFIN + REFIN), `protestos`,
#   `chequesSemFundo`; every key is always present; `alerta` is "CONSTA" / "NADA CONSTA";
#   `quantidade` an int; dates dd/mm/yyyy ("" when none); a clean report has
#   `descricaoCodigoResposta` "Nada Consta", otherwise "Constam Restrições".
# - Detail lists next to the summary: `resultado.pendenciasFinanceiras` [{modalidade
#   PEFIN/REFIN, natureza, credor, contrato, valor, data}], `resultado.protestos`
#   [{cartorio, cidade, uf, valor, data}], `resultado.chequesSemFundo` [{banco, agencia,
#   alinea, quantidade, valor, data}].
# - Score: `resultado.score` {pontuacao int 0-1000, classeRisco "A".."E", descricaoClasse,
#   probabilidadeInadimplencia Brazilian text "12,34%"}.
# - The platform's formatted report: `resultado.html` (a complete HTML document).
# - The canned answer (estatica=S) is the same deterministic report as a paid one, with a
#   banner "CONSULTA ESTÁTICA" in the HTML, `entrada.estatica` "S" and a protocolo starting
#   with "EST"; paid protocols are yyyymmdd + 6-digit sequence.
# - `idclient`, `apikey`, `cep`, `telefone`, `uf`, `agregados` are accepted and ignored.
#
# PEFIN API (the whole API is assumed, see connect_sa.md)
# - Answers: HTTP 200 + JSON `status` {mensagem ("Sucesso" or the error text), codigo,
#   protocolo}; codigo: 00 sucesso, 01 credenciais, 02 dados inválidos, 03 duplicidade,
#   04 não encontrado, 05 situação não permite, 06 ação inválida, 99 erro interno.
# - `incluir` answers `situacao` "PENDENTE" and `mensagem`; validation errors are all
#   listed, separated by spaces. Required: tipodocumento, documento, nome, cep, logradouro,
#   numero, bairro, cidade, uf, valor, data_vencimento, contrato, codigo_restricao; telefone
#   when envia_sms=S; cpf_responsavel, email, complemento, nosso_numero optional (validated
#   when given). valor "1234.56" (a comma is accepted too), > 0 and ≥ the minimum
#   (`minimum_value`, R$ 10,00 as Serasa); data_vencimento dd/mm/yyyy, already past (the
#   debt must be overdue) and not more than 5 years ago. Widths (characters): nome 70,
#   logradouro/numero/complemento/bairro 45 each, cidade 25, contrato/nosso_numero 30 each,
#   valor at most 15 digits (cents included); a longer value is refused (codigo 02), and so
#   is a control character in any field (tabs and line breaks included).
# - Duplicate = same documento + contrato with a record PENDENTE or ATIVA (ERRO and BAIXADA
#   records do not block a new inclusion, so failed inclusions can be re-sent). The refusal
#   (codigo 03) carries the existing record's protocolo in `status.protocolo` and its
#   `situacao`, so a client can recover the protocol after a timeout.
# - `consultar` takes `protocolo`, or `documento` + `contrato` (the most recent record of
#   that pair); answers `situacao`, `mensagem` and `registro` (the record's fields).
# - `excluir` takes protocolo, codigo_baixa (a motivos_baixa code), data_baixa
#   (dd/mm/yyyy, not in the future); allowed on PENDENTE and ATIVA records.
# - `produtos` answers `produtos` [{codigo, descricao, tipo CONSULTA/PEFIN, valor "R$ 4,90"}];
#   `motivos_inclusao` / `motivos_baixa` answer `motivos` [{codigo, descricao}].
# - A PENDENTE record moves on when it is looked at (consultar, excluir, a new inclusion of
#   the same documento + contrato) once `activation_delay` seconds have passed since its
#   inclusion (0: on the next look); `activate_all()` moves every PENDENTE record at once.
#
# - Both pairs travel in the same fields `login` / `password`; each endpoint accepts only its
#   own pair. Product codes/prices (CREDNET_LIGHT, RELATORIO_BASICO, CREDNET_PLUS,
#   INCLUSAO_PEFIN, EXCLUSAO_PEFIN) and the code lists (a selection of rules.md) are invented.
# - The ERRO reason is one fixed text (`error_message`, an undeliverable address).
#
# HTTP level: unknown paths → 404, other methods than POST → 405; misbehaviour `timeout`
# answers 504 after its sleep (the client is gone by then), interrupted sleeps 503.
#
# Note for tests under Odoo: odoo.tests.BaseCase patches requests.Session.send and raises
# every timeout below 10 s to 10 s, so a `timeout` misbehaviour must sleep longer than 10 s
# to time out a client that uses requests.post (or send through requests.adapters.HTTPAdapter
# directly, as connect_sa/tests/test_simulator.py does).

import argparse
import hashlib
import html
import json
import logging
import random
import re
import signal
import sys
import threading
import time
from collections import namedtuple
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from stdnum.br import cnpj, cpf
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

_logger = logging.getLogger(__name__)

CONSULTA_PATH = "/mercurio/ws_consulta/"
PEFIN_PATH = "/mercurio/ws_pefin/"
ENDPOINTS = {CONSULTA_PATH: "ws_consulta", PEFIN_PATH: "ws_pefin"}

DEFAULT_LOGIN = "demo"
DEFAULT_SENHA_CONSULTA = "demo123"
DEFAULT_SENHA_PEFIN = "pefin123"
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MINIMUM_VALUE = Decimal("10.00")

MSG_SUCESSO = "Sucesso"
MSG_CREDENCIAIS = "Login ou senha inválidos."
NADA_CONSTA = "Nada Consta"
CONSTAM_RESTRICOES = "Constam Restrições"

# PEFIN status codes [assumed]
COD_SUCESSO = "00"
COD_CREDENCIAIS = "01"
COD_DADOS_INVALIDOS = "02"
COD_DUPLICIDADE = "03"
COD_NAO_ENCONTRADO = "04"
COD_SITUACAO = "05"
COD_ACAO_INVALIDA = "06"
COD_ERRO_INTERNO = "99"

PENDENTE = "PENDENTE"
ATIVA = "ATIVA"
ERRO = "ERRO"
BAIXADA = "BAIXADA"

PROFILES = ("nada_consta", "pendencias_financeiras", "protestos", "cheques_sem_fundo")

# Valid documents of each profile, for tests and demos (fictitious numbers).
EXAMPLE_DOCUMENTS = {
    "nada_consta": {"F": "11122230028", "J": "11222333000424", "J_alfanumerico": "AB12CD34000184"},
    "pendencias_financeiras": {
        "F": "11122230109",
        "J": "11222333000181",
        "J_alfanumerico": "12ABC34501DE35",
    },
    "protestos": {"F": "11122230532", "J": "11222333000262"},
    "cheques_sem_fundo": {
        "F": "11122230613",
        "J": "11222333000343",
        "J_alfanumerico": "X1Y2Z3W4000127",
    },
}
# PEFIN inclusions of these documents end in ERRO (consultations follow their profile).
DEFAULT_ERROR_DOCUMENTS = frozenset({"11122230702", "11222333000696"})
DEFAULT_ERROR_MESSAGE = (
    "Inclusão rejeitada pela Serasa: endereço do devedor não localizado para o envio da "
    "comunicação prévia."
)

PRODUCTS = (
    ("CREDNET_LIGHT", "Crednet Light", "CONSULTA", Decimal("4.90")),
    ("RELATORIO_BASICO", "Relatório Básico", "CONSULTA", Decimal("2.90")),
    ("CREDNET_PLUS", "Crednet Plus com Score", "CONSULTA", Decimal("9.90")),
    ("INCLUSAO_PEFIN", "Inclusão Pefin", "PEFIN", Decimal("5.50")),
    ("EXCLUSAO_PEFIN", "Exclusão Pefin", "PEFIN", Decimal("0.00")),
)
CONSULTATION_PRODUCTS = {code: name for code, name, kind, _price in PRODUCTS if kind == "CONSULTA"}

MOTIVOS_INCLUSAO = (
    ("CD", "Crediário"),
    ("DP", "Duplicata"),
    ("NF", "Nota fiscal"),
    ("OO", "Outras operações"),
    ("TI", "Serviços de dados/internet"),
    ("TP", "Serviços de telefonia"),
)
MOTIVOS_BAIXA = (
    ("01", "Pagamento da dívida"),
    ("02", "Renegociação da dívida"),
    ("03", "Por solicitação do cliente"),
    ("04", "Ordem judicial"),
    ("17", "Comunicado devolvido (correio)"),
    ("19", "Acordo"),
    ("20", "Depósito"),
    ("40", "Fraude"),
    ("44", "Falecimento do devedor"),
    ("45", "Contestação"),
)
UFS = frozenset(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()
)

MISBEHAVIOUR_MODES = {
    # mode: allowed keyword arguments
    "delay": {"seconds"},
    "timeout": {"seconds"},
    "timeout_after_commit": {"seconds"},
    "http500": {"status", "body"},
    "error_json": {"mensagem", "codigo"},
    "malformed": {"body"},
    "wrong_credentials": set(),
}
MALFORMED_BODY = (
    "<br />\n<b>Warning</b>:  mysqli_connect(): (HY000/2002): Connection refused in "
    "<b>/var/www/mercurio/conexao.php</b> on line <b>12</b><br />\n"
    '{"status":{"mensagem":"Suc'
)
HTTP500_BODY = (
    "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>"
    "<h1>Erro interno do servidor</h1><p>O servidor encontrou um erro e não pôde concluir "
    "a requisição.</p></body></html>"
)
ERROR_JSON_MESSAGE = "Erro interno na comunicação com a Serasa. Tente novamente mais tarde."

LoggedRequest = namedtuple("LoggedRequest", "endpoint acao form")


# ---------------------------------------------------------------------------- helpers


def brl(value):
    """Decimal → "R$ 1.234,56"."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"
    return "R$ " + text.replace(",", "_").replace(".", ",").replace("_", ".")


def fmt_date(value):
    return value.strftime("%d/%m/%Y") if value else ""


def parse_date(text):
    """dd/mm/yyyy → date, or None."""
    text = (text or "").strip()
    if not re.fullmatch(r"\d{2}/\d{2}/\d{4}", text):
        return None
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None


def years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def compact_document(documento):
    return re.sub(r"[\s./-]", "", documento or "").upper()


def check_document(tipodocumento, documento):
    """→ (compact document, None) or (None, error text in Portuguese)."""
    number = compact_document(documento)
    if tipodocumento == "F":
        if len(number) != 11 or not cpf.is_valid(number) or len(set(number)) == 1:
            return None, f"CPF inválido: {documento or '(vazio)'}."
    elif tipodocumento == "J":
        if len(number) != 14 or not cnpj.is_valid(number) or len(set(number[:12])) == 1:
            return None, f"CNPJ inválido: {documento or '(vazio)'}."
    else:
        return None, "Tipo de documento inválido: use F (pessoa física) ou J (pessoa jurídica)."
    return number, None


def profile_for(documento):
    """The report profile of a (valid) document: last check digit mod 4."""
    return PROFILES[int(compact_document(documento)[-1]) % 4]


def _rng(documento):
    digest = hashlib.sha256(compact_document(documento).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


# ---------------------------------------------------------------------------- reports

_FIRST_NAMES = (
    "ANA", "BRUNO", "CARLA", "DANIEL", "EDUARDA", "FELIPE", "GABRIELA", "HENRIQUE",
    "ISABELA", "JOÃO", "LARISSA", "MARCOS", "NATÁLIA", "OTÁVIO", "PATRÍCIA", "RAFAEL",
)  # fmt: skip
_LAST_NAMES = (
    "SILVA", "SANTOS", "OLIVEIRA", "SOUZA", "PEREIRA", "COSTA", "RODRIGUES", "ALMEIDA",
    "NASCIMENTO", "LIMA", "ARAÚJO", "FERREIRA", "CARVALHO", "GOMES", "MARTINS", "ROCHA",
)  # fmt: skip
_COMPANY_WORDS = ("ALVORADA", "HORIZONTE", "PIONEIRA", "ESTRELA", "SERRA AZUL", "NOVA ERA")
_COMPANY_TRADES = (
    "COMÉRCIO DE ALIMENTOS",
    "MATERIAIS DE CONSTRUÇÃO",
    "TRANSPORTES",
    "SERVIÇOS DE INFORMÁTICA",
    "CONFECÇÕES",
)
_COMPANY_TYPES = ("LTDA", "EIRELI", "S.A.", "ME")
_CREDITORS = (
    "BANCO EXEMPLO S.A.",
    "FINANCEIRA MODELO S.A.",
    "LOJAS FICTÍCIAS LTDA",
    "TELEFONIA DEMONSTRAÇÃO S.A.",
    "PROVEDOR NET EXEMPLO LTDA",
)
_CITIES = (("SÃO PAULO", "SP"), ("CAMPINAS", "SP"), ("BELO HORIZONTE", "MG"), ("CURITIBA", "PR"))
_BANKS = ("BANCO EXEMPLO S.A.", "BANCO MODELO S.A.", "BANCO DEMONSTRAÇÃO S.A.")
_SCORE_RANGES = {
    "nada_consta": (650, 980),
    "pendencias_financeiras": (180, 450),
    "protestos": (250, 520),
    "cheques_sem_fundo": (120, 400),
}
_RISK_CLASSES = (
    (800, "A", "Risco muito baixo"),
    (600, "B", "Risco baixo"),
    (400, "C", "Risco médio"),
    (250, "D", "Risco alto"),
    (0, "E", "Risco muito alto"),
)
_BLOCK_TITLES = {
    "pendenciasFinanceiras": "Pendências financeiras (PEFIN/REFIN)",
    "protestos": "Protestos",
    "chequesSemFundo": "Cheques sem fundo",
}


def consulted_name(documento, tipodocumento):
    rng = _rng(documento)
    if tipodocumento == "J":
        return (
            f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_TRADES)} "
            f"{rng.choice(_COMPANY_TYPES)}"
        )
    return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)} {rng.choice(_LAST_NAMES)}"


def _amount(rng, low=5000, high=350000):
    return Decimal(rng.randint(low, high)) / 100


def _occurrences(documento, profile, today):
    """→ {registros key: [(date, name, value, detail dict)]} for the document's profile."""
    rng = _rng(documento + profile)
    kinds = {key: [] for key in _BLOCK_TITLES}
    count = rng.randint(1, 3)
    for index in range(count if profile != "nada_consta" else 0):
        day = today - timedelta(days=rng.randint(30, 1500))
        value = _amount(rng)
        if profile == "pendencias_financeiras":
            name = rng.choice(_CREDITORS)
            detail = {
                "modalidade": "PEFIN" if index == 0 or rng.random() < 0.5 else "REFIN",
                "natureza": rng.choice(MOTIVOS_INCLUSAO)[0],
                "credor": name,
                "contrato": f"{rng.randint(10**7, 10**8 - 1)}",
            }
            key = "pendenciasFinanceiras"
        elif profile == "protestos":
            city, uf = rng.choice(_CITIES)
            name = f"{rng.randint(1, 10)}º TABELIÃO DE PROTESTO DE {city}"
            detail = {"cartorio": name, "cidade": city, "uf": uf}
            key = "protestos"
        else:
            name = rng.choice(_BANKS)
            detail = {
                "banco": name,
                "agencia": f"{rng.randint(1, 9999):04d}",
                "alinea": "12",
                "quantidade": rng.randint(1, 4),
            }
            key = "chequesSemFundo"
        detail.update(valor=brl(value), data=fmt_date(day))
        kinds[key].append((day, name, value, detail))
    for items in kinds.values():
        items.sort(key=lambda item: item[0], reverse=True)
    return kinds


def _block(items):
    if not items:
        return {
            "alerta": "NADA CONSTA",
            "quantidade": 0,
            "valorTotal": brl(0),
            "dataMaisAntigo": "",
            "dataMaisRecente": "",
            "nomeMaisRecente": "",
        }
    return {
        "alerta": "CONSTA",
        "quantidade": len(items),
        "valorTotal": brl(sum(item[2] for item in items)),
        "dataMaisAntigo": fmt_date(items[-1][0]),
        "dataMaisRecente": fmt_date(items[0][0]),
        "nomeMaisRecente": items[0][1],
    }


def _score(documento, profile):
    low, high = _SCORE_RANGES[profile]
    points = _rng(documento + "score").randint(low, high)
    letter, description = next((c, d) for limit, c, d in _RISK_CLASSES if points >= limit)
    probability = Decimal((1000 - points) ** 2) / Decimal(12000)
    return {
        "pontuacao": points,
        "classeRisco": letter,
        "descricaoClasse": description,
        "probabilidadeInadimplencia": f"{probability:.2f}%".replace(".", ","),
    }


def build_report(documento, tipodocumento, consulta, protocolo, estatica, now=None):
    """The JSON answer of a successful consultation (document already validated)."""
    now = now or datetime.now()
    profile = profile_for(documento)
    kinds = _occurrences(documento, profile, now.date())
    registros = {key: _block(items) for key, items in kinds.items()}
    total = sum(block["quantidade"] for block in registros.values())
    answer = {
        "status": {
            "mensagem": MSG_SUCESSO,
            "descricaoCodigoResposta": CONSTAM_RESTRICOES if total else NADA_CONSTA,
            "protocolo": protocolo,
        },
        "entrada": {
            "nomeConsultado": consulted_name(documento, tipodocumento),
            "documentoConsultado": documento,
            "tipoDocumento": tipodocumento,
            "consulta": consulta,
            "estatica": estatica,
            "dataConsulta": now.strftime("%d/%m/%Y %H:%M:%S"),
        },
        "resultado": {
            "quadroResumoConsta": {"quantidadeTotalOcorrencias": total, "registros": registros},
            "score": _score(documento, profile),
        },
    }
    for key, items in kinds.items():
        answer["resultado"][key] = [item[3] for item in items]
    answer["resultado"]["html"] = render_html(answer)
    return answer


def _format_document(documento, tipodocumento):
    try:
        return cpf.format(documento) if tipodocumento == "F" else cnpj.format(documento)
    except Exception:  # display only: an odd document is shown as it came
        return documento


def _html_table(headers, rows):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_DETAIL_COLUMNS = {
    "pendenciasFinanceiras": (
        ("Data", "data"),
        ("Modalidade", "modalidade"),
        ("Natureza", "natureza"),
        ("Credor", "credor"),
        ("Contrato", "contrato"),
        ("Valor", "valor"),
    ),
    "protestos": (("Data", "data"), ("Cartório", "cartorio"), ("Cidade", "cidade"),
                  ("UF", "uf"), ("Valor", "valor")),
    "chequesSemFundo": (("Data", "data"), ("Banco", "banco"), ("Agência", "agencia"),
                        ("Alínea", "alinea"), ("Quantidade", "quantidade"), ("Valor", "valor")),
}  # fmt: skip


def render_html(answer):
    """The platform's printable report [assumed layout]."""
    status, entrada, resultado = answer["status"], answer["entrada"], answer["resultado"]
    score = resultado["score"]
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html lang='pt-BR'><head><meta charset='utf-8'>",
        f"<title>Relatório de consulta {esc(status['protocolo'])}</title>",
        "<style>body{font-family:Arial,sans-serif;font-size:12px}table{border-collapse:collapse;"
        "width:100%;margin-bottom:12px}th,td{border:1px solid #999;padding:3px 6px;"
        "text-align:left}th{background:#e8e8e8}.consta{color:#b00000;font-weight:bold}"
        ".estatica{background:#fff3cd;border:1px solid #c90;padding:6px}</style></head><body>",
        "<h1>Connect SA — Relatório de consulta Serasa</h1>",
    ]
    if entrada["estatica"] == "S":
        parts.append(
            "<p class='estatica'>CONSULTA ESTÁTICA (HOMOLOGAÇÃO) — dados fictícios, sem custo.</p>"
        )
    parts.append(
        _html_table(
            ("Produto", "Protocolo", "Data da consulta"),
            [(CONSULTATION_PRODUCTS.get(entrada["consulta"], entrada["consulta"]),
              status["protocolo"], entrada["dataConsulta"])],
        )
    )  # fmt: skip
    parts.append("<h2>Dados do consultado</h2>")
    parts.append(
        _html_table(
            ("Nome", "CPF" if entrada["tipoDocumento"] == "F" else "CNPJ"),
            [(entrada["nomeConsultado"],
              _format_document(entrada["documentoConsultado"], entrada["tipoDocumento"]))],
        )
    )  # fmt: skip
    parts.append("<h2>Score</h2>")
    parts.append(
        _html_table(
            ("Pontuação", "Classe de risco", "Probabilidade de inadimplência"),
            [(score["pontuacao"], f"{score['classeRisco']} — {score['descricaoClasse']}",
              score["probabilidadeInadimplencia"])],
        )
    )  # fmt: skip
    quadro = resultado["quadroResumoConsta"]
    css_class = "consta" if quadro["quantidadeTotalOcorrencias"] else ""
    parts.append(
        f"<h2>Quadro resumo — <span class='{css_class}'>"
        f"{esc(status['descricaoCodigoResposta'])}</span></h2>"
    )
    parts.append(
        _html_table(
            ("Ocorrência", "Situação", "Quantidade", "Valor total", "Mais antiga", "Mais recente",
             "Nome mais recente"),
            [(_BLOCK_TITLES[key], b["alerta"], b["quantidade"], b["valorTotal"],
              b["dataMaisAntigo"], b["dataMaisRecente"], b["nomeMaisRecente"])
             for key, b in quadro["registros"].items()],
        )
    )  # fmt: skip
    for key, columns in _DETAIL_COLUMNS.items():
        if resultado.get(key):
            parts.append(f"<h2>{esc(_BLOCK_TITLES[key])}</h2>")
            parts.append(
                _html_table(
                    [title for title, _field in columns],
                    [[item[field] for _title, field in columns] for item in resultado[key]],
                )
            )
    parts.append(
        "<p>Informações fornecidas pela Serasa Experian por intermédio da Connect SA. "
        "Uso restrito à finalidade de proteção ao crédito (LGPD, art. 7º, X).</p></body></html>"
    )
    return "".join(parts)


# ---------------------------------------------------------------------------- PEFIN checks


def _check_required(form):
    required = (
        "tipodocumento", "documento", "nome", "cep", "logradouro", "numero", "bairro", "cidade",
        "uf", "valor", "data_vencimento", "contrato", "codigo_restricao",
    )  # fmt: skip
    missing = [field for field in required if not form.get(field, "").strip()]
    return [f"Campo obrigatório não informado: {', '.join(missing)}."] if missing else []


def _check_address(form):
    errors = []
    cep = form.get("cep", "").strip()
    if cep and not re.fullmatch(r"\d{8}", cep.replace("-", "").replace(".", "")):
        errors.append(f"CEP inválido: {cep} (informe 8 dígitos).")
    uf = form.get("uf", "").strip()
    if uf and uf.upper() not in UFS:
        errors.append(f"UF inválida: {uf}.")
    return errors


def _check_value(form, minimum):
    text = form.get("valor", "").strip()
    if not text:
        return []
    try:
        value = (
            Decimal(text.replace(",", ".")) if re.fullmatch(r"\d+([.,]\d{1,2})?", text) else None
        )
    except InvalidOperation:
        value = None
    if value is None:
        return [f"Valor inválido: {text} (use o formato 1234.56)."]
    if value <= 0:
        return ["O valor da dívida deve ser maior que zero."]
    if value < minimum:
        return [f"Valor abaixo do mínimo aceito pela Serasa ({brl(minimum)})."]
    return []


def _check_due_date(form, today):
    text = form.get("data_vencimento", "").strip()
    if not text:
        return []
    due = parse_date(text)
    if not due:
        return [f"Data de vencimento inválida: {text} (use dd/mm/aaaa)."]
    if due >= today:
        return ["A dívida ainda não está vencida: a data de vencimento deve ser anterior a hoje."]
    if due < years_before(today, 5):
        return ["Dívida vencida há mais de 5 anos não pode ser negativada (CDC, art. 43, § 1º)."]
    return []


# Field widths of `incluir` (the client's connect_sa/const.py has the same, [assumed]).
MAX_LENGTHS = {
    "nome": 70,
    "logradouro": 45,
    "numero": 45,
    "complemento": 45,
    "bairro": 45,
    "cidade": 25,
    "contrato": 30,
    "nosso_numero": 30,
}
MAX_VALUE_DIGITS = 15
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _check_lengths(form):
    errors = [
        f"Campo {field} com caractere de controle."
        for field, value in form.items()
        if isinstance(value, str) and _CONTROL.search(value)
    ]
    errors += [
        f"Campo {field} com mais de {limit} caracteres ({len(form[field].strip())})."
        for field, limit in MAX_LENGTHS.items()
        if len(form.get(field, "").strip()) > limit
    ]
    digits_of_value = re.sub(r"\D", "", form.get("valor", ""))
    if len(digits_of_value.lstrip("0")) > MAX_VALUE_DIGITS:
        errors.append(f"Valor com mais de {MAX_VALUE_DIGITS} dígitos.")
    return errors


def _check_other(form):
    errors = []
    natureza = form.get("codigo_restricao", "").strip().upper()
    if natureza and natureza not in {code for code, _name in MOTIVOS_INCLUSAO}:
        errors.append(f"Código de restrição (natureza) inválido: {form['codigo_restricao']}.")
    envia_sms = form.get("envia_sms", "N").strip().upper() or "N"
    if envia_sms not in ("S", "N"):
        errors.append("envia_sms deve ser S ou N.")
    telefone = re.sub(r"\D", "", form.get("telefone", ""))
    if envia_sms == "S" and not telefone:
        errors.append("Telefone obrigatório para envio de SMS.")
    if telefone and len(telefone) not in (10, 11):
        errors.append(f"Telefone inválido: {form['telefone']} (DDD + número).")
    email = form.get("email", "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors.append(f"E-mail inválido: {email}.")
    responsavel = form.get("cpf_responsavel", "").strip()
    if responsavel and check_document("F", responsavel)[1]:
        errors.append(f"CPF do responsável pela negativação inválido: {responsavel}.")
    return errors


def validate_inclusion(form, today, minimum=DEFAULT_MINIMUM_VALUE):
    """→ list of error texts (empty when the inclusion is acceptable)."""
    errors = _check_required(form)
    if form.get("tipodocumento", "").strip() and form.get("documento", "").strip():
        error = check_document(form["tipodocumento"].strip().upper(), form["documento"])[1]
        if error:
            errors.append(error)
    errors += _check_address(form)
    errors += _check_value(form, minimum)
    errors += _check_due_date(form, today)
    errors += _check_other(form)
    errors += _check_lengths(form)
    return errors


# ---------------------------------------------------------------------------- the WSGI app


class _Stopped(Exception):
    """A misbehaviour's sleep was interrupted by stop()."""


class ConnectSAApp:
    """The WSGI application: both endpoints, their state and the misbehaviour switch."""

    def __init__(
        self,
        login=DEFAULT_LOGIN,
        senha_consulta=DEFAULT_SENHA_CONSULTA,
        login_pefin=None,
        senha_pefin=DEFAULT_SENHA_PEFIN,
        activation_delay=0.0,
        timeout_seconds=DEFAULT_TIMEOUT_SECONDS,
        error_documents=DEFAULT_ERROR_DOCUMENTS,
        minimum_value=DEFAULT_MINIMUM_VALUE,
        error_message=DEFAULT_ERROR_MESSAGE,
    ):
        self._initial = {
            "login": login,
            "senha_consulta": senha_consulta,
            "login_pefin": login_pefin,
            "senha_pefin": senha_pefin,
            "activation_delay": activation_delay,
            "timeout_seconds": timeout_seconds,
            "error_documents": frozenset(error_documents),
            "minimum_value": Decimal(str(minimum_value)),
            "error_message": error_message,
        }
        self._lock = threading.RLock()
        self._stop_event = threading.Event()
        self.reset()

    # -- state -------------------------------------------------------------------------

    def reset(self):
        """Back to the constructor's settings; forget records, logs, counters, faults."""
        with self._lock:
            for key, value in self._initial.items():
                setattr(self, key, set(value) if key == "error_documents" else value)
            self.records = {}  # protocolo → record dict
            self._by_contract = {}  # contrato → its records, oldest first (find_records)
            self.requests = []  # LoggedRequest(endpoint, acao, form) — passwords as sent
            self.consultations = []  # {documento, tipodocumento, consulta, estatica, protocolo}
            self.paid_consultations = 0
            self.canned_consultations = 0
            self._misbehaviours = []
            self._sequence = 0

    def set_credentials(self, login=None, senha_consulta=None, login_pefin=None, senha_pefin=None):
        """Change the accepted credentials (None keeps a value; login_pefin="" → follow login)."""
        with self._lock:
            if login is not None:
                self.login = login
            if senha_consulta is not None:
                self.senha_consulta = senha_consulta
            if login_pefin is not None:
                self.login_pefin = login_pefin or None
            if senha_pefin is not None:
                self.senha_pefin = senha_pefin

    @property
    def effective_login_pefin(self):
        return self.login_pefin or self.login

    def misbehave(self, mode, acao_or_endpoint=None, times=1, **kw):
        """Make the next `times` matching calls misbehave (times=None: every call until reset).

        acao_or_endpoint: None (any call), "ws_consulta"/"consulta", "ws_pefin"/"pefin", or a
        PEFIN acao ("incluir", "consultar", ...). Keywords: delay/timeout/timeout_after_commit
        seconds=; http500 status=500, body=; error_json mensagem=, codigo="99"; malformed body=.
        """
        if mode not in MISBEHAVIOUR_MODES:
            raise ValueError(f"unknown misbehaviour {mode!r}; one of {sorted(MISBEHAVIOUR_MODES)}")
        unknown = set(kw) - MISBEHAVIOUR_MODES[mode]
        if unknown:
            raise TypeError(f"misbehaviour {mode!r} takes no {sorted(unknown)}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        with self._lock:
            self._misbehaviours.append(
                {"mode": mode, "target": acao_or_endpoint, "remaining": times, "kw": kw}
            )

    def clear_misbehaviours(self):
        with self._lock:
            self._misbehaviours = []

    @property
    def pending_misbehaviours(self):
        with self._lock:
            return [dict(rule) for rule in self._misbehaviours]

    def activate_all(self):
        """Move every PENDENTE record to ATIVA (or ERRO); → number of records moved."""
        with self._lock:
            moved = [r for r in self.records.values() if r["situacao"] == PENDENTE]
            for record in moved:
                self._transition(record)
            return len(moved)

    def find_records(self, documento=None, contrato=None):
        """Records (oldest first) matching a document and/or contract."""
        number = compact_document(documento) if documento else None
        with self._lock:
            # By contract through its index: an inclusion's duplicate check does not read
            # every record received (a real provider's lookup does not grow with its base).
            candidates = (
                self.records.values() if contrato is None else self._by_contract.get(contrato, ())
            )
            return [
                r
                for r in candidates
                if (number is None or r["documento"] == number)
                and (contrato is None or r["contrato"] == contrato)
            ]

    # -- WSGI --------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        return self.dispatch(Request(environ))(environ, start_response)

    def dispatch(self, request):
        endpoint = ENDPOINTS.get(request.path)
        if endpoint is None:
            return Response(
                "<h1>404 — Página não encontrada</h1>", 404, content_type="text/html; charset=utf-8"
            )
        if request.method != "POST":
            return Response(
                "Método não permitido: use POST.",
                405,
                headers={"Allow": "POST"},
                content_type="text/plain; charset=utf-8",
            )
        form = request.form.to_dict()
        acao = None
        if endpoint == "ws_pefin":
            acao = (form.get("acao") or "").strip().lower() or None
        with self._lock:
            self.requests.append(LoggedRequest(endpoint, acao, form))
            rule = self._take_misbehaviour(endpoint, acao)
        try:
            return self._answer(endpoint, acao, form, rule)
        except _Stopped:
            return Response("Serviço indisponível.", 503, content_type="text/plain; charset=utf-8")

    def _answer(self, endpoint, acao, form, rule):
        mode, kw = (rule["mode"], rule["kw"]) if rule else (None, {})
        if mode == "delay":
            self._sleep(kw.get("seconds", 1.0))
        elif mode == "timeout":
            self._sleep(kw.get("seconds", self.timeout_seconds))
            return Response("Tempo esgotado.", 504, content_type="text/plain; charset=utf-8")
        elif mode == "http500":
            return Response(
                kw.get("body", HTTP500_BODY),
                kw.get("status", 500),
                content_type="text/html; charset=utf-8",
            )
        elif mode == "error_json":
            message = kw.get("mensagem", ERROR_JSON_MESSAGE)
            payload = {"status": {"mensagem": message, "protocolo": ""}}
            if endpoint == "ws_pefin":
                payload["status"]["codigo"] = kw.get("codigo", COD_ERRO_INTERNO)
            else:
                payload["status"]["descricaoCodigoResposta"] = ""
            return self._json(payload)
        elif mode == "malformed":
            return Response(
                kw.get("body", MALFORMED_BODY), 200, content_type="application/json; charset=utf-8"
            )
        elif mode == "wrong_credentials":
            return self._json(self._credentials_error(endpoint))
        if endpoint == "ws_consulta":
            payload = self._consulta(form)
        else:
            payload = self._pefin(form, acao)
        if mode == "timeout_after_commit":
            self._sleep(kw.get("seconds", self.timeout_seconds))
        return self._json(payload)

    def _take_misbehaviour(self, endpoint, acao):
        for rule in self._misbehaviours:
            target = rule["target"]
            if target in (None, endpoint, endpoint.removeprefix("ws_")) or (
                acao and target == acao
            ):
                if rule["remaining"] is not None:
                    rule["remaining"] -= 1
                    if rule["remaining"] <= 0:
                        self._misbehaviours.remove(rule)
                return rule
        return None

    def _sleep(self, seconds):
        if self._stop_event.wait(seconds):
            raise _Stopped()

    @staticmethod
    def _json(payload, status=200):
        return Response(
            json.dumps(payload, ensure_ascii=False),
            status,
            content_type="application/json; charset=utf-8",
        )

    def _next_protocol(self, prefix=""):
        with self._lock:
            self._sequence += 1
            return f"{prefix}{date.today():%Y%m%d}{self._sequence:06d}"

    def _credentials_error(self, endpoint):
        if endpoint == "ws_pefin":
            return self._pefin_status(COD_CREDENCIAIS, MSG_CREDENCIAIS)
        return {
            "status": {"mensagem": MSG_CREDENCIAIS, "descricaoCodigoResposta": "", "protocolo": ""}
        }

    # -- consultation API ----------------------------------------------------------------

    @staticmethod
    def _consulta_error(message):
        return {"status": {"mensagem": message, "descricaoCodigoResposta": "", "protocolo": ""}}

    def _consulta(self, form):
        if (form.get("login"), form.get("password")) != (self.login, self.senha_consulta):
            return self._credentials_error("ws_consulta")
        consulta = (form.get("consulta") or "").strip().upper()
        if consulta not in CONSULTATION_PRODUCTS:
            return self._consulta_error(
                f"Produto de consulta inválido ou não habilitado: {consulta or '(vazio)'}."
            )
        if (form.get("tiporesposta") or "J").strip().upper() not in ("J", "A"):
            return self._consulta_error("Tipo de resposta não suportado: use J (JSON).")
        estatica = (form.get("estatica") or "").strip().upper()
        if estatica not in ("S", "N"):
            return self._consulta_error(
                "Parâmetro estatica inválido: use S (consulta estática) ou N (consulta real)."
            )
        tipodocumento = (form.get("tipodocumento") or "").strip().upper()
        documento, error = check_document(tipodocumento, form.get("documento"))
        if error:
            return self._consulta_error(error)
        protocolo = self._next_protocol("EST" if estatica == "S" else "")
        answer = build_report(documento, tipodocumento, consulta, protocolo, estatica)
        with self._lock:
            if estatica == "S":
                self.canned_consultations += 1
            else:
                self.paid_consultations += 1
            self.consultations.append(
                {
                    "documento": documento,
                    "tipodocumento": tipodocumento,
                    "consulta": consulta,
                    "estatica": estatica,
                    "protocolo": protocolo,
                }
            )
        return answer

    # -- PEFIN API ---------------------------------------------------------------------

    @staticmethod
    def _pefin_status(codigo, mensagem, protocolo="", /, **extra):
        return {"status": {"mensagem": mensagem, "codigo": codigo, "protocolo": protocolo}, **extra}

    def _pefin(self, form, acao):
        if (form.get("login"), form.get("password")) != (
            self.effective_login_pefin,
            self.senha_pefin,
        ):
            return self._credentials_error("ws_pefin")
        handler = {
            "incluir": self._incluir,
            "excluir": self._excluir,
            "consultar": self._consultar,
            "produtos": self._produtos,
            "motivos_inclusao": self._motivos_inclusao,
            "motivos_baixa": self._motivos_baixa,
        }.get(acao)
        if handler is None:
            return self._pefin_status(COD_ACAO_INVALIDA, f"Ação inválida: {acao or '(vazia)'}.")
        return handler(form)

    def _transition(self, record):
        """PENDENTE → ERRO (error documents) or ATIVA."""
        errors = {compact_document(d) for d in self.error_documents}
        if record["documento"] in errors:
            record.update(situacao=ERRO, mensagem=self.error_message)
        else:
            today = date.today()
            record.update(
                situacao=ATIVA,
                data_ativacao=fmt_date(today),
                mensagem=f"Negativação ativa na Serasa desde {fmt_date(today)}.",
            )

    def _advance(self, record):
        if (
            record["situacao"] == PENDENTE
            and time.monotonic() - record["_incluido_em"] >= self.activation_delay
        ):
            self._transition(record)

    @staticmethod
    def _public(record):
        return {key: value for key, value in record.items() if not key.startswith("_")}

    def _incluir(self, form):
        errors = validate_inclusion(form, date.today(), self.minimum_value)
        if errors:
            return self._pefin_status(COD_DADOS_INVALIDOS, " ".join(errors))
        tipodocumento = form["tipodocumento"].strip().upper()
        documento = check_document(tipodocumento, form["documento"])[0]
        contrato = form["contrato"].strip()
        with self._lock:
            for existing in self.find_records(documento, contrato):
                self._advance(existing)
                if existing["situacao"] in (PENDENTE, ATIVA):
                    return self._pefin_status(
                        COD_DUPLICIDADE,
                        f"Inclusão em duplicidade recusada: já existe negativação "
                        f"{existing['situacao']} para o documento {documento} e o contrato "
                        f"{contrato} (protocolo {existing['protocolo']}).",
                        existing["protocolo"],
                        situacao=existing["situacao"],
                    )
            protocolo = self._next_protocol("PF")
            envia_sms = (form.get("envia_sms") or "N").strip().upper()
            record = {
                "protocolo": protocolo,
                "situacao": PENDENTE,
                "mensagem": "Inclusão recebida; aguardando o prazo da comunicação prévia ao "
                "devedor.",
                "tipodocumento": tipodocumento,
                "documento": documento,
                "contrato": contrato,
                "valor": str(Decimal(form["valor"].strip().replace(",", "."))),
                "data_inclusao": fmt_date(date.today()),
                "data_ativacao": "",
                "codigo_baixa": "",
                "data_baixa": "",
                "envia_sms": envia_sms,
                "sms_enviado": envia_sms == "S",
                "_incluido_em": time.monotonic(),
            }
            for field in (
                "nome", "cep", "logradouro", "numero", "complemento", "bairro", "cidade", "uf",
                "telefone", "email", "data_vencimento", "nosso_numero", "codigo_restricao",
                "cpf_responsavel",
            ):  # fmt: skip
                record.setdefault(field, (form.get(field) or "").strip())
            self.records[protocolo] = record
            self._by_contract.setdefault(record["contrato"], []).append(record)
            return self._pefin_status(
                COD_SUCESSO, MSG_SUCESSO, protocolo, situacao=PENDENTE, mensagem=record["mensagem"]
            )

    def _excluir(self, form):
        protocolo = (form.get("protocolo") or "").strip()
        codigo_baixa = (form.get("codigo_baixa") or "").strip()
        data_text = (form.get("data_baixa") or "").strip()
        errors = []
        if not protocolo:
            errors.append("Campo obrigatório não informado: protocolo.")
        reasons = dict(MOTIVOS_BAIXA)
        if codigo_baixa not in reasons:
            errors.append(f"Código de baixa inválido: {codigo_baixa or '(vazio)'}.")
        data_baixa = parse_date(data_text)
        if not data_baixa:
            errors.append(f"Data da baixa inválida: {data_text or '(vazia)'} (use dd/mm/aaaa).")
        elif data_baixa > date.today():
            errors.append("A data da baixa não pode ser futura.")
        if errors:
            return self._pefin_status(COD_DADOS_INVALIDOS, " ".join(errors), protocolo)
        with self._lock:
            record = self.records.get(protocolo)
            if record is None:
                return self._pefin_status(
                    COD_NAO_ENCONTRADO, f"Protocolo não encontrado: {protocolo}.", protocolo
                )
            self._advance(record)
            if record["situacao"] == BAIXADA:
                return self._pefin_status(
                    COD_SITUACAO,
                    f"Negativação já baixada em {record['data_baixa']}.",
                    protocolo,
                    situacao=BAIXADA,
                )
            if record["situacao"] == ERRO:
                return self._pefin_status(
                    COD_SITUACAO,
                    "Negativação com erro não está ativa; não há o que baixar.",
                    protocolo,
                    situacao=ERRO,
                )
            record.update(
                situacao=BAIXADA,
                codigo_baixa=codigo_baixa,
                data_baixa=fmt_date(data_baixa),
                mensagem=f"Negativação baixada em {fmt_date(data_baixa)} — motivo {codigo_baixa} "
                f"({reasons[codigo_baixa]}).",
            )
            return self._pefin_status(
                COD_SUCESSO, MSG_SUCESSO, protocolo, situacao=BAIXADA, mensagem=record["mensagem"]
            )

    def _consultar(self, form):
        protocolo = (form.get("protocolo") or "").strip()
        documento = (form.get("documento") or "").strip()
        contrato = (form.get("contrato") or "").strip()
        with self._lock:
            if protocolo:
                record = self.records.get(protocolo)
                missing = f"Protocolo não encontrado: {protocolo}."
            elif documento and contrato:
                found = self.find_records(documento, contrato)
                record = found[-1] if found else None
                missing = (
                    f"Nenhuma negativação encontrada para o documento {documento} e o contrato "
                    f"{contrato}."
                )
            else:
                return self._pefin_status(
                    COD_DADOS_INVALIDOS, "Informe o protocolo (ou documento e contrato)."
                )
            if record is None:
                return self._pefin_status(COD_NAO_ENCONTRADO, missing, protocolo)
            self._advance(record)
            return self._pefin_status(
                COD_SUCESSO,
                MSG_SUCESSO,
                record["protocolo"],
                situacao=record["situacao"],
                mensagem=record["mensagem"],
                registro=self._public(record),
            )

    def _produtos(self, form):
        return self._pefin_status(
            COD_SUCESSO,
            MSG_SUCESSO,
            produtos=[
                {"codigo": code, "descricao": name, "tipo": kind, "valor": brl(price)}
                for code, name, kind, price in PRODUCTS
            ],
        )

    def _motivos_inclusao(self, form):
        return self._pefin_status(
            COD_SUCESSO,
            MSG_SUCESSO,
            motivos=[{"codigo": c, "descricao": d} for c, d in MOTIVOS_INCLUSAO],
        )

    def _motivos_baixa(self, form):
        return self._pefin_status(
            COD_SUCESSO,
            MSG_SUCESSO,
            motivos=[{"codigo": c, "descricao": d} for c, d in MOTIVOS_BAIXA],
        )


# ---------------------------------------------------------------------------- the server


class _QuietRequestHandler(WSGIRequestHandler):
    """Request lines at DEBUG on this module's logger (werkzeug logs them at INFO)."""

    def log_request(self, code="-", size="-"):
        _logger.debug("%s %s %s", self.command, self.path, code)


class ConnectSASimulator(ConnectSAApp):
    """ConnectSAApp served over HTTP in a daemon thread."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._server = None
        self._thread = None
        self.host = None
        self.port = None

    @property
    def url(self):
        """Base URL (http://host:port), None when not running."""
        return f"http://{self.host}:{self.port}" if self._server else None

    def start(self, host="127.0.0.1", port=0):
        if self._server:
            raise RuntimeError(f"simulator already running at {self.url}")
        self._stop_event.clear()
        self._server = make_server(
            host, port, self, threaded=True, request_handler=_QuietRequestHandler
        )
        self.host, self.port = host, self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"connect-sa-simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        """Stop serving; sleeping misbehaviours wake up at once. Safe to call twice."""
        self._stop_event.set()
        server, self._server = self._server, None
        if server:
            server.shutdown()
            server.server_close()
            self._thread.join(5)
            self._thread = None

    def __enter__(self):
        if not self._server:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------------------- command line


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python connect_sa/simulator",
        description="Simulador da Connect SA (consultas e PEFIN) em HTTP local.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--login", default=DEFAULT_LOGIN)
    parser.add_argument("--senha-consulta", default=DEFAULT_SENHA_CONSULTA)
    parser.add_argument("--login-pefin", default=None, help="padrão: o mesmo login")
    parser.add_argument("--senha-pefin", default=DEFAULT_SENHA_PEFIN)
    parser.add_argument(
        "--activation-delay",
        type=float,
        default=0.0,
        help="segundos até PENDENTE virar ATIVA (0: na próxima consulta)",
    )
    parser.add_argument("--verbose", action="store_true", help="mostra cada requisição")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(message)s",
    )
    sim = ConnectSASimulator(
        login=args.login,
        senha_consulta=args.senha_consulta,
        login_pefin=args.login_pefin,
        senha_pefin=args.senha_pefin,
        activation_delay=args.activation_delay,
    ).start(args.host, args.port)
    lines = [
        f"Simulador Connect SA em {sim.url}",
        f"  consultas: POST {sim.url}{CONSULTA_PATH}  login={sim.login} "
        f"senha_consulta={sim.senha_consulta}",
        f"  PEFIN:     POST {sim.url}{PEFIN_PATH}  login_pefin={sim.effective_login_pefin} "
        f"senha_pefin={sim.senha_pefin}",
        "  documentos de exemplo (perfil: documentos):",
    ]
    for profile, documents in EXAMPLE_DOCUMENTS.items():
        lines.append(f"    {profile}: {', '.join(documents.values())}")
    lines.append(f"    PEFIN com ERRO: {', '.join(sorted(DEFAULT_ERROR_DOCUMENTS))}")
    lines.append("Ctrl-C para encerrar.")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()

    def _terminate(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        _logger.debug("Ctrl-C: encerrando")
    finally:
        sim.stop()
        sys.stdout.write("Simulador encerrado.\n")
        sys.stdout.flush()
    return 0
