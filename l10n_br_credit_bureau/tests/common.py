import logging
from contextlib import contextmanager
from urllib.parse import urlsplit

from odoo.tests import TransactionCase, new_test_user
from odoo.tests.common import _super_send

# OCA's l10n_br_base refuses, when a partner is written, a CPF/CNPJ that is invalid or is
# already another partner's; its own switches turn that off (the setting behind the context
# key disable_cpf_cnpj_validation, and allow_vat_duplicate). Test debtors that carry such a
# document on purpose (to check the addon's own blockers, or several debtors sharing one)
# are written with them, as such data reaches a database with the check off; without OCA
# the keys mean nothing. test_localization.py writes its partners without them.
DOCUMENTS_AS_IS = {"disable_cpf_cnpj_validation": True, "allow_vat_duplicate": True}


class LogCapture(logging.Handler):
    """The records logged while capturing; ``text`` is their messages, one per line."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    @property
    def text(self):
        return "\n".join(record.getMessage() for record in self.records)


@contextmanager
def capture_logs(*names):
    """Capture what the named loggers log, at every level (unittest's assertLogs does not
    see them under Odoo's test runner here). Yields a ``LogCapture``."""
    capture = LogCapture()
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(capture)
            logger.setLevel(level)


class LoopbackRequestsMixin:
    """Odoo's test case raises every request timeout under 10 s to 10 s; the simulators run
    on loopback and the tests need short timeouts. Non-loopback stays blocked."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        if urlsplit(r.url).hostname in ("127.0.0.1", "localhost"):
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)


class CreditBureauCommon(LoopbackRequestsMixin, TransactionCase):
    """A head office with a branch, a simulated-provider integration on the head office,
    and users of each group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.head_office = cls.env["res.company"].create(
            {"name": "Veloz Fibra Matriz", "country_id": cls.env.ref("base.br").id}
        )
        cls.branch = cls.env["res.company"].create(
            {"name": "Veloz Fibra Filial", "parent_id": cls.head_office.id}
        )
        cls.other_company = cls.env["res.company"].create(
            {"name": "Outra Empresa", "country_id": cls.env.ref("base.br").id}
        )
        cls.integration = cls.env["credit.bureau.integration"].create(
            {
                "name": "Simulado Matriz",
                "provider": "dummy",
                "company_id": cls.head_office.id,
            }
        )
        cls.integration.action_sync_products()
        companies = cls.head_office | cls.branch
        cls.consult_user = new_test_user(
            cls.env,
            login="cb_consult",
            groups="base.group_user,l10n_br_credit_bureau.group_consult,"
            "sales_team.group_sale_salesman",
            company_id=cls.branch.id,
            company_ids=[(6, 0, companies.ids)],
        )
        cls.plain_user = new_test_user(
            cls.env,
            login="cb_plain",
            groups="base.group_user,sales_team.group_sale_salesman",
            company_id=cls.head_office.id,
            company_ids=[(6, 0, companies.ids)],
        )
        cls.other_user = new_test_user(
            cls.env,
            login="cb_other",
            groups="base.group_user,l10n_br_credit_bureau.group_consult",
            company_id=cls.other_company.id,
            company_ids=[(6, 0, cls.other_company.ids)],
        )
        cls.admin_user = new_test_user(
            cls.env,
            login="cb_admin",
            groups="base.group_user,l10n_br_credit_bureau.group_admin",
            company_id=cls.head_office.id,
            company_ids=[(6, 0, companies.ids)],
        )
        # Profiles of the simulated provider (last character): "0" -> clean,
        # "1" -> financial pendencies, "2" -> protest, "3" -> bounced check.
        cls.cpf_clean = "52998224725"  # ord("5") % 4 == 1 -> financial
        cls.partner = cls.env["res.partner"].create(
            {"name": "Maria da Silva", "vat": "529.982.247-25", "company_id": cls.branch.id}
        )

    def _consult(self, document, user=None, company=None, **values):
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_user(user or self.consult_user)
            .with_company(company or self.branch)
            .create(
                dict({"document": document, "company_id": (company or self.branch).id}, **values)
            )
        )
        action = wizard.action_consult()
        return self.env["credit.bureau.consultation"].browse(action["res_id"])
