#!/usr/bin/env python3
"""A Conveyor worker in Python, standard library only (urllib, json, threading).

It speaks Conveyor's worker protocol over HTTP, as seed 003's Render "jobspy-service" would:

    POST /api/workers/claim        take up to N jobs (long-poll: the server holds the request until
                                   a job is ready or wait_ms has passed)
    POST /api/jobs/:id/heartbeat   every lease/3, from a thread per job: renews the lease and says
                                   whether someone cancelled the job (then the handler stops)
    POST /api/jobs/:id/progress    0-100 and a message
    POST /api/jobs/:id/complete    with the handler's result (any JSON)
    POST /api/jobs/:id/fail        with the error; retryable=False for a PermanentError, a result that
                                   is not JSON, or a cancel

Each handler runs in a thread of its own, watched by the job's thread: the attempt ends when the
handler returns or raises (any BaseException), or as soon as the job is cancelled, its lease is lost or
it runs past its timeoutMs, whichever comes first. Python cannot stop a thread, so a handler that goes
on after that is told to stop (ctx.check() and ctx.sleep() raise Cancelled) and left to finish on its
own; what it then returns is discarded.

Every report carries the attempt number, so a worker whose lease ran out (the server gave the job to
someone else) changes nothing: the server answers 409 and this worker drops the job.

    python3 worker.py --server http://127.0.0.1:3000 --key cv_... [--once-idle]

Handlers are plain functions registered in HANDLERS below; add your own.
"""

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

log = logging.getLogger("conveyor-worker")


# --- errors a handler may raise ------------------------------------------------------------------

class PermanentError(Exception):
    """Fails the job at once, without further attempts (bad parameters, a missing resource)."""


class Cancelled(Exception):
    """Raised by ctx.check() and ctx.sleep() when the handler must stop: the job was cancelled, its
    lease was lost or it ran past its timeoutMs. The attempt has ended already; what the handler does
    from then on is discarded."""


# --- the HTTP API --------------------------------------------------------------------------------

class HttpError(Exception):
    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class Api:
    """One small JSON-over-HTTP wrapper; errors come back as HttpError with the API's code."""

    def __init__(self, server, key, timeout=30):
        self.server = server.rstrip("/")
        self.key = key
        self.timeout = timeout

    def call(self, method, path, body=None, timeout=None):
        data = None if body is None else json.dumps(body, allow_nan=False).encode("utf-8")
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.key)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as res:
                raw = res.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                err = json.loads(raw)["error"]
                raise HttpError(e.code, err.get("code", "http_error"), err.get("message", "")) from None
            except (ValueError, KeyError, TypeError):
                raise HttpError(e.code, "http_error", raw[:200].decode("utf-8", "replace")) from None


# --- what a handler gets besides its job ---------------------------------------------------------

class JobContext:
    PROGRESS_INTERVAL = 0.25  # seconds between two progress writes of one job

    STOP_MESSAGES = {"cancelled": "job was cancelled", "lease lost": "lease lost", "timeout": "job ran past its timeoutMs"}

    def __init__(self, worker, job):
        self.worker = worker
        self.job = job
        self.attempt = job["attempts"]
        # Set by interrupt(): the job was cancelled, this worker lost it, or it ran past its timeoutMs.
        self.stop = threading.Event()
        # Why stop was set first: "cancelled", "lease lost" or "timeout".
        self.reason = None
        # Set when the handler has returned or been interrupted: wakes the job's thread.
        self.woken = threading.Event()
        # Set when the attempt has ended: heartbeats end, progress is dropped.
        self.finished = threading.Event()
        self.lease_lost = False
        self._last_progress = 0.0
        self._pending = None
        # Progress is written from the handler's thread and, at the end, from the job's thread.
        self._progress_lock = threading.Lock()
        self._reason_lock = threading.Lock()

    def check(self):
        """Raises Cancelled if the handler should stop now. Call it between steps."""
        if self.stop.is_set():
            raise Cancelled(self.STOP_MESSAGES[self.reason])

    def sleep(self, seconds):
        """Waits, but wakes (and raises Cancelled) as soon as the handler must stop (see check())."""
        if self.stop.wait(seconds):
            self.check()

    def progress(self, percent, message=None):
        """Reports progress (0-100). Writes are coalesced to one per PROGRESS_INTERVAL. Dropped once the
        attempt has ended (a handler still running after a cancel or a timeout)."""
        if self.finished.is_set():
            return
        pending = {"progress": max(0, min(100, int(round(percent))))}
        if message is not None:
            pending["message"] = str(message)[:1000]
        with self._progress_lock:
            self._pending = pending
            due = time.monotonic() - self._last_progress >= self.PROGRESS_INTERVAL
        if due:
            self.flush_progress()

    def flush_progress(self):
        # Held while writing, so that writes from the handler's thread and the job's final one keep their order.
        with self._progress_lock:
            if self._pending is None:
                return
            body, self._pending = self._pending, None
            self._last_progress = time.monotonic()
            try:
                self.worker.api.call("POST", f"/api/jobs/{self.job['id']}/progress",
                                     dict(body, workerId=self.worker.id, attempt=self.attempt))
            except HttpError as e:
                if e.status in (404, 409):
                    self.lost()
                else:
                    log.warning("could not write progress of %s: %s", self.job["id"], e)
            except OSError as e:
                log.warning("could not write progress of %s: %s", self.job["id"], e)

    def interrupt(self, reason):
        """Tells the handler to stop ("cancelled", "lease lost" or "timeout") and ends the attempt."""
        with self._reason_lock:
            if self.reason is None:
                self.reason = reason
            if reason == "lease lost":
                self.lease_lost = True
        self.stop.set()
        self.woken.set()

    def lost(self):
        self.interrupt("lease lost")


