"""Every fact of the SOA WebServices protocol the addon relies on, in one place.

Status of each fact, as in ``shared/bureaus/soa_webservices.md``: [public] seen in public
client code or vendor help pages; [assumed] our best reading, to be confirmed with the vendor.
Correcting the protocol is a change to this file only.
"""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

PROVIDER_CODE = "soa_webservices"

# ------------------------------------------------------------------ addresses
# [public] host of the SOAP services; the integration's "Base URL" (developer mode)
# replaces it (simulator, proxy).
BASE_URL = "https://www.soawebservices.com.br"
# [public] <base>/webservices/<environment>/<service>.asmx, WSDL at "?WSDL".
SERVICE_PATH = "/webservices/{environment}/{service}.asmx"
WSDL_QUERY = "?WSDL"
# [public] the environment is a path segment: the vendor's "test-drive" is our homologação.
ENVIRONMENTS = {"homologacao": "test-drive", "producao": "producao"}
# [public] service paths.
SERVICES = {
    "negativacao": "serasa/negativacao",
    "concentre": "serasa/concentre",
    "crednet": "serasa/crednet",
    "pefin": "serasa/pefin",
    "administracao": "sws/administracao",
}
# [public] the administration service (Saldo, Extrato) exists in production only: the
# balance is always read there, whatever the integration's environment.
ADMINISTRATION_ENVIRONMENT = "producao"

# ------------------------------------------------------------------ SOAP
# [public] XML namespace of every service; SOAPAction is "<namespace>/<Operation>".
NAMESPACE = "SOAWebServices"
# [public] ASP.NET generates SOAP 1.1 and 1.2 bindings; the vendor's samples use 1.2.
# [assumed] both behave the same; 1.1 is used (a SOAP 1.1 fault comes with HTTP 500).
SOAP_VERSION = "1.1"
# Seconds allowed to each call (the integration may lower or raise it in developer mode; the
# WSDL download: the core's soap.WSDL_TIMEOUT).
DEFAULT_TIMEOUT = 30

# [public] operation names, per service.
OP_CODIGOS_RESTRICOES = "CodigosRestricoes"
OP_CODIGOS_BAIXA = "CodigosBaixa"
OP_INCLUIR_ENDERECO = "IncluirEnderecoDevedor"
OP_INCLUIR = "Incluir"
OP_CONSULTA = "Consulta"
OP_EXCLUIR = "Excluir"
OP_LISTA = "Lista"
OP_CONCENTRE = "Concentre"
OP_CREDNET = "Crednet"  # [assumed] operation name and contract (Concentre's)
OP_PEFIN = "Pefin"
OP_SALDO = "Saldo"

# ------------------------------------------------------------------ negativação
# [public] debtor kinds of Incluir (at most one principal and one co-obligor).
DEBTOR_PRINCIPAL = "Principal"
DEBTOR_CO_OBLIGOR = "CoObrigado"
# [public] dates travel as dd/mm/yyyy.
DATE_FORMAT = "%d/%m/%Y"
# [public] what Incluir carries of the debtor: Documento and Endereco {CEP, Logradouro,
# Numero, Complemento, Bairro}: no name and no city (the bureau has them from the document
# and the CEP), so neither has a limit here.
# [assumed] the widths of those fields and of Restricao's Contrato and NossoNumero, in
# characters, and the digits of Valor (cents included); none is public. The address widths
# are those of the public PEFIN REST API of another Serasa distributor (45 each, see
# ../shared/bureaus/credito_na_medida.md), the others our guess. What the core does with a
# longer value: "truncate" (shortened at the last whole word, noted on the negativation) or
# "refuse" (a blocker, before anything is sent): identifiers (the house number, the
# contract, our number) are never shortened.
MAX_ADDRESS = 45  # Logradouro, Numero, Complemento, Bairro (each)
MAX_CONTRACT = 30  # Contrato, NossoNumero (each)
AMOUNT_MAX_DIGITS = 15  # Valor (xs:decimal, two decimals): up to 9999999999999.99
FIELD_LIMITS = {
    "street": (MAX_ADDRESS, "truncate"),
    "number": (MAX_ADDRESS, "refuse"),
    "complement": (MAX_ADDRESS, "truncate"),
    "district": (MAX_ADDRESS, "truncate"),
    "contract": (MAX_CONTRACT, "refuse"),
    "our_number": (MAX_CONTRACT, "refuse"),
    "amount": (AMOUNT_MAX_DIGITS, "refuse"),
}
# [public] Lista conditions. [assumed] their meaning in our normalised states; in particular
# "Indisponivel" (suspended at the bureau, e.g. by court order) is kept as pending.
CONDITION_STATES = {
    "Pendentes": "pending",
    "Ativas": "active",
    "Erro": "error",
    "Indisponivel": "pending",
    "Baixadas": "removed",
}
# Order in which the status query walks the conditions (one Lista call each, stopping once
# every reference is found): most records are pending or active.
STATUS_CONDITIONS = ("Pendentes", "Ativas", "Erro", "Indisponivel", "Baixadas")
# Where a timed-out inclusion is looked for: open conditions first, then Erro.
FIND_CONDITIONS = ("Pendentes", "Ativas", "Indisponivel", "Erro")
# [assumed] answer elements: Incluir -> UniqueID, Condicao; Consulta/Excluir -> Negativacao
# {UniqueID, Condicao, Motivo, Documento, Contrato, DataInclusao, ...}; Lista ->
# Negativacoes/Negativacao (list); CodigosRestricoes/CodigosBaixa -> Codigos/CodigoDescricao
# {Codigo, Descricao}; Saldo -> Saldo (decimal).

