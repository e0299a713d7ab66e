"""Every fact about the Crédito na Medida API, in one place.

Status of each fact (see shared/bureaus/credito_na_medida.md):

- [public]  seen in ERP help pages that integrate Crédito na Medida;
- [assumed] our best reading, modelled on a public PEFIN REST API of another Brazilian
  distributor. To be confirmed with the vendor: correct it HERE, nowhere else.

The project's simulator (credito_na_medida/simulator) implements exactly these facts.
"""

# ------------------------------------------------------------------ addresses

# [assumed] production base URL (scheme, host and the absence of a path prefix).
BASE_URL = "https://api.creditonamedida.com.br"
# Costs: in production every call is charged, tests included [public]; in Homologação the
# calls go to the simulator, never to the vendor, and cost nothing (no cost is recorded).
# [public] there is no homologação environment at the vendor. In this addon "Homologação"
# means the project's simulator: the integration's Base URL (developer mode) when set,
# else this address, where ./setup/demo serves the simulator. Production is never the
# fallback of Homologação, so that a test never costs money.
SIMULATOR_URL = "http://127.0.0.1:8093"
# The simulator's demo credentials (credito_na_medida/simulator/app.py defaults).
SIMULATOR_PORT = 8093
SIMULATOR_CLIENT_ID = "demo-client"
SIMULATOR_CLIENT_SECRET = "demo-secret"

# [assumed] paths, relative to the base URL.
PATH_TOKEN = "/oauth/token"
PATH_PRODUCTS = "/v1/produtos"
PATH_CONSULTATIONS = "/v1/consultas"
PATH_NEGATIVATIONS = "/v1/negativacoes"
PATH_NEGATIVATION = "/v1/negativacoes/{id}"
PATH_REMOVAL = "/v1/negativacoes/{id}/baixa"
# [assumed, not even in the analogue API] lookup of what was sent, by document and contract
# (`GET /v1/negativacoes?documento=&contrato=` → list of negativações): used after a
# timeout, before anything is sent again. Added to the simulator for that purpose.
PATH_NEGATIVATION_SEARCH = "/v1/negativacoes"

# ------------------------------------------------------------------ OAuth2

# [public] the credentials are a Client_ID (one ERP calls it "SSID") and a Client_Secret.
# [assumed] OAuth2 client credentials: form grant_type=client_credentials, HTTP Basic
# Client_ID:Client_Secret → {access_token, token_type: "Bearer", expires_in (seconds)}.
TOKEN_GRANT_TYPE = "client_credentials"
TOKEN_FIELD = "access_token"
TOKEN_TYPE_FIELD = "token_type"
TOKEN_EXPIRES_FIELD = "expires_in"
# [assumed] lifetime when the answer has no expires_in.
TOKEN_DEFAULT_TTL = 3600
# Ours: a token is renewed this many seconds before it expires (at most a tenth of its
# lifetime), so that a call never leaves with a token about to die.
TOKEN_EXPIRY_MARGIN = 60

# ------------------------------------------------------------------ requests

# Ours: seconds a request may take before it counts as a timeout (outcome unknown).
REQUEST_TIMEOUT = 30

# [assumed] request and answer fields.
FIELD_PRODUCT = "produto"
FIELD_DOCUMENT = "documento"
FIELD_REMOVAL_REASON = "motivo"
PRODUCT_FIELDS = {"code": "codigo", "name": "nome", "kind": "tipo", "price": "preco"}
# [assumed] The product list says nothing of whom a consultation serves; the names tell it
# ("Consulta Pessoa Física", "Consulta Pessoa Jurídica" [public names of ERP screens]). A
# product serves persons only when its code or name holds one of PERSON_PRODUCT_WORDS,
# companies only for COMPANY_PRODUCT_WORDS (whole words, case and accents ignored), both
# otherwise (e.g. "Consulta Completa com Score").
PERSON_PRODUCT_WORDS = ("PF", "PESSOA FISICA", "CPF")
COMPANY_PRODUCT_WORDS = ("PJ", "PESSOA JURIDICA", "CNPJ", "EMPRESA")
# [assumed] product kinds (tipo) → the core's product kinds.
PRODUCT_KINDS = {"consulta": "consulta", "inclusao": "inclusao", "baixa": "baixa"}

# [assumed] consultation answer: {id, documento, nome, score, pendencias: [{tipo, valor,
# data (yyyy-mm-dd), credor}], pdf_base64}.
# [public] the report comes back as a ready-made PDF.
CONSULTATION_ID = "id"
CONSULTATION_NAME = "nome"
CONSULTATION_SCORE = "score"
CONSULTATION_OCCURRENCES = "pendencias"
CONSULTATION_PDF = "pdf_base64"
OCCURRENCE_KIND = "tipo"
OCCURRENCE_AMOUNT = "valor"
OCCURRENCE_DATE = "data"
OCCURRENCE_CREDITOR = "credor"
# [assumed] pendência kinds → the core's occurrence kinds (anything else: "other").
OCCURRENCE_KINDS = {
    "pendencia_financeira": "financial",
    "protesto": "protest",
    "cheque_sem_fundo": "check",
}
# Their labels, stored as the line's description (the vendor's vocabulary).
OCCURRENCE_LABELS = {
    "pendencia_financeira": "Pendência financeira",
    "protesto": "Protesto",
    "cheque_sem_fundo": "Cheque sem fundo",
}

