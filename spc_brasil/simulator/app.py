"""SPC Brasil simulator: a real SOAP 1.1 service (WSGI: werkzeug + lxml) on loopback.

Serves the two web services the addon uses, each with its WSDL at ``<path>?wsdl``::

    /spc/remoting/ws/consulta/consultaWebService     listarProdutos detalharProduto consultar
                                                     consultaScore
    /spc/remoting/ws/insumo/spc/spcWebService        incluirSpc excluirSpc
                                                     listarNaturezaInclusao
                                                     listarMotivoExclusao listarTipoDevedor

No Odoo import: it runs standalone (``python spc_brasil/simulator``) and inside the tests
(``odoo.addons.spc_brasil.simulator.app``). Every call must carry the operator's credentials
twice, as HTTP Basic (refused with HTTP 401) and as a WS-Security ``UsernameToken`` (refused
with a SOAP fault, code ``AUT001``), as SPC asks [public]. What is not public and modelled
here [assumed]: the namespaces, the answer shapes (``produtos/produto``, ``resultado``
with ``ocorrencias/ocorrencia``, ``sucesso/protocolo``), the fault detail
``erro {codigo, mensagem, protocolo}`` and its codes (``AUT001`` credentials, ``VAL001``
invalid request, ``INC002`` contract already included — the existing protocol in the detail
—, ``EXC003`` already removed, ``EXC004`` not found), the field widths (``MAX_LENGTHS``).

Deterministic rules: a consumer's report profile is the last digit of the document modulo 3
(0 clean, 1 SPC records, 2 SPC records, a protest and a returned cheque); this operator's
included records show up in the consultations of their debtor (from the inclusion on), with the
contract number and the inclusion's protocol [assumed]: the only way to ask SPC whether it
holds an inclusion (no lookup operation is public).
"""

import base64
import copy
import datetime
import decimal
import threading
import time
from collections import namedtuple

from lxml import etree
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
CONSULTA_NS = "http://webservice.consulta.spcjava.spcbrasil.org/"  # assumed
INSUMO_NS = "http://webservice.insumo.spcjava.spcbrasil.org/"  # assumed
CONSULTA_PATH = "/spc/remoting/ws/consulta/consultaWebService"  # public
INSUMO_PATH = "/spc/remoting/ws/insumo/spc/spcWebService"  # public

Field = namedtuple("Field", "name type many")


def el(name, type_="string", many=False):
    return Field(name, type_, many)


