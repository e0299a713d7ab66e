"""The SOAP seam (``soap.py``) that SOAP providers share, against a minimal SOAP 1.1
service over a real socket: what any provider speaking SOAP can rely on."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import patch

from zeep.exceptions import Fault, TransportError
from zeep.wsse.username import UsernameToken

from odoo.tests import TransactionCase, tagged

from .. import soap
from ..tools import CreditBureauError
from .common import LoopbackRequestsMixin, capture_logs

NS = "urn:credit-bureau:eco"
WSDL = f"""<?xml version="1.0" encoding="utf-8"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="{NS}" targetNamespace="{NS}">
  <types>
    <xs:schema targetNamespace="{NS}" elementFormDefault="qualified">
      <xs:element name="Eco"><xs:complexType><xs:sequence>
        <xs:element name="texto" type="xs:string"/>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="EcoResposta"><xs:complexType><xs:sequence>
        <xs:element name="texto" type="xs:string"/>
      </xs:sequence></xs:complexType></xs:element>
    </xs:schema>
  </types>
  <message name="EcoIn"><part name="parameters" element="tns:Eco"/></message>
  <message name="EcoOut"><part name="parameters" element="tns:EcoResposta"/></message>
  <portType name="EcoPort">
    <operation name="Eco"><input message="tns:EcoIn"/><output message="tns:EcoOut"/></operation>
  </portType>
  <binding name="EcoBinding" type="tns:EcoPort">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Eco">
      <soap:operation soapAction="{NS}/Eco"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>
    </operation>
  </binding>
  <service name="EcoService">
    <port name="EcoSoap" binding="tns:EcoBinding"><soap:address location="http://unused/eco"/></port>
  </service>
</definitions>"""
ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>{}'
    "</soap:Body></soap:Envelope>"
)


class _Handler(BaseHTTPRequestHandler):
    requests = []

    def _answer(self, status, body, content_type="text/xml; charset=utf-8"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._answer(200, WSDL)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        type(self).requests.append(
            {"body": body, "authorization": self.headers.get("Authorization")}
        )
        text = re.search(r"<(?:\w+:)?texto>(.*?)</(?:\w+:)?texto>", body).group(1)
        if text == "falha":
            fault = (
                "<soap:Fault><faultcode>soap:Server</faultcode>"
                "<faultstring>Falha do fornecedor</faultstring></soap:Fault>"
            )
            self._answer(500, ENVELOPE.format(fault))
        elif text == "fora":
            self._answer(503, "<html>Service Unavailable</html>", "text/html")
        else:
            self._answer(
                200,
                ENVELOPE.format(f'<EcoResposta xmlns="{NS}"><texto>{text}</texto></EcoResposta>'),
            )

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestSoapSeam(LoopbackRequestsMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}/eco"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.server.shutdown)
        cls.integration = cls.env["credit.bureau.integration"].create(
            {"name": "SOAP", "provider": "dummy"}
        )

    def setUp(self):
        super().setUp()
        soap.forget_clients()
        self.addCleanup(soap.forget_clients)
        _Handler.requests = []

    def call(self, text, **bind):
        client = soap.get_client(self.integration, self.url + "?wsdl", 5)
        service = soap.service_proxy(client, "Eco", self.url)
        with client.transport.bind(self.integration, "Eco", 5, **bind):
            return service.Eco(texto=text)

    def test_call_through_the_seam_with_credentials_masked(self):
        password = "S3nh@-SOAP-Secreta"
        with capture_logs(
            "odoo.addons.l10n_br_credit_bureau.models.credit_bureau_integration"
        ) as logs:
            answer = self.call(
                "olá", auth=("operador", password), wsse=UsernameToken("operador", password)
            )
        self.assertEqual(answer, "olá")
        (request,) = _Handler.requests
        self.assertIn("UsernameToken", request["body"])
        self.assertTrue(request["authorization"].startswith("Basic "))
        # The WSDL and the operation both went through the seam's log.
        self.assertIn("[WSDL] GET", logs.text)
        self.assertIn("[Eco] POST", logs.text)
        # Without wsse, no WS-Security header; the client is reused (the WSDL read once).
        self.assertEqual(self.call("de novo"), "de novo")
        self.assertNotIn("UsernameToken", _Handler.requests[-1]["body"])
        self.assertIs(
            soap.get_client(self.integration, self.url + "?wsdl", 5),
            soap.get_client(self.integration, self.url + "?wsdl", 5),
        )

    def test_fault_with_http_500_reaches_zeep_other_5xx_is_retryable(self):
        with self.assertRaises(Fault) as caught:
            self.call("falha")
        self.assertEqual(caught.exception.message, "Falha do fornecedor")
        with self.assertRaises(CreditBureauError) as caught:
            self.call("fora")
        self.assertTrue(caught.exception.retryable)
        self.assertEqual(caught.exception.code, "503")

    def test_the_provider_sees_the_http_answer_first(self):
        def refuse(integration, response, operation):
            if operation == "Eco":
                raise CreditBureauError("recusado", needs_admin=True)
            return response

        with patch.object(type(self.integration), "_bureau_soap_answer", refuse):
            with self.assertRaises(CreditBureauError) as caught:
                self.call("olá")
        self.assertTrue(caught.exception.needs_admin)

    def test_documents_only_from_the_wsdl_host_and_only_inside_a_call(self):
        client = soap.get_client(self.integration, self.url + "?wsdl", 5)
        with client.transport.bind(self.integration, "WSDL", 5):
            with self.assertRaises(TransportError):
                client.transport.load("http://example.invalid/schema.xsd")
            with self.assertRaises(TransportError):
                client.transport.load("file:///etc/passwd")
        with self.assertRaises(RuntimeError):
            client.transport.post(self.url, "<x/>", {})
