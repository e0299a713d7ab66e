"""SPC Brasil on the core's provider contract: SOAP through zeep, every request through the
core's seam. SPC's facts (addresses, names, codes) are in ``const.py``."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from markupsafe import Markup
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault
from zeep.helpers import serialize_object
from zeep.wsse.username import UsernameToken

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from odoo.addons.l10n_br_credit_bureau.soap import get_client
from odoo.addons.l10n_br_credit_bureau.tools import (
    CreditBureauError,
    clean_document,
    format_document,
    to_log_text,
)

from .. import const

SPC = const.PROVIDER_CODE


def _as_list(value):
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def _fault_field(fault, name):
    """A field of the fault's ``detail/erro`` [assumed shape], or None."""
    if fault.detail is None:
        return None
    found = fault.detail.xpath(f".//*[local-name()='{name}']")
    return (found[0].text or "").strip() if found else None


def _parse_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


class CreditBureauIntegration(models.Model):
    _inherit = "credit.bureau.integration"

    provider = fields.Selection(selection_add=[(SPC, "SPC Brasil")], ondelete={SPC: "set default"})
    spc_operator = fields.Char(
        string="Operator code",
        copy=False,
        required_if_provider=SPC,
        help="The SPC Brasil operator code (personal, bound to the CDL contract).",
    )
    spc_password = fields.Char(
        string="Operator password",
        groups="base.group_system",
        copy=False,
        required_if_provider=SPC,
        help="The operator's password for the web services. Never written to logs.",
    )
    spc_cdl_name = fields.Char(
        string="CDL", help="The local CDL (Câmara de Dirigentes Lojistas) of the contract."
    )
    spc_notice_days = fields.Integer(
        string="Notice period (days)",
        default=const.DEFAULT_NOTICE_DAYS,
        help="SPC Brasil has no status list: a sent negativation is taken as active once "
        "this many days have passed since it was sent (the notice period of the debtor).",
    )
    spc_timeout = fields.Integer(
        string="SPC Brasil timeout (seconds)",
        default=const.DEFAULT_TIMEOUT,
        help="Seconds to wait for each SPC Brasil answer.",
    )

    @api.constrains("spc_notice_days", "spc_timeout")
    def _check_spc_numbers(self):
        for integration in self.filtered(lambda i: i.provider == SPC):
            if integration.spc_notice_days < 0 or integration.spc_timeout < 1:
                raise ValidationError(
                    self.env._(
                        "SPC Brasil: the notice period cannot be negative and the timeout must "
                        "be at least one second."
                    )
                )

    # ------------------------------------------------------------------ the seam's hooks
    def _bureau_sensitive_keys(self):
        return super()._bureau_sensitive_keys() | set(const.SENSITIVE_KEYS)

    def _bureau_secret_values(self):
        values = super()._bureau_secret_values()
        password = self.sudo().spc_password if len(self) == 1 else False
        return [*values, password] if password else values

    def _bureau_soap_answer(self, response, operation):
        if self.provider == SPC and response.status_code in const.AUTH_STATUSES:
            raise CreditBureauError(
                self.env._(
                    "SPC Brasil refused the operator code or the password (HTTP %(status)s). "
                    "Check the credentials on the integration.",
                    status=response.status_code,
                ),
                code=str(response.status_code),
                needs_admin=True,
            )
        return super()._bureau_soap_answer(response, operation)

    def _spc_timeout(self):
        return max(1, self.sudo().spc_timeout or const.DEFAULT_TIMEOUT)

    def _spc_call(self, operation, **values):
        """Call one operation with the operator's credentials; return the answer as plain
        data, or raise a ``CreditBureauError`` (``code`` the SPC fault code)."""
        self.ensure_one()
        address = self._bureau_base_url(const.HOSTS[self.environment]) + const.SERVICE_OF[operation]
        try:
            client = get_client(self, address + const.WSDL_QUERY, self._spc_timeout())
        except CreditBureauError:
            raise
        except Exception as error:  # any failure to read the WSDL: unusable, try later
            raise CreditBureauError(
                self.env._(
                    "Could not read the service description (WSDL) of SPC Brasil at %(url)s. "
                    "Try again later.",
                    url=address,
                ),
                detail=to_log_text(self._bureau_mask(f"{type(error).__name__}: {error}"), 500),
                retryable=True,
            ) from None
        credentials = (self.spc_operator or "", self.sudo().spc_password or "")
        service = client.create_service(next(iter(client.wsdl.bindings)), address)
        with client.transport.bind(
            self, operation, self._spc_timeout(), auth=credentials, wsse=UsernameToken(*credentials)
        ):
            try:
                return serialize_object(service[operation](**values), dict)
            except CreditBureauError:
                raise
            except Fault as fault:
                raise self._spc_fault_error(operation, fault) from None
            except (ZeepError, TypeError, ValueError) as error:
                raise CreditBureauError(
                    self.env._(
                        "SPC Brasil sent an answer that could not be read (%(operation)s). "
                        "Try again later.",
                        operation=operation,
                    ),
                    detail=to_log_text(self._bureau_mask(repr(error)), 500),
                    retryable=True,
                    code="xml",
                ) from None

    def _spc_fault_error(self, operation, fault):
        code = _fault_field(fault, "codigo") or "-"
        vendor = self._bureau_mask(_fault_field(fault, "mensagem") or fault.message or "")
        if code in const.NEEDS_ADMIN_FAULTS:
            message = self.env._(
                "SPC Brasil refused the operator code or the password: %(vendor)s (%(code)s). "
                "Check the credentials on the integration.",
                vendor=vendor,
                code=code,
            )
        else:
            message = self.env._(
                "SPC Brasil refused the request (%(operation)s): %(vendor)s (%(code)s)",
                operation=operation,
                vendor=vendor,
                code=code,
            )
        return CreditBureauError(
            message,
            detail=to_log_text(self._bureau_mask(f"SOAP Fault {code}: {fault.message}"), 500),
            retryable=fault.code == "soap:Server",
            code=code,
            duplicate=code == const.FAULT_DUPLICATE,
            reference=_fault_field(fault, "protocolo"),
            needs_admin=code in const.NEEDS_ADMIN_FAULTS,
        )

    # ------------------------------------------------------------------ the contract
    def _bureau_get_features(self):
        features = super()._bureau_get_features()
        if self.provider == SPC:
            features.update(
                consultation=True,
                negativation=True,
                status_list=False,
                report_format="html",
                costs_money_always=False,
                homologation_notice=self.env._(
                    "Homologation: SPC Brasil's training environment answers with test data, "
                    "free of charge. No cost is recorded."
                ),
            )
        return features

    def _bureau_test_connection(self):
        if self.provider != SPC:
            return super()._bureau_test_connection()
        products = _as_list(self._spc_call(const.OP_LIST_PRODUCTS))
        return self.env._(
            "SPC Brasil answered: connection working, %(count)s products in the contract.",
            count=len(products),
        )

    def _bureau_fetch_catalog(self):
        if self.provider != SPC:
            return super()._bureau_fetch_catalog()
        types = {t.get("codigo") for t in _as_list(self._spc_call(const.OP_DEBTOR_TYPES))}
        if const.DEBTOR_PRINCIPAL not in types:
            raise CreditBureauError(
                self.env._(
                    "SPC Brasil does not offer the debtor type %(code)s (buyer) to this operator: "
                    "inclusions cannot be sent. Ask the CDL.",
                    code=const.DEBTOR_PRINCIPAL,
                )
            )
        products = [
            {
                "code": item["codigo"],
                "name": item.get("nome") or item["codigo"],
                "kind": "consulta",
                "audience": const.AUDIENCES.get(item.get("tipo-consumidor"), "both"),
                "price": float(item["valor"]) if item.get("valor") is not None else None,
            }
            for item in _as_list(self._spc_call(const.OP_LIST_PRODUCTS))
            if item.get("codigo")
        ]
        return {
            "products": products,
            "restriction_codes": self._spc_codes(const.OP_NATURES),
            "removal_codes": self._spc_codes(const.OP_REASONS),
        }

    def _spc_codes(self, operation):
        return [
            {"code": str(item["id"]), "name": item.get("nome") or str(item["id"])}
            for item in _as_list(self._spc_call(operation))
            if item.get("id")
        ]

    # ------------------------------------------------------------------ consultation
    def _spc_filter(self, document, product_code):
        kind = "cpf" if len(document) == 11 else "cnpj"
        return {
            "codigo-produto": product_code,
            "tipo-consumidor": const.PERSON_KINDS[kind],
            "documento-consumidor": document,
        }

    def _bureau_consult(self, document, product_code):
        if self.provider != SPC:
            return super()._bureau_consult(document, product_code)
        self.ensure_one()
        product = self._spc_call(const.OP_PRODUCT, **{"codigo-produto": product_code}) or {}
        answer = self._spc_call(const.OP_CONSULT, filtro=self._spc_filter(document, product_code))
        inputs = {i.get("codigo") for i in _as_list(product.get("insumo-opcional"))}
        score = {}
        if const.SCORE_INPUT in inputs:
            score = self._spc_call(
                const.OP_SCORE, **{"filtro-score": self._spc_filter(document, product_code)}
            )
        occurrences = _as_list((answer.get("ocorrencias") or {}).get("ocorrencia"))
        consumer = answer.get("consumidor") or {}
        probability = score.get("probabilidade-inadimplencia")
        return {
            "name": consumer.get("nome"),
            "protocol": answer.get("protocolo"),
            "score": score.get("score"),
            "risk_class": score.get("classe-risco"),
            "default_probability": float(probability) if probability is not None else None,
            "message": score.get("mensagem"),
            "cost": None,
            "lines": [
                {
                    "kind": const.OCCURRENCE_KINDS.get(item.get("tipo"), "other"),
                    "date": _parse_date(item.get("data")),
                    "amount": float(item.get("valor") or 0),
                    "creditor": item.get("informante"),
                    "description": item.get("descricao"),
                }
                for item in occurrences
            ],
            "report_html": self._spc_report_html(product, {"resultado": answer, "score": score}),
            "report_pdf": None,
        }

    def _spc_report_html(self, product, answer):
        """The original answer, every field SPC sent, as a nested table."""

        def render(value, key=""):
            if isinstance(value, dict):
                rows = Markup("").join(
                    Markup("<tr><th>%s</th><td>%s</td></tr>") % (name, render(item, name))
                    for name, item in value.items()
                    if item not in (None, "", [], {})
                )
                return Markup("<table class='table table-sm'><tbody>%s</tbody></table>") % rows
            if isinstance(value, list):
                return Markup("").join(render(item, key) for item in value)
            if key.startswith("documento"):  # a CPF/CNPJ, punctuated
                return format_document(clean_document(str(value)))
            return str(value)

        title = self.env._("SPC Brasil: %(product)s", product=product.get("nome") or "-")
        return str(Markup("<div><h3>%s</h3>%s</div>") % (title, render(answer)))

    # ------------------------------------------------------------------ negativation
    def _spc_identification(self, debt):
        """The person of an inclusion or removal: ``tipo-pessoa`` and its data."""
        if debt["kind"] == "cpf":
            person = {"cpf": {"numero": debt["document"]}, "nome": debt.get("name")}
            state = (debt.get("address") or {}).get("state")
            if state:
                person["cpf"]["regiao-origem"] = state
            if debt.get("birth_date"):
                person["data-nascimento"] = debt["birth_date"]
            return {"tipo-pessoa": "F", "dados-pessoa-fisica": person}
        return {
            "tipo-pessoa": "J",
            "dados-pessoa-juridica": {
                "cnpj": {"numero": debt["document"]},
                "razao-social": debt.get("name"),
            },
        }

    def _bureau_field_limits(self):
        if self.provider != SPC:
            return super()._bureau_field_limits()
        return dict(const.FIELD_LIMITS)

    def _bureau_include(self, debt):
        if self.provider != SPC:
            return super()._bureau_include(debt)
        self.ensure_one()
        address = debt.get("address") or {}
        due = datetime.combine(debt["due_date"], datetime.min.time())
        insumo = dict(
            self._spc_identification(debt),
            endereco={
                "cep": "".join(c for c in address.get("zip") or "" if c.isdigit()),
                "logradouro": address.get("street"),
                "numero": address.get("number"),
                "complemento": address.get("complement") or None,
                "bairro": address.get("district"),
                "cidade": address.get("city"),
                "uf": address.get("state"),
            },
            **{
                "data-compra": due,
                "data-vencimento": due,
                "numero-contrato": debt.get("contract"),
                "valor-debito": Decimal(str(debt.get("amount") or 0)).quantize(Decimal("0.01")),
                "natureza-inclusao": {"id": debt.get("restriction_code")},
                "codigo-tipo-devedor": const.DEBTOR_PRINCIPAL,
            },
        )
        answer = self._spc_call(const.OP_INCLUDE, insumoSpc=insumo) or {}
        if not answer.get("protocolo"):
            raise CreditBureauError(
                self.env._(
                    "SPC Brasil accepted the inclusion without returning its protocol. It will "
                    "be looked up before anything is sent again."
                ),
                detail=to_log_text(self._bureau_mask(answer), 500),
                timeout=True,
            )
        return {
            "reference": answer["protocolo"],
            "state": "pending",
            "message": self._spc_pending_message(answer.get("mensagem")),
        }

    def _spc_pending_message(self, vendor):
        return self.env._(
            "%(vendor)s The notice to the debtor is running: SPC Brasil shows the restriction "
            "after %(days)s days.",
            vendor=vendor or "",
            days=self.spc_notice_days,
        ).strip()

    def _bureau_find_inclusion(self, debt):
        """SPC publishes no lookup: a consultation of the debtor (paid) shows this operator's
        own records with their contract and protocol [assumed]."""
        if self.provider != SPC:
            return super()._bureau_find_inclusion(debt)
        self.ensure_one()
        product = const.LOOKUP_PRODUCTS[debt["kind"]]
        answer = self._spc_call(
            const.OP_CONSULT, filtro=self._spc_filter(debt["document"], product)
        )
        for item in _as_list((answer.get("ocorrencias") or {}).get("ocorrencia")):
            if (
                item.get("tipo") == const.LOOKUP_OCCURRENCE
                and item.get("protocolo")
                and (item.get("numero-contrato") or "").strip() == (debt.get("contract") or "")
            ):
                return {
                    "reference": item["protocolo"],
                    "state": "pending",
                    "message": self._spc_pending_message(
                        self.env._("Found at SPC Brasil (protocol %(p)s).", p=item["protocolo"])
                    ),
                }
        return None

    def _spc_negativation(self, reference):
        return (
            self.env["credit.bureau.negativation"]
            .sudo()
            .search([("integration_id", "=", self.id), ("reference", "=", reference)], limit=1)
        )

    def _bureau_remove(self, reference, removal_code, removal_date):
        if self.provider != SPC:
            return super()._bureau_remove(reference, removal_code, removal_date)
        self.ensure_one()
        negativation = self._spc_negativation(reference)
        if not negativation:
            raise CreditBureauError(
                self.env._("No negativation of SPC Brasil has the protocol %(p)s.", p=reference)
            )
        debt = negativation._bureau_debt()
        exclusion = dict(
            self._spc_identification(debt),
            **{
                "data-vencimento": datetime.combine(debt["due_date"], datetime.min.time()),
                "numero-contrato": debt.get("contract"),
                "motivo-exclusao": {"id": removal_code},
            },
        )
        try:
            answer = self._spc_call(const.OP_REMOVE, exclusaoSpc=exclusion) or {}
        except CreditBureauError as error:
            if error.code != const.FAULT_ALREADY_REMOVED:
                raise
            return {"state": "removed", "message": error.args[0], "already_removed": True}
        return {"state": "removed", "message": answer.get("mensagem") or ""}

    def _bureau_fetch_status(self, references):
        """No status list at SPC Brasil: a pending negativation is active once the notice
        period (``spc_notice_days``) has passed since it was sent; the others are left."""
        if self.provider != SPC:
            return super()._bureau_fetch_status(references)
        self.ensure_one()
        limit = fields.Datetime.now() - timedelta(days=self.spc_notice_days)
        negativations = (
            self.env["credit.bureau.negativation"]
            .sudo()
            .search(
                [
                    ("integration_id", "=", self.id),
                    ("reference", "in", list(references)),
                    ("state", "=", "pending"),
                    ("sent_date", "<=", limit),
                ]
            )
        )
        return {
            negativation.reference: {
                "state": "active",
                "message": self.env._(
                    "The notice period of %(days)s days since it was sent (%(date)s) is over: "
                    "taken as active at SPC Brasil, which has no status query.",
                    days=self.spc_notice_days,
                    date=format_date(self.env, negativation.sent_date),
                ),
            }
            for negativation in negativations
        }

    # ------------------------------------------------------------------ demo
    @api.model
    def _bureau_demo_values(self, provider_code):
        if provider_code != SPC:
            return super()._bureau_demo_values(provider_code)
        return {
            "name": "SPC Brasil (simulador)",
            "provider": SPC,
            "environment": "homologacao",
            "api_base_url": const.DEMO_SIMULATOR_URL,
            "spc_operator": const.DEMO_OPERATOR,
            "spc_password": const.DEMO_PASSWORD,
            "spc_cdl_name": "CDL Campinas",
        }
