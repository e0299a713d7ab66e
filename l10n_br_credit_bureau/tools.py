"""Helpers without state: document validation, text checks and secret masking."""

import json
import re

from stdnum.br import cnpj as stdnum_cnpj
from stdnum.br import cpf as stdnum_cpf

from odoo.exceptions import UserError

from .const import EXAMPLE_DOCUMENTS, MASK, SENSITIVE_KEYS


class CreditBureauError(UserError):
    """A failure talking to a bureau.

    ``args[0]`` is the message for the user (pt_BR through ``_()``); ``detail`` is the
    technical detail for the log, already masked; ``retryable`` says whether sending again
    later may succeed; ``timeout`` says the outcome is unknown (the request may have been
    processed): an inclusion must then be checked with a status query, never re-sent blindly.
    ``duplicate`` says the provider refused an inclusion because it already holds that debt:
    the core then looks it up with ``_bureau_find_inclusion`` and adopts it; ``reference`` may
    carry the provider's reference of the existing record. ``needs_admin`` says that only a
    person can make the integration work again (credentials refused, contract suspended, no
    balance left): the integration is then marked failed and blocks new negativations, where
    any other failure (a timeout, an HTTP 500) is transient and blocks nothing.
    """

    def __init__(
        self,
        message,
        *,
        detail="",
        retryable=False,
        timeout=False,
        code=None,
        duplicate=False,
        reference=None,
        needs_admin=False,
    ):
        super().__init__(message)
        self.detail = detail
        self.retryable = retryable or timeout
        self.timeout = timeout
        self.code = code
        self.duplicate = duplicate
        self.reference = reference
        self.needs_admin = needs_admin


# Characters no text that is consulted or sent may hold: the C0 controls but the whitespace
# ones (tab, line feed, vertical tab, form feed, carriage return), DEL, the C1 controls, lone
# surrogates (a JSON "\\ud800" decodes to one) and the non-characters U+FFFE/U+FFFF.
# PostgreSQL refuses NUL, XML 1.0 (SOAP) all of them, and none means anything in a name, an
# address, a document or an invoice number.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The whitespace controls, refused too in a text that must be one word (a document, an
# invoice number, an e-mail address), replaced by a space in a line of text (``one_line``).
LINE_BREAKS = re.compile("[\t\n\x0b\x0c\r]")


def control_character(value, *, strict=False):
    """The first control character of ``value`` (see ``CONTROL_CHARACTERS``), or None.
    ``strict`` counts tabs and line breaks as well."""
    if not value or not isinstance(value, str):
        return None
    found = CONTROL_CHARACTERS.search(value) or (strict and LINE_BREAKS.search(value))
    return found.group() if found else None


def printable(value):
    """``value`` with its control characters shown as U+FFFD, to quote it in a message."""
    return CONTROL_CHARACTERS.sub("\ufffd", value or "")


def check_text(env, value, label, *, strict=False):
    """Raise a UserError in Portuguese when ``value`` holds a control character.

    ``label`` names the field for the user (e.g. "O CPF/CNPJ"); ``strict`` refuses tabs and
    line breaks too (a document, an invoice number: one word). Returns ``value``."""
    char = control_character(value, strict=strict)
    if char is not None:
        raise UserError(control_character_message(env, label, char))
    return value


def control_character_message(env, label, char):
    return env._(
        "%(field)s contains an invisible control character (%(code)s), typed or pasted by "
        "mistake: remove it and try again. Nothing was consulted or sent.",
        field=label,
        code=f"U+{ord(char):04X}",
    )


def one_line(value):
    """A text sent as one line (a name, an address part): tabs, line breaks and runs of
    spaces become one space, the ends trimmed."""
    return " ".join(str(value or "").split())


def shorten(value, limit):
    """``value`` cut to at most ``limit`` characters at the last whole word; a first word
    longer than the limit is cut at the limit."""
    if len(value) <= limit:
        return value
    cut = value[:limit]
    if value[limit] != " " and not cut.endswith(" ") and " " in cut:
        cut = cut[: cut.rindex(" ")]  # the last word does not fit whole: left out
    return cut.rstrip()


