"""SOA WebServices on the core's provider contract: SOAP through zeep, every request through
the core's seam. The vendor's facts (addresses, names, codes) are in ``const.py``."""

import logging
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from markupsafe import Markup, escape
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError, XMLSyntaxError
from zeep.exceptions import ValidationError as ZeepValidationError
from zeep.helpers import serialize_object

from odoo import api, fields, models
from odoo.tools.misc import formatLang

from odoo.addons.l10n_br_credit_bureau.soap import get_client, service_proxy
from odoo.addons.l10n_br_credit_bureau.tools import (
    CreditBureauError,
    clean_document,
    format_document,
    occurrences_text,
    to_log_text,
)

from .. import const

_logger = logging.getLogger(__name__)

SOA = const.PROVIDER_CODE


# ---------------------------------------------------------------------- value helpers
def _as_list(value):
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _first(detail, names):
    for name in names:
        value = detail.get(name)
        if value not in (None, ""):
            return value
    return None


def parse_date(value):
    """A vendor date ("dd/mm/yyyy", optionally with a time; or ISO) as a date, or None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for pattern, length in ((const.DATE_FORMAT, 10), ("%Y-%m-%d", 10)):
        try:
            return datetime.strptime(text[:length], pattern).date()
        except ValueError:
            continue
    return None


def parse_datetime(value):
    text = str(value or "").strip()
    for pattern in (const.DATE_FORMAT + " %H:%M:%S", const.DATE_FORMAT):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return datetime.min


def parse_amount(value):
    """A vendor amount (Decimal, "1234.56" or "1.234,56") as a float; 0.0 when absent."""
    if value in (None, ""):
        return 0.0
    if isinstance(value, int | float | Decimal):
        return float(value)
    text = re.sub(r"[^0-9,.-]", "", str(value))
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(Decimal(text))
    except InvalidOperation:
        return 0.0


def parse_percent(text):
    """The last percentage in a text ("... 12,3%") as a float, or None."""
    found = re.findall(r"(\d+(?:[.,]\d+)?)\s*%", str(text or ""))
    return float(found[-1].replace(",", ".")) if found else None


def format_date(value):
    """A date for the vendor (dd/mm/yyyy)."""
    if isinstance(value, str):
        value = parse_date(value)
    return value.strftime(const.DATE_FORMAT) if value else None


def humanize(name):
    """'PendenciasFinanceiras' -> 'Pendencias Financeiras' (the vendor's own words, for a
    name without a label in ``const``)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)


def _place(detail):
    """'SAO PAULO - SP' from a detail's Cidade and UF, or None."""
    parts = [detail.get(const.DETAIL_CITY_FIELD), detail.get(const.DETAIL_STATE_FIELD)]
    return " - ".join(str(part) for part in parts if part not in (None, "")) or None


def _digits(value):
    return re.sub(r"\D", "", value or "")


