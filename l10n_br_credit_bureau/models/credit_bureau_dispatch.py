"""The provider side of the sending jobs: each integration's calls in worker threads.

A sending job (inclusions, removals) runs a bounded pipeline (``_bureau_dispatch`` of the
negativation): while the provider works on one group of calls, the job writes the outcomes
of the previous group and marks (and commits) the next one. The calls themselves run here,
in a ``CallLane`` per integration: ``_bureau_lane_size`` worker threads that take the marked
calls from a queue as soon as they are free and hand each outcome back on a queue the job
reads. A call only talks to the provider: it never writes the negativation, whose outcome
the job records in its own transaction. The status poll asks its chunks of references the
same way (``_bureau_poll_integration``), the next ones while it applies an answer.
"""

import logging
import queue
import threading
import time

from odoo import api, modules

from ..tools import CreditBureauError

_logger = logging.getLogger(__name__)

# The value of a call a halted lane did not make (see ``CallLane``).
HELD = object()


def call_timed_out(value, error):
    """Whether a call's outcome (``(kind, answer)``, or the exception it raised) is a
    timeout of the provider; None for a call that crashed (see ``_bureau_note_calls``)."""
    if error is not None:
        return None
    answer = value[1] if isinstance(value, tuple) and len(value) == 2 else None
    return isinstance(answer, CreditBureauError) and answer.timeout


