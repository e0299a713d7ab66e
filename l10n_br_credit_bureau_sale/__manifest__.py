{
    "name": "Brazil - Credit Bureau: credit decision on sale orders",
    "summary": "A sale order is confirmed only for a customer whose credit decision approves it",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "license": "AGPL-3",
    "author": "Odoo Community Association (OCA), l10n-br-credit-bureau contributors",
    "website": "https://github.com/OCA/l10n-brazil",
    "maintainers": ["l10n-br-credit-bureau"],
    "development_status": "Alpha",
    "depends": ["l10n_br_credit_bureau", "sale"],
    "data": [
        "security/ir.model.access.csv",
        "security/sale_security.xml",
        "views/sale_order_views.xml",
    ],
    "auto_install": True,
}
