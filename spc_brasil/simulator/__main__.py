"""Run the SPC Brasil simulator in the foreground: ``python spc_brasil/simulator``.

python spc_brasil/simulator [--host 127.0.0.1] [--port 8094] [--operator O] [--password P]
"""

import argparse
import contextlib
import os
import signal
import sys
import threading

# Run as a directory: the simulator folder is not a package here.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from app import CONSULTA_PATH, EXAMPLE_DOCUMENTS, INSUMO_PATH, SPCBrasilSimulator


def say(text=""):
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description="SPC Brasil SOAP simulator (loopback).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8094)
    parser.add_argument("--operator", default="123456")
    parser.add_argument("--password", default="demo123")
    args = parser.parse_args(argv)
    sim = SPCBrasilSimulator(operator=args.operator, password=args.password)
    sim.start(args.host, args.port)
    say(f"SPC Brasil simulator at {sim.url}")
    for path in (CONSULTA_PATH, INSUMO_PATH):
        say(f"  {sim.wsdl_url(path)}")
    say(f"Operador={sim.operator} Senha={sim.password} (HTTP Basic and WS-Security)")
    for profile, documents in EXAMPLE_DOCUMENTS.items():
        say(f"  {profile:<6} {', '.join(documents)}")
    say("Ctrl-C to stop.")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        with contextlib.suppress(KeyboardInterrupt):
            while not done.wait(0.5):
                continue
    finally:
        sim.stop()
        say("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
