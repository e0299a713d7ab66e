import logging
from contextlib import contextmanager
from datetime import date, timedelta
from unittest.mock import patch

from odoo.tests import TransactionCase, new_test_user

from odoo.addons.l10n_br_credit_bureau.tests.common import LoopbackRequestsMixin, capture_logs

from .. import const
from ..simulator.app import EXAMPLE_DOCUMENTS, ConnectSASimulator

LOGIN = "veloz.fibra"
PEFIN_LOGIN = "veloz.cobranca"
PASSWORD = "S3nha-Consulta-7781"
PEFIN_PASSWORD = "S3nha-Pefin-9902"
CLEAN_CPF = EXAMPLE_DOCUMENTS["nada_consta"]["F"]


class ConnectSACommon(LoopbackRequestsMixin, TransactionCase):
    """A company with a Connect SA integration in homologação pointing at the simulator,
    which runs on a free loopback port; a consultation user and a plain administrator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = ConnectSASimulator(
            login=LOGIN,
            senha_consulta=PASSWORD,
            login_pefin=PEFIN_LOGIN,
            senha_pefin=PEFIN_PASSWORD,
        ).start()
        cls.addClassCleanup(cls.sim.stop)
        cls.company = cls.env["res.company"].create(
            {"name": "Veloz Fibra Connect", "country_id": cls.env.ref("base.br").id}
        )
        cls.integration = cls.env["credit.bureau.integration"].create(
            {
                "name": "Connect SA Matriz",
                "provider": "connect_sa",
                "company_id": cls.company.id,
                "environment": "homologacao",
                "api_base_url": cls.sim.url,
                "connect_sa_login": LOGIN,
                "connect_sa_password": PASSWORD,
                "connect_sa_pefin_login": PEFIN_LOGIN,
                "connect_sa_pefin_password": PEFIN_PASSWORD,
            }
        )
        cls.integration.action_sync_products()
        cls.consult_user = new_test_user(
            cls.env,
            login="cs_consult",
            groups="base.group_user,l10n_br_credit_bureau.group_consult",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.credit_admin = new_test_user(
            cls.env,
            login="cs_credit_admin",
            groups="base.group_user,l10n_br_credit_bureau.group_admin",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    def setUp(self):
        super().setUp()
        self.sim.reset()

    # ------------------------------------------------------------------ helpers
    def consult(self, document, user=None, **values):
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_user(user or self.consult_user)
            .with_company(self.company)
            .create(dict({"document": document, "company_id": self.company.id}, **values))
        )
        action = wizard.action_consult()
        return self.env["credit.bureau.consultation"].browse(action["res_id"])

    def debt(self, **overrides):
        """The core's debt dict (see `_bureau_include`)."""
        values = {
            "document": CLEAN_CPF,
            "kind": "cpf",
            "name": "Fulano de Tal",
            "birth_date": False,
            "address": {
                "zip": "01310100",
                "street": "Avenida Paulista",
                "number": "1000",
                "complement": "Sala 1",
                "district": "Bela Vista",
                "city": "São Paulo",
                "state": "SP",
            },
            "phone": "5511999998888",
            "email": "fulano@example.com",
            "amount": 1234.5,
            "due_date": date.today() - timedelta(days=40),
            "contract": "FAT-0001",
            "our_number": "000123",
            "restriction_code": "TI",
            "send_sms": True,
            "responsible_cpf": "52998224725",
            "idempotency_key": "neg-1",
            "co_obligor": None,
        }
        values.update(overrides)
        return values

    def pefin_requests(self):
        return [r for r in self.sim.requests if r.endpoint == "ws_pefin"]

    @contextmanager
    def short_timeout(self, seconds=0.5):
        with patch.object(const, "REQUEST_TIMEOUT", seconds):
            yield

    @contextmanager
    def capture_logs(self):
        """Every record logged by the core (the request seam) and this addon."""
        with capture_logs("odoo.addons.l10n_br_credit_bureau", "odoo.addons.connect_sa") as capture:
            yield capture.records

    @staticmethod
    def log_text(records):
        lines = []
        for record in records:
            lines.append(record.getMessage())
            if record.exc_info:
                lines.append(logging.Formatter().formatException(record.exc_info))
        return "\n".join(lines)