# ------------------------------------------------------------------ reports
# Consultation products: code -> (service, operation, Adicionais). [public] Concentre and
# Pefin; [assumed] Crednet and the "Score" additional item of Concentre.
REPORT_PRODUCTS = {
    "CONCENTRE": ("concentre", OP_CONCENTRE, None),
    "CONCENTRE_SCORE": ("concentre", OP_CONCENTRE, "Score"),
    "CREDNET": ("crednet", OP_CREDNET, None),
    "PEFIN": ("pefin", OP_PEFIN, None),
}
DEFAULT_REPORT_PRODUCT = "CONCENTRE"
# The catalog: the vendor publishes no product/price operation [public: none known], so the
# products are fixed here and their prices are kept as the administrator types them (until
# then the price is unknown, R$ 0,00, and the consultation wizard says so in production).
# Whom each report serves: the vendor documents the reports "por CPF/CNPJ" [public], so
# each serves both ("both"); a report for persons only would say "cpf", companies "cnpj".
# [assumed] the test-drive (homologação) answers test data and is not charged.
CATALOG_PRODUCTS = [
    {"code": "CONCENTRE", "name": "Serasa Concentre", "kind": "consulta", "audience": "both"},
    {
        "code": "CONCENTRE_SCORE",
        "name": "Serasa Concentre com Score",
        "kind": "consulta",
        "audience": "both",
    },
    {"code": "CREDNET", "name": "Serasa Crednet", "kind": "consulta", "audience": "both"},
    {
        "code": "PEFIN",
        "name": "Serasa PEFIN (relatório)",
        "kind": "consulta",
        "audience": "both",
    },
    {"code": "INCLUSAO_PEFIN", "name": "Inclusão PEFIN (negativação)", "kind": "inclusao"},
    {"code": "BAIXA_PEFIN", "name": "Baixa PEFIN", "kind": "baixa"},
]
# [public] Concentre blocks (and the PEFIN report's lists) -> normalised occurrence kind.
BLOCK_KINDS = {
    "PendenciasFinanceiras": "financial",
    "RestricoesFinanceiras": "financial",
    "Protestos": "protest",
    "AcheiRecheque": "check",
    "PendenciasBacen": "check",
    "AcoesJudiciais": "lawsuit",
    "PendenciasInternas": "other",
    "ConvemDevedores": "other",
    "PendenciasVarejo": "other",
}
# [public] block order of the Concentre answer; [assumed] each block holds its details in
# repeated "Ocorrencia" elements.
CONCENTRE_BLOCKS = (
    "PendenciasInternas",
    "PendenciasFinanceiras",
    "RestricoesFinanceiras",
    "PendenciasBacen",
    "Protestos",
    "AcoesJudiciais",
    "ConvemDevedores",
    "AcheiRecheque",
)
BLOCK_DETAIL = "Ocorrencia"  # [assumed]
# [public] PEFIN report lists (each element repeated).
PEFIN_BLOCKS = ("PendenciasFinanceiras", "PendenciasVarejo", "PendenciasBacen")
# [assumed] detail fields: date, amount, creditor, description (first one present wins).
DETAIL_DATE_FIELDS = ("DataOcorrencia", "DataOcorrenciaRecente", "DataOcorrenciaAntiga")
DETAIL_AMOUNT_FIELDS = ("Valor",)
# The creditor is who is owed: never the registry office (Cartorio, a number such as "7")
# of a protest nor the court (Vara) of a lawsuit, which are the line's office; a protest
# of the Concentre answer names no creditor at all.
DETAIL_CREDITOR_FIELDS = (
    "Origem",
    "Informante",
    "NomeFantasiaBanco",
    "NomeBanco",
    "OrigemOcorrencia",
)
DETAIL_OFFICE_FIELDS = ("Cartorio", "Vara")
DETAIL_CITY_FIELD = "Cidade"
DETAIL_STATE_FIELD = "UF"
DETAIL_DESCRIPTION_FIELDS = ("Modalidade", "Natureza", "Sigla", "Alinea", "TotalChequesSemFundo")
# [assumed] the Score block of Concentre: Pontuacao (int), ClasseRisco, Mensagem carrying the
# default probability as "...: 12,3%".
SCORE_BLOCK = "Score"
# How our rendering of the report names the blocks and the detail fields (the vendor sends
# data, not a document): Portuguese words with their accents, through the translations.
BLOCK_LABELS = {
    "PendenciasInternas": _lt("Internal pendencies"),
    "PendenciasFinanceiras": _lt("Financial pendencies"),
    "RestricoesFinanceiras": _lt("Financial restrictions"),
    "PendenciasBacen": _lt("Bounced checks (Bacen)"),
    "Protestos": _lt("Protests"),
    "AcoesJudiciais": _lt("Lawsuits"),
    "ConvemDevedores": _lt("Debtors' agreements (Convem)"),
    "AcheiRecheque": _lt("Checks (Achei Recheque)"),
    "PendenciasVarejo": _lt("Retail pendencies"),
}
FIELD_LABELS = {
    "DataOcorrencia": _lt("Date"),
    "DataOcorrenciaAntiga": _lt("Oldest"),
    "DataOcorrenciaRecente": _lt("Most recent"),
    "Modalidade": _lt("Modality"),
    "Avalista": _lt("Guarantor"),
    "Valor": _lt("Amount"),
    "Contrato": _lt("Contract"),
    "Origem": _lt("Creditor"),
    "Informante": _lt("Creditor"),
    "OrigemOcorrencia": _lt("Creditor"),
    "Sigla": _lt("Type"),
    "CodigoCompensacaoBanco": _lt("Bank"),
    "CodigoCompensacao": _lt("Bank"),
    "CodigoBanco": _lt("Bank"),
    "NomeFantasiaBanco": _lt("Bank name"),
    "NomeBanco": _lt("Bank name"),
    "NumeroAgencia": _lt("Branch"),
    "Agencia": _lt("Branch"),
    "NumeroLojaFilial": _lt("Store"),
    "TotalChequesSemFundo": _lt("Bounced checks"),
    "Cartorio": _lt("Registry office"),
    "Vara": _lt("Court"),
    "Cidade": _lt("City"),
    "UF": _lt("State"),
    "Natureza": _lt("Nature"),
    "ContaCorrente": _lt("Account"),
    "NumeroCheque": _lt("Check number"),
    "Alinea": _lt("Reason code (alínea)"),
}
# Detail fields holding an amount ("1234.56"), shown as the company's currency
# ("R$ 1.234,56" in Portuguese); dates ("Data...") are shown dd/mm/aaaa.
AMOUNT_FIELDS = frozenset({"Valor", "ValorTotalOcorrencias"})
DATE_FIELD_PREFIX = "Data"
# Yes/no answers, in upper case without accents ("NAO"), shown as words of the language.
YES_NO_FIELDS = frozenset({"Avalista"})
YES_NO = {"SIM": _lt("Yes"), "NAO": _lt("No"), "S": _lt("Yes"), "N": _lt("No")}
# [assumed] amounts are text with a dot ("1234.56"); Brazilian "1.234,56" is accepted too.