class CreditBureauIntegration(models.Model):
    _inherit = "credit.bureau.integration"

    provider = fields.Selection(
        selection_add=[(SOA, "SOA WebServices")],
        ondelete={SOA: "set default"},
    )
    soa_email = fields.Char(
        string="E-mail",
        groups="base.group_system",
        copy=False,
        required_if_provider=SOA,
        help="E-mail of the SOA WebServices account (sent in every request).",
    )
    soa_password = fields.Char(
        string="Password",
        groups="base.group_system",
        copy=False,
        required_if_provider=SOA,
        help="Password of the SOA WebServices account. Never written to logs.",
    )
    soa_timeout = fields.Integer(
        string="Timeout (seconds)",
        default=const.DEFAULT_TIMEOUT,
        help="Seconds to wait for each SOA WebServices answer.",
    )

    @api.model

    # ------------------------------------------------------------------ the seam's hooks
    def _bureau_sensitive_keys(self):
        return super()._bureau_sensitive_keys() | set(const.SENSITIVE_KEYS)

    def _bureau_secret_values(self):
        values = super()._bureau_secret_values()
        password = self.sudo().soa_password if len(self) == 1 else False
        return [*values, password] if password else values

    # ------------------------------------------------------------------ SOAP calls
    def _soa_service_url(self, service):
        """The endpoint of a service in this integration's environment."""
        self.ensure_one()
        if service == "administracao":
            environment = const.ADMINISTRATION_ENVIRONMENT
        else:
            environment = const.ENVIRONMENTS[self.environment]
        path = const.SERVICE_PATH.format(environment=environment, service=const.SERVICES[service])
        return self._bureau_base_url(const.BASE_URL) + path

    def _soa_timeout(self):
        return max(1, self.sudo().soa_timeout or const.DEFAULT_TIMEOUT)

    def _soa_client(self, service_url):
        wsdl_url = service_url + const.WSDL_QUERY
        try:
            return get_client(self, wsdl_url, self._soa_timeout())
        except CreditBureauError:
            raise
        except Exception as error:  # any failure to read the WSDL: unusable, try later
            raise CreditBureauError(
                self.env._(
                    "Could not read the service description (WSDL) of SOA WebServices at "
                    "%(url)s. Try again later.",
                    url=wsdl_url,
                ),
                detail=to_log_text(self._bureau_mask(f"{type(error).__name__}: {error}"), 500),
                retryable=True,
            ) from None

    def _soa_call(self, service, operation, **values):
        """Call one operation with the credentials; return the answer as a dict, or raise
        a ``CreditBureauError`` (transport failure, SOAP fault, unreadable answer, refusal)."""
        self.ensure_one()
        address = self._soa_service_url(service)
        client = self._soa_client(address)
        try:
            proxy = service_proxy(client, operation, address, const.SOAP_VERSION)
        except LookupError as error:
            raise CreditBureauError(
                self.env._(
                    "The service description of SOA WebServices has no operation "
                    "%(operation)s. Check the integration's address.",
                    operation=operation,
                ),
                detail=str(error),
            ) from None
        credentials = {"Email": self.sudo().soa_email or "", "Senha": self.sudo().soa_password}
        with client.transport.bind(self, operation, self._soa_timeout()):
            try:
                result = proxy[operation](Credenciais=credentials, **values)
            except CreditBureauError:
                raise
            except Fault as error:
                raise CreditBureauError(
                    self.env._(
                        "SOA WebServices could not process the request (%(operation)s): "
                        "%(fault)s Try again later.",
                        operation=operation,
                        fault=self._bureau_mask(str(error.message or "")).strip(),
                    ),
                    detail=to_log_text(
                        self._bureau_mask(f"SOAP Fault {error.code}: {error.message}"), 500
                    ),
                    retryable=True,
                    code="fault",
                ) from None
            except (XMLSyntaxError, TransportError) as error:
                raise CreditBureauError(
                    self.env._(
                        "SOA WebServices sent an unreadable answer (%(operation)s). Try again "
                        "later.",
                        operation=operation,
                    ),
                    detail=to_log_text(self._bureau_mask(str(error)), 500),
                    retryable=True,
                    code=str(getattr(error, "status_code", "") or "xml"),
                ) from None
            except (TypeError, ZeepValidationError) as error:
                raise CreditBureauError(
                    self.env._(
                        "The request does not match the service description of SOA "
                        "WebServices (%(operation)s): %(error)s",
                        operation=operation,
                        error=self._bureau_mask(str(error)),
                    ),
                    detail=to_log_text(self._bureau_mask(str(error)), 500),
                ) from None
            except ZeepError as error:
                raise CreditBureauError(
                    self.env._(
                        "SOA WebServices sent an answer that could not be read safely "
                        "(%(operation)s). Try again later.",
                        operation=operation,
                    ),
                    detail=to_log_text(self._bureau_mask(repr(error)), 500),
                    retryable=True,
                ) from None
        answer = serialize_object(result, dict) if result is not None else None
        if not isinstance(answer, dict):
            raise CreditBureauError(
                self.env._(
                    "SOA WebServices sent an empty answer (%(operation)s). Try again later.",
                    operation=operation,
                ),
                detail=to_log_text(self._bureau_mask(repr(answer)), 500),
                retryable=True,
            )
        if not answer.get("Status"):
            raise self._soa_refusal(operation, answer)
        return answer

    def _soa_refusal(self, operation, answer):
        """The error of an answer with Status false, explained by its CodigoStatus."""
        transacao = answer.get("Transacao") or {}
        code = transacao.get("CodigoStatus") or ""
        vendor = answer.get("Mensagem") or transacao.get("CodigoStatusDescricao") or "-"
        vendor = self._bureau_mask(str(vendor))
        known = const.KNOWN_ERRORS.get(code)
        if known:
            explanation, retryable = known
            message = self.env._(
                "%(explanation)s SOA WebServices answered: %(vendor)s (%(code)s)",
                explanation=self.env._(explanation),
                vendor=vendor,
                code=code,
            )
        else:
            retryable = code in const.RETRYABLE_CODES
            message = self.env._(
                "SOA WebServices refused the request (%(operation)s): %(vendor)s (%(code)s)",
                operation=operation,
                vendor=vendor,
                code=code or "-",
            )
        given = {key: value for key, value in answer.items() if value not in (None, "", [])}
        return CreditBureauError(
            message,
            detail=to_log_text(self._bureau_mask(given), 500),
            retryable=retryable,
            code=code or None,
            needs_admin=code in const.NEEDS_ADMIN_CODES,
        )

    # ------------------------------------------------------------------ the contract
    def _bureau_get_features(self):
        features = super()._bureau_get_features()
        if self.provider == SOA:
            features.update(
                consultation=True,
                negativation=True,
                balance=True,
                status_list=True,
                co_obligor=True,
                address_update=True,
                report_format="html",
                costs_money_always=False,
                homologation_notice=self.env._(
                    "Homologation: SOA WebServices' test-drive answers with test data, free "
                    "of charge. No cost is recorded."
                ),
            )
        return features

    def _bureau_test_connection(self):
        if self.provider != SOA:
            return super()._bureau_test_connection()
        self.ensure_one()
        answer = self._soa_call("negativacao", const.OP_CODIGOS_BAIXA)
        codes = _as_list((answer.get("Codigos") or {}).get("CodigoDescricao"))
        return self.env._(
            "SOA WebServices answered (%(environment)s): connection working, %(count)s removal "
            "codes available.",
            environment=const.ENVIRONMENTS[self.environment],
            count=len(codes),
        )

    def _soa_codes(self, operation):
        answer = self._soa_call("negativacao", operation)
        return [
            {"code": item["Codigo"], "name": item.get("Descricao") or item["Codigo"]}
            for item in _as_list((answer.get("Codigos") or {}).get("CodigoDescricao"))
            if item.get("Codigo")
        ]

    def _bureau_fetch_catalog(self):
        if self.provider != SOA:
            return super()._bureau_fetch_catalog()
        self.ensure_one()
        # No product or price operation: the products are fixed (with whom they serve) and
        # carry no price, so that the prices typed by the administrator are kept across
        # synchronisations and an untyped one stays "unknown" (see const.py).
        return {
            "products": [dict(product) for product in const.CATALOG_PRODUCTS],
            "restriction_codes": self._soa_codes(const.OP_CODIGOS_RESTRICOES),
            "removal_codes": self._soa_codes(const.OP_CODIGOS_BAIXA),
        }

    # ------------------------------------------------------------------ consultation
    def _bureau_consult(self, document, product_code):
        if self.provider != SOA:
            return super()._bureau_consult(document, product_code)
        self.ensure_one()
        code = product_code or const.DEFAULT_REPORT_PRODUCT
        if code not in const.REPORT_PRODUCTS:
            raise CreditBureauError(
                self.env._(
                    "%(product)s is not a SOA WebServices report. Synchronise the products "
                    "and pick one of them.",
                    product=code,
                )
            )
        service, operation, additional = const.REPORT_PRODUCTS[code]
        values = {"Documento": clean_document(document)}
        if additional:
            values["Adicionais"] = additional
        answer = self._soa_call(service, operation, **values)
        return self._soa_normalise_report(operation, answer)

    def _soa_report_blocks(self, operation, answer):
        """[(block name, total, message, [detail dicts])] of a report answer."""
        blocks = []
        if operation == const.OP_PEFIN:
            for name in const.PEFIN_BLOCKS:
                details = [d for d in _as_list(answer.get(name)) if isinstance(d, dict)]
                blocks.append((name, len(details), None, details))
        else:
            for name in const.CONCENTRE_BLOCKS:
                block = answer.get(name) or {}
                details = [
                    d for d in _as_list(block.get(const.BLOCK_DETAIL)) if isinstance(d, dict)
                ]
                total = block.get("TotalOcorrencias")
                blocks.append(
                    (name, len(details) if total is None else total, block.get("Mensagem"), details)
                )
        return blocks

    def _soa_normalise_report(self, operation, answer):
        blocks = self._soa_report_blocks(operation, answer)
        lines = []
        for name, _total, _message, details in blocks:
            for detail in details:
                words = [
                    str(detail[field])
                    for field in const.DETAIL_DESCRIPTION_FIELDS
                    if detail.get(field) not in (None, "")
                ]
                lines.append(
                    {
                        "kind": const.BLOCK_KINDS.get(name, "other"),
                        "date": parse_date(_first(detail, const.DETAIL_DATE_FIELDS)),
                        "amount": parse_amount(_first(detail, const.DETAIL_AMOUNT_FIELDS)),
                        "creditor": _first(detail, const.DETAIL_CREDITOR_FIELDS),
                        "office": _first(detail, const.DETAIL_OFFICE_FIELDS),
                        "city": _place(detail),
                        "description": " / ".join([self._soa_label(name), *words]),
                    }
                )
        score = answer.get(const.SCORE_BLOCK) or {}
        points = score.get("Pontuacao")
        return {
            "name": answer.get("Nome") or None,
            "protocol": None,
            "score": int(points) if points not in (None, "") else None,
            "risk_class": score.get("ClasseRisco") or None,
            "default_probability": parse_percent(score.get("Mensagem")),
            "message": answer.get("Mensagem") or None,
            "cost": None,
            "lines": lines,
            "report_html": self._soa_report_html(operation, answer, blocks),
            "report_pdf": None,
        }

    def _soa_label(self, name):
        """The label of a block or a detail field, in the user's language."""
        label = const.BLOCK_LABELS.get(name) or const.FIELD_LABELS.get(name)
        return self.env._(label) if label else humanize(name)

    def _soa_money(self, amount):
        """An amount in the company's currency and the user's language: "R$ 1.234,56"."""
        currency = self.company_id.currency_id or self.env.ref("base.BRL")
        return formatLang(self.env, amount, currency_obj=currency)

    def _soa_value(self, name, value):
        """A value of the answer as the report shows it: amounts in the currency, dates
        dd/mm/aaaa, documents punctuated, yes/no in words; anything else as sent."""
        if value in (None, ""):
            return ""
        if name in const.AMOUNT_FIELDS:
            return self._soa_money(parse_amount(value))
        if name.startswith(const.DATE_FIELD_PREFIX):
            day = parse_date(value)
            return format_date(day) if day else str(value)
        if name == "Documento":
            return format_document(clean_document(str(value)))
        yes_no = name in const.YES_NO_FIELDS and const.YES_NO.get(str(value).strip().upper())
        return self.env._(yes_no) if yes_no else str(value)

    def _soa_report_html(self, operation, answer, blocks):
        """Our rendering of the report (the vendor sends data, not a document), in the
        user's language: the result in the suite's vocabulary, Brazilian formats."""
        score = answer.get(const.SCORE_BLOCK) or {}
        total = answer.get("TotalOcorrencias")
        if total is None:
            total = sum(block_total or 0 for _name, block_total, _message, _details in blocks)
        summary = [
            (self.env._("Document"), self._soa_value("Documento", answer.get("Documento"))),
            (self.env._("Name"), answer.get("Nome")),
            (self.env._("Mother's name"), answer.get("NomeMae")),
            (
                self.env._("Birth date"),
                self._soa_value("DataNascimento", answer.get("DataNascimento")),
            ),
            (self.env._("Score"), score.get("Pontuacao")),
            (self.env._("Risk class"), score.get("ClasseRisco")),
            (self.env._("Score note"), score.get("Mensagem")),
            (self.env._("Result"), occurrences_text(self.env, int(total or 0))),
            (
                self.env._("Total amount"),
                self._soa_value("ValorTotalOcorrencias", answer.get("ValorTotalOcorrencias")),
            ),
        ]
        html = Markup("<div><h3>%s</h3><table class='table table-sm'><tbody>") % self.env._(
            "SOA WebServices report: %(report)s", report=operation
        )
        for label, value in summary:
            if value not in (None, ""):
                html += Markup("<tr><th>%s</th><td>%s</td></tr>") % (label, value)
        html += Markup("</tbody></table>")
        alert = answer.get("AlertaDocumentos") or {}
        if alert.get("Mensagem"):
            html += Markup("<p><strong>%s</strong> %s</p>") % (
                self.env._("Document alert:"),
                alert["Mensagem"],
            )
        for name, block_total, _message, details in blocks:
            # The block's own Mensagem repeats its count in the vendor's words ("Constam 2
            # ocorrência(s)."): the count is said once, in ours.
            html += Markup("<h4>%s</h4><p>%s</p>") % (
                self._soa_label(name),
                occurrences_text(self.env, int(block_total or 0)),
            )
            if not details:
                continue
            columns = []
            for detail in details:
                columns += [key for key in detail if key not in columns]
            html += Markup("<table class='table table-sm'><thead><tr>")
            html += Markup("").join(Markup("<th>%s</th>") % self._soa_label(c) for c in columns)
            html += Markup("</tr></thead><tbody>")
            for detail in details:
                cells = [escape(self._soa_value(c, detail.get(c))) for c in columns]
                html += Markup("<tr>%s</tr>") % Markup("").join(
                    Markup("<td>%s</td>") % cell for cell in cells
                )
            html += Markup("</tbody></table>")
        return str(html + Markup("</div>"))

    # ------------------------------------------------------------------ negativation
    def _soa_debtor(self, debtor, kind):
        address = debtor.get("address") or {}
        devedor = {
            "Documento": clean_document(debtor.get("document")),
            "TipoDevedor": kind,
            "Endereco": {
                "CEP": _digits(address.get("zip")),
                "Logradouro": address.get("street") or None,
                "Numero": address.get("number") or None,
                "Complemento": address.get("complement") or None,
                "Bairro": address.get("district") or None,
            },
        }
        if debtor.get("birth_date"):
            devedor["DataNascimento"] = format_date(debtor["birth_date"])
        return devedor

    def _soa_inclusion(self, debt):
        """The InclusaoNegativacao element of a debt (see the core's ``_bureau_include``)."""
        debtors = [self._soa_debtor(debt, const.DEBTOR_PRINCIPAL)]
        if debt.get("co_obligor"):
            debtors.append(self._soa_debtor(debt["co_obligor"], const.DEBTOR_CO_OBLIGOR))
        amount = Decimal(str(debt.get("amount") or 0)).quantize(Decimal("0.01"))
        return {
            "Devedores": {"Devedor": debtors},
            "Restricao": {
                "CodigoRestricao": debt.get("restriction_code"),
                "Contrato": debt.get("contract") or None,
                "NossoNumero": debt.get("our_number") or None,
                "DataVencimento": format_date(debt.get("due_date")),
                "Valor": amount,
            },
        }

    def _bureau_field_limits(self):
        if self.provider != SOA:
            return super()._bureau_field_limits()
        return dict(const.FIELD_LIMITS)

    def _bureau_include(self, debt):
        if self.provider != SOA:
            return super()._bureau_include(debt)
        self.ensure_one()
        answer = self._soa_call(
            "negativacao", const.OP_INCLUIR, InclusaoNegativacao=self._soa_inclusion(debt)
        )
        if not answer.get("UniqueID"):
            # Accepted without an identifier: the outcome is unknown, look it up first.
            raise CreditBureauError(
                self.env._(
                    "SOA WebServices accepted the inclusion without returning its "
                    "identifier. Its status will be checked before anything is sent again."
                ),
                detail=to_log_text(self._bureau_mask(answer), 500),
                timeout=True,
            )
        return {
            "reference": answer["UniqueID"],
            "state": const.CONDITION_STATES.get(answer.get("Condicao"), "pending"),
            "message": answer.get("Mensagem") or "",
        }

    def _soa_list(self, condition):
        """The records of one condition (one Lista call)."""
        answer = self._soa_call("negativacao", const.OP_LISTA, Condicao=condition)
        return [
            record
            for record in _as_list((answer.get("Negativacoes") or {}).get("Negativacao"))
            if isinstance(record, dict)
        ]

    def _soa_record_status(self, record):
        """``{'state', 'message'}`` of a Negativacao record."""
        condition = record.get("Condicao")
        state = const.CONDITION_STATES.get(condition, "pending")
        if condition == "Ativas":
            message = self.env._(
                "Active at the bureau since %(date)s.",
                date=record.get("DataDisponibilizacao") or "-",
            )
        elif condition == "Pendentes":
            message = self.env._("Pending at the bureau: the notice to the debtor is running.")
        elif condition == "Erro":
            message = self.env._(
                "Refused by the bureau: %(reason)s", reason=record.get("Motivo") or "-"
            )
        elif condition == "Indisponivel":
            message = self.env._(
                "Unavailable at the bureau (suspended): %(reason)s",
                reason=record.get("Motivo") or "-",
            )
        elif condition == "Baixadas":
            message = self.env._(
                "Removed at the bureau on %(date)s (code %(code)s).",
                date=record.get("DataBaixa") or "-",
                code=record.get("CodigoBaixa") or "-",
            )
        else:
            message = self.env._(
                "Unknown condition at SOA WebServices: %(condition)s", condition=condition
            )
        return {"state": state, "message": message}

    def _bureau_find_inclusion(self, debt):
        if self.provider != SOA:
            return super()._bureau_find_inclusion(debt)
        self.ensure_one()
        document = clean_document(debt.get("document"))
        contract = (debt.get("contract") or "").strip()
        for condition in const.FIND_CONDITIONS:
            matches = [
                record
                for record in self._soa_list(condition)
                if clean_document(record.get("Documento")) == document
                and (record.get("Contrato") or "").strip() == contract
            ]
            if matches:
                record = max(matches, key=lambda r: parse_datetime(r.get("DataInclusao")))
                status = self._soa_record_status(record)
                return dict(status, reference=record.get("UniqueID"))
        return None

    def _bureau_remove(self, reference, removal_code, removal_date):
        if self.provider != SOA:
            return super()._bureau_remove(reference, removal_code, removal_date)
        self.ensure_one()
        try:
            answer = self._soa_call(
                "negativacao",
                const.OP_EXCLUIR,
                UniqueID=reference,
                CodigoBaixa=removal_code,
                DataBaixa=format_date(removal_date or fields.Date.context_today(self)),
            )
        except CreditBureauError as error:
            if error.code != const.ERROR_CONDITION:
                raise
            # Already removed, or in a condition that cannot be removed: the record says.
            record = (
                self._soa_call("negativacao", const.OP_CONSULTA, UniqueID=reference).get(
                    "Negativacao"
                )
                or {}
            )
            if record.get("Condicao") != const.REMOVED_CONDITION:
                raise
            status = self._soa_record_status(record)
            return dict(status, already_removed=True)
        record = answer.get("Negativacao") or {}
        return {
            "state": const.CONDITION_STATES.get(record.get("Condicao"), "removed"),
            "message": answer.get("Mensagem") or "",
        }

    def _bureau_fetch_status(self, references):
        if self.provider != SOA:
            return super()._bureau_fetch_status(references)
        self.ensure_one()
        remaining = {ref.lower(): ref for ref in references if ref}
        result = {}
        # One Lista per condition, not one call per record; stop once all are found.
        for condition in const.STATUS_CONDITIONS:
            if not remaining:
                break
            for record in self._soa_list(condition):
                key = (record.get("UniqueID") or "").lower()
                if key in remaining:
                    result[remaining.pop(key)] = self._soa_record_status(record)
        # In no list (should not happen): ask for each of those.
        for reference in remaining.values():
            try:
                answer = self._soa_call("negativacao", const.OP_CONSULTA, UniqueID=reference)
            except CreditBureauError as error:
                if error.code != const.ERROR_NOT_FOUND:
                    raise
                result[reference] = {
                    "state": "error",
                    "message": self.env._("SOA WebServices does not know this negativation."),
                }
                continue
            result[reference] = self._soa_record_status(answer.get("Negativacao") or {})
        return result

    def _soa_update_debtor_address(self, document, address):
        """Correct a debtor's address at the bureau (IncluirEnderecoDevedor): CEP, number
        and complement. Return the vendor's message."""
        self.ensure_one()
        if self.provider != SOA:
            return self._bureau_unsupported(self.env._("address correction"))
        answer = self._soa_call(
            "negativacao",
            const.OP_INCLUIR_ENDERECO,
            Documento=clean_document(document),
            Endereco={
                "CEP": _digits(address.get("zip")),
                "Numero": address.get("number") or None,
                "Complemento": address.get("complement") or None,
            },
        )
        return answer.get("Mensagem") or ""

    def _bureau_update_address(self, debt):
        if self.provider != SOA:
            return super()._bureau_update_address(debt)
        return self._soa_update_debtor_address(debt["document"], debt["address"])

    # ------------------------------------------------------------------ balance and demo
    def _bureau_fetch_balance(self):
        if self.provider != SOA:
            return super()._bureau_fetch_balance()
        self.ensure_one()
        answer = self._soa_call("administracao", const.OP_SALDO)
        return parse_amount(answer.get("Saldo"))

    @api.model
    def _bureau_demo_values(self, provider_code):
        if provider_code != SOA:
            return super()._bureau_demo_values(provider_code)
        return {
            "name": "SOA WebServices (simulador)",
            "provider": SOA,
            "environment": "homologacao",
            "api_base_url": const.DEMO_SIMULATOR_URL,
            "soa_email": const.DEMO_EMAIL,
            "soa_password": const.DEMO_PASSWORD,
        }
