import logging
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_br_credit_bureau.models.credit_bureau_catalog import audience_from_text
from odoo.addons.l10n_br_credit_bureau.tools import (
    CreditBureauError,
    occurrences_text,
    to_log_text,
)

from .. import const
from ..tools import (
    digits,
    format_amount,
    format_date,
    national_phone,
    parse_brl,
    parse_date,
    parse_percent,
)

_logger = logging.getLogger(__name__)


class CreditBureauIntegration(models.Model):
    """The Connect SA provider: consultation API and PEFIN API, each with its own pair of
    credentials. Every vendor fact comes from ``const``."""

    _inherit = "credit.bureau.integration"

    provider = fields.Selection(
        selection_add=[(const.PROVIDER_CODE, "Connect SA")],
        ondelete={const.PROVIDER_CODE: "set default"},
    )
    connect_sa_login = fields.Char(
        string="Login",
        groups="base.group_system",
        copy=False,
        required_if_provider=const.PROVIDER_CODE,
        help="Login of the Connect SA platform (consultation API).",
    )
    connect_sa_password = fields.Char(
        string="Consultation password",
        groups="base.group_system",
        copy=False,
        required_if_provider=const.PROVIDER_CODE,
        help="Password of the consultation API (senha consulta).",
    )
    connect_sa_pefin_login = fields.Char(
        string="PEFIN login",
        groups="base.group_system",
        copy=False,
        help="Login of the PEFIN API; leave empty when it is the same login.",
    )
    connect_sa_pefin_password = fields.Char(
        string="PEFIN password",
        groups="base.group_system",
        copy=False,
        required_if_provider=const.PROVIDER_CODE,
        help="Password of the PEFIN API (senha PEFIN): inclusions, removals, products.",
    )

    connect_sa_secrets_stored = fields.Boolean(
        string="Passwords stored",
        compute="_compute_connect_sa_secrets_stored",
        compute_sudo=True,
        help="The passwords are stored: they change only through Change password, which "
        "tests the new ones first.",
    )

    @api.depends("connect_sa_password", "connect_sa_pefin_password")
    def _compute_connect_sa_secrets_stored(self):
        for integration in self:
            integration.connect_sa_secrets_stored = bool(
                integration.connect_sa_password or integration.connect_sa_pefin_password
            )

    def write(self, vals):
        # A stored password is replaced only by "Change password" (which writes it as
        # superuser once a test call with it worked): typed over on the form, by RPC or by an
        # import, a wrong one would stop every consultation and negativation at once.
        if not self.env.su:
            for name in ("connect_sa_password", "connect_sa_pefin_password"):
                if name in vals and any(
                    integration.provider == const.PROVIDER_CODE
                    and integration.sudo()[name]
                    and integration.sudo()[name] != vals[name]
                    for integration in self
                ):
                    raise UserError(
                        self.env._(
                            "The Connect SA passwords of a configured integration are changed "
                            "only with the Change password button, which tests the new ones "
                            "before saving them."
                        )
                    )
        return super().write(vals)

    # ------------------------------------------------------------------ actions
    def action_connect_sa_change_password(self):
        """Open "Alterar senha": replace the stored passwords after a test call."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change password"),
            "res_model": "connect.sa.password.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_integration_id": self.id},
        }

    # ------------------------------------------------------------------ the contract
    def _bureau_get_features(self):
        features = super()._bureau_get_features()
        if self.provider == const.PROVIDER_CODE:
            features.update(
                consultation=True,
                negativation=True,
                balance=False,
                status_list=False,
                co_obligor=False,
                report_format="html",
                costs_money_always=False,
                homologation_notice=self.env._(
                    "Homologation: Connect SA answers with its canned consultation "
                    "(estatica=S), free of charge. No cost is recorded."
                ),
            )
        return features

    def _bureau_sensitive_keys(self):
        keys = super()._bureau_sensitive_keys()
        if self.provider == const.PROVIDER_CODE:
            keys = set(keys) | const.SENSITIVE_KEYS
        return keys

    def _bureau_secret_values(self):
        values = super()._bureau_secret_values()
        if self.provider == const.PROVIDER_CODE:
            values = [
                *values,
                *(v for v in (self.connect_sa_password, self.connect_sa_pefin_password) if v),
            ]
        return values

    @api.model
    def _bureau_demo_values(self, provider_code):
        if provider_code != const.PROVIDER_CODE:
            return super()._bureau_demo_values(provider_code)
        return {
            "name": "Connect SA (simulador)",
            "provider": const.PROVIDER_CODE,
            "environment": "homologacao",
            "api_base_url": const.DEMO_URL,
            "connect_sa_login": const.DEMO_LOGIN,
            "connect_sa_password": const.DEMO_PASSWORD,
            "connect_sa_pefin_password": const.DEMO_PEFIN_PASSWORD,
        }

    def _bureau_test_connection(self):
        if self.provider != const.PROVIDER_CODE:
            return super()._bureau_test_connection()
        self._connect_sa_check_credentials(("consulta", "pefin"))
        return self.env._("Connect SA: the consultation and PEFIN credentials are working.")

    def _bureau_fetch_catalog(self):
        if self.provider != const.PROVIDER_CODE:
            return super()._bureau_fetch_catalog()
        answer = self._connect_sa_pefin(const.ACTION_PRODUCTS)
        products = []
        for item in answer.get(const.ANSWER_PRODUCTS) or []:
            code = str(item.get(const.PRODUCT_CODE) or "").strip()
            if not code:
                continue
            products.append(
                {
                    "code": code,
                    "name": item.get(const.PRODUCT_NAME) or code,
                    "kind": self._connect_sa_product_kind(item),
                    "price": parse_brl(item.get(const.PRODUCT_PRICE)) or 0.0,
                    "audience": audience_from_text(
                        f"{code} {item.get(const.PRODUCT_NAME) or ''}",
                        const.PERSON_PRODUCT_WORDS,
                        const.COMPANY_PRODUCT_WORDS,
                    ),
                }
            )
        return {
            "products": products,
            "restriction_codes": self._connect_sa_codes(const.ACTION_RESTRICTION_CODES),
            "removal_codes": self._connect_sa_codes(const.ACTION_REMOVAL_CODES),
        }

    def _bureau_consult(self, document, product_code):
        if self.provider != const.PROVIDER_CODE:
            return super()._bureau_consult(document, product_code)
        product_code = product_code or self.default_product_id.code
        if not product_code:
            raise CreditBureauError(
                self.env._(
                    "Choose the consultation product (plan) of %(integration)s: synchronise "
                    "its products first.",
                    integration=self.name,
                )
            )
        canned = self.environment != "producao"
        answer = self._connect_sa_consult(document, product_code, canned=canned)
        result = self._connect_sa_normalise(answer)
        if canned:
            result["cost"] = 0.0  # the canned answer is free
        return result

    def _bureau_field_limits(self):
        if self.provider != const.PROVIDER_CODE:
            return super()._bureau_field_limits()
        return dict(const.FIELD_LIMITS)

    def _bureau_include(self, debt):
        if self.provider != const.PROVIDER_CODE:
            return super()._bureau_include(debt)
        answer = self._connect_sa_pefin(const.ACTION_INCLUDE, self._connect_sa_inclusion(debt))
        return self._connect_sa_record(answer)

    def _bureau_find_inclusion(self, debt):
        """Ask for the latest record of the document + contract. A removed (BAIXADA) record
        is an earlier negativation of that contract, not the one whose answer was lost."""
        if self.provider != const.PROVIDER_CODE:
            return super()._bureau_find_inclusion(debt)
        answer = self._connect_sa_pefin(
            const.ACTION_LOOKUP,
            {
                const.FIELD_DOCUMENT_TYPE: const.DOCUMENT_TYPES.get(debt.get("kind"), ""),
                const.FIELD_DOCUMENT: debt["document"],
                const.FIELD_CONTRACT: debt["contract"],
            },
            accept=(const.CODE_NOT_FOUND,),
        )
        if self._connect_sa_code(answer) == const.CODE_NOT_FOUND:
            return None
        record = self._connect_sa_record(answer)
        return None if record["state"] == "removed" else record

    def _bureau_remove(self, reference, removal_code, removal_date):
        if self.provider != const.PROVIDER_CODE:
            return super()._bureau_remove(reference, removal_code, removal_date)
        answer = self._connect_sa_pefin(
            const.ACTION_REMOVE,
            {
                const.FIELD_REFERENCE: reference,
                const.FIELD_REMOVAL_CODE: removal_code or self.default_removal_code_id.code or "",
                const.FIELD_REMOVAL_DATE: format_date(removal_date or date.today()),
            },
            accept=(const.CODE_STATE,),
        )
        already_removed = False
        if self._connect_sa_code(answer) == const.CODE_STATE:
            situation = str(answer.get(const.ANSWER_STATE) or "").strip().upper()
            if const.STATE_MAPPING.get(situation) != "removed":
                # e.g. a record in error: there is nothing to remove at the platform.
                self._connect_sa_refused(answer, self._connect_sa_operation(const.ACTION_REMOVE))
            # Already removed (a second request, an earlier answer lost): a removal too.
            already_removed = True
        record = self._connect_sa_record(answer)
        return {
            "state": record["state"],
            "message": record["message"],
            "already_removed": already_removed,
        }

    def _bureau_fetch_status(self, references):
        """The PEFIN API answers one record per call [assumed]: one `consultar` each."""
        if self.provider != const.PROVIDER_CODE:
            return super()._bureau_fetch_status(references)
        statuses = {}
        for reference in references:
            try:
                answer = self._connect_sa_pefin(
                    const.ACTION_LOOKUP,
                    {const.FIELD_REFERENCE: reference},
                    accept=(const.CODE_NOT_FOUND,),
                )
            except CreditBureauError as error:
                if not statuses:
                    raise
                # Keep the answers already received; the others are asked next time.
                _logger.warning(
                    "Connect SA status query stopped at %s after %s answers: %s",
                    reference,
                    len(statuses),
                    error.detail,
                )
                break
            if self._connect_sa_code(answer) == const.CODE_NOT_FOUND:
                statuses[reference] = {
                    "state": "error",
                    "message": self._connect_sa_message(answer),
                }
            else:
                record = self._connect_sa_record(answer)
                statuses[reference] = {"state": record["state"], "message": record["message"]}
        return statuses

    # ------------------------------------------------------------------ credentials
    def _connect_sa_credentials(self, api):
        """The pair of ``api`` ('consulta' or 'pefin') as form fields. The PEFIN login
        follows the consultation login when empty."""
        self.ensure_one()
        integration = self.sudo()
        if api == "pefin":
            login = integration.connect_sa_pefin_login or integration.connect_sa_login
            password = integration.connect_sa_pefin_password
        else:
            login, password = integration.connect_sa_login, integration.connect_sa_password
        return {const.FIELD_LOGIN: login or "", const.FIELD_PASSWORD: password or ""}

    def _connect_sa_check_credentials(self, apis):
        """A cheap call with each pair: a canned (free) consultation, the product list."""
        self.ensure_one()
        if "consulta" in apis:
            self._connect_sa_consult(
                const.TEST_DOCUMENT,
                self.default_product_id.code or const.TEST_PRODUCT,
                canned=True,
                document_type=const.TEST_DOCUMENT_TYPE,
                operation=self.env._("connection test (consultation)"),
            )
        if "pefin" in apis:
            self._connect_sa_pefin(
                const.ACTION_PRODUCTS, operation=self.env._("connection test (PEFIN)")
            )

    # ------------------------------------------------------------------ requests
    def _connect_sa_post(self, api, form, operation):
        """POST a form to one of the two APIs with its pair; return the decoded answer (the
        caller checks the vendor's status)."""
        self.ensure_one()
        url = self._bureau_base_url(const.URL) + const.PATHS[api]
        data = {
            **self._connect_sa_credentials(api),
            **form,
            const.FIELD_RESPONSE_TYPE: const.RESPONSE_TYPE_JSON,
        }
        response = self._bureau_send_request(
            "POST", url, operation=operation, data=data, timeout=const.REQUEST_TIMEOUT
        )
        if response.status_code != 200:
            raise CreditBureauError(
                self.env._(
                    "Connect SA answered with an error (HTTP %(status)s, %(operation)s). Check "
                    "the address of the integration or try again later.",
                    status=response.status_code,
                    operation=operation,
                ),
                detail=to_log_text(self._bureau_mask(response.text), limit=500),
                retryable=True,
                code=str(response.status_code),
            )
        answer = self._bureau_json(response, operation)
        if not isinstance(answer, dict) or not isinstance(answer.get(const.STATUS), dict):
            raise CreditBureauError(
                self.env._(
                    "Connect SA sent an answer without status (%(operation)s). Try again later.",
                    operation=operation,
                ),
                detail=to_log_text(self._bureau_mask(response.text), limit=500),
                retryable=True,
            )
        return answer

    def _connect_sa_consult(self, document, product_code, canned, document_type=None, **kw):
        operation = kw.get("operation") or self.env._("consultation")
        form = {
            const.FIELD_PRODUCT: product_code,
            const.FIELD_DOCUMENT_TYPE: document_type
            or const.DOCUMENT_TYPES["cpf" if len(document) == 11 else "cnpj"],
            const.FIELD_DOCUMENT: document,
            const.FIELD_CANNED: const.CANNED_YES if canned else const.CANNED_NO,
        }
        answer = self._connect_sa_post("consulta", form, operation)
        if self._connect_sa_message(answer) != const.STATUS_SUCCESS:
            self._connect_sa_refused(answer, operation, api="consulta")
        return answer

    def _connect_sa_pefin(self, action, form=None, accept=(), operation=None):
        """Call the PEFIN API; a status code other than success (or one of ``accept``)
        raises a CreditBureauError."""
        operation = operation or self._connect_sa_operation(action)
        if (
            action in const.PEFIN_REAL_ONLY_ACTIONS
            and not const.PEFIN_HAS_TEST_MODE
            and self.environment != "producao"
            and not self.sudo().api_base_url
        ):
            raise CreditBureauError(
                self.env._(
                    "Connect SA has no test environment for PEFIN: in homologation, the "
                    "%(operation)s is not sent to Connect SA, where it would be real. Switch "
                    "the integration to production to negativate for real, or point its Base "
                    "URL at a test server (e.g. the simulator).",
                    operation=operation,
                )
            )
        answer = self._connect_sa_post(
            "pefin", dict(form or {}, **{const.FIELD_ACTION: action}), operation
        )
        code = self._connect_sa_code(answer)
        success = (
            code == const.CODE_SUCCESS
            if code
            else self._connect_sa_message(answer) == const.STATUS_SUCCESS
        )
        if not success and code not in accept:
            self._connect_sa_refused(answer, operation, api="pefin")
        return answer

    def _connect_sa_operation(self, action):
        labels = {
            const.ACTION_INCLUDE: self.env._("PEFIN inclusion"),
            const.ACTION_REMOVE: self.env._("PEFIN removal"),
            const.ACTION_LOOKUP: self.env._("PEFIN status"),
            const.ACTION_PRODUCTS: self.env._("product list"),
            const.ACTION_RESTRICTION_CODES: self.env._("restriction codes"),
            const.ACTION_REMOVAL_CODES: self.env._("removal codes"),
        }
        return labels.get(action, action)

    @staticmethod
    def _connect_sa_code(answer):
        return str(answer[const.STATUS].get(const.STATUS_CODE) or "").strip()

    def _connect_sa_message(self, answer):
        return str(answer[const.STATUS].get(const.STATUS_MESSAGE) or "").strip()

    def _connect_sa_refused(self, answer, operation, api="pefin"):
        """Raise the vendor's refusal as a clear CreditBureauError."""
        message = self._bureau_mask(self._connect_sa_message(answer)) or "-"
        code = self._connect_sa_code(answer)
        detail = to_log_text(self._bureau_mask(answer), limit=500)
        if code == const.CODE_CREDENTIALS or (
            api == "consulta"
            and any(word in message.lower() for word in const.CREDENTIAL_ERROR_WORDS)
        ):
            if api == "consulta":
                text = self.env._(
                    "Connect SA refused the login or password of the consultation API "
                    "(%(operation)s): %(message)s Check the credentials of the integration "
                    "(Change password).",
                    operation=operation,
                    message=message,
                )
            else:
                text = self.env._(
                    "Connect SA refused the PEFIN login or password (%(operation)s): "
                    "%(message)s Check the credentials of the integration (Change password).",
                    operation=operation,
                    message=message,
                )
            raise CreditBureauError(text, detail=detail, code="credentials", needs_admin=True)
        if code == const.CODE_DUPLICATE:
            # [assumed] the refusal names the record the platform already holds.
            raise CreditBureauError(
                self.env._(
                    "Connect SA refused a duplicate inclusion: %(message)s",
                    message=message,
                ),
                detail=detail,
                code="duplicate",
                duplicate=True,
                reference=str(answer[const.STATUS].get(const.STATUS_PROTOCOL) or ""),
            )
        raise CreditBureauError(
            self.env._(
                "Connect SA refused the request (%(operation)s): %(message)s",
                operation=operation,
                message=message,
            ),
            detail=detail,
            code=code or None,
        )

    # ------------------------------------------------------------------ mapping
    @staticmethod
    def _connect_sa_product_kind(item):
        if str(item.get(const.PRODUCT_TYPE) or "").upper() == const.PRODUCT_TYPE_CONSULTATION:
            return "consulta"
        text = f"{item.get(const.PRODUCT_CODE) or ''} {item.get(const.PRODUCT_NAME) or ''}"
        text = text.upper().replace("Ã", "A")
        return "baixa" if any(w in text for w in const.REMOVAL_PRODUCT_WORDS) else "inclusao"

    def _connect_sa_codes(self, action):
        answer = self._connect_sa_pefin(action)
        return [
            {
                "code": str(item.get(const.PRODUCT_CODE)).strip(),
                "name": item.get(const.PRODUCT_NAME) or str(item.get(const.PRODUCT_CODE)),
            }
            for item in answer.get(const.ANSWER_CODES) or []
            if str(item.get(const.PRODUCT_CODE) or "").strip()
        ]

    def _connect_sa_record(self, answer):
        """The core's view of a PEFIN record answer: reference, state, message."""
        situation = str(answer.get(const.ANSWER_STATE) or "").strip().upper()
        state = const.STATE_MAPPING.get(situation)
        if state is None:
            raise CreditBureauError(
                self.env._(
                    "Connect SA answered an unknown state of the negativation: %(state)s.",
                    state=situation or "-",
                ),
                detail=to_log_text(self._bureau_mask(answer), limit=500),
                retryable=True,
            )
        return {
            "reference": str(answer[const.STATUS].get(const.STATUS_PROTOCOL) or ""),
            "state": state,
            "message": answer.get(const.ANSWER_MESSAGE) or self._connect_sa_message(answer),
        }

    def _connect_sa_inclusion(self, debt):
        """The ``incluir`` form of the core's debt dict (see ``_bureau_include``)."""
        address = debt.get("address") or {}
        state = address.get("state") or ""
        state = getattr(state, "code", state) or ""
        send_sms = debt["send_sms"] if "send_sms" in debt else self.send_sms
        phone = national_phone(debt.get("phone"))
        if send_sms and not phone:
            # The SMS is an extra to the postal notice: without a phone, none is asked.
            _logger.info("Connect SA inclusion of contract %s: no phone, no SMS", debt["contract"])
            send_sms = False
        form = {
            "tipodocumento": const.DOCUMENT_TYPES[debt["kind"]],
            "documento": debt["document"],
            "nome": debt.get("name") or "",
            "cep": digits(address.get("zip")),
            "logradouro": address.get("street") or "",
            "numero": address.get("number") or "",
            "complemento": address.get("complement") or "",
            "bairro": address.get("district") or "",
            "cidade": address.get("city") or "",
            "uf": state,
            "telefone": phone,
            "email": debt.get("email") or "",
            "valor": format_amount(debt["amount"]),
            "data_vencimento": format_date(debt["due_date"]),
            "contrato": debt["contract"],
            "nosso_numero": debt.get("our_number") or "",
            "codigo_restricao": debt.get("restriction_code")
            or self.default_restriction_code_id.code
            or "",
            "envia_sms": const.YES if send_sms else const.NO,
            "cpf_responsavel": digits(debt.get("responsible_cpf") or self.responsible_cpf),
        }
        return {name: form[name] for name in const.INCLUDE_FIELDS}

    def _connect_sa_normalise(self, answer):
        """The consultation answer as the core's normalised result."""
        status = answer[const.STATUS]
        entrada = answer.get(const.INPUT) or {}
        resultado = answer.get(const.RESULT) or {}
        summary = resultado.get(const.SUMMARY) or {}
        lines, totals = [], {}
        for key, block in (summary.get(const.SUMMARY_BLOCKS) or {}).items():
            if not isinstance(block, dict):
                continue
            kind = const.BLOCK_KINDS.get(key, "other")
            count = int(block.get(const.BLOCK_COUNT) or 0)
            amount = parse_brl(block.get(const.BLOCK_TOTAL)) or 0.0
            previous = totals.get(kind, (0, 0.0))
            totals[kind] = (previous[0] + count, previous[1] + amount)
            details = resultado.get(key)
            if isinstance(details, list) and details:
                lines += [self._connect_sa_line(kind, item) for item in details]
            elif count:
                lines.append(self._connect_sa_summary_line(kind, block, count, amount))
        score = resultado.get(const.SCORE) or {}
        points = score.get(const.SCORE_POINTS)
        try:
            points = int(points) if points not in (None, "") else None
        except (TypeError, ValueError):
            points = None
        html = resultado.get(const.REPORT_HTML)
        return {
            "name": entrada.get(const.INPUT_NAME),
            "protocol": status.get(const.STATUS_PROTOCOL),
            "score": points,
            "risk_class": score.get(const.SCORE_CLASS) or False,
            "default_probability": parse_percent(score.get(const.SCORE_PROBABILITY)),
            "message": status.get(const.STATUS_ANSWER) or status.get(const.STATUS_MESSAGE),
            "cost": None,
            "lines": lines,
            "totals": totals,
            "report_html": html if isinstance(html, str) and html.strip() else None,
            "report_pdf": None,
        }

    @staticmethod
    def _connect_sa_line(kind, item):
        creditor = next((item[k] for k in const.DETAIL_CREDITOR if item.get(k)), False)
        office = next((item[k] for k in const.DETAIL_OFFICE if item.get(k)), False)
        place = " - ".join(
            str(item[key])
            for key in (const.DETAIL_CITY, const.DETAIL_STATE)
            if item.get(key) not in (None, "")
        )
        description = ", ".join(
            f"{label} {item[key]}"
            for key, label in const.DETAIL_DESCRIPTION.items()
            if item.get(key) not in (None, "")
        )
        return {
            "kind": kind,
            "date": parse_date(item.get(const.DETAIL_DATE)),
            "amount": parse_brl(item.get(const.DETAIL_AMOUNT)) or 0.0,
            "creditor": creditor,
            "office": office,
            "city": place or False,
            "description": description or False,
        }

    def _connect_sa_summary_line(self, kind, block, count, amount):
        """Only the summary came: one line with the most recent occurrence's date/name."""
        oldest, newest = block.get(const.BLOCK_OLDEST), block.get(const.BLOCK_NEWEST)
        name = block.get(const.BLOCK_NEWEST_NAME) or False
        office = kind in const.OFFICE_KINDS
        return {
            "kind": kind,
            "date": parse_date(newest),
            "amount": amount,
            "creditor": False if office else name,
            "office": name if office else False,
            "description": self.env._(
                "%(occurrences)s, from %(oldest)s to %(newest)s",
                occurrences=occurrences_text(self.env, count),
                oldest=oldest or "?",
                newest=newest or "?",
            ),
        }
