"""Helpers without state: document validation and secret masking."""

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


def clean_document(value):
    """Upper-case a CPF/CNPJ and strip its punctuation (letters kept for the new CNPJ)."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def validate_document(env, value):
    """Return ``(document, kind)`` for a valid CPF or CNPJ, kind being ``cpf`` or ``cnpj``.

    Accepts the alphanumeric CNPJ (July 2026). Raises a UserError in Portuguese otherwise.
    """
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


def _mask_text(text, keys, values):
    for secret in values:
        if secret and len(secret) >= 3:
            text = text.replace(secret, MASK)
    for key in keys:
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
