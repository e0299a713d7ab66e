"""Every fact of the Connect SA protocol that the addon relies on, in one place.

Each fact is marked **[public]** (seen in public client code or ERP help pages) or
**[assumed]** (our best reading, to be confirmed with the vendor). When the vendor's
document is at hand, correct this module: the code reads the protocol from here only.
See readme/ROADMAP.md and ../shared/bureaus/connect_sa.md.
"""

PROVIDER_CODE = "connect_sa"

# ------------------------------------------------------------------ addresses
# The vendor's host [public]; the integration's "Base URL" (developer mode) replaces it,
# e.g. with the simulator's http://127.0.0.1:8091.
URL = "https://sistemas.connectsa.com.br"
CONSULTA_PATH = "/mercurio/ws_consulta/"  # [public]
PEFIN_PATH = "/mercurio/ws_pefin/"  # [assumed] the PEFIN API is not public
PATHS = {"consulta": CONSULTA_PATH, "pefin": PEFIN_PATH}

# Seconds the addon waits for an answer (the core's default as well).
REQUEST_TIMEOUT = 30

# ------------------------------------------------------------------ common form fields
# Form-encoded POST (application/x-www-form-urlencoded) [public]; the same field names
# carry the PEFIN pair on the PEFIN API [assumed].
FIELD_LOGIN = "login"  # [public]
FIELD_PASSWORD = "password"  # [public]
FIELD_RESPONSE_TYPE = "tiporesposta"  # [public]
RESPONSE_TYPE_JSON = "J"  # [public]
FIELD_ACTION = "acao"  # [assumed]

# ------------------------------------------------------------------ consultation API [public]
FIELD_PRODUCT = "consulta"  # product code, e.g. CREDNET_LIGHT
FIELD_DOCUMENT_TYPE = "tipodocumento"
FIELD_DOCUMENT = "documento"  # digits only (letters of the alphanumeric CNPJ kept)
FIELD_CANNED = "estatica"
CANNED_YES = "S"  # canned answer, free: the vendor's test mode (homologação)
CANNED_NO = "N"  # real answer, paid (produção)
DOCUMENT_TYPES = {"cpf": "F", "cnpj": "J"}  # [public]