def clean_document(value):
    """Upper-case a CPF/CNPJ and strip its punctuation (letters kept for the new CNPJ)."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def validate_document(env, value):
    """Return ``(document, kind)`` for a valid CPF or CNPJ, kind being ``cpf`` or ``cnpj``.

    Accepts the alphanumeric CNPJ (July 2026). Raises a UserError in Portuguese otherwise,
    a control character included (a NUL typed or pasted into the field is refused here, not
    left to PostgreSQL).
    """
    check_text(env, value, env._("The CPF/CNPJ"), strict=True)
    document = clean_document(value)
    if not document:
        raise UserError(env._("Enter a CPF or CNPJ."))
    if len(set(document)) == 1:
        raise UserError(
            env._(
                "%(document)s is not a valid CPF/CNPJ: a document made of one repeated digit.",
                document=value,
            )
        )
    if document in EXAMPLE_DOCUMENTS:
        raise UserError(
            env._(
                "%(document)s is the Receita Federal's example CNPJ, not a real document.",
                document=value,
            )
        )
    if len(document) == 11 and document.isdigit():
        if stdnum_cpf.is_valid(document):
            return document, "cpf"
        raise UserError(env._("%(document)s is not a valid CPF.", document=value))
    if len(document) == 14:
        if stdnum_cnpj.is_valid(document):
            return document, "cnpj"
        raise UserError(env._("%(document)s is not a valid CNPJ.", document=value))
    raise UserError(
        env._(
            "%(document)s is not a CPF (11 digits) nor a CNPJ (14 characters, letters "
            "allowed in the first 12).",
            document=value,
        )
    )


def format_document(document):
    """Punctuate a clean CPF/CNPJ for display."""
    if len(document) == 11:
        return stdnum_cpf.format(document)
    if len(document) == 14:
        return stdnum_cnpj.format(document)
    return document


def occurrences_text(env, count):
    """The result of a consultation in the suite's one vocabulary, from its number of
    occurrences: "Nada consta", "Consta 1 ocorrência", "Constam N ocorrências" (pt_BR). Every
    provider gives numbers; the words are said here only."""
    if not count:
        return env._("Nothing on record")
    if count == 1:
        return env._("1 occurrence on record")
    return env._("%(count)s occurrences on record", count=count)


def _mask_text(text, keys, values):
    for secret in values:
        if secret and len(secret) >= 3:
            text = text.replace(secret, MASK)
    for key in keys:
        if key not in text:
            # Each pattern below holds the key as it is: nothing of it to mask here (most
            # texts, e.g. every value of a form, hold none of the keys).
            continue
        k = re.escape(key)
        # XML elements <Senha>x</Senha> (any namespace prefix)
        text = re.sub(rf"(<(?:\w+:)?{k}>)[^<]*(</(?:\w+:)?{k}>)", rf"\g<1>{MASK}\g<2>", text)
        # JSON "key": "x"
        text = re.sub(rf'("{k}"\s*:\s*)"[^"]*"', rf'\g<1>"{MASK}"', text)
        # form-encoded key=x
        text = re.sub(rf"((?:^|[&?]){k}=)[^&\s]*", rf"\g<1>{MASK}", text)
    return text


def mask_secrets(data, keys=(), values=()):
    """Return a copy of ``data`` (dict, list, str, bytes) safe to log.

    Values under a sensitive key are replaced, and so is every literal occurrence of the
    given secret ``values`` (passwords, tokens) wherever they appear.
    """
    keys = set(SENSITIVE_KEYS) | set(keys)
    values = [v for v in values if v]
    if isinstance(data, dict):
        return {
            k: MASK if k in keys and v not in (None, "") else mask_secrets(v, keys, values)
            for k, v in data.items()
        }
    if isinstance(data, list | tuple):
        return type(data)(mask_secrets(v, keys, values) for v in data)
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    if isinstance(data, str):
        return _mask_text(data, keys, values)
    return data


def to_log_text(data, limit=4000):
    """Serialise a payload for the log, cut to ``limit`` characters."""
    if isinstance(data, dict | list):
        text = json.dumps(data, ensure_ascii=False, default=str)
    else:
        text = str(data)
    return text if len(text) <= limit else text[:limit] + "…"


def nearest_for_company(model, company, domain=()):
    """The first record of ``model`` (a model with ``company_id``) matching ``domain`` of
    ``company``, else of its nearest parent: a branch without one of its own uses its head
    office's (integrations, credit policies)."""
    while company:
        record = model.search([("company_id", "=", company.id), *domain], limit=1)
        if record:
            return record
        company = company.parent_id
    return model.browse()
