"""An Odoo of its own that runs queue_job's job runner with workers on a database, for the
test of the real runner and the benchmark (``tests/benchmarks/bench.py``, scenario
``queue``): started with ``--load=base,web,queue_job``, stopped with SIGTERM, its workers
found (to kill one with SIGKILL)."""

import os
import signal
import socket
import subprocess
import sys
import time

from odoo.tools import config


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    """Odoo on ``dbname`` with ``workers`` HTTP workers, no cron thread (the
    caller enqueues), the runner's channels ``channels`` (default ``root:<workers>``)."""

    def __init__(self, dbname, workers, logfile, channels=None, extra=()):
        self.port = free_port()
        self.logfile = logfile
        env = dict(os.environ, ODOO_QUEUE_JOB_CHANNELS=channels or f"root:{workers}")
        launcher = os.path.join(os.path.dirname(__file__), "odoo_launcher.py")
        command = [
            sys.executable,
            launcher,
            "server",
            "-c",
            config["config"],
            "-d",
            dbname,
            "--load=base,web,queue_job",
            f"--workers={workers}",
            "--max-cron-threads=0",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={free_port()}",
            "--limit-time-real=900",
            "--limit-time-cpu=900",
            "--log-level=info",
            f"--logfile={logfile}",
            *extra,
        ]
        self.process = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, start_new_session=True
        )

    def children(self):
        """The pids of the master's children: its HTTP workers and the runner's worker."""
        try:
            with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as file:
                return [int(pid) for pid in file.read().split()]
        except FileNotFoundError:
            return []

    def alive(self):
        return self.process.poll() is None

    def stop(self, timeout=30):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)

    def log_tail(self, lines=40):
        try:
            with open(self.logfile, encoding="utf-8", errors="replace") as file:
                return "".join(file.readlines()[-lines:])
        except FileNotFoundError:
            return ""


def wait_for(predicate, timeout, interval=0.05):
    """Call ``predicate`` until it returns something true (returned) or ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return None
