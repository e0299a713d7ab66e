import unicodedata

from odoo import api, fields, models

from ..tools import format_document

# Whom a consultation product serves: the kind of document (``validate_document``) it takes.
AUDIENCE_SELECTION = [
    ("both", "Persons and companies (CPF and CNPJ)"),
    ("cpf", "Persons only (CPF)"),
    ("cnpj", "Companies only (CNPJ)"),
]


def audience_from_text(text, person_words, company_words):
    """Whom a product serves, read from its code and name (``text``) when the provider does
    not say: ``cpf`` when one of ``person_words`` appears, ``cnpj`` for ``company_words``,
    else (neither or both) ``both``. The comparison ignores case and accents."""
    folded = _fold(text)
    person = any(_fold(word) in folded for word in person_words)
    company = any(_fold(word) in folded for word in company_words)
    if person != company:
        return "cpf" if person else "cnpj"
    return "both"


def _fold(text):
    """Upper case without accents, words separated by single spaces (``-``, ``_`` and ``.``
    are spaces), padded with a space on each side so that a word is found as ``" PF "``."""
    plain = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    for sign in "-_./()[]":
        plain = plain.replace(sign, " ")
    return f" {' '.join(plain.upper().split())} "


def sync_by_code(model, scope, rows):
    """Make the records of ``model`` within ``scope`` (field values) match ``rows`` (dicts
    with a ``code``): update those that exist, create the new, archive the rest."""
    domain = [(name, "=", value) for name, value in scope.items()]
    existing = {r.code: r for r in model.with_context(active_test=False).search(domain)}
    for row in rows:
        record = existing.pop(row["code"], None)
        if record:
            record.write(dict(row, active=True))
        else:
            model.create(dict(row, **scope))
    for record in existing.values():
        record.active = False


class CreditBureauProduct(models.Model):
    """A product of an integration (consultation plan, inclusion, removal), synchronised
    from the provider."""

    _name = "credit.bureau.product"
    _description = "Credit Bureau Product"
    _order = "integration_id, kind, name"
    _check_company_auto = True
    # Found by their code as users know them ("CONSULTA-PF") and by their name.
    _rec_names_search = ["code", "name"]

    integration_id = fields.Many2one(
        "credit.bureau.integration", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="integration_id.company_id", store=True)
    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=False)
    kind = fields.Selection(
        [("consulta", "Consultation"), ("inclusao", "Inclusion"), ("baixa", "Removal")],
        required=True,
        default="consulta",
    )
    audience = fields.Selection(
        AUDIENCE_SELECTION,
        string="Serves",
        required=True,
        default="both",
        help="Whom a consultation product serves: the consultation wizard proposes a suitable "
        "product for the document typed and refuses a product for persons with a CNPJ (and "
        "one for companies with a CPF). Set by the synchronisation from what the provider "
        "says or, where it does not say, from the product's code and name.",
    )
    price = fields.Monetary(
        help="The price of a consultation in production, as the provider publishes it or as "
        "typed here. It is the cost recorded on each consultation made in production (in a "
        "free homologation environment, nothing is recorded)."
    )
    price_known = fields.Boolean(
        string="Price known",
        help="The provider published the price, or an administrator typed it. A provider that "
        "publishes no prices leaves it unknown (R$ 0,00) until it is typed.",
    )
    currency_id = fields.Many2one(related="integration_id.currency_id")
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint(
        "UNIQUE (integration_id, code)", "A product code appears once per integration."
    )

    @api.depends("code", "name")
    def _compute_display_name(self):
        for product in self:
            product.display_name = (
                f"[{product.code}] {product.name}" if product.code else product.name
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "price" in vals and "price_known" not in vals:
                vals["price_known"] = True
        return super().create(vals_list)

    def write(self, vals):
        if "price" in vals and "price_known" not in vals:
            vals = dict(vals, price_known=True)  # typed by an administrator
        return super().write(vals)

    def _bureau_serves(self, document_kind):
        """Whether this product serves a document of ``document_kind`` (cpf/cnpj)."""
        self.ensure_one()
        return self.audience in ("both", document_kind)

    def _bureau_audience_error(self, document_kind, document):
        """The message refusing this product for a document of ``document_kind``."""
        self.ensure_one()
        if document_kind == "cnpj":
            return self.env._(
                "The product %(product)s consults persons (CPF) only: it cannot consult the "
                "CNPJ %(document)s. Choose a product for companies.",
                product=self.display_name,
                document=format_document(document),
            )
        return self.env._(
            "The product %(product)s consults companies (CNPJ) only: it cannot consult the "
            "CPF %(document)s. Choose a product for persons.",
            product=self.display_name,
            document=format_document(document),
        )

    def _bureau_cost(self, integration=None):
        """The cost recorded for one consultation of this product through ``integration``
        (default: the product's): its price where the environment is charged, nothing in a
        free homologation environment. The wizard shows it, the consultation records it."""
        self.ensure_one()
        integration = integration or self.integration_id
        return self.price if integration.is_paid_environment else 0.0

    @api.model
    def _bureau_sync(self, integration, items):
        """Create, update and archive products to match the provider's list. Each item may
        say whom the product serves (``audience``: cpf, cnpj, both): a product the provider
        says nothing about keeps what it had (``both`` when new)."""
        rows = []
        for item in items:
            row = {"code": item["code"], "name": item["name"], "kind": item.get("kind", "consulta")}
            if item.get("price") is not None:
                # A provider that publishes no price keeps the one the user typed.
                row.update(price=item["price"], price_known=True)
            if item.get("audience"):
                row["audience"] = item["audience"]
            rows.append(row)
        sync_by_code(self, {"integration_id": integration.id}, rows)


class CreditBureauCode(models.Model):
    """A restriction (natureza) or removal (baixa) code of an integration."""

    _name = "credit.bureau.code"
    _description = "Credit Bureau Code"
    _order = "integration_id, kind, code"
    # Found by their code as users type them ("TI", "01") and by their name.
    _rec_names_search = ["code", "name"]

    integration_id = fields.Many2one(
        "credit.bureau.integration", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="integration_id.company_id", store=True)
    kind = fields.Selection(
        [("restriction", "Restriction (natureza)"), ("removal", "Removal (baixa)")],
        required=True,
    )
    code = fields.Char(required=True)
    name = fields.Char(required=True)
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint(
        "UNIQUE (integration_id, kind, code)", "A code appears once per integration and kind."
    )

    @api.depends("code", "name")
    def _compute_display_name(self):
        for code in self:
            code.display_name = f"{code.code} - {code.name}"

    @api.model
    def _bureau_sync(self, integration, kind, items):
        rows = [{"code": item["code"], "name": item["name"]} for item in items]
        sync_by_code(self, {"integration_id": integration.id, "kind": kind}, rows)
