{
    "name": "Brazil - Credit Bureau (Serasa/SPC) Integration",
    "summary": "Credit consultations and negativation (PEFIN) with the Brazilian credit bureaus",
    "version": "19.0.1.0.0",
    "category": "Accounting/Localizations",
    "license": "AGPL-3",
    "author": "Odoo Community Association (OCA), l10n-br-credit-bureau contributors",
    "website": "https://github.com/OCA/l10n-brazil",
    "maintainers": ["l10n-br-credit-bureau"],
    "development_status": "Alpha",
    "depends": ["contacts", "crm", "account", "l10n_br"],
    "external_dependencies": {"python": ["requests", "python-stdnum"]},
}
