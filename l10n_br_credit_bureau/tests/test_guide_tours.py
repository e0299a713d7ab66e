"""The user guide's flows (docs/guia-do-usuario.md) as browser tours, in Portuguese at
1366×768, on demo-like data (setup/demo_data.py's company and customers). They run with the
other tests, so that a guide's step that no longer exists on screen fails here; with
UPDATE_SCREENSHOTS=1 (./setup/screenshots) each named step of the tours
(static/tests/tours/credit_bureau_guide_tour.js, ``screenshot(name, ...)``) is also saved as
docs/img/<name>.png, palette-optimised."""

import base64
import io
import json
import os
import re
from datetime import timedelta
from unittest.mock import patch

from PIL import Image

from odoo import fields
from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import ChromeBrowser

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

SIGNAL = "credit_bureau_screenshot:"
TOURS_FILE = "static/tests/tours/credit_bureau_guide_tour.js"
SCREENSHOT_STEP = re.compile(r"""screenshot\(\s*["']([a-z0-9-]+)["']""")
# The guide's images: in docs/img of the repository that holds the addon.
IMG_DIR = os.path.join(os.path.dirname(get_module_path("l10n_br_credit_bureau")), "docs", "img")


def screenshot_steps():
    """The names of the screenshot steps the guide's tours declare, in order."""
    path = os.path.join(get_module_path("l10n_br_credit_bureau"), TOURS_FILE)
    with open(path, encoding="utf-8") as tours:
        return SCREENSHOT_STEP.findall(tours.read())


