"""The zeep client of SOA WebServices, talking through the core's request seam.

One zeep client per WSDL URL, kept for the life of the process: the WSDL is downloaded
and parsed once. Its transport owns no credentials and no record; each call binds, for its
own thread and duration, the integration whose ``_bureau_send_request`` (timeout, masked
logs, transport errors as ``CreditBureauError``) carries the HTTP request.
"""

import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

import requests
import zeep
from zeep.exceptions import TransportError
from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding

from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError

from . import const

# Answers are parsed strictly, without DTDs, entities, huge trees or external resources.
SETTINGS = zeep.Settings(
    strict=True,
    xml_huge_tree=False,
    forbid_dtd=True,
    forbid_entities=True,
    forbid_external=True,
)

_clients = {}
_clients_lock = threading.Lock()
_url_locks = {}


class _RecordingSession(requests.Session):
    """A session that remembers, per thread, the last response it received.

    The seam turns every HTTP 5xx into an error, but SOAP 1.1 sends its Faults with HTTP
    500: the transport gives such an answer back to zeep, which reads the Fault from it.
    """

    def __init__(self):
        super().__init__()
        self._last = threading.local()

    def request(self, *args, **kwargs):
        self._last.response = None
        response = super().request(*args, **kwargs)
        self._last.response = response
        return response

    def take_last_response(self):
        response = getattr(self._last, "response", None)
        self._last.response = None
        return response


def is_soap_fault(response):
    """Whether an HTTP answer holds a SOAP Fault (to be read by zeep, not discarded)."""
    content_type = response.headers.get("Content-Type", "")
    return "xml" in content_type and b"Fault>" in (response.content or b"")


class SeamTransport(zeep.Transport):
    """A zeep transport whose requests go through an integration's request seam."""

    def __init__(self, wsdl_url):
        super().__init__(
            timeout=const.WSDL_TIMEOUT,
            operation_timeout=const.DEFAULT_TIMEOUT,
            session=_RecordingSession(),
        )
        # Documents are loaded only from the WSDL's own host, over HTTP(S).
        self.allowed_netloc = urlsplit(wsdl_url).netloc
        self._bound = threading.local()

    @contextmanager
    def bind(self, integration, operation, timeout):
        """Route the requests of this thread through ``integration`` while in the block."""
        previous = getattr(self._bound, "call", None)
        self._bound.call = (integration, operation, timeout)
        try:
            yield self
        finally:
            self._bound.call = previous

    def _current(self):
        call = getattr(self._bound, "call", None)
        if call is None:
            raise RuntimeError("SOA WebServices transport used outside an integration call")
        return call

    def _send(self, method, address, data=None, headers=None):
        integration, operation, timeout = self._current()
        try:
            return integration._bureau_send_request(
                method,
                address,
                operation=operation,
                data=data,
                headers=headers,
                timeout=timeout,
                session=self.session,
            )
        except CreditBureauError as error:
            response = self.session.take_last_response()
            if error.code and not error.timeout and response is not None:
                if is_soap_fault(response):
                    return response  # zeep raises the Fault it holds
            raise

    def post(self, address, message, headers):
        return self._send("POST", address, data=message, headers=headers)

    def get(self, address, params, headers):
        raise TransportError("SOA WebServices operations are not called with HTTP GET")

    def load(self, url):
        """Load the WSDL (or a document it references) through the seam."""
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https") or parts.netloc != self.allowed_netloc:
            raise TransportError(f"refused to load {url!r}: not on {self.allowed_netloc}")
        response = self._send("GET", url)
        if response.status_code != 200:
            raise TransportError(
                f"HTTP {response.status_code} loading the WSDL",
                status_code=response.status_code,
            )
        return response.content


def get_client(integration, wsdl_url, timeout):
    """The process-wide zeep client of ``wsdl_url``, its WSDL loaded (once) through
    ``integration``'s seam. A failed load is not cached: the next call tries again."""
    client = _clients.get(wsdl_url)
    if client is not None:
        return client
    with _clients_lock:
        lock = _url_locks.setdefault(wsdl_url, threading.Lock())
    with lock:
        client = _clients.get(wsdl_url)
        if client is None:
            transport = SeamTransport(wsdl_url)
            with transport.bind(integration, "WSDL", timeout):
                client = zeep.Client(wsdl_url, transport=transport, settings=SETTINGS)
            _clients[wsdl_url] = client
    return client


def forget_clients():
    """Drop the cached clients (tests; a WSDL changed at the vendor)."""
    with _clients_lock:
        _clients.clear()


def service_proxy(client, operation, address):
    """A service proxy for ``operation`` on the binding of the configured SOAP version,
    bound to ``address`` (the environment's endpoint, whatever the WSDL says)."""
    binding_class = Soap12Binding if const.SOAP_VERSION == "1.2" else Soap11Binding
    for binding in client.wsdl.bindings.values():
        if isinstance(binding, binding_class) and operation in binding.all():
            return client.create_service(binding.name, address)
    raise LookupError(f"no SOAP {const.SOAP_VERSION} binding with the operation {operation}")