# --- handlers: seed 003's search runs ------------------------------------------------------------

SITES = ["indeed", "linkedin", "glassdoor"]


def search(payload, ctx):
    """A job search for one user's criteria, site by site (the scrape is simulated)."""
    title = (payload or {}).get("jobTitle")
    location = (payload or {}).get("location")
    if not title or not location:
        raise PermanentError("jobTitle and location are required")
    sites = [payload["site"]] if payload.get("site") else SITES
    per_site = int(payload.get("resultsWanted", 5))
    steps = int(payload.get("stepsPerSite", 2))
    step_seconds = payload.get("stepMs", 50) / 1000.0
    found = 0
    for i, site in enumerate(sites):
        for step in range(steps):
            ctx.sleep(step_seconds)  # scraping one page of `site`
            ctx.progress((i * steps + step + 1) * 100 / (len(sites) * steps), f"searching {site}")
        found += per_site
    return {"jobsFound": found, "sites": sites, "query": f"{title} in {location}"}


HANDLERS = {"search": search}


# --- the worker ----------------------------------------------------------------------------------

class Worker:
    def __init__(self, api, handlers, queues, concurrency, lease_ms, wait_ms, worker_id=None):
        self.api = api
        self.handlers = handlers
        self.queues = queues
        self.concurrency = concurrency
        self.lease_ms = lease_ms
        self.wait_ms = wait_ms
        self.id = worker_id or f"py:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stopping = threading.Event()
        self.running = {}  # (job id, attempt) -> its thread
        self.abandoned = []  # handler threads that outlived their attempt (see abandon())
        self.lock = threading.Lock()
        self.slot_freed = threading.Condition(self.lock)

    def run(self, once_idle=False):
        """Claims and runs jobs until stop() (or, with once_idle, until a claim finds nothing to do)."""
        failures = 0
        while not self.stopping.is_set():
            with self.lock:
                while len(self.running) >= self.concurrency and not self.stopping.is_set():
                    self.slot_freed.wait()
                free = self.concurrency - len(self.running)
            if self.stopping.is_set():
                break
            try:
                answer = self.api.call("POST", "/api/workers/claim", {
                    "workerId": self.id, "queues": self.queues, "types": list(self.handlers),
                    "limit": free, "leaseMs": self.lease_ms, "waitMs": self.wait_ms,
                }, timeout=self.wait_ms / 1000.0 + 30)
                failures = 0
            except HttpError as e:
                if e.status in (401, 403):
                    log.error("the server refused this worker key: %s", e)
                    return 2
                failures += 1
                log.warning("claim failed (%s); retrying", e)
                self.stopping.wait(min(0.1 * 2 ** failures, 10))
                continue
            except OSError as e:
                failures += 1
                log.warning("server unreachable (%s); retrying", e)
                self.stopping.wait(min(0.1 * 2 ** failures, 10))
                continue
            jobs = answer["jobs"]
            for job in jobs:
                self.start(job)
            if not jobs and once_idle:
                with self.lock:
                    idle = not self.running
                if idle:
                    log.info("nothing left to do; exiting")
                    break
        self.drain()
        return 0

    def start(self, job):
        # By attempt: a job reaped from this worker may come back to it while the old attempt winds down.
        key = (job["id"], job["attempts"])
        t = threading.Thread(target=self.execute, args=(job, key), name=f"job-{job['id'][:8]}", daemon=True)
        with self.lock:
            self.running[key] = t
        t.start()

    def execute(self, job, key):
        """The job's thread: runs the handler, heartbeats, reports the outcome, frees the slot."""
        try:
            ctx = JobContext(self, job)
            beat = threading.Thread(target=self.heartbeat, args=(ctx,), name=f"beat-{job['id'][:8]}", daemon=True)
            beat.start()
            try:
                outcome, handler = self.supervise(job, ctx)
            finally:
                ctx.finished.set()  # ends the heartbeat thread; later progress is dropped
                beat.join()
            self.report(job, ctx, outcome)
            if handler.is_alive():
                self.abandon(job, ctx, handler)
        except Exception:
            log.exception("job %s: the worker failed while running it; the server retries it when its lease ends", job["id"])
        finally:
            with self.lock:
                self.running.pop(key, None)
                self.slot_freed.notify_all()

    def supervise(self, job, ctx):
        """Runs the handler in a thread of its own and answers (its outcome, that thread) as soon as it
        ends, or the job is cancelled, its lease is lost or it runs past its timeoutMs."""
        ended = []

        def run():
            try:
                ended.append(self.call_handler(job, ctx))
            finally:
                ctx.woken.set()

        handler = threading.Thread(target=run, name=f"handler-{job['id'][:8]}", daemon=True)
        handler.start()
        timeout_ms = job.get("timeoutMs")
        ctx.woken.wait(timeout_ms / 1000.0 if timeout_ms else None)
        if ended:
            return ended[0], handler
        if not ctx.stop.is_set():
            ctx.interrupt("timeout")
        if ctx.reason == "timeout":
            return ("fail", TimeoutError(f"handler did not finish within timeoutMs ({timeout_ms} ms)")), handler
        return ("fail", Cancelled(JobContext.STOP_MESSAGES[ctx.reason])), handler

    def call_handler(self, job, ctx):
        handler = self.handlers.get(job["type"])
        if handler is None:
            return ("fail", PermanentError(f"no handler for job type {job['type']!r}"))
        try:
            result = handler(job["payload"], ctx)
        # BaseException: SystemExit, KeyboardInterrupt and the like raised in a handler fail its attempt
        # and leave the worker running. A real Ctrl-C never lands here: Python delivers signals to the
        # main thread, where SIGINT and SIGTERM stop the worker gracefully.
        except BaseException as e:
            return ("fail", e)
        try:
            json.dumps(result, allow_nan=False)
        except Exception as e:  # a set, NaN, an object, a cycle: failing again would not help
            return ("fail", PermanentError(f"the handler's result is not JSON: {e}"))
        return ("complete", result)

    def abandon(self, job, ctx, handler):
        """Leaves a handler that outlived its attempt to end on its own (Python cannot stop a thread)."""
        with self.lock:
            self.abandoned = [t for t in self.abandoned if t.is_alive()] + [handler]
            count = len(self.abandoned)
        log.warning("job %s: its handler still runs after the attempt ended (%s); its thread is left to "
                    "finish on its own and its outcome is discarded (%d such thread(s) in this process)",
                    job["id"], ctx.reason, count)

    def report(self, job, ctx, outcome):
        jid = job["id"]
        if ctx.lease_lost:
            log.warning("job %s: lease lost; its outcome is dropped", jid)
            return
        ctx.flush_progress()
        kind, value = outcome
        fenced = {"workerId": self.id, "attempt": ctx.attempt}
        if kind == "complete":
            refused = self.send(jid, "complete", dict(fenced, result=value))
            if refused is None:
                return
            # The server refused the result (too large, or JSON it cannot take): failing again would not help.
            value = PermanentError(f"the server refused the handler's result ({refused.status}): {refused.message}")
        name = "CancelledError" if isinstance(value, Cancelled) else type(value).__name__
        message = str(value)
        if not isinstance(value, Exception):  # SystemExit("3") alone says nothing
            message = f"the handler raised {name}" + (f": {message}" if message else "")
        self.send(jid, "fail", dict(fenced, error={"message": message[:10000] or name, "name": name[:256]},
                                    retryable=not isinstance(value, (PermanentError, Cancelled)),
                                    # For the attempt log; a handler's own TimeoutError (a socket's) is a failure.
                                    outcome="timeout" if ctx.reason == "timeout" else "failed"))

    def send(self, jid, verb, body):
        """Posts a job's complete or fail, retrying while the server is unreachable or busy, until its
        lease has surely run out. Answers the HttpError when the server refused the body (400, 413)."""
        deadline = time.monotonic() + self.lease_ms / 1000.0
        attempt = 0
        while True:
            try:
                answer = self.api.call("POST", f"/api/jobs/{jid}/{verb}", body)
                log.info("job %s: %s -> %s", jid, verb, answer["job"]["status"])
                return None
            except HttpError as e:
                if e.status in (404, 409):
                    log.warning("job %s: the server no longer gives it to this worker (%s)", jid, e.code)
                    return None
                if e.status in (400, 413):
                    log.error("job %s: the server refused its %s: %s", jid, verb, e)
                    return e
                if e.status < 500 and e.status != 429:
                    log.error("job %s: could not report its end: %s", jid, e)
                    return None
                err = e
            except OSError as e:
                err = e
            if time.monotonic() > deadline:
                log.error("job %s: gave up reporting its end (%s); the server retries it when its lease ends", jid, err)
                return None
            attempt += 1
            time.sleep(min(0.1 * 2 ** attempt, 2))

    def heartbeat(self, ctx):
        """Renews the lease every lease/3; a cancel request or a lost lease interrupts the attempt."""
        interval = self.lease_ms / 3000.0
        last_ok = time.monotonic()
        while not ctx.finished.wait(interval) and not ctx.lease_lost:
            try:
                answer = self.api.call("POST", f"/api/jobs/{ctx.job['id']}/heartbeat",
                                       {"workerId": self.id, "leaseMs": self.lease_ms, "attempt": ctx.attempt})
                last_ok = time.monotonic()
                if answer["cancelRequested"]:
                    log.info("job %s: cancelled; stopping its handler", ctx.job["id"])
                    ctx.interrupt("cancelled")
            except HttpError as e:
                if e.status in (404, 409):
                    ctx.lost()
                else:
                    log.warning("heartbeat failed: %s", e)
            except OSError as e:
                log.warning("heartbeat failed: %s", e)
            if not ctx.lease_lost and time.monotonic() - last_ok > self.lease_ms / 1000.0:
                log.warning("job %s: no heartbeat got through for a whole lease; giving it up", ctx.job["id"])
                ctx.lost()

    def stop(self):
        """Stops claiming; running jobs finish (drain)."""
        self.stopping.set()
        with self.lock:
            self.slot_freed.notify_all()

    def drain(self):
        with self.lock:
            threads = list(self.running.values())
        for t in threads:
            t.join()


