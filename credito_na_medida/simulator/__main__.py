"""Serve the Crédito na Medida simulator in the foreground until Ctrl-C.

    python credito_na_medida/simulator [--host 127.0.0.1] [--port 8093]

Every piece of logic lives in app.py: this file only parses the command line.
"""

import argparse
import os
import signal
import sys
import threading

# Run as a directory (`python credito_na_medida/simulator`): app.py sits next to this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from app import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PORT,
    EXAMPLE_DOCUMENTS,
    CreditoNaMedidaSimulator,
)


def _optional_float(text):
    return None if text.lower() in ("none", "manual") else float(text)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python credito_na_medida/simulator",
        description="Simulador da API Crédito na Medida (protocolo REST/JSON presumido).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument("--token-ttl", type=float, default=3600, help="segundos")
    parser.add_argument(
        "--activation-delay",
        type=_optional_float,
        default=0,
        help="segundos até pendente → ativa ('none': só manualmente)",
    )
    parser.add_argument("--verbose", action="store_true", help="mostra cada requisição")
    args = parser.parse_args(argv)

    sim = CreditoNaMedidaSimulator(
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_ttl=args.token_ttl,
        activation_delay=args.activation_delay,
        quiet=not args.verbose,
    )
    sim.start(args.host, args.port)
    out = sys.stdout
    out.write(f"Simulador Crédito na Medida em {sim.url}\n")
    out.write(f"  Client_ID: {sim.client_id}\n  Client_Secret: {sim.client_secret}\n")
    for outcome, documents in EXAMPLE_DOCUMENTS.items():
        out.write(f"  {outcome}: {', '.join(documents)}\n")
    out.write("Ctrl-C para encerrar.\n")
    out.flush()
    # Ctrl-C and kill (TERM) both stop cleanly, even when started in the background (where
    # the shell makes SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        out.write("Encerrando.\n")
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