# ------------------------------------------------------------------ answers and errors
# [public] every answer carries Status (bool), Mensagem and Transacao {Status, CodigoStatus,
# CodigoStatusDescricao}; a false Status is a refusal explained by CodigoStatus.
# [public] the known error codes, with our explanation (English source, pt_BR in i18n/) and
# whether sending again later may succeed (credentials are the integration's problem, not
# the request's: once fixed, the same request goes through).
KNOWN_ERRORS = {
    "G000M000": (
        _lt(
            "SOA WebServices rejected the integration's e-mail and password. Check the "
            "credentials on the integration."
        ),
        True,
    ),
    "G000M003": (
        _lt("SOA WebServices rejected the CPF/CNPJ as invalid. Check the document."),
        False,
    ),
    "P009M001": (
        _lt(
            "SOA WebServices requires the debtor's birth date. Fill it in on the contact and "
            "send again."
        ),
        False,
    ),
    "P009M002": (
        _lt(
            "SOA WebServices rejected the debtor's birth date (invalid, or the debtor is under "
            "18). Check it on the contact."
        ),
        False,
    ),
}
# [assumed] codes seen only in our simulator: an insufficient prepaid balance (retryable
# once topped up) and a record not found (Consulta/Excluir).
ERROR_INSUFFICIENT_BALANCE = "G000M002"
ERROR_NOT_FOUND = "N000M002"
RETRYABLE_CODES = frozenset({ERROR_INSUFFICIENT_BALANCE})
# Refusals only a person can fix (the credentials, topping up the prepaid balance): the
# integration is marked failed and blocks new negativations until it is tested again. Any
# other refusal is about the request, not the integration.
NEEDS_ADMIN_CODES = frozenset({"G000M000", ERROR_INSUFFICIENT_BALANCE})
# [seen in the vendor's answers: "N000M003 Negativação já baixada"] the record's condition
# does not allow the operation; to an Excluir, that the record is already Baixadas (a second
# removal, an earlier answer lost) or in a condition that cannot be removed (Erro). The
# addon asks Consulta which one it is: an already removed record is a removal.
ERROR_CONDITION = "N000M003"
REMOVED_CONDITION = "Baixadas"

# ------------------------------------------------------------------ secrets
# [public] the password travels in every body as <Senha>. The e-mail is the account's
# login: kept in the logs to tell accounts apart.
SENSITIVE_KEYS = frozenset({"Senha"})

# ------------------------------------------------------------------ demo
# The simulator (python soa_webservices/simulator) as ./setup/demo starts it.
DEMO_SIMULATOR_URL = "http://127.0.0.1:8092"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo123"