def optimised_png(data):
    """A UI screenshot as a 256-colour palette PNG: a tenth of the size, same look."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


# (name, CPF/CNPJ, street, number, district, CEP, city, UF) of setup/demo_data.py's customers.
CUSTOMERS = [
    ("Ana Beatriz Souza", "503.817.264-44", "Rua Coronel Quirino", "1480", "Cambuí",
     "13025-002", "Campinas", "SP"),
    ("Carla Regina Ferreira", "390.533.447-05", "Rua Doutor Quirino", "925", "Centro",
     "13015-081", "Campinas", "SP"),
    ("Daniel Costa Ribeiro", "241.638.095-89", "Rua José Paulino", "1050", "Centro",
     "13013-001", "Campinas", "SP"),
    ("Eduarda Lima Martins", "862.147.350-07", "Avenida Norte-Sul", "300", "Jardim Chapadão",
     "13070-057", "Campinas", "SP"),
    ("João Pedro Barbosa", "315.792.864-37", "Rua Voluntários da Pátria", "190", "Botafogo",
     "22270-010", "Rio de Janeiro", "RJ"),
    ("Natália Freitas Oliveira", "762.439.185-64", "Rua das Palmeiras", "", "Vila Nova",
     "", "Campinas", "SP"),
    ("Padaria Pão Dourado Ltda", "19.374.628/0001-85", "Rua Conceição", "233", "Centro",
     "13010-050", "Campinas", "SP"),
    ("Construtora Horizonte Azul Ltda", "74.520.938/0001-79", "Avenida Rio Branco", "156",
     "Centro", "20040-901", "Rio de Janeiro", "RJ"),
]  # fmt: skip
# (customer, days since the due date, amount)
INVOICES = [
    ("Carla Regina Ferreira", 10, 99.90),
    ("Daniel Costa Ribeiro", 10, 149.90),
    ("Eduarda Lima Martins", 40, 129.90),
    ("João Pedro Barbosa", 400, 349.70),
    ("Natália Freitas Oliveira", 400, 239.80),
    ("Padaria Pão Dourado Ltda", 40, 1890.00),
    ("Construtora Horizonte Azul Ltda", 2000, 5400.00),
    ("Ana Beatriz Souza", -20, 119.90),
]


@tagged("post_install", "-at_install")
class TestGuideTours(AccountTestInvoicingCommon, HttpCase):
    @classmethod
    @AccountTestInvoicingCommon.setup_country("br")
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pt_BR")
        Partner = cls.env["res.partner"]
        cls.company = cls.env.company
        cls.company.write({"name": "Veloz Fibra Telecomunicações Ltda"})
        cls.company.partner_id.write(
            dict(
                Partner._bureau_address_values(
                    {
                        "street": "Rua Barão de Jaguara",
                        "number": "1200",
                        "district": "Centro",
                        "zip": "13015-002",
                        "city": "Campinas",
                        "state": "SP",
                    }
                ),
                vat="41.738.205/0001-56",
                is_company=True,
            )
        )
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.write(
            {
                "lang": "pt_BR",
                "tz": "America/Sao_Paulo",
                "company_ids": [fields.Command.link(cls.company.id)],
                "company_id": cls.company.id,
                "group_ids": [
                    fields.Command.link(cls.env.ref("account.group_account_manager").id),
                    fields.Command.link(cls.env.ref("sales_team.group_sale_manager").id),
                ],
            }
        )
        cls.admin.partner_id.name = "Administrador"
        cls.seller = new_test_user(
            cls.env,
            login="vendedora@velozfibra.example.com",
            name="Juliana Prado",
            groups="base.group_user,sales_team.group_sale_salesman,"
            "l10n_br_credit_bureau.group_consult,l10n_br_credit_bureau.group_negativation",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
            lang="pt_BR",
        )
        cls.customers = {}
        for name, vat, street, number, district, zip_code, city, state in CUSTOMERS:
            address = Partner._bureau_address_values(
                {
                    "street": street,
                    "number": number,
                    "district": district,
                    "zip": zip_code,
                    "city": city,
                    "state": state,
                }
            )
            cls.customers[name] = Partner.create(
                dict(
                    address,
                    name=name,
                    vat=vat,
                    is_company="/" in vat,
                    phone="+55 19 98100-1000",
                    email=f"{name.split()[0].lower()}@example.com",
                    customer_rank=1,
                )
            )
        today = fields.Date.context_today(cls.admin)
        cls.invoices = {}
        for name, days, amount in INVOICES:
            due = today - timedelta(days=days)
            move = cls.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customers[name].id,
                    "invoice_date": due - timedelta(days=30),
                    "invoice_line_ids": [
                        fields.Command.create(
                            {
                                "name": "Plano de internet fibra - mensalidade"
                                if amount < 500
                                else "Link dedicado e serviços de rede",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
            move.write({"invoice_payment_term_id": False, "invoice_date_due": due})
            move.action_post()
            cls.invoices[name] = move

    def _tour(self, url, tour, login="admin"):
        self.start_tour(url, tour, login=login, timeout=120)

    def test_guide_tours(self):
        """From the first integration to a removal, as the guide tells it."""
        shots = {}
        update = os.environ.get("UPDATE_SCREENSHOTS") == "1"
        handle_console = ChromeBrowser._handle_console

        def on_console(browser, **event):
            """Runtime.consoleAPICalled: our signal takes the picture, the rest goes on
            to Odoo's handler (errors, the tour's success)."""
            message = (event.get("args") or [{}])[0].get("value")
            if event.get("type") != "log" or not str(message).startswith(SIGNAL):
                return handle_console(browser, **event)
            name = message[len(SIGNAL) :]

            def taken(future=None):
                if future is not None:
                    shots[name] = future.result()["data"]
                else:
                    shots[name] = None
                expression = f"document.body.dataset.creditBureauScreenshot = {json.dumps(name)}"
                browser._websocket_send("Runtime.evaluate", params={"expression": expression})

            if update:
                future = browser._websocket_send(
                    "Page.captureScreenshot", params={"format": "png"}, with_future=True
                )
                future.add_done_callback(taken)
            else:
                taken()

        Integration = self.env["credit.bureau.integration"]
        with patch.object(ChromeBrowser, "_handle_console", on_console):
            # 1. The administrator creates, tests and synchronises the integration and sets
            # a routine's schedule.
            self._tour(
                "/odoo/action-l10n_br_credit_bureau.action_credit_bureau_integration",
                "credit_bureau_guide_integration_tour",
            )
            integration = Integration.search([("name", "=", "Simulado - Matriz")])
            self.assertRecordValues(
                integration,
                [{"provider": "dummy", "environment": "homologacao", "connection_state": "ok"}],
            )
            self.assertEqual(integration.default_restriction_code_id.code, "TI")
            self.assertEqual(integration.default_removal_code_id.code, "01")
            # 2. A seller consults a customer.
            customer = self.customers["Carla Regina Ferreira"]
            self._tour(f"/odoo/contacts/{customer.id}", "credit_bureau_guide_consult_tour")
            consultation = self.env["credit.bureau.consultation"].search(
                [("partner_id", "=", customer.id)]
            )
            self.assertEqual(consultation.state, "done")
            # 3. One invoice, from its form; 4. the others in a batch.
            invoice = self.invoices["Eduarda Lima Martins"]
            self._tour(
                f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}",
                "credit_bureau_guide_negativate_tour",
            )
            self.assertEqual(invoice.credit_negativation_id.state, "sending")
            self._tour(
                "/odoo/action-l10n_br_credit_bureau.action_credit_negativation_batch",
                "credit_bureau_guide_mass_tour",
            )
            batch = self.env["credit.bureau.negativation.batch"].search([])
            self.assertEqual(len(batch), 1)
            self.assertTrue(batch.sending_count)
            self.assertTrue(batch.refused_count, "the incomplete address and the 5-year debt")
            # The scheduler sends them; the status routine finds them pending.
            Negativation = self.env["credit.bureau.negativation"]
            Negativation._cron_send()
            sent = Negativation.search([])
            self.assertEqual(set(sent.mapped("state")), {"pending"})
            # 5. A payment: the removal routine (the scheduler starts it at once) asks for
            # the removal; the distributor confirms it. Another one is removed by hand.
            paid = self.invoices["Carla Regina Ferreira"]
            negativation = paid.credit_negativation_id
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=paid.ids
            ).create({})._create_payments()
            self.assertTrue(negativation.invoice_paid)
            removal = integration.routine_ids.filtered(lambda r: r.routine == "removal")
            removal.with_user(self.admin).action_run_now()
            self.assertEqual(negativation.state, "removed")
            self._tour(
                "/odoo/action-l10n_br_credit_bureau.action_credit_negativation",
                "credit_bureau_guide_removal_tour",
            )
            self.assertEqual(
                sorted(sent.mapped("state")),
                ["pending"] * (len(sent) - 2) + ["removal_requested", "removed"],
            )
            # 6. The log of the routines and the monthly statement; 7. a user's rights.
            self._tour(
                "/odoo/action-l10n_br_credit_bureau.action_credit_bureau_routine_run",
                "credit_bureau_guide_reports_tour",
            )
            self._tour(
                f"/odoo/action-base.action_res_users/{self.seller.id}",
                "credit_bureau_guide_rights_tour",
            )
        self.assertEqual(sorted(shots), sorted(screenshot_steps()))
        if update:
            os.makedirs(IMG_DIR, exist_ok=True)
            for name, data in shots.items():
                with open(os.path.join(IMG_DIR, f"{name}.png"), "wb") as image:
                    image.write(optimised_png(base64.b64decode(data)))