TYPES = {
    "produto": [
        el("codigo"),
        el("nome"),
        el("tipo-consumidor"),  # F, J or A (both) — assumed
        el("valor", "decimal"),
        el("descricao"),
        el("insumo-opcional", "insumo", many=True),
    ],
    "insumo": [el("codigo"), el("nome")],
    "produtos": [el("produto", "produto", many=True)],
    "filtro": [el("codigo-produto"), el("tipo-consumidor"), el("documento-consumidor")],
    "consumidor": [el("nome"), el("documento"), el("data-nascimento"), el("situacao")],
    "ocorrencia": [
        el("tipo"),  # SPC, CHEQUE, PROTESTO, ACAO — assumed
        el("data"),
        el("valor", "decimal"),
        el("informante"),
        el("descricao"),
        el("numero-contrato"),
        el("protocolo"),  # only on the operator's own records — assumed
    ],
    "resumo": [el("quantidade-total", "int"), el("valor-total", "decimal")],
    "resultado": [
        el("protocolo"),
        el("data-consulta"),
        el("consumidor", "consumidor"),
        el("resumo", "resumo"),
        el("ocorrencias", "ocorrencias"),
    ],
    "ocorrencias": [el("ocorrencia", "ocorrencia", many=True)],
    "resultadoConsultaScore": [
        el("score", "int"),
        el("classe-risco"),
        el("probabilidade-inadimplencia", "decimal"),
        el("mensagem"),
    ],
    "cpf": [el("numero"), el("regiao-origem")],
    "cnpj": [el("numero")],
    "dados-pessoa-fisica": [el("cpf", "cpf"), el("nome"), el("data-nascimento", "date")],
    "dados-pessoa-juridica": [el("cnpj", "cnpj"), el("razao-social")],
    "endereco": [
        el("cep"),
        el("logradouro"),
        el("numero"),
        el("complemento"),
        el("bairro"),
        el("cidade"),
        el("uf"),
    ],
    "codigo-nome": [el("id"), el("nome")],
    "insumoSpc": [
        el("tipo-pessoa"),
        el("dados-pessoa-fisica", "dados-pessoa-fisica"),
        el("dados-pessoa-juridica", "dados-pessoa-juridica"),
        el("endereco", "endereco"),
        el("data-compra", "dateTime"),
        el("data-vencimento", "dateTime"),
        el("numero-contrato"),
        el("valor-debito", "decimal"),
        el("natureza-inclusao", "codigo-nome"),
        el("codigo-tipo-devedor"),
    ],
    "exclusaoSpc": [
        el("tipo-pessoa"),
        el("dados-pessoa-fisica", "dados-pessoa-fisica"),
        el("dados-pessoa-juridica", "dados-pessoa-juridica"),
        el("data-vencimento", "dateTime"),
        el("numero-contrato"),
        el("motivo-exclusao", "codigo-nome"),
    ],
    "sucesso": [el("protocolo"), el("mensagem"), el("data")],
    "naturezas": [el("natureza-inclusao", "codigo-nome", many=True)],
    "motivos": [el("motivo-exclusao", "codigo-nome", many=True)],
    "tipo-devedor": [el("codigo"), el("nome")],
    "tipos": [el("tipo-devedor", "tipo-devedor", many=True)],
}
# service path -> (namespace, service name, {operation: ([request fields], [answer fields])})
SERVICES = {
    CONSULTA_PATH: (
        CONSULTA_NS,
        "consultaWebService",
        {
            "listarProdutos": ([], [el("produtos", "produtos")]),
            "detalharProduto": ([el("codigo-produto")], [el("produto", "produto")]),
            "consultar": ([el("filtro", "filtro")], [el("resultado", "resultado")]),
            "consultaScore": (
                [el("filtro-score", "filtro")],
                [el("resultadoConsultaScore", "resultadoConsultaScore")],
            ),
        },
    ),
    INSUMO_PATH: (
        INSUMO_NS,
        "spcWebService",
        {
            "incluirSpc": ([el("insumoSpc", "insumoSpc")], [el("sucesso", "sucesso")]),
            "excluirSpc": ([el("exclusaoSpc", "exclusaoSpc")], [el("sucesso", "sucesso")]),
            "listarNaturezaInclusao": ([], [el("naturezas", "naturezas")]),
            "listarMotivoExclusao": ([], [el("motivos", "motivos")]),
            "listarTipoDevedor": ([], [el("tipos", "tipos")]),
        },
    ),
}
OPERATIONS = {op: path for path, (_ns, _n, ops) in SERVICES.items() for op in ops}

PRODUCTS = [
    # code, name, audience (F/J/A), price, optional inputs
    ("127", "SPC MIX MAIS", "A", "6.90", []),
    ("176", "SPC PESSOA FISICA", "F", "4.50", []),
    ("283", "SPC EMPRESARIAL", "J", "8.20", []),
    ("319", "SPC MIX MAIS COM SCORE 12 MESES", "A", "9.40", [("SCORE", "SCORE 12 MESES")]),
]
NATUREZAS = [
    ("104", "ATRASO DE PAGAMENTO"),  # public
    ("110", "CHEQUE SEM FUNDOS"),
    ("120", "DUPLICATA"),
    ("138", "SERVICOS DE TELECOMUNICACOES"),
]
MOTIVOS = [
    ("1", "PAGAMENTO DA DIVIDA"),
    ("2", "RENEGOCIACAO DA DIVIDA"),
    ("3", "POR SOLICITACAO DO CLIENTE"),
    ("4", "ORDEM JUDICIAL"),
]
TIPOS_DEVEDOR = [("C", "COMPRADOR"), ("A", "AVALISTA")]  # C public, A assumed
MAX_LENGTHS = {  # assumed
    "nome": 50,
    "razao-social": 50,
    "logradouro": 50,
    "numero": 10,
    "complemento": 30,
    "bairro": 30,
    "cidade": 30,
    "numero-contrato": 20,
}
MISBEHAVIOURS = ("delay", "timeout", "timeout_after_commit", "http500", "garbage", "auth")
EXAMPLE_DOCUMENTS = {  # by report profile (the last digit modulo 3)
    "clean": ["12345678909"],
    "spc": ["11444777000161"],
    "full": ["52998224725", "11144477735"],
}


