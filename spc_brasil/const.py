"""Every fact of SPC Brasil's web services the addon relies on, in one place.

Status of each fact, as in ``shared/bureaus/spc_brasil.md``: [public] seen in public client
code or vendor pages; [assumed] our best reading, to be confirmed with SPC. Correcting the
protocol is a change to this file (and the simulator) only.
"""

PROVIDER_CODE = "spc_brasil"

# ------------------------------------------------------------------ addresses
# [public] training (homologação) host; [assumed] production host, same paths. The
# integration's "Base URL" (developer mode) replaces the host (simulator, proxy).
HOSTS = {
    "homologacao": "https://treinamento.spcbrasil.com.br",
    "producao": "https://servicos.spc.org.br",
}
# [public] the two services; the WSDL at "?wsdl".
CONSULTA_PATH = "/spc/remoting/ws/consulta/consultaWebService"
INSUMO_PATH = "/spc/remoting/ws/insumo/spc/spcWebService"
WSDL_QUERY = "?wsdl"
# Seconds allowed to each call (the WSDL download: the core's soap.WSDL_TIMEOUT).
DEFAULT_TIMEOUT = 30

# ------------------------------------------------------------------ operations [public]
OP_LIST_PRODUCTS = "listarProdutos"
OP_PRODUCT = "detalharProduto"
OP_CONSULT = "consultar"
OP_SCORE = "consultaScore"
OP_INCLUDE = "incluirSpc"
OP_REMOVE = "excluirSpc"
OP_NATURES = "listarNaturezaInclusao"
OP_REASONS = "listarMotivoExclusao"
OP_DEBTOR_TYPES = "listarTipoDevedor"
SERVICE_OF = {
    OP_LIST_PRODUCTS: CONSULTA_PATH,
    OP_PRODUCT: CONSULTA_PATH,
    OP_CONSULT: CONSULTA_PATH,
    OP_SCORE: CONSULTA_PATH,
    OP_INCLUDE: INSUMO_PATH,
    OP_REMOVE: INSUMO_PATH,
    OP_NATURES: INSUMO_PATH,
    OP_REASONS: INSUMO_PATH,
    OP_DEBTOR_TYPES: INSUMO_PATH,
}

# ------------------------------------------------------------------ catalog
# [assumed] a product's "tipo-consumidor": F persons, J companies, A both; its "valor" is
# the production price of one consultation; the training environment is not charged.
AUDIENCES = {"F": "cpf", "J": "cnpj", "A": "both"}
# [assumed] the optional input ("insumo opcional") that makes a product include a score.
SCORE_INPUT = "SCORE"
# [public] "C" comprador: the principal debtor of an inclusion.
DEBTOR_PRINCIPAL = "C"
# [public] the consumer kinds of a filter and of an inclusion.
PERSON_KINDS = {"cpf": "F", "cnpj": "J"}

# ------------------------------------------------------------------ negativation
# [assumed] the widths of the inclusion's fields (none is public) and the digits of
# "valor-debito" (cents included). "truncate": shortened at the last whole word and noted;
# "refuse": a blocker before anything is sent (identifiers are never shortened).
FIELD_LIMITS = {
    "name": (50, "truncate"),
    "street": (50, "truncate"),
    "number": (10, "refuse"),
    "complement": (30, "truncate"),
    "district": (30, "truncate"),
    "city": (30, "truncate"),
    "contract": (20, "refuse"),
    "amount": (13, "refuse"),
}
# [public] no status-list operation: the inclusion becomes visible after the notice period
# (the CDC notice is sent by SPC). [assumed] about 10 days; configurable per integration.
DEFAULT_NOTICE_DAYS = 10
# [assumed] the lookup of an inclusion is a consultation of the debtor (paid per call): the
# operator's own records show their contract and protocol. The product used, per kind.
LOOKUP_PRODUCTS = {"cpf": "176", "cnpj": "283"}
LOOKUP_OCCURRENCE = "SPC"

# ------------------------------------------------------------------ consultation answer
# [assumed] occurrence kinds of "resultado/ocorrencias/ocorrencia/tipo".
OCCURRENCE_KINDS = {"SPC": "financial", "CHEQUE": "check", "PROTESTO": "protest", "ACAO": "lawsuit"}

# ------------------------------------------------------------------ faults [assumed]
# SOAP faults carry detail/erro {codigo, mensagem, protocolo}; the codes SPC uses:
FAULT_AUTH = "AUT001"  # operator or password refused: only a person can fix it
FAULT_DUPLICATE = "INC002"  # the contract is included already (its protocol in the detail)
FAULT_ALREADY_REMOVED = "EXC003"  # removed already
FAULT_NOT_FOUND = "EXC004"  # nothing to remove
NEEDS_ADMIN_FAULTS = frozenset({FAULT_AUTH})
# [public] HTTP Basic refused: HTTP 401/403.
AUTH_STATUSES = (401, 403)

# ------------------------------------------------------------------ secrets
# [public] the password travels as HTTP Basic and in the UsernameToken.
SENSITIVE_KEYS = frozenset({"Password", "password"})

# ------------------------------------------------------------------ demo
DEMO_SIMULATOR_URL = "http://127.0.0.1:8094"
DEMO_OPERATOR = "123456"
DEMO_PASSWORD = "demo123"
