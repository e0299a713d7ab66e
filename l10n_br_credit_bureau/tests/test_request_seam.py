import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.tests import TransactionCase, tagged

from ..tools import CreditBureauError, mask_secrets
from .common import LoopbackRequestsMixin, capture_logs


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        if self.path == "/slow":
            time.sleep(1.5)
        status = 503 if self.path == "/down" else 200
        answer = json.dumps({"echo": body, "access_token": "tok-SECRET-123"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestRequestSeam(LoopbackRequestsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.server.shutdown)
        cls.integration = cls.env["credit.bureau.integration"].create(
            {"name": "Seam", "provider": "dummy"}
        )

    def test_request_logged_with_secrets_masked(self):
        with capture_logs(
            "odoo.addons.l10n_br_credit_bureau.models.credit_bureau_integration"
        ) as capture:
            response = self.integration._bureau_send_request(
                "POST",
                self.url + "/ok",
                operation="test",
                data={"login": "empresa", "senha": "S3nh@-Secreta"},
            )
        self.assertEqual(response.status_code, 200)
        output = capture.text
        self.assertIn("answered HTTP 200", output)
        self.assertIn("empresa", output)
        self.assertNotIn("S3nh@-Secreta", output)
        self.assertNotIn("tok-SECRET-123", output)

    def test_timeout_is_retryable_and_unknown_outcome(self):
        with self.assertRaises(CreditBureauError) as caught:
            self.integration.with_context(lang="pt_BR")._bureau_send_request(
                "POST", self.url + "/slow", operation="incluir", data={}, timeout=0.3
            )
        self.assertTrue(caught.exception.timeout)
        self.assertTrue(caught.exception.retryable)
        self.assertIn("não respondeu a tempo", caught.exception.args[0])

    def test_5xx_and_unreachable(self):
        with self.assertRaises(CreditBureauError) as caught:
            self.integration._bureau_send_request(
                "POST", self.url + "/down", operation="x", data={}
            )
        self.assertTrue(caught.exception.retryable)
        self.assertEqual(caught.exception.code, "503")
        response = self.integration._bureau_send_request(
            "POST", self.url + "/down", operation="x", data={}, accept_statuses=(503,)
        )
        self.assertEqual(response.status_code, 503)
        with self.assertRaises(CreditBureauError) as caught:
            self.integration._bureau_send_request(
                "POST", "http://127.0.0.1:9/", operation="x", data={}, timeout=1
            )
        self.assertTrue(caught.exception.retryable)
        self.assertFalse(caught.exception.timeout)

    def test_mask_secrets_in_every_shape(self):
        xml = "<soap:Body><Credenciais><Email>a@b.c</Email><Senha>xyz987</Senha></Credenciais>"
        self.assertNotIn("xyz987", mask_secrets(xml))
        self.assertNotIn("xyz987", mask_secrets("login=a&password=xyz987&x=1"))
        self.assertNotIn("xyz987", mask_secrets('{"client_secret": "xyz987"}'))
        self.assertNotIn("xyz987", mask_secrets({"nested": [{"senha": "xyz987"}]}))
        self.assertNotIn("xyz987", mask_secrets("Erro: a senha xyz987 expirou", values=["xyz987"]))

    def test_mask_secrets_in_the_values_of_a_form(self):
        # A form's values are masked where they hold a sensitive key's own shape (a value
        # that is itself a form, a JSON text or an XML element), and left as they are else.
        form = {
            "nome": "Devedor da senha",
            "retorno": "token=xyz987&x=1",
            "corpo": '{"senha": "xyz987"}',
            "xml": "<ns:Password>xyz987</ns:Password>",
            "valor": "728.05",
        }
        masked = mask_secrets(form, keys={"Password"})
        self.assertNotIn("xyz987", str(masked))
        self.assertEqual(masked["nome"], "Devedor da senha")
        self.assertEqual(masked["valor"], "728.05")
        self.assertEqual(masked["retorno"], "token=********&x=1")
