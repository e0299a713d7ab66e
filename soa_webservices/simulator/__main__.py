"""Run the SOA WebServices simulator in the foreground: ``python soa_webservices/simulator``.

python soa_webservices/simulator [--host 127.0.0.1] [--port 8092] [--state-file FILE]
    [--activation-delay SECONDS] [--email E] [--senha S] [--balance 500.00]
"""

import argparse
import contextlib
import os
import signal
import sys
import threading

# Run as a directory: the simulator folder is not a package here.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from app import ENVIRONMENTS, EXAMPLE_DOCUMENTS, SOAWebServicesSimulator


def say(text=""):
    """The console output of a foreground tool (not logging)."""
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description="SOA WebServices SOAP simulator (loopback).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8092)
    parser.add_argument("--email", default="demo@example.com")
    parser.add_argument("--senha", default="demo123")
    parser.add_argument("--balance", default="500.00", help="starting prepaid balance")
    parser.add_argument(
        "--activation-delay",
        type=float,
        default=60.0,
        help="seconds a negativation stays Pendentes (negative: never by itself)",
    )
    parser.add_argument("--state-file", help="JSON file keeping the negativations")
    args = parser.parse_args(argv)
    sim = SOAWebServicesSimulator(
        email=args.email,
        senha=args.senha,
        activation_delay=None if args.activation_delay < 0 else args.activation_delay,
        state_file=args.state_file,
        balance=args.balance,
    )
    sim.start(args.host, args.port)
    say(f"SOA WebServices simulator at {sim.url}")
    for env in ENVIRONMENTS:
        for path, url in sim.wsdl_urls(env).items():
            say(f"  {env:<10} {path:<20} {url}")
    say(f"Credenciais: Email={sim.email} Senha={sim.senha}")
    for profile, documents in EXAMPLE_DOCUMENTS.items():
        say(f"  {profile:<14} {', '.join(documents)}")
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
