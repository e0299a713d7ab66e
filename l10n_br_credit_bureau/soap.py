"""SOAP through the request seam, for the providers that speak it (zeep).

One zeep client per WSDL URL, kept for the life of the process: the WSDL is downloaded and
parsed once. Its transport owns no credentials and no record: each call binds, for its own
thread and duration, the integration whose ``_bureau_send_request`` (timeout, masked logs,
transport errors as ``CreditBureauError``) carries the HTTP request, with the call's HTTP
authentication and WS-Security header if any. A provider addon uses it as::

    client = get_client(integration, wsdl_url, timeout)
    service = service_proxy(client, operation, address)   # or client.create_service(...)
    with client.transport.bind(integration, operation, timeout, auth=..., wsse=...):
        answer = service[operation](**values)

zeep is imported here only: the core itself never needs it, a provider that uses this module
declares it in its manifest's ``external_dependencies``.
"""

import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

import zeep
from zeep.exceptions import TransportError
from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding

WSDL_TIMEOUT = 30
# Answers are parsed strictly, without DTDs, entities, huge trees or external resources.
SETTINGS = zeep.Settings(
    strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
)
_clients = {}
_clients_lock = threading.Lock()
_url_locks = {}


def is_soap_fault(response):
    """Whether an HTTP answer holds a SOAP Fault (to be read by zeep, not discarded): SOAP
    1.1 sends its Faults with HTTP 500, which the seam would otherwise turn into an error."""
    content_type = response.headers.get("Content-Type", "")
    return "xml" in content_type and b"Fault>" in (response.content or b"")


class SeamTransport(zeep.Transport):
    """A zeep transport whose requests go through the bound integration's request seam."""

    def __init__(self, wsdl_url):
        super().__init__(timeout=WSDL_TIMEOUT, operation_timeout=WSDL_TIMEOUT)
        # Documents are loaded only from the WSDL's own host, over HTTP(S).
        self.allowed_netloc = urlsplit(wsdl_url).netloc
        self._bound = threading.local()

    @contextmanager
    def bind(self, integration, operation, timeout, auth=None, wsse=None):
        """Route this thread's requests through ``integration`` while in the block, with
        ``auth`` (requests' HTTP authentication) and ``wsse`` (a zeep WS-Security object,
        e.g. ``UsernameToken``) for this call only."""
        previous = getattr(self._bound, "call", None)
        self._bound.call = (integration, operation, timeout, auth, wsse)
        try:
            yield self
        finally:
            self._bound.call = previous

    def current(self):
        call = getattr(self._bound, "call", None)
        if call is None:
            raise RuntimeError("SOAP transport used outside an integration call")
        return call

    def _send(self, method, address, data=None, headers=None):
        integration, operation, timeout, auth, _wsse = self.current()
        response = integration._bureau_send_request(
            method,
            address,
            operation=operation,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            accept_statuses=is_soap_fault,  # zeep raises the Fault the answer holds
        )
        return integration._bureau_soap_answer(response, operation)

    def post(self, address, message, headers):
        return self._send("POST", address, data=message, headers=headers)

    def get(self, address, params, headers):
        raise TransportError("SOAP operations are not called with HTTP GET")

    def load(self, url):
        """Load the WSDL (or a document it references) through the seam."""
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https") or parts.netloc != self.allowed_netloc:
            raise TransportError(f"refused to load {url!r}: not on {self.allowed_netloc}")
        response = self._send("GET", url)
        if response.status_code != 200:
            raise TransportError(
                f"HTTP {response.status_code} loading the WSDL", status_code=response.status_code
            )
        return response.content


class BoundWsse:
    """The WS-Security of the call bound to the transport (none when it gave none)."""

    def __init__(self, transport):
        self.transport = transport

    def apply(self, envelope, headers):
        wsse = self.transport.current()[4]
        return wsse.apply(envelope, headers) if wsse else (envelope, headers)

    def verify(self, envelope):
        return envelope


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
                client = zeep.Client(
                    wsdl_url, transport=transport, settings=SETTINGS, wsse=BoundWsse(transport)
                )
            _clients[wsdl_url] = client
    return client


def forget_clients():
    """Drop the cached clients (tests; a WSDL changed at the vendor)."""
    with _clients_lock:
        _clients.clear()


def service_proxy(client, operation, address, soap_version="1.1"):
    """A service proxy for ``operation`` on the binding of ``soap_version`` (1.1 or 1.2),
    bound to ``address`` (the environment's endpoint, whatever the WSDL says)."""
    binding_class = Soap12Binding if soap_version == "1.2" else Soap11Binding
    for binding in client.wsdl.bindings.values():
        if isinstance(binding, binding_class) and operation in binding.all():
            return client.create_service(binding.name, address)
    raise LookupError(f"no SOAP {soap_version} binding with the operation {operation}")
