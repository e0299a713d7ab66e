{
    "name": "Credit Bureau - Job Queue (OCA queue_job)",
    "summary": "Inclusions, removals, status polls and re-sends as queue_job jobs over every "
    "Odoo process and machine",
    "version": "19.0.1.0.0",
    "category": "Accounting/Localizations",
    "license": "AGPL-3",
    "author": "Odoo Community Association (OCA), l10n-br-credit-bureau contributors",
    "website": "https://github.com/OCA/l10n-brazil",
    "maintainers": ["l10n-br-credit-bureau"],
    "development_status": "Alpha",
    "depends": ["l10n_br_credit_bureau", "queue_job"],
    "auto_install": True,
    "data": [
        "data/queue_job_data.xml",
        "views/credit_bureau_integration_views.xml",
    ],
    "uninstall_hook": "uninstall_hook",
}