class CallLane:
    """The calls of one integration in one run of a sending job.

    ``submit`` queues ``(key, call)`` pairs (``call`` takes the integration); each outcome
    comes back on ``results`` as ``(lane, key, value, exception, seconds)``: an exception a
    call raises is handed back, never raised. ``queued`` counts the calls submitted whose
    outcome the job has not taken yet (the job decrements it when it takes one).

    In a scheduled action (``_bureau_threads_allowed``) each call runs in one of
    ``_bureau_lane_size`` worker threads (the integration's ``send_concurrency``; one at one
    call at a time, and in a queue job: the job's own work goes on while the provider
    answers), with a cursor of its own, whose environment starts with the integration's
    stored values as the job read them (``_bureau_cache_snapshot``): no thread reads the
    integration again; a thread keeps its cursor from one call to the next, committed after
    each one (see ``_run``). Elsewhere (a button) the calls run in the caller's
    thread, when submitted. Under Odoo's tests the worker threads share the test's
    transaction behind a lock (``TestCursor``): ``lockstep`` then tells the job to wait for
    every call it submitted before it uses its own cursor again.

    Given ``max_timeouts``, the lane halts once that many calls in a row timed out (counted
    in the order the outcomes come back, as ``_bureau_note_calls`` counts them): each held a
    thread for the provider's whole timeout. The calls not made from then on are kept until
    ``take_back`` when run in the caller's thread; a worker thread hands each back unmade,
    as ``HELD``, so that every call submitted has its outcome on ``results``.
    """

    def __init__(self, integration, results):
        self.integration = integration
        self.size = integration._bureau_lane_size()
        self.results = results
        self.queued = 0
        self.inline = not integration._bureau_threads_allowed()
        self.lockstep = not self.inline and bool(modules.module.current_test)
        self.halted = False
        # {key: when its worker thread started it} of the calls in progress.
        self.started = {}
        self._streak = None
        self._max_timeouts = None
        self._lock = threading.Lock()
        self._tasks = queue.SimpleQueue()
        self._threads = []
        self._finishing = False
        if self.inline:
            return
        env = integration.env
        self._snapshot = integration._bureau_cache_snapshot()
        self._registry, self._uid, self._context, self._su = (
            env.registry,
            env.uid,
            env.context,
            env.su,
        )
        self._dbname = env.cr.dbname
        for index in range(self.size):
            thread = threading.Thread(
                target=self._work,
                name=f"credit_bureau_{integration.id}_{index}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def submit(self, items, streak=0, max_timeouts=None):
        """Queue ``items``, ``(key, call)`` pairs, whose records are committed as marked.

        ``streak``: the timeouts in a row before this lane's first call; from then on the
        lane counts them itself. ``max_timeouts``: halt once that many in a row timed out."""
        with self._lock:
            if self._streak is None:
                self._streak = streak
            self._max_timeouts = max_timeouts
        for key, call in items:
            self.queued += 1
            if not self.inline or self.halted:
                self._tasks.put((key, call))
                continue
            started = time.monotonic()
            value, error = self.integration._bureau_call(call)
            self._count(value, error)
            self.results.put((self, key, value, error, time.monotonic() - started))

    def _count(self, value, error):
        """Count a call's outcome in the timeouts in a row; halt at ``max_timeouts``."""
        timed_out = call_timed_out(value, error)
        if timed_out is None:
            return
        self._streak = self._streak + 1 if timed_out else 0
        if self._max_timeouts and self._streak >= self._max_timeouts:
            self.halted = True

    def first_started(self):
        """When the oldest of the calls in progress in the worker threads started (a
        ``time.monotonic()``), None when none is."""
        with self._lock:
            return min(self.started.values(), default=None)

    def take_back(self):
        """Withdraw the calls no thread has started yet: their keys."""
        keys = []
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                break
            if task is None:  # not ours to take: put back for the thread
                self._tasks.put(task)
                break
            keys.append(task[0])
        self.queued -= len(keys)
        return keys

    def finish(self):
        """No call is submitted from now on: each thread ends once it finds no call left
        (its cursor closed while the others still call the provider)."""
        if not self._finishing:
            self._finishing = True
            for _thread in self._threads:
                self._tasks.put(None)

    def close(self):
        """Withdraw what was not started and end the threads, after the calls they are in."""
        self.take_back()
        self.finish()
        for thread in self._threads:
            thread.join()
        self._threads = []

    def _work(self):
        threading.current_thread().dbname = self._dbname
        # The thread's cursor, opened now, while the job prepares its first calls: opened
        # at the first call instead, the threads' connections would be set up one after the
        # other while the job works, the last ones a few tens of milliseconds into the
        # first round of calls (and every round after it as late).
        cr = None if self.lockstep else self._open_cursor()
        try:
            while True:
                task = self._tasks.get()
                if task is None:
                    return
                key, call = task
                if self.halted:
                    self.results.put((self, key, HELD, None, 0.0))
                    continue
                started = time.monotonic()
                with self._lock:
                    self.started[key] = started
                cr, value, error = self._run(call, cr)
                with self._lock:  # counted in the order the job takes the outcomes
                    self._count(value, error)
                    del self.started[key]
                    self.results.put((self, key, value, error, time.monotonic() - started))
        finally:
            if cr is not None:
                self._close_cursor(cr)

    def _run(self, call, cr=None):
        """Make ``call`` in this worker thread: ``(cursor, value, exception)``.

        The thread keeps its cursor from one call to the next (``cr``: the one it opened
        when it started or that of its previous call, None if it has none), committed after
        each call, so that a call does not borrow a connection from the pool and hand it
        back (a round trip to PostgreSQL each). Under Odoo's tests each call has a cursor
        of its own, closed after it: a test cursor holds the test's transaction for as long
        as it is open. A cursor that fails is closed, and the next call opens another one."""
        try:
            if self.lockstep:
                with self._registry.cursor() as own:
                    return None, *self._call(own, call)
            if cr is None:
                cr = self._registry.cursor()
            value, error = self._call(cr, call)
            # The thread's own cursor (never the job's): what the call wrote, if anything.
            cr.commit()  # pylint: disable=invalid-commit
            return cr, value, error
        except Exception as error:  # no cursor, or its commit failed: the outcome is unknown
            if cr is not None:
                self._close_cursor(cr)
            return None, None, error

    def _call(self, cr, call):
        env = api.Environment(cr, self._uid, self._context, su=self._su)
        integration = self.integration.with_env(env)
        for field, value in self._snapshot:
            field._insert_cache(integration, (value,))
        return integration._bureau_call(call)

    def _open_cursor(self):
        """A cursor for this thread's calls, or None if none can be opened now (the first
        call tries again, and hands back the error)."""
        try:
            return self._registry.cursor()
        except Exception:  # the database refuses a connection: left to the first call
            _logger.debug("Opening a worker thread's cursor failed", exc_info=True)
            return None

    @staticmethod
    def _close_cursor(cr):
        try:
            cr.close()
        except Exception:  # a broken connection: the pool drops it
            _logger.debug("Closing a worker thread's cursor failed", exc_info=True)
