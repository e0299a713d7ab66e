from odoo import api, fields, models


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
    price = fields.Monetary()
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

    @api.model
    def _bureau_sync(self, integration, items):
        """Create, update and archive products to match the provider's list."""
        rows = []
        for item in items:
            row = {"code": item["code"], "name": item["name"], "kind": item.get("kind", "consulta")}
            if item.get("price") is not None:
                # A provider that publishes no price keeps the one the user typed.
                row["price"] = item["price"]
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