# Answer keys [public unless marked].
STATUS = "status"
STATUS_MESSAGE = "mensagem"
STATUS_SUCCESS = "Sucesso"  # status.mensagem when the call worked; else the error text
STATUS_ANSWER = "descricaoCodigoResposta"  # e.g. "Constam Restrições"
STATUS_PROTOCOL = "protocolo"
STATUS_CODE = "codigo"  # [assumed] PEFIN API only
INPUT = "entrada"
INPUT_NAME = "nomeConsultado"
RESULT = "resultado"
SUMMARY = "quadroResumoConsta"
SUMMARY_TOTAL = "quantidadeTotalOcorrencias"
SUMMARY_BLOCKS = "registros"  # an object keyed by kind of occurrence
BLOCK_COUNT = "quantidade"
BLOCK_TOTAL = "valorTotal"  # "R$ 1.234,56"
BLOCK_OLDEST = "dataMaisAntigo"  # dd/mm/yyyy
BLOCK_NEWEST = "dataMaisRecente"
BLOCK_NEWEST_NAME = "nomeMaisRecente"
# Keys of `registros` and the core's kind of occurrence [assumed key names]; any other key
# is counted as "other".
BLOCK_KINDS = {
    "pendenciasFinanceiras": "financial",
    "protestos": "protest",
    "chequesSemFundo": "check",
    "acoesJudiciais": "lawsuit",
}
# [assumed] next to the summary, `resultado.<registros key>` lists the occurrences, each
# with `data` (dd/mm/yyyy), `valor` ("R$ 1.234,56"), the creditor under one of
# DETAIL_CREDITOR, the registry office of a protest under DETAIL_OFFICE (never taken for
# its creditor), the place under DETAIL_CITY/DETAIL_STATE and other facts worth showing
# under DETAIL_DESCRIPTION (label: key).
DETAIL_DATE = "data"
DETAIL_AMOUNT = "valor"
DETAIL_CREDITOR = ("credor", "banco")
DETAIL_OFFICE = ("cartorio",)
DETAIL_CITY = "cidade"
DETAIL_STATE = "uf"
# Kinds whose summary's "nomeMaisRecente" names the registry office, not a creditor.
OFFICE_KINDS = frozenset({"protest"})
DETAIL_DESCRIPTION = {
    "modalidade": "Modalidade",
    "natureza": "Natureza",
    "contrato": "Contrato",
    "cidade": "Cidade",
    "uf": "UF",
    "agencia": "Agência",
    "alinea": "Alínea",
    "quantidade": "Quantidade",
}
# [assumed] the score block: resultado.score {pontuacao 0-1000, classeRisco A..E,
# descricaoClasse, probabilidadeInadimplencia "12,34%"}.
SCORE = "score"
SCORE_POINTS = "pontuacao"
SCORE_CLASS = "classeRisco"
SCORE_PROBABILITY = "probabilidadeInadimplencia"
# [assumed] the platform's formatted report, a complete HTML document. ERPs show that HTML
# and export it as PDF [public]; the key that carries it is our guess.
REPORT_HTML = "html"
# [assumed] words of status.mensagem that tell a refused login/password on the
# consultation API (its errors carry no code); e.g. "Login ou senha inválidos."
CREDENTIAL_ERROR_WORDS = ("senha", "login")
# Connection test: a canned consultation (free) [public: estatica=S], of this product when
# the integration has no default one [public example code] and of this document, the
# usual example CNPJ 11.222.333/0001-81 [assumed: the canned answer accepts any valid one].
TEST_PRODUCT = "CREDNET_LIGHT"
TEST_DOCUMENT_TYPE = "J"
TEST_DOCUMENT = "11222333000181"

