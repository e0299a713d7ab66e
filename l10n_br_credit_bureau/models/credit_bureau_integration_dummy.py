"""The simulated provider: lets the core's flows, tests, demo and benchmarks run without a
distributor, like the payment module's demo provider. No network: answers are computed
from the document, with an optional latency."""

import hashlib
import time

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.modules import module as odoo_module
from odoo.tools import config

from ..tools import CreditBureauError, format_document

DUMMY_PROFILES = ("clean", "financial", "protest", "check")


def dummy_profile(document):
    """The deterministic profile of a document: its last character picks it."""
    return DUMMY_PROFILES[ord(document[-1]) % len(DUMMY_PROFILES)]


def _testing():
    """Running Odoo's tests (the simulated provider is theirs)."""
    return bool(odoo_module.current_test or config["test_enable"])


class CreditBureauIntegration(models.Model):
    _inherit = "credit.bureau.integration"

    dummy_latency_ms = fields.Integer(
        string="Simulated latency (ms)",
        help="Simulated provider: milliseconds each call waits (benchmarks).",
    )
    dummy_fail = fields.Selection(
        [
            ("timeout", "Timeout"),
            ("error", "Error"),
            ("timeout_after_commit", "Timeout after commit"),
            ("auth", "Credentials refused"),
        ],
        string="Simulated failure",
        help="Simulated provider: every call fails this way (tests).",
    )

    @api.model
    def _dummy_allowed(self):
        """The simulated provider is offered to tests, developer mode and the system's own
        code (benchmarks, demo scripts), never to users choosing a distributor."""
        debug = bool(request and getattr(request, "session", None) and request.session.debug)
        return bool(self.env.su or debug or _testing())

    # Checked at create/write, not in an ``api.constrains`` (which Odoo runs as superuser).
    def _check_dummy_provider(self, vals_list):
        if any(vals.get("provider") == "dummy" for vals in vals_list) and (
            not self._dummy_allowed()
        ):
            raise ValidationError(
                self.env._(
                    'The simulated provider ("Simulated (tests)") is for tests and developer '
                    "mode only: choose the integration's distributor."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_dummy_provider(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_dummy_provider([vals])
        return super().write(vals)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        result = super().fields_get(allfields, attributes)
        selection = result.get("provider", {}).get("selection")
        if selection and not self._dummy_allowed():
            result["provider"]["selection"] = [item for item in selection if item[0] != "dummy"]
        return result

    def _dummy_call(self, operation):
        self.ensure_one()
        if self.dummy_latency_ms:
            time.sleep(self.dummy_latency_ms / 1000.0)
        if self.dummy_fail in ("timeout", "timeout_after_commit"):
            raise CreditBureauError(
                self.env._("The simulated provider did not answer in time (%s).", operation),
                detail="simulated timeout",
                timeout=True,
            )
        if self.dummy_fail == "auth":
            raise CreditBureauError(
                self.env._("The simulated provider refused the credentials (%s).", operation),
                detail="simulated credentials refused",
                needs_admin=True,
            )
        if self.dummy_fail == "error":
            raise CreditBureauError(
                self.env._("The simulated provider refused the request (%s).", operation),
                detail="simulated error",
                retryable=True,
            )

    def _bureau_get_features(self):
        features = super()._bureau_get_features()
        if self.provider == "dummy":
            features.update(
                consultation=True,
                negativation=True,
                balance=True,
                status_list=True,
                address_update=True,
                report_format="html",
            )
        return features

    def _bureau_test_connection(self):
        if self.provider != "dummy":
            return super()._bureau_test_connection()
        self._dummy_call("test")
        return self.env._("Simulated provider: connection working.")

    def _bureau_fetch_catalog(self):
        if self.provider != "dummy":
            return super()._bureau_fetch_catalog()
        self._dummy_call("catalog")
        return {
            "products": [
                {"code": "BASICO", "name": "Consulta básica", "kind": "consulta", "price": 4.5},
                {
                    "code": "COMPLETO",
                    "name": "Consulta completa com score",
                    "kind": "consulta",
                    "price": 12.9,
                },
                {"code": "INCLUSAO", "name": "Inclusão PEFIN", "kind": "inclusao", "price": 6.0},
                {"code": "EXCLUSAO", "name": "Exclusão PEFIN", "kind": "baixa", "price": 0.0},
            ],
            "restriction_codes": [
                {"code": "TI", "name": "Serviços de dados/internet"},
                {"code": "TP", "name": "Serviços de telefonia"},
                {"code": "DP", "name": "Duplicata"},
                {"code": "OO", "name": "Outras operações"},
            ],
            "removal_codes": [
                {"code": "01", "name": "Pagamento da dívida"},
                {"code": "02", "name": "Renegociação da dívida"},
                {"code": "03", "name": "Por solicitação do cliente"},
                {"code": "19", "name": "Acordo"},
            ],
        }

    def _bureau_consult(self, document, product_code):
        if self.provider != "dummy":
            return super()._bureau_consult(document, product_code)
        self._dummy_call("consult")
        profile = dummy_profile(document)
        seed = int(hashlib.sha256(document.encode()).hexdigest()[:8], 16)
        lines = []
        if profile == "financial":
            lines = [
                {
                    "kind": "financial",
                    "date": fields.Date.to_date("2025-03-10"),
                    "amount": 350.0 + seed % 500,
                    "creditor": "Banco Exemplo S.A.",
                    "description": "PEFIN",
                },
                {
                    "kind": "financial",
                    "date": fields.Date.to_date("2025-08-02"),
                    "amount": 129.9,
                    "creditor": "Loja Exemplo Ltda",
                    "description": "REFIN",
                },
            ]
        elif profile == "protest":
            lines = [
                {
                    "kind": "protest",
                    "date": fields.Date.to_date("2024-11-20"),
                    "amount": 1200.0,
                    "creditor": "1º Tabelionato de Protestos",
                    "description": self.env._("Protest"),
                }
            ]
        elif profile == "check":
            lines = [
                {
                    "kind": "check",
                    "date": fields.Date.to_date("2025-01-15"),
                    "amount": 0.0,
                    "creditor": "Banco Exemplo S.A.",
                    "description": self.env._("Bounced check (alínea 12)"),
                }
            ]
        score = 850 - 250 * DUMMY_PROFILES.index(profile) + seed % 50
        # In the user's language, like the rest of the simulated answer; Markup escapes.
        html = Markup("<div class='dummy-report'><h3>%s</h3><p>%s</p><p>%s</p><p>%s</p></div>") % (
            self.env._("Simulated report"),
            self.env._("Document: %s", format_document(document)),
            self.env._("Score: %s", score),
            self.env._("Occurrences: %s", len(lines)),
        )
        return {
            "name": f"Consultado {document[-4:]}",
            "protocol": f"SIM-{seed:08X}",
            "score": score,
            "risk_class": "ABCD"[DUMMY_PROFILES.index(profile)],
            "default_probability": round(2.0 + 20 * DUMMY_PROFILES.index(profile), 1),
            "message": self.env._("Nothing recorded")
            if profile == "clean"
            else self.env._("Restrictions recorded"),
            "cost": None,
            "lines": lines,
            "report_html": str(html),
            "report_pdf": None,
        }

    def _dummy_reference(self, debt):
        key = f"{debt['document']}|{debt.get('contract') or ''}"
        return "SIM-" + hashlib.sha256(key.encode()).hexdigest()[:16].upper()

    def _bureau_include(self, debt):
        if self.provider != "dummy":
            return super()._bureau_include(debt)
        self._dummy_call("include")
        return {
            "reference": self._dummy_reference(debt),
            "state": "pending",
            "message": self.env._("Received."),
        }

    def _bureau_find_inclusion(self, debt):
        if self.provider != "dummy":
            return super()._bureau_find_inclusion(debt)
        if self.dummy_fail == "timeout_after_commit":
            # The inclusion that timed out was recorded by the provider.
            return {
                "reference": self._dummy_reference(debt),
                "state": "pending",
                "message": self.env._("Received."),
            }
        self._dummy_call("lookup")
        return None

    def _bureau_remove(self, reference, removal_code, removal_date):
        if self.provider != "dummy":
            return super()._bureau_remove(reference, removal_code, removal_date)
        self._dummy_call("remove")
        return {"state": "removed", "message": self.env._("Removed.")}

    def _bureau_fetch_status(self, references):
        if self.provider != "dummy":
            return super()._bureau_fetch_status(references)
        self._dummy_call("status")
        return {ref: {"state": "active", "message": self.env._("Active.")} for ref in references}

    def _bureau_update_address(self, debt):
        if self.provider != "dummy":
            return super()._bureau_update_address(debt)
        self._dummy_call("address")
        return self.env._("Address updated.")

    def _bureau_fetch_balance(self):
        if self.provider != "dummy":
            return super()._bureau_fetch_balance()
        self._dummy_call("balance")
        return 1000.0