class SimFault(Exception):
    def __init__(self, code, message, protocol=None):
        super().__init__(message)
        self.code, self.message, self.protocol = code, message, protocol


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


# ---------------------------------------------------------------------- XML
def _qname(type_name):
    return f"tns:{type_name}" if type_name in TYPES else f"xs:{type_name}"


def _sequence(parent, fields):
    seq = etree.SubElement(parent, f"{{{XSD_NS}}}sequence")
    for field in fields:
        etree.SubElement(
            seq,
            f"{{{XSD_NS}}}element",
            name=field.name,
            type=_qname(field.type),
            minOccurs="0",
            maxOccurs="unbounded" if field.many else "1",
        )


def _used_types(fields, seen):
    for field in fields:
        if field.type in TYPES and field.type not in seen:
            seen.add(field.type)
            _used_types(TYPES[field.type], seen)
    return seen


def build_wsdl(path, location):
    """The WSDL of one service: document/literal wrapped, SOAP 1.1, children unqualified
    (as JAX-WS publishes them)."""
    ns, name, operations = SERVICES[path]
    W, S, P = f"{{{WSDL_NS}}}", f"{{{XSD_NS}}}", f"{{{WSDL_SOAP}}}"
    root = etree.Element(
        W + "definitions",
        nsmap={"wsdl": WSDL_NS, "soap": WSDL_SOAP, "xs": XSD_NS, "tns": ns},
        targetNamespace=ns,
        name=name,
    )
    schema = etree.SubElement(etree.SubElement(root, W + "types"), S + "schema")
    schema.set("targetNamespace", ns)
    used = set()
    for op, (request, answer) in operations.items():
        for element, fields in ((op, request), (op + "Response", answer)):
            node = etree.SubElement(schema, S + "element", name=element)
            _sequence(etree.SubElement(node, S + "complexType"), fields)
            _used_types(fields, used)
    for type_name in sorted(used):
        _sequence(etree.SubElement(schema, S + "complexType", name=type_name), TYPES[type_name])
    port_type = etree.SubElement(root, W + "portType", name=name)
    binding = etree.SubElement(root, W + "binding", name=name + "Binding", type=f"tns:{name}")
    etree.SubElement(binding, P + "binding", transport="http://schemas.xmlsoap.org/soap/http")
    for op in operations:
        for suffix, element in (("", op), ("Response", op + "Response")):
            message = etree.SubElement(root, W + "message", name=op + suffix)
            etree.SubElement(message, W + "part", name="parameters", element=f"tns:{element}")
        wop = etree.SubElement(port_type, W + "operation", name=op)
        etree.SubElement(wop, W + "input", message=f"tns:{op}")
        etree.SubElement(wop, W + "output", message=f"tns:{op}Response")
        bop = etree.SubElement(binding, W + "operation", name=op)
        etree.SubElement(bop, P + "operation", soapAction="", style="document")
        for direction in ("input", "output"):
            etree.SubElement(etree.SubElement(bop, W + direction), P + "body", use="literal")
    port = etree.SubElement(
        etree.SubElement(root, W + "service", name=name + "Service"),
        W + "port",
        name=name + "Port",
        binding=f"tns:{name}Binding",
    )
    etree.SubElement(port, P + "address", location=location)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def xml_to_python(element):
    """Element -> text (leaf) or dict (repeated names -> list); namespaces dropped."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        return (element.text or "").strip()
    result = {}
    for child in children:
        name, value = etree.QName(child).localname, xml_to_python(child)
        if name in result:
            result[name] = (
                [*result[name], value]
                if isinstance(result[name], list)
                else [
                    result[name],
                    value,
                ]
            )
        else:
            result[name] = value
    return result


def build(parent, name, type_name, value):
    node = etree.SubElement(parent, name)
    if type_name in TYPES:
        for field in TYPES[type_name]:
            item = value.get(field.name)
            if item is None:
                continue
            for one in item if field.many else [item]:
                build(node, field.name, field.type, one)
    else:
        node.text = str(value)
    return node


def envelope(fill):
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    fill(etree.SubElement(root, f"{{{SOAP_ENV}}}Body"))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def fault_body(code, message, protocol=None, client=True):
    def fill(body):
        fault = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
        etree.SubElement(fault, "faultcode").text = "soap:Client" if client else "soap:Server"
        etree.SubElement(fault, "faultstring").text = message
        erro = etree.SubElement(etree.SubElement(fault, "detail"), f"{{{INSUMO_NS}}}erro")
        etree.SubElement(erro, "codigo").text = code
        etree.SubElement(erro, "mensagem").text = message
        if protocol:
            etree.SubElement(erro, "protocolo").text = protocol

    return envelope(fill)


def _digits(value):
    return "".join(c for c in str(value or "") if c.isalnum()).upper()


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _dict(value):
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------------- the simulator
class SPCBrasilSimulator:
    """A loopback SOAP server behaving like SPC Brasil's web services (module docstring)."""

    def __init__(self, operator="123456", password="demo123", *, timeout_seconds=30.0):
        self.operator = operator
        self.password = password
        self.timeout_seconds = timeout_seconds
        self.host = self.port = None
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server = self._thread = None
        self.reset()

    # --- life cycle
    def start(self, host="127.0.0.1", port=0):
        self._stopping.clear()
        self._server = make_server(host, port, self, threaded=True, request_handler=_QuietHandler)
        self.host, self.port = host, self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def wsdl_url(self, path):
        return f"{self.url}{path}?wsdl"

    # --- state and switches
    def reset(self):
        with self._lock:
            self.records = {}  # protocol -> record
            self.requests = []
            self.wsdl_requests = 0
            self._misbehaviours = []
            self._sequence = 0

    def misbehave(self, mode, operation=None, times=1, **kw):
        """The next ``times`` calls of ``operation`` (None: any but the WSDL; "WSDL": the
        WSDL downloads) misbehave. Modes: delay (seconds), timeout (not processed, answered
        after seconds with HTTP 504), timeout_after_commit (processed, answered late),
        http500 (an HTML error page), garbage (HTTP 200 with broken XML), auth (the
        credentials refused whatever they are)."""
        if mode not in MISBEHAVIOURS:
            raise ValueError(f"mode must be one of {MISBEHAVIOURS}")
        with self._lock:
            self._misbehaviours.append({"mode": mode, "op": operation, "times": times, "kw": kw})

    def _take(self, operation):
        with self._lock:
            for rule in self._misbehaviours:
                if rule["op"] == operation or (rule["op"] is None and operation != "WSDL"):
                    rule["times"] -= 1
                    if rule["times"] <= 0:
                        self._misbehaviours.remove(rule)
                    return rule
        return None

    def calls(self, operation=None):
        with self._lock:
            return [r for r in self.requests if operation in (None, r["operation"])]

    def negativacoes(self, situacao=None):
        with self._lock:
            return [
                copy.deepcopy(r) for r in self.records.values() if situacao in (None, r["situacao"])
            ]

    # --- WSGI
    def __call__(self, environ, start_response):
        return self.dispatch(Request(environ))(environ, start_response)

    def dispatch(self, request):
        path = request.path.rstrip("/")
        if path not in SERVICES:
            return Response("Not Found", 404, content_type="text/plain")
        if request.method == "GET" and "wsdl" in {k.lower() for k in request.args}:
            with self._lock:
                self.wsdl_requests += 1
            rule = self._take("WSDL")
            if rule:
                return self._failure(rule)
            return Response(
                build_wsdl(path, self.url + path), 200, content_type="text/xml; charset=utf-8"
            )
        if request.method != "POST":
            return Response("Method Not Allowed", 405, content_type="text/plain")
        return self._soap(request, path)

    def _sleep(self, seconds):
        self._stopping.wait(float(seconds))

    def _failure(self, rule):
        mode, kw = rule["mode"], rule["kw"]
        if mode in ("timeout", "timeout_after_commit"):
            self._sleep(kw.get("seconds", self.timeout_seconds))
            return Response("Gateway Timeout", 504, content_type="text/html")
        if mode == "http500":
            page = "<html><body><h1>HTTP Status 500 - Internal Server Error</h1></body></html>"
            return Response(page, 500, content_type="text/html")
        if mode == "garbage":
            return Response(b"<?xml version='1.0'?><soap:Envelope><broken", 200,
                            content_type="text/xml; charset=utf-8")  # fmt: skip
        if mode == "delay":
            self._sleep(kw.get("seconds", 1.0))
        return None

    def _basic_ok(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == self.operator and password == self.password

    def _token_ok(self, root):
        token = root.find(f"{{{SOAP_ENV}}}Header/{{{WSSE_NS}}}Security/{{{WSSE_NS}}}UsernameToken")
        if token is None:
            return False
        user = token.findtext(f"{{{WSSE_NS}}}Username")
        password = token.findtext(f"{{{WSSE_NS}}}Password")
        return user == self.operator and password == self.password

    def _soap(self, request, path):
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        try:
            root = etree.fromstring(request.get_data(), parser)
        except etree.XMLSyntaxError as error:
            return self._fault(SimFault("VAL001", f"XML inválido: {error}"))
        body = root.find(f"{{{SOAP_ENV}}}Body")
        op_el = None if body is None else next((c for c in body if isinstance(c.tag, str)), None)
        ns, _name, operations = SERVICES[path]
        operation = etree.QName(op_el).localname if op_el is not None else None
        if operation not in operations or etree.QName(op_el).namespace != ns:
            return self._fault(SimFault("VAL001", f"Operação desconhecida: {operation}"))
        fields = _dict(xml_to_python(op_el))
        entry = {
            "operation": operation,
            "fields": fields,
            "basic": self._basic_ok(request),
            "token": self._token_ok(root),
            "time": time.time(),
        }
        with self._lock:
            self.requests.append(entry)
        rule = self._take(operation)
        mode = rule["mode"] if rule else None
        if not entry["basic"]:
            challenge = {"WWW-Authenticate": 'Basic realm="SPC"'}
            return Response("Unauthorized", 401, challenge, content_type="text/html")
        if mode in ("timeout", "http500", "garbage"):
            return self._failure(rule)
        if mode == "delay":
            self._failure(rule)
        try:
            if mode == "auth" or not entry["token"]:
                raise SimFault("AUT001", "Operador ou senha inválidos.")
            with self._lock:
                answer = getattr(self, "_op_" + operation)(fields)
        except SimFault as fault:
            return self._fault(fault)
        if mode == "timeout_after_commit":
            return self._failure(rule)

        def fill(parent):
            wrapper = etree.SubElement(parent, f"{{{ns}}}{operation}Response", nsmap={"ns2": ns})
            for field in operations[operation][1]:
                if answer.get(field.name) is not None:
                    build(wrapper, field.name, field.type, answer[field.name])

        return Response(envelope(fill), 200, content_type="text/xml; charset=utf-8")

    def _fault(self, fault):
        body = fault_body(fault.code, fault.message, fault.protocol)
        return Response(body, 500, content_type="text/xml; charset=utf-8")

    # --- consultation
    def _op_listarProdutos(self, fields):
        return {
            "produtos": {
                "produto": [
                    {"codigo": c, "nome": n, "tipo-consumidor": t, "valor": v}
                    for c, n, t, v, _i in PRODUCTS
                ]
            }
        }

    def _product(self, code):
        for c, n, t, v, inputs in PRODUCTS:
            if c == _text(code):
                return {
                    "codigo": c,
                    "nome": n,
                    "tipo-consumidor": t,
                    "valor": v,
                    "descricao": f"Produto {n}",
                    "insumo-opcional": [{"codigo": i, "nome": name} for i, name in inputs],
                }
        raise SimFault("VAL001", f"Produto {code} não disponível para o operador.")

    def _op_detalharProduto(self, fields):
        return {"produto": self._product(fields.get("codigo-produto"))}

    def _filter(self, filtro):
        filtro = _dict(filtro)
        product = self._product(filtro.get("codigo-produto"))
        kind, document = (
            _text(filtro.get("tipo-consumidor")),
            _digits(filtro.get("documento-consumidor")),
        )
        if kind not in ("F", "J") or len(document) != (11 if kind == "F" else 14):
            raise SimFault("VAL001", "Tipo ou documento do consumidor inválido.")
        if product["tipo-consumidor"] not in ("A", kind):
            raise SimFault("VAL001", f"O produto {product['codigo']} não atende este consumidor.")
        return product, kind, document

    def _op_consultar(self, fields):
        _product, kind, document = self._filter(fields.get("filtro"))
        today = datetime.date.today()
        profile = int(document[-1]) % 3
        occurrences = []
        if profile >= 1:
            occurrences.append(
                {
                    "tipo": "SPC",
                    "data": (today - datetime.timedelta(days=200)).isoformat(),
                    "valor": "432.10",
                    "informante": "LOJAS MODELO LTDA",
                    "descricao": "ATRASO DE PAGAMENTO",
                    "numero-contrato": "LM-77",
                }
            )
        if profile == 2:
            occurrences += [
                {"tipo": "PROTESTO", "data": (today - datetime.timedelta(days=90)).isoformat(),
                 "valor": "1500.00", "informante": "1 TABELIONATO DE CAMPINAS",
                 "descricao": "PROTESTO DE TITULO"},
                {"tipo": "CHEQUE", "data": (today - datetime.timedelta(days=30)).isoformat(),
                 "valor": "250.00", "informante": "BANCO EXEMPLO", "descricao": "ALINEA 12"},
            ]  # fmt: skip
        for record in self.records.values():
            if record["documento"] == document and record["situacao"] == "incluido":
                occurrences.append(
                    {
                        "tipo": "SPC",
                        "data": record["data"],
                        "valor": record["valor"],
                        "informante": "OPERADOR " + self.operator,
                        "descricao": record["natureza"],
                        "numero-contrato": record["contrato"],
                        "protocolo": record["protocolo"],
                    }
                )
        self._sequence += 1
        total = sum(decimal.Decimal(o["valor"]) for o in occurrences)
        return {
            "resultado": {
                "protocolo": f"C{self._sequence:09d}",
                "data-consulta": datetime.datetime.now().isoformat(timespec="seconds"),
                "consumidor": {
                    "nome": ("CONSUMIDOR " if kind == "F" else "EMPRESA ") + document[-4:],
                    "documento": document,
                    "situacao": "REGULAR",
                },
                "resumo": {"quantidade-total": len(occurrences), "valor-total": f"{total:.2f}"},
                "ocorrencias": {"ocorrencia": occurrences},
            }
        }

    def _op_consultaScore(self, fields):
        product, _kind, document = self._filter(fields.get("filtro-score"))
        if not product["insumo-opcional"]:
            raise SimFault("VAL001", f"O produto {product['codigo']} não inclui score.")
        score = 300 + int(document[-3:]) % 700
        classe = "A" if score >= 800 else "B" if score >= 600 else "C" if score >= 400 else "D"
        return {
            "resultadoConsultaScore": {
                "score": score,
                "classe-risco": classe,
                "probabilidade-inadimplencia": f"{(1000 - score) / 20:.1f}",
                "mensagem": f"Score {score} - risco {classe}",
            }
        }

    # --- negativation
    def _op_listarNaturezaInclusao(self, fields):
        return {"naturezas": {"natureza-inclusao": [{"id": i, "nome": n} for i, n in NATUREZAS]}}

    def _op_listarMotivoExclusao(self, fields):
        return {"motivos": {"motivo-exclusao": [{"id": i, "nome": n} for i, n in MOTIVOS]}}

    def _op_listarTipoDevedor(self, fields):
        return {"tipos": {"tipo-devedor": [{"codigo": c, "nome": n} for c, n in TIPOS_DEVEDOR]}}

    @staticmethod
    def _person(insumo):
        kind = _text(insumo.get("tipo-pessoa"))
        if kind == "F":
            data = _dict(insumo.get("dados-pessoa-fisica"))
            document, name = _digits(_dict(data.get("cpf")).get("numero")), data.get("nome")
        elif kind == "J":
            data = _dict(insumo.get("dados-pessoa-juridica"))
            document = _digits(_dict(data.get("cnpj")).get("numero"))
            name = data.get("razao-social")
        else:
            raise SimFault("VAL001", "tipo-pessoa deve ser F ou J.")
        if len(document) != (11 if kind == "F" else 14):
            raise SimFault("VAL001", f"Documento inválido para tipo-pessoa {kind}.")
        return kind, document, _text(name)

    def _check_lengths(self, values):
        for key, limit in MAX_LENGTHS.items():
            if len(_text(values.get(key))) > limit:
                raise SimFault("VAL001", f"O campo {key} excede {limit} caracteres.")

    def _open_record(self, document, contract):
        for record in self.records.values():
            if (record["documento"], record["contrato"]) == (document, contract):
                if record["situacao"] == "incluido":
                    return record
        return None

    def _op_incluirSpc(self, fields):
        insumo = _dict(fields.get("insumoSpc"))
        kind, document, name = self._person(insumo)
        address = _dict(insumo.get("endereco"))
        contract = _text(insumo.get("numero-contrato"))
        self._check_lengths({**address, "nome": name, "numero-contrato": contract})
        missing = [k for k in ("cep", "logradouro", "numero", "bairro", "cidade", "uf")
                   if not _text(address.get(k))]  # fmt: skip
        if not name or not contract or missing:
            missing = ", ".join(missing) or "nome/contrato"
            raise SimFault("VAL001", f"Dados obrigatórios ausentes: {missing}.")
        natureza = _text(_dict(insumo.get("natureza-inclusao")).get("id"))
        if natureza not in dict(NATUREZAS):
            raise SimFault("VAL001", f"Natureza de inclusão {natureza} inválida.")
        if _text(insumo.get("codigo-tipo-devedor")) not in dict(TIPOS_DEVEDOR):
            raise SimFault("VAL001", "Código do tipo de devedor inválido.")
        existing = self._open_record(document, contract)
        if existing:
            raise SimFault(
                "INC002",
                f"Registro já incluído para o documento e contrato {contract}.",
                existing["protocolo"],
            )
        self._sequence += 1
        protocol = f"{datetime.date.today():%Y%m%d}{self._sequence:06d}"
        self.records[protocol] = {
            "protocolo": protocol,
            "tipo": kind,
            "documento": document,
            "nome": name,
            "contrato": contract,
            "vencimento": _text(insumo.get("data-vencimento"))[:10],
            "valor": _text(insumo.get("valor-debito")),
            "natureza": dict(NATUREZAS)[natureza],
            "endereco": address,
            "situacao": "incluido",
            "data": datetime.date.today().isoformat(),
        }
        return {"sucesso": {"protocolo": protocol, "mensagem": "Inclusão registrada."}}

    def _op_excluirSpc(self, fields):
        exclusao = _dict(fields.get("exclusaoSpc"))
        _kind, document, _name = self._person(exclusao)
        contract = _text(exclusao.get("numero-contrato"))
        motivo = _text(_dict(exclusao.get("motivo-exclusao")).get("id"))
        if motivo not in dict(MOTIVOS):
            raise SimFault("VAL001", f"Motivo de exclusão {motivo} inválido.")
        record = self._open_record(document, contract)
        if record is None:
            removed = [r for r in self.records.values()
                       if (r["documento"], r["contrato"]) == (document, contract)]  # fmt: skip
            if removed:
                raise SimFault("EXC003", "Registro já excluído.", removed[-1]["protocolo"])
            raise SimFault("EXC004", "Registro não encontrado para exclusão.")
        record.update(situacao="excluido", motivo=motivo)
        return {"sucesso": {"protocolo": record["protocolo"], "mensagem": "Exclusão registrada."}}
