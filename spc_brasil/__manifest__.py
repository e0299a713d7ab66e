{
    "name": "Credit Bureau - SPC Brasil",
    "summary": "SPC Brasil (CNDL) web services (SOAP): consultations and negativation",
    "version": "19.0.1.0.0",
    "category": "Accounting/Localizations",
    "license": "AGPL-3",
    "author": "Odoo Community Association (OCA), l10n-br-credit-bureau contributors",
    "website": "https://github.com/OCA/l10n-brazil",
    "maintainers": ["l10n-br-credit-bureau"],
    "development_status": "Alpha",
    "depends": ["l10n_br_credit_bureau"],
    "data": [
        "views/credit_bureau_integration_views.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "external_dependencies": {"python": ["requests", "zeep"]},
}
