{
    "name": "Brazil - Credit Bureau negativation from OCA Credit Control",
    "summary": "A credit-control policy level that negativates the overdue invoices "
    "(channel Negativate) through the credit bureau integration",
    "version": "19.0.1.0.0",
    "category": "Accounting/Localizations",
    "license": "AGPL-3",
    "author": "Odoo Community Association (OCA), l10n-br-credit-bureau contributors",
    "website": "https://github.com/OCA/l10n-brazil",
    "maintainers": ["l10n-br-credit-bureau"],
    "development_status": "Alpha",
    "depends": ["l10n_br_credit_bureau", "account_credit_control"],
    "data": [
        "security/ir.model.access.csv",
        "views/credit_control_policy_views.xml",
        "views/credit_control_line_views.xml",
        "views/credit_bureau_negativation_views.xml",
        "wizards/credit_control_negativator_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "l10n_br_credit_bureau_account_credit_control/static/tests/tours/**/*",
        ],
    },
    "auto_install": True,
}