# ------------------------------------------------------------------ PEFIN API [assumed]
ACTION_INCLUDE = "incluir"
ACTION_REMOVE = "excluir"
ACTION_LOOKUP = "consultar"
ACTION_PRODUCTS = "produtos"
ACTION_RESTRICTION_CODES = "motivos_inclusao"
ACTION_REMOVAL_CODES = "motivos_baixa"
# [assumed] The PEFIN API has no known test mode (nothing like estatica=S): an inclusion
# sent to the vendor's own host is real. In homologação it therefore goes only to an address
# set in the integration's Base URL (simulator, vendor sandbox). A removal is never held
# back: it can only undo a record the platform holds, and it is legally due (Súmula 548).
PEFIN_REAL_ONLY_ACTIONS = ("incluir",)
PEFIN_HAS_TEST_MODE = False
# Fields of `incluir`; the debt dict of the core (see `_bureau_include`) fills them.
INCLUDE_FIELDS = (
    "tipodocumento",
    "documento",
    "nome",
    "cep",
    "logradouro",
    "numero",
    "complemento",
    "bairro",
    "cidade",
    "uf",
    "telefone",
    "email",
    "valor",
    "data_vencimento",
    "contrato",
    "nosso_numero",
    "codigo_restricao",
    "envia_sms",
    "cpf_responsavel",
)
DATE_FORMAT = "%d/%m/%Y"  # data_vencimento, data_baixa
AMOUNT_FORMAT = "{:.2f}"  # valor: 1234.56
# [assumed] field widths of `incluir`, in characters (the amount: its digits, cents
# included), and what the core does with a longer value: "truncate" (shortened at the last
# whole word, noted on the negativation) or "refuse" (a blocker, before anything is sent).
# None is public: the name, address and city widths are those of the public PEFIN REST API
# of another Serasa distributor (../shared/bureaus/credito_na_medida.md: name 70, address
# 45, city 25), the contract's and our number's width and the amount's digits are our guess.
# An identifier (contract, our number, the house number) is never shortened: a shortened
# one would name another debt or another house.
MAX_NAME = 70  # nome
MAX_ADDRESS = 45  # logradouro, numero, complemento, bairro (each)
MAX_CITY = 25  # cidade
MAX_CONTRACT = 30  # contrato, nosso_numero (each)
AMOUNT_MAX_DIGITS = 15  # valor: up to 9999999999999.99
FIELD_LIMITS = {
    "name": (MAX_NAME, "truncate"),
    "street": (MAX_ADDRESS, "truncate"),
    "number": (MAX_ADDRESS, "refuse"),
    "complement": (MAX_ADDRESS, "truncate"),
    "district": (MAX_ADDRESS, "truncate"),
    "city": (MAX_CITY, "truncate"),
    "contract": (MAX_CONTRACT, "refuse"),
    "our_number": (MAX_CONTRACT, "refuse"),
    "amount": (AMOUNT_MAX_DIGITS, "refuse"),
}
YES, NO = "S", "N"  # envia_sms
FIELD_REFERENCE = "protocolo"
FIELD_REMOVAL_CODE = "codigo_baixa"
FIELD_REMOVAL_DATE = "data_baixa"
FIELD_CONTRACT = "contrato"
# Answer: status {mensagem, codigo, protocolo}, and `situacao`, `mensagem` for a record.
ANSWER_STATE = "situacao"
ANSWER_MESSAGE = "mensagem"
ANSWER_PRODUCTS = "produtos"  # [{codigo, descricao, tipo CONSULTA/PEFIN, valor "R$ 4,90"}]
ANSWER_CODES = "motivos"  # [{codigo, descricao}]
PRODUCT_CODE = "codigo"
PRODUCT_NAME = "descricao"
PRODUCT_TYPE = "tipo"
PRODUCT_PRICE = "valor"
PRODUCT_TYPE_CONSULTATION = "CONSULTA"
# [assumed] The product list says nothing of whom a consultation serves: the Serasa
# reports Connect SA resells (Crednet, Relatório Básico) take a CPF and a CNPJ alike. A
# product serves persons only when its code or name holds one of PERSON_PRODUCT_WORDS,
# companies only for COMPANY_PRODUCT_WORDS (whole words, case and accents ignored), both
# otherwise.
PERSON_PRODUCT_WORDS = ("PF", "PESSOA FISICA", "CPF")
COMPANY_PRODUCT_WORDS = ("PJ", "PESSOA JURIDICA", "CNPJ", "EMPRESA", "EMPRESARIAL")
# [public] estatica=S (homologação) is free; the price of the product list is the price of a
# real consultation (estatica=N, produção).
# A PEFIN product is a removal when its code or name holds one of these words
# ("Exclusão Pefin" [public name]), else an inclusion ("Inclusão Pefin").
REMOVAL_PRODUCT_WORDS = ("EXCLUS", "BAIXA")
# status.codigo
CODE_SUCCESS = "00"
CODE_CREDENTIALS = "01"
CODE_INVALID = "02"
CODE_DUPLICATE = "03"
CODE_NOT_FOUND = "04"
CODE_STATE = "05"  # the record's state does not allow it (e.g. already removed)
# The platform's states and the core's.
STATE_MAPPING = {
    "PENDENTE": "pending",
    "ATIVA": "active",
    "ERRO": "error",
    "BAIXADA": "removed",
}

# ------------------------------------------------------------------ secrets
# Form fields and Odoo fields whose values never reach a log or the chatter (the core
# masks its common keys as well; the password values themselves are masked too).
SENSITIVE_KEYS = frozenset(
    {
        "password",
        "senha",
        "senha_consulta",
        "senha_pefin",
        "apikey",
        "connect_sa_password",
        "connect_sa_pefin_password",
    }
)

# ------------------------------------------------------------------ demo
# The simulator (connect_sa/simulator, started by ./setup/demo on this port) and its
# default credentials.
DEMO_URL = "http://127.0.0.1:8091"
DEMO_LOGIN = "demo"
DEMO_PASSWORD = "demo123"  # senha consulta
DEMO_PEFIN_PASSWORD = "pefin123"  # senha PEFIN (the PEFIN login follows the login)
