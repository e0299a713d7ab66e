"""The zeep client of SPC Brasil, talking through the core's request seam.

One zeep client per WSDL URL, kept for the life of the process. Its transport owns no
credentials: each call binds, for its thread and duration, the integration whose
``_bureau_send_request`` (timeout, masked logs, transport errors) carries the request, with
the operator's HTTP Basic credentials; the WS-Security ``UsernameToken`` is that call's too.
"""

import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

import zeep
from zeep.exceptions import TransportError
from zeep.wsse.username import UsernameToken

from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError

from . import const

# Answers parsed strictly, without DTDs, entities, huge trees or external resources.
SETTINGS = zeep.Settings(
    strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
)
_clients = {}
_lock = threading.Lock()


def is_soap_fault(response):
    return "xml" in response.headers.get("Content-Type", "") and b"Fault>" in response.content


class SeamTransport(zeep.Transport):
    """A zeep transport whose requests go through the bound integration's seam."""

    def __init__(self, wsdl_url):
        super().__init__(timeout=const.WSDL_TIMEOUT, operation_timeout=const.DEFAULT_TIMEOUT)
        self.allowed_netloc = urlsplit(wsdl_url).netloc
        self._bound = threading.local()

    @contextmanager
    def bind(self, integration, operation, credentials=None):
        previous = getattr(self._bound, "call", None)
        self._bound.call = (integration, operation, credentials)
        try:
            yield self
        finally:
            self._bound.call = previous

    def current(self):
        call = getattr(self._bound, "call", None)
        if call is None:
            raise RuntimeError("SPC Brasil transport used outside an integration call")
        return call

    def _send(self, method, address, data=None, headers=None):
        integration, operation, credentials = self.current()
        response = integration._bureau_send_request(
            method,
            address,
            operation=operation,
            data=data,
            headers=headers,
            auth=credentials,
            timeout=integration._spc_timeout(),
            accept_statuses=(500,),  # SOAP 1.1 faults come with HTTP 500
        )
        if response.status_code in const.AUTH_STATUSES:
            raise CreditBureauError(
                integration.env._(
                    "SPC Brasil refused the operator code or the password (HTTP %(status)s). "
                    "Check the credentials on the integration.",
                    status=response.status_code,
                ),
                code=str(response.status_code),
                needs_admin=True,
            )
        if response.status_code >= 500 and not is_soap_fault(response):
            raise CreditBureauError(
                integration.env._(
                    "SPC Brasil is unavailable (HTTP %(status)s, %(operation)s). Try again later.",
                    status=response.status_code,
                    operation=operation,
                ),
                detail=integration._bureau_mask(response.text[:500]),
                retryable=True,
                code=str(response.status_code),
            )
        return response

    def post(self, address, message, headers):
        return self._send("POST", address, data=message, headers=headers)

    def get(self, address, params, headers):
        raise TransportError("SPC Brasil operations are not called with HTTP GET")

    def load(self, url):
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https") or parts.netloc != self.allowed_netloc:
            raise TransportError(f"refused to load {url!r}: not on {self.allowed_netloc}")
        response = self._send("GET", url)
        if response.status_code != 200:
            raise TransportError(f"HTTP {response.status_code} loading the WSDL")
        return response.content


class BoundUsernameToken:
    """WS-Security of the call bound to the transport: the operator's UsernameToken."""

    def __init__(self, transport):
        self.transport = transport

    def apply(self, envelope, headers):
        _integration, _operation, credentials = self.transport.current()
        return UsernameToken(*credentials).apply(envelope, headers)

    def verify(self, envelope):
        return envelope


def get_client(integration, wsdl_url):
    """The process-wide zeep client of ``wsdl_url`` (WSDL loaded once, through the seam)."""
    with _lock:
        client = _clients.get(wsdl_url)
        if client is None:
            transport = SeamTransport(wsdl_url)
            with transport.bind(integration, "WSDL"):
                client = zeep.Client(
                    wsdl_url,
                    transport=transport,
                    settings=SETTINGS,
                    wsse=BoundUsernameToken(transport),
                )
            _clients[wsdl_url] = client
    return client


def forget_clients():
    with _lock:
        _clients.clear()
