"""The Crédito na Medida provider: OAuth2 client credentials, REST/JSON, PDF reports.

Every vendor fact (URLs, paths, fields, states, limits) is in ``const.py``, with the
assumed ones marked. Every request goes through the core's ``_bureau_send_request``.
"""

import base64
import hashlib
import logging
import re
import threading
import time
from urllib.parse import quote

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from odoo.addons.l10n_br_credit_bureau.models.credit_bureau_catalog import audience_from_text
from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError, to_log_text

from .. import const

_logger = logging.getLogger(__name__)

PROVIDER = "credito_na_medida"

# OAuth2 tokens of this process: {(database, integration id): (fingerprint, token,
# monotonic expiry)}. Never in the database, the logs or the chatter. The fingerprint
# (a hash of base URL + credentials) makes a change of credentials or address drop it.
_TOKENS = {}
_TOKENS_LOCK = threading.Lock()


class CreditBureauIntegration(models.Model):
    _inherit = "credit.bureau.integration"

    provider = fields.Selection(
        selection_add=[(PROVIDER, "Crédito na Medida")],
        ondelete={PROVIDER: "set default"},
    )
    cnm_client_id = fields.Char(
        string="Client ID",
        help="Client_ID given by Crédito na Medida (some systems call it SSID).",
        groups="base.group_system",
        copy=False,
        required_if_provider=PROVIDER,
    )
    cnm_client_secret = fields.Char(
        string="Client Secret",
        help="Client_Secret given by Crédito na Medida.",
        groups="base.group_system",
        copy=False,
        required_if_provider=PROVIDER,
    )

    # ------------------------------------------------------------------ addresses
    def _cnm_url(self, path, reference=None):
        """Absolute URL of ``path``. Homologation is the project's simulator: without a
        Base URL (developer mode) it goes to the demo simulator, never to production."""
        self.ensure_one()
        default = const.BASE_URL if self.environment == "producao" else const.SIMULATOR_URL
        if reference is not None:
            path = path.format(id=quote(str(reference), safe=""))
        return self._bureau_base_url(default) + path

    def _cnm_operation(self, key):
        """The name of an operation, for the log and the user's messages."""
        return {
            "token": self.env._("access token"),
            "products": self.env._("product list"),
            "consult": self.env._("credit consultation"),
            "include": self.env._("negativation"),
            "find": self.env._("negativation lookup"),
            "status": self.env._("negativation status"),
            "remove": self.env._("removal"),
        }[key]

    # ------------------------------------------------------------------ OAuth2 token
    def _cnm_token_key(self):
        return (self.env.cr.dbname, self.id)

    def _cnm_fingerprint(self):
        integration = self.sudo()
        text = "\n".join(
            [
                self._cnm_url(""),
                integration.cnm_client_id or "",
                integration.cnm_client_secret or "",
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def _cnm_cached_token(self, valid_only=True):
        """The token of this process for this integration, or None."""
        self.ensure_one()
        with _TOKENS_LOCK:
            entry = _TOKENS.get(self._cnm_token_key())
        if not entry:
            return None
        fingerprint, token, expires_at = entry
        if valid_only and (
            fingerprint != self._cnm_fingerprint() or time.monotonic() >= expires_at
        ):
            return None
        return token

    def _cnm_forget_token(self):
        with _TOKENS_LOCK:
            for integration in self:
                _TOKENS.pop(integration._cnm_token_key(), None)

    def _cnm_get_token(self, renew=False):
        """A bearer token: the cached one until it expires, else a new one."""
        self.ensure_one()
        token = None if renew else self._cnm_cached_token()
        if token:
            return token
        token, ttl = self._cnm_request_token()
        margin = min(const.TOKEN_EXPIRY_MARGIN, ttl / 10)
        with _TOKENS_LOCK:
            _TOKENS[self._cnm_token_key()] = (
                self._cnm_fingerprint(),
                token,
                time.monotonic() + ttl - margin,
            )
        return token

    def _cnm_request_token(self):
        """Ask the token endpoint: return ``(token, lifetime in seconds)``."""
        self.ensure_one()
        integration = self.sudo()
        operation = self._cnm_operation("token")
        response = self._bureau_send_request(
            "POST",
            self._cnm_url(const.PATH_TOKEN),
            operation=operation,
            data={"grant_type": const.TOKEN_GRANT_TYPE},
            auth=(integration.cnm_client_id or "", integration.cnm_client_secret or ""),
            headers={"Accept": "application/json"},
            timeout=const.REQUEST_TIMEOUT,
        )
        if response.status_code in (const.UNAUTHORIZED_STATUS, 403):
            raise CreditBureauError(
                self.env._(
                    "Crédito na Medida refused the Client ID and Client Secret of the "
                    "integration %(name)s. Check them on the integration (they are not the "
                    "same as the web portal's login).",
                    name=self.name,
                ),
                detail=self._cnm_detail(response),
                code=self._cnm_error_code(response),
                needs_admin=True,
            )
        body = self._cnm_answer(response, operation)
        try:
            token = body[const.TOKEN_FIELD]
            ttl = float(body.get(const.TOKEN_EXPIRES_FIELD) or const.TOKEN_DEFAULT_TTL)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise self._cnm_unreadable(response, operation) from None
        if not isinstance(token, str) or not token.strip() or ttl <= 0:
            raise self._cnm_unreadable(response, operation)
        return token.strip(), ttl

    def _cnm_call(self, method, path, key, *, reference=None, json=None, params=None):
        """One authenticated API call. A 401 renews the token once and retries once."""
        self.ensure_one()
        operation = self._cnm_operation(key)
        url = self._cnm_url(path, reference)
        for attempt in range(2):
            token = self._cnm_get_token(renew=bool(attempt))
            response = self._bureau_send_request(
                method,
                url,
                operation=operation,
                json=json,
                params=params,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                timeout=const.REQUEST_TIMEOUT,
            )
            if response.status_code != const.UNAUTHORIZED_STATUS:
                return response
            self._cnm_forget_token()
            if not attempt:
                _logger.info(
                    "Crédito na Medida integration %s: access token refused (%s), renewing it once",
                    self.id,
                    key,
                )
        raise CreditBureauError(
            self.env._(
                "Crédito na Medida refused a new access token (%(operation)s): %(error)s. "
                "Check that the integration's credentials are still enabled at the vendor.",
                operation=operation,
                error=self._cnm_error_text(response) or "HTTP 401",
            ),
            detail=self._cnm_detail(response),
            code=self._cnm_error_code(response),
            needs_admin=True,
        )

    # ------------------------------------------------------------------ answers and errors
    def _cnm_detail(self, response):
        return f"HTTP {response.status_code} " + to_log_text(
            self._bureau_mask(response.text), limit=500
        )

    def _cnm_error_body(self, response):
        try:
            body = response.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def _cnm_error_text(self, response):
        text = self._cnm_error_body(response).get(const.ERROR_TEXT)
        return self._bureau_mask(str(text)) if text else ""

    def _cnm_error_code(self, response):
        code = self._cnm_error_body(response).get(const.ERROR_CODE)
        return str(code) if code else str(response.status_code)

    def _cnm_error(self, response, operation):
        """A CreditBureauError for an answer {erro, codigo} (or any other failure)."""
        text = self._cnm_error_text(response)
        if text:
            message = self.env._(
                "Crédito na Medida refused the request (%(operation)s): %(error)s",
                operation=operation,
                error=text,
            )
        else:
            message = self.env._(
                "Crédito na Medida answered HTTP %(status)s to the request (%(operation)s) "
                "without saying why. Try again later; if it persists, contact the vendor.",
                status=response.status_code,
                operation=operation,
            )
        return CreditBureauError(
            message,
            detail=self._cnm_detail(response),
            code=self._cnm_error_code(response),
            needs_admin=response.status_code == const.FORBIDDEN_STATUS,
        )

    def _cnm_unreadable(self, response, operation):
        return CreditBureauError(
            self.env._(
                "Crédito na Medida sent an unreadable answer (%(operation)s). Try again "
                "later; if it persists, contact the vendor.",
                operation=operation,
            ),
            detail=self._cnm_detail(response),
            retryable=True,
        )

    def _cnm_answer(self, response, operation):
        """The decoded JSON of a successful answer; a clear error otherwise."""
        if not 200 <= response.status_code < 300:
            raise self._cnm_error(response, operation)
        return self._bureau_json(response, operation)

    def _cnm_state(self, situacao, response, operation):
        state = const.STATES.get(situacao)
        if state is None:
            raise self._cnm_unreadable(response, operation)
        return state

    # ------------------------------------------------------------------ the contract
    def _bureau_get_features(self):
        features = super()._bureau_get_features()
        if self.provider == PROVIDER:
            features.update(
                consultation=True,
                negativation=True,
                balance=False,
                status_list=False,
                report_format="pdf",
                # Production is charged (tests included); Homologação is the simulator,
                # which never reaches the vendor: free (see const.py).
                costs_money_always=False,
                homologation_notice=self.env._(
                    "Homologation: this consultation goes to the project's simulator, never "
                    "to Crédito na Medida. It is not charged and no cost is recorded."
                ),
            )
        return features

    def _bureau_test_connection(self):
        if self.provider != PROVIDER:
            return super()._bureau_test_connection()
        self._cnm_forget_token()  # test the credentials as they are now
        products = self._cnm_fetch_products()
        return self.env._(
            "Connection working: %(count)s products available at Crédito na Medida.",
            count=len(products),
        )

    def _cnm_fetch_products(self):
        operation = self._cnm_operation("products")
        response = self._cnm_call("GET", const.PATH_PRODUCTS, "products")
        body = self._cnm_answer(response, operation)
        names = const.PRODUCT_FIELDS
        try:
            return [
                {
                    "code": str(item[names["code"]]),
                    "name": str(item[names["name"]]),
                    "kind": const.PRODUCT_KINDS[item[names["kind"]]],
                    "price": float(item.get(names["price"]) or 0.0),
                    "audience": audience_from_text(
                        f"{item[names['code']]} {item[names['name']]}",
                        const.PERSON_PRODUCT_WORDS,
                        const.COMPANY_PRODUCT_WORDS,
                    ),
                }
                for item in body
            ]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise self._cnm_unreadable(response, operation) from None

    def _bureau_fetch_catalog(self):
        if self.provider != PROVIDER:
            return super()._bureau_fetch_catalog()
        return {
            "products": self._cnm_fetch_products(),
            # The vendor has no list of codes [assumed]: those of const.py.
            "restriction_codes": [
                {"code": code, "name": name} for code, name in const.RESTRICTION_CODES
            ],
            "removal_codes": [{"code": code, "name": name} for code, name in const.REMOVAL_CODES],
        }

    def _bureau_consult(self, document, product_code):
        if self.provider != PROVIDER:
            return super()._bureau_consult(document, product_code)
        if not product_code:
            raise CreditBureauError(
                self.env._(
                    "Choose a Crédito na Medida consultation product (synchronise the "
                    "products of the integration first)."
                )
            )
        operation = self._cnm_operation("consult")
        response = self._cnm_call(
            "POST",
            const.PATH_CONSULTATIONS,
            "consult",
            json={const.FIELD_PRODUCT: product_code, const.FIELD_DOCUMENT: document},
        )
        body = self._cnm_answer(response, operation)
        try:
            return self._cnm_consultation_result(body)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise self._cnm_unreadable(response, operation) from None

    def _cnm_consultation_result(self, body):
        """Normalise a consultation answer (raises KeyError/TypeError/ValueError)."""
        pdf = base64.b64decode(body[const.CONSULTATION_PDF], validate=True)
        if not pdf.startswith(b"%PDF"):
            raise ValueError("not a PDF")
        lines = []
        for item in body.get(const.CONSULTATION_OCCURRENCES) or []:
            kind = item.get(const.OCCURRENCE_KIND)
            lines.append(
                {
                    "kind": const.OCCURRENCE_KINDS.get(kind, "other"),
                    "date": fields.Date.to_date(item.get(const.OCCURRENCE_DATE) or None),
                    "amount": float(item.get(const.OCCURRENCE_AMOUNT) or 0.0),
                    "creditor": item.get(const.OCCURRENCE_CREDITOR),
                    "description": const.OCCURRENCE_LABELS.get(kind, kind),
                }
            )
        score = body.get(const.CONSULTATION_SCORE)
        return {
            "name": body.get(const.CONSULTATION_NAME),
            "protocol": str(body[const.CONSULTATION_ID]),
            "score": int(score) if score is not None else None,
            "risk_class": None,
            # Neither a probability of default nor a message of its own: the result is
            # said by the core from the number of occurrences.
            "default_probability": None,
            "message": None,
            "cost": None,  # the product's price, set by the core
            "lines": lines,
            "report_html": None,
            "report_pdf": pdf,
        }

    # ------------------------------------------------------------------ negativation
    def _cnm_refuse(self, message):
        """Refuse before anything is sent (nothing to retry)."""
        raise CreditBureauError(message, code="refused_before_sending")

    def _cnm_contract(self, debt):
        return str(debt.get("contract") or debt.get("our_number") or "").strip()

    def _bureau_field_limits(self):
        if self.provider != PROVIDER:
            return super()._bureau_field_limits()
        return dict(const.FIELD_LIMITS)

    def _cnm_negativation_payload(self, debt):
        """The body of POST /v1/negativacoes, checked against the vendor's rules. Refuses,
        before sending, what the vendor would refuse: a minor, an incomplete address, no
        contract... The field widths (``const.FIELD_LIMITS``) are applied by the core
        before the debt gets here (``_bureau_fit_debt``)."""
        nothing_sent = self.env._("Nothing was sent to Crédito na Medida.")
        today = fields.Date.context_today(self)
        birth_date = fields.Date.to_date(debt.get("birth_date") or None)
        if birth_date and birth_date > today - relativedelta(years=const.MIN_AGE):
            self._cnm_refuse(
                self.env._(
                    "%(name)s was born on %(date)s and is under %(age)s: Crédito na Medida does "
                    "not accept the negativation of a minor. %(nothing)s",
                    name=debt.get("name") or debt.get("document"),
                    date=birth_date.strftime("%d/%m/%Y"),
                    age=const.MIN_AGE,
                    nothing=nothing_sent,
                )
            )
        address = debt.get("address") or {}
        labels = {
            "zip": self.env._("CEP"),
            "street": self.env._("street"),
            "number": self.env._("number"),
            "district": self.env._("district"),
            "city": self.env._("city"),
            "state": self.env._("state"),
        }
        missing = [label for key, label in labels.items() if not _text(address.get(key))]
        if missing:
            self._cnm_refuse(
                self.env._(
                    "The debtor's address is incomplete (%(fields)s): the notice letter needs a "
                    "complete postal address. %(nothing)s",
                    fields=", ".join(missing),
                    nothing=nothing_sent,
                )
            )
        zip_code = re.sub(r"\D", "", address["zip"])
        if len(zip_code) != const.CEP_LENGTH:
            self._cnm_refuse(
                self.env._(
                    "The CEP %(zip)s does not have %(length)s digits. %(nothing)s",
                    zip=address["zip"],
                    length=const.CEP_LENGTH,
                    nothing=nothing_sent,
                )
            )
        uf = _text(address["state"]).upper()
        if uf not in const.STATES_UF:
            self._cnm_refuse(
                self.env._(
                    "%(state)s is not a Brazilian state abbreviation (UF). %(nothing)s",
                    state=address["state"],
                    nothing=nothing_sent,
                )
            )
        contract = self._cnm_contract(debt)
        if not contract:
            self._cnm_refuse(
                self.env._(
                    "The negativation needs a contract or invoice number. %(nothing)s",
                    nothing=nothing_sent,
                )
            )
        restriction = _text(debt.get("restriction_code")).upper()
        if not restriction:
            self._cnm_refuse(
                self.env._(
                    "Choose the restriction code (natureza) of the debt. %(nothing)s",
                    nothing=nothing_sent,
                )
            )
        amount = float(debt.get("amount") or 0.0)
        if amount <= 0:
            self._cnm_refuse(
                self.env._(
                    "The amount of the debt must be positive. %(nothing)s", nothing=nothing_sent
                )
            )
        due_date = fields.Date.to_date(debt.get("due_date") or None)
        if not due_date:
            self._cnm_refuse(
                self.env._("The debt has no due date. %(nothing)s", nothing=nothing_sent)
            )
        name = _text(debt.get("name"))
        if not name:
            self._cnm_refuse(
                self.env._("The debtor has no name. %(nothing)s", nothing=nothing_sent)
            )
        payload = {
            "documento": debt["document"],
            "nome": name,
            "endereco": {
                "cep": zip_code,
                "logradouro": _text(address["street"]),
                "numero": _text(address["number"]),
                "complemento": _text(address.get("complement")),
                "bairro": _text(address["district"]),
                "cidade": _text(address["city"]),
                "uf": uf,
            },
            "valor": round(amount, 2),
            "data_vencimento": due_date.isoformat(),
            "contrato": contract,
            "natureza": restriction,
        }
        if birth_date:
            payload["data_nascimento"] = birth_date.isoformat()
        return payload

    def _bureau_include(self, debt):
        if self.provider != PROVIDER:
            return super()._bureau_include(debt)
        payload = self._cnm_negativation_payload(debt)
        operation = self._cnm_operation("include")
        response = self._cnm_call("POST", const.PATH_NEGATIVATIONS, "include", json=payload)
        if response.status_code == const.DUPLICATE_STATUS:
            existing = self._cnm_error_body(response).get(const.NEGATIVATION_ID)
            # The negativation already recorded: also what _bureau_find_inclusion returns.
            raise CreditBureauError(
                self.env._(
                    "Crédito na Medida already holds a negativation of this document and "
                    "contract (%(reference)s): it was not included again.",
                    reference=existing or "-",
                ),
                detail=self._cnm_detail(response),
                code=const.DUPLICATE_CODE,
                duplicate=True,
                reference=str(existing) if existing else None,
            )
        body = self._cnm_answer(response, operation)
        try:
            reference = str(body[const.NEGATIVATION_ID])
            situacao = body.get(const.NEGATIVATION_STATE, "pendente")
        except (KeyError, TypeError, AttributeError):
            raise self._cnm_unreadable(response, operation) from None
        message = body.get(const.NEGATIVATION_MESSAGE) or self.env._(
            "Received by Crédito na Medida: the notice letter is sent and the restriction "
            "shows after the grace period (processed once a day)."
        )
        return {
            "reference": reference,
            "state": self._cnm_state(situacao, response, operation),
            "message": message,
        }

    def _bureau_find_inclusion(self, debt):
        """Ask what the vendor holds for this document + contract (its duplicate key)
        without sending anything: the most recent negativação not removed, or None."""
        if self.provider != PROVIDER:
            return super()._bureau_find_inclusion(debt)
        contract = self._cnm_contract(debt)
        operation = self._cnm_operation("find")
        response = self._cnm_call(
            "GET",
            const.PATH_NEGATIVATION_SEARCH,
            "find",
            params={"documento": debt["document"], "contrato": contract},
        )
        body = self._cnm_answer(response, operation)
        if not isinstance(body, list):
            raise self._cnm_unreadable(response, operation)
        try:
            candidates = [
                record
                for record in body
                if record.get("documento") == debt["document"]
                and record.get("contrato") == contract
                and record.get(const.NEGATIVATION_STATE) != "baixada"
            ]
        except AttributeError:
            raise self._cnm_unreadable(response, operation) from None
        if not candidates:
            return None
        record = max(candidates, key=lambda r: str(r.get(const.NEGATIVATION_CREATED) or ""))
        if not record.get(const.NEGATIVATION_ID):
            raise self._cnm_unreadable(response, operation)
        return {
            "reference": str(record[const.NEGATIVATION_ID]),
            "state": self._cnm_state(record.get(const.NEGATIVATION_STATE), response, operation),
            "message": record.get(const.NEGATIVATION_MESSAGE) or "",
        }

    def _bureau_remove(self, reference, removal_code, removal_date):
        """POST baixa with the reason; the vendor records its own date [assumed]."""
        if self.provider != PROVIDER:
            return super()._bureau_remove(reference, removal_code, removal_date)
        code = _text(getattr(removal_code, "code", removal_code))
        if not code:
            self._cnm_refuse(
                self.env._(
                    "Choose the removal reason (motivo da baixa). Nothing was sent to "
                    "Crédito na Medida."
                )
            )
        operation = self._cnm_operation("remove")
        response = self._cnm_call(
            "POST",
            const.PATH_REMOVAL,
            "remove",
            reference=reference,
            json={const.FIELD_REMOVAL_REASON: code},
        )
        if (
            response.status_code == const.ALREADY_REMOVED_STATUS
            and self._cnm_error_code(response) == const.ALREADY_REMOVED_CODE
        ):
            # A second request (an earlier answer lost): the vendor holds it removed.
            return {
                "state": "removed",
                "already_removed": True,
                "message": self.env._(
                    "Crédito na Medida had already removed it: %(answer)s",
                    answer=self._cnm_error_text(response) or "-",
                ),
            }
        body = self._cnm_answer(response, operation)
        try:
            situacao = body.get(const.NEGATIVATION_STATE, "baixada")
        except AttributeError:
            raise self._cnm_unreadable(response, operation) from None
        return {
            "state": self._cnm_state(situacao, response, operation),
            "message": self.env._(
                "Removal requested at Crédito na Medida (reason %(code)s).", code=code
            ),
        }

    def _bureau_fetch_status(self, references):
        """One GET per negativação: the vendor has no list operation [assumed]. It
        processes records once a day, so polling a few times a day is enough (the core's
        cron runs every 12 hours; see const.STATUS_POLL_INTERVAL_HOURS).

        A failure stops the round (the vendor is probably down): the statuses already
        read are returned, the others are asked again at the next round; when not even one
        was read, the error is raised."""
        if self.provider != PROVIDER:
            return super()._bureau_fetch_status(references)
        result = {}
        for reference in references:
            try:
                result[reference] = self._cnm_fetch_one_status(reference)
            except CreditBureauError as error:
                if not result:
                    raise
                _logger.warning(
                    "Crédito na Medida integration %s: status round stopped after %s of %s "
                    "negativations: %s",
                    self.id,
                    len(result),
                    len(references),
                    error.detail or error.args[0],
                )
                break
        return result

    def _cnm_fetch_one_status(self, reference):
        operation = self._cnm_operation("status")
        response = self._cnm_call("GET", const.PATH_NEGATIVATION, "status", reference=reference)
        if response.status_code == const.NOT_FOUND_STATUS:
            return {
                "state": "error",
                "message": self.env._(
                    "Crédito na Medida does not know the negativation %(reference)s.",
                    reference=reference,
                ),
            }
        body = self._cnm_answer(response, operation)
        try:
            situacao = body.get(const.NEGATIVATION_STATE)
            message = body.get(const.NEGATIVATION_MESSAGE) or ""
        except AttributeError:
            raise self._cnm_unreadable(response, operation) from None
        return {"state": self._cnm_state(situacao, response, operation), "message": message}

    # ------------------------------------------------------------------ secrets and demo
    def _bureau_sensitive_keys(self):
        keys = super()._bureau_sensitive_keys()
        if PROVIDER in self.mapped("provider"):
            keys = set(keys) | const.SENSITIVE_KEYS
        return keys

    def _bureau_secret_values(self):
        values = super()._bureau_secret_values()
        for integration in self.filtered(lambda i: i.provider == PROVIDER):
            integration = integration.sudo()
            values = [
                *values,
                integration.cnm_client_secret,
                integration._cnm_cached_token(valid_only=False),
            ]
        return values

    @api.model
    def _bureau_demo_values(self, provider_code):
        if provider_code != PROVIDER:
            return super()._bureau_demo_values(provider_code)
        return {
            "name": "Crédito na Medida (simulador)",
            "provider": PROVIDER,
            "environment": "homologacao",
            "api_base_url": const.SIMULATOR_URL,
            "cnm_client_id": const.SIMULATOR_CLIENT_ID,
            "cnm_client_secret": const.SIMULATOR_CLIENT_SECRET,
        }


def _text(value):
    """A value as one line of text, spaces collapsed."""
    return " ".join(str(value or "").split())
