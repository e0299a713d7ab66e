"""Constants shared by the core and the provider addons."""

# Timeout of every request to a bureau, in seconds.
DEFAULT_TIMEOUT = 30

# Keys whose values never reach a log, the chatter or an error message, whatever the
# provider; providers add their own with `_bureau_sensitive_keys`.
SENSITIVE_KEYS = frozenset(
    {
        "password",
        "senha",
        "Senha",
        "senha_consulta",
        "senha_pefin",
        "client_secret",
        "Client_Secret",
        "access_token",
        "token",
        "Authorization",
        "authorization",
        "apikey",
    }
)
MASK = "********"

# Normalised states of a negativation at the provider.
PROVIDER_STATES = ("pending", "active", "error", "removed")

# Kinds of occurrence in a normalised consultation result.
OCCURRENCE_KINDS = ("financial", "protest", "check", "lawsuit", "other")

# ir.config_parameter keys
PARAM_REPEAT_INTERVAL = "l10n_br_credit_bureau.repeat_interval_days"
PARAM_RETENTION_DAYS = "l10n_br_credit_bureau.report_retention_days"
DEFAULT_REPEAT_INTERVAL = 30
DEFAULT_RETENTION_DAYS = 180

# Documents that pass the check digits but are examples, never issued by Receita Federal.
EXAMPLE_DOCUMENTS = frozenset({"12ABC34501DE35"})

# Negativation
NOTICE_DAYS = 10  # notice period before a restriction becomes visible (rules.md #2)
REMOVAL_BUSINESS_DAYS = 5  # removal after payment (STJ Súmula 548)
MAX_SEND_ATTEMPTS = 5
RETRY_BASE_MINUTES = 15  # backoff: 15, 30, 60, 120 minutes
OPEN_NEGATIVATION_STATES = ("sending", "pending", "active", "error")
# Who sees negativations (and the fields of invoices and partners that show them).
NEGATIVATION_GROUP = "l10n_br_credit_bureau.group_negativation"

# Task scheduler (Agenda de tarefas): the routines, each one per integration.
ROUTINES = [
    ("status", "Status poll"),
    ("auto_negativate", "Automatic negativation"),
    ("removal", "Automatic removal"),
    ("retry", "Re-send of errors"),
]
# Defaults equivalent to the scheduled actions of earlier versions: the status every
# 12 hours, the automatic negativation daily, the removal sweep hourly, the re-send of
# errors every 30 minutes. Empty = "Todos".
ROUTINE_DEFAULT_SCHEDULES = {
    "status": {"minutes": "0", "hours": "0,12"},
    "auto_negativate": {"minutes": "0", "hours": "6"},
    "removal": {"minutes": "0"},
    "retry": {"minutes": "0,30"},
}
# How far the next run is looked for: 29 February on a given weekday comes back within 28
# years.
ROUTINE_HORIZON_DAYS = 366 * 29
ROUTINE_WEEKDAY_NAMES = {
    "seg": 1,
    "segunda": 1,
    "ter": 2,
    "terça": 2,
    "terca": 2,
    "qua": 3,
    "quarta": 3,
    "qui": 4,
    "quinta": 4,
    "sex": 5,
    "sexta": 5,
    "sab": 6,
    "sáb": 6,
    "sábado": 6,
    "sabado": 6,
    "dom": 7,
    "domingo": 7,
}
ROUTINE_MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"),
        start=1,
    )
}

# Default codes proposed after a synchronisation, the first one the provider's list has
# (rules.md: an internet provider's natureza is TI, telephony TP; payment of the debt 01).
PREFERRED_RESTRICTION_CODES = ("TI", "TP")
PREFERRED_REMOVAL_CODES = ("01",)