# ------------------------------------------------------------------ negativação

# [assumed] body of POST /v1/negativacoes: {documento, nome, data_nascimento?
# (yyyy-mm-dd), endereco {cep, logradouro, numero, complemento, bairro, cidade, uf},
# valor, data_vencimento (yyyy-mm-dd), contrato, natureza} → 201 {id, situacao}.
NEGATIVATION_ID = "id"
NEGATIVATION_STATE = "situacao"
NEGATIVATION_MESSAGE = "mensagem"
NEGATIVATION_CREATED = "criada_em"
# [assumed] the vendor's states → the core's provider states.
STATES = {
    "pendente": "pending",
    "ativa": "active",
    "erro": "error",
    "baixada": "removed",
}
# [assumed] a second inclusion of the same document + contrato: 409 {erro, codigo, id}
# where id is the negativação already recorded.
DUPLICATE_STATUS = 409
DUPLICATE_CODE = "negativacao_duplicada"
# [assumed] a second baixa of a record already removed: 409 {erro, codigo, id, situacao}
# with this codigo. The record is removed: the addon takes it as a removal.
ALREADY_REMOVED_STATUS = 409
ALREADY_REMOVED_CODE = "negativacao_ja_baixada"
# [assumed] a 403 on /v1: the account may not use the API (contract suspended, product not
# contracted). Only a person can fix it: the integration is marked failed.
FORBIDDEN_STATUS = 403

# [assumed, from the analogue PEFIN API, whose widths are public] field limits, in
# characters: nome 70, logradouro/numero/complemento/bairro 45 each, cidade 25, CEP 8.
MAX_NAME = 70
MAX_ADDRESS = 45  # logradouro, numero, complemento, bairro (each)
MAX_CITY = 25
CEP_LENGTH = 8
# [assumed] contract identifier limit (the simulator's; the analogue API is silent).
MAX_CONTRACT = 60
# [assumed] valor travels as a JSON number, which most parsers read as a double: exact to
# 15 significant digits, so at most 15 digits, cents included (9999999999999.99).
AMOUNT_MAX_DIGITS = 15
# What the core does with a longer value (``_bureau_field_limits``): "truncate" (shortened
# at the last whole word, noted on the negativation) or "refuse" (a blocker, before anything
# is sent). [assumed] the analogue API does not say how to shorten; identifiers (the house
# number, the contract) are never shortened: a shortened one names another house or debt.
# The contract is the invoice number (our number is not sent: the vendor has one field).
FIELD_LIMITS = {
    "name": (MAX_NAME, "truncate"),
    "street": (MAX_ADDRESS, "truncate"),
    "number": (MAX_ADDRESS, "refuse"),
    "complement": (MAX_ADDRESS, "truncate"),
    "district": (MAX_ADDRESS, "truncate"),
    "city": (MAX_CITY, "truncate"),
    "contract": (MAX_CONTRACT, "refuse"),
    "amount": (AMOUNT_MAX_DIGITS, "refuse"),
}
# [assumed, from the analogue PEFIN API] the debtor must be 18 or older when the birth
# date is known; the vendor refuses younger debtors, we refuse before sending.
MIN_AGE = 18
# [assumed] Brazilian states accepted in endereco.uf.
STATES_UF = frozenset(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()
)
# [assumed] the removal (baixa) has a reason code only: the vendor records its own date.

# [assumed, from the analogue PEFIN API] records are processed once a day by the vendor:
# poll the status at most a few times a day. The core's cron polls (every 12 hours, which
# suits); this is the interval we advise for any other polling.
STATUS_POLL_INTERVAL_HOURS = 12

# ------------------------------------------------------------------ code lists

# [assumed] the vendor has no endpoint listing its codes: these are the Serasa PEFIN codes
# of shared/bureaus/rules.md (natureza = restriction, motivo de baixa = removal).
RESTRICTION_CODES = (
    ("CD", "Crediário"),
    ("DP", "Duplicata"),
    ("NF", "Nota fiscal"),
    ("OO", "Outras operações"),
    ("TI", "Serviços de dados/internet"),
    ("TP", "Serviços de telefonia"),
)
REMOVAL_CODES = (
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

# ------------------------------------------------------------------ errors

# [assumed] errors are JSON {erro, codigo} with a 4xx/5xx status.
ERROR_TEXT = "erro"
ERROR_CODE = "codigo"
# [assumed] a 401 on /v1 means the token expired or was revoked: renew it once and retry.
# On the token endpoint, a 401 means wrong Client_ID/Client_Secret.
UNAUTHORIZED_STATUS = 401
NOT_FOUND_STATUS = 404

# ------------------------------------------------------------------ secrets

# Keys masked in the logs, on top of the core's (which has client_secret, access_token,
# Authorization...). The PDF is not a secret, but it is a whole credit report: it stays out
# of the logs.
SENSITIVE_KEYS = frozenset({"client_secret", "access_token", "refresh_token", "pdf_base64"})