def main(argv=None, handlers=HANDLERS):
    """The command line. `handlers` maps job types to handlers (default: HANDLERS)."""
    p = argparse.ArgumentParser(description="A Conveyor worker in Python (standard library only).")
    p.add_argument("--server", default=os.environ.get("CONVEYOR_SERVER", "http://127.0.0.1:3000"),
                   help="the Conveyor server (env CONVEYOR_SERVER; default %(default)s)")
    p.add_argument("--key", default=os.environ.get("CONVEYOR_KEY"),
                   help="an API key with the worker role (env CONVEYOR_KEY)")
    p.add_argument("--queue", action="append", dest="queues", help="a queue to take jobs from (repeatable; default: default)")
    p.add_argument("--concurrency", type=int, default=4, help="jobs run at once (default %(default)s)")
    p.add_argument("--lease-ms", type=int, default=30000, help="lease per claimed job, renewed every third (default %(default)s)")
    p.add_argument("--wait-ms", type=int, default=20000, help="how long one claim waits on the server for a job (default %(default)s)")
    p.add_argument("--once-idle", action="store_true", help="exit once a claim finds nothing to do and no job is running")
    p.add_argument("--worker-id", help="this worker's name (default py:HOST:PID:RANDOM)")
    p.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"))
    args = p.parse_args(argv)
    if not args.key:
        p.error("give --key (or set CONVEYOR_KEY): create one with `conveyor keys create --role worker`")
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    worker = Worker(Api(args.server, args.key), handlers, args.queues or ["default"],
                    args.concurrency, args.lease_ms, args.wait_ms, args.worker_id)

    def on_signal(signum, _frame):
        log.info("signal %s: finishing running jobs, then exiting", signum)
        worker.stop()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    log.info("worker %s taking %s from %s", worker.id, ", ".join(handlers), args.server)
    return worker.run(once_idle=args.once_idle)


if __name__ == "__main__":
    sys.exit(main())
