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
