#!/usr/bin/env python3
"""A Conveyor worker in Python, standard library only (urllib, json, threading).

It speaks Conveyor's worker protocol over HTTP, as seed 003's Render "jobspy-service" would:

    POST /api/workers/claim        take up to N jobs (long-poll: the server holds the request until
                                   a job is ready or wait_ms has passed)
    POST /api/jobs/:id/heartbeat   every lease/3, from a thread per job: renews the lease and says
                                   whether someone cancelled the job (then the handler stops)
    POST /api/jobs/:id/progress    0-100 and a message
    POST /api/jobs/:id/complete    with the handler's result (any JSON)
    POST /api/jobs/:id/fail        with the error; retryable=False for a PermanentError

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
    """Raised by ctx.check() when the job was cancelled or its lease was lost: stop working."""


# --- the HTTP API --------------------------------------------------------------------------------

class HttpError(Exception):
    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code


class Api:
    """One small JSON-over-HTTP wrapper; errors come back as HttpError with the API's code."""

    def __init__(self, server, key, timeout=30):
        self.server = server.rstrip("/")
        self.key = key
        self.timeout = timeout

    def call(self, method, path, body=None, timeout=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
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

    def __init__(self, worker, job):
        self.worker = worker
        self.job = job
        self.attempt = job["attempts"]
        # Set by the heartbeat thread when the job is cancelled or this worker lost it.
        self.stop = threading.Event()
        # Set when the handler has returned: heartbeats end.
        self.finished = threading.Event()
        self.lease_lost = False
        self._last_progress = 0.0
        self._pending = None

    def check(self):
        """Raises Cancelled if the handler should stop now. Call it between steps."""
        if self.stop.is_set():
            raise Cancelled("lease lost" if self.lease_lost else "job was cancelled")

    def sleep(self, seconds):
        """Waits, but wakes (and raises Cancelled) as soon as the job is cancelled."""
        if self.stop.wait(seconds):
            self.check()

    def progress(self, percent, message=None):
        """Reports progress (0-100). Writes are coalesced to one per PROGRESS_INTERVAL."""
        self._pending = {"progress": max(0, min(100, int(round(percent))))}
        if message is not None:
            self._pending["message"] = str(message)[:1000]
        if time.monotonic() - self._last_progress >= self.PROGRESS_INTERVAL:
            self.flush_progress()

    def flush_progress(self):
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

    def lost(self):
        self.lease_lost = True
        self.stop.set()


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
        self.running = {}  # job id -> thread
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
        t = threading.Thread(target=self.execute, args=(job,), name=f"job-{job['id'][:8]}", daemon=True)
        with self.lock:
            self.running[job["id"]] = t
        t.start()

    def execute(self, job):
        ctx = JobContext(self, job)
        beat = threading.Thread(target=self.heartbeat, args=(ctx,), daemon=True)
        beat.start()
        try:
            outcome = self.call_handler(job, ctx)
        finally:
            ctx.finished.set()  # ends the heartbeat thread
            beat.join()
        try:
            self.report(job, ctx, outcome)
        finally:
            with self.lock:
                self.running.pop(job["id"], None)
                self.slot_freed.notify_all()

    def call_handler(self, job, ctx):
        handler = self.handlers.get(job["type"])
        if handler is None:
            return ("fail", PermanentError(f"no handler for job type {job['type']!r}"))
        try:
            return ("complete", handler(job["payload"], ctx))
        except Exception as e:  # the handler's failure is the job's, not the worker's
            return ("fail", e)

    def report(self, job, ctx, outcome):
        jid = job["id"]
        if ctx.lease_lost:
            log.warning("job %s: lease lost; its outcome is dropped", jid)
            return
        ctx.flush_progress()
        kind, value = outcome
        fenced = {"workerId": self.id, "attempt": ctx.attempt}
        if kind == "complete":
            body, path = dict(fenced, result=value), f"/api/jobs/{jid}/complete"
        else:
            name = "CancelledError" if isinstance(value, Cancelled) else type(value).__name__
            body = dict(fenced, error={"message": str(value)[:10000] or name, "name": name},
                        retryable=not isinstance(value, (PermanentError, Cancelled)))
            path = f"/api/jobs/{jid}/fail"
        deadline = time.monotonic() + self.lease_ms / 1000.0
        attempt = 0
        while True:
            try:
                answer = self.api.call("POST", path, body)
                log.info("job %s: %s -> %s", jid, kind, answer["job"]["status"])
                return
            except HttpError as e:
                if e.status in (404, 409):
                    log.warning("job %s: the server no longer gives it to this worker (%s)", jid, e.code)
                    return
                if e.status < 500 and e.status != 429:
                    log.error("job %s: could not report its end: %s", jid, e)
                    return
                err = e
            except OSError as e:
                err = e
            if time.monotonic() > deadline:
                log.error("job %s: gave up reporting its end (%s); the server retries it when its lease ends", jid, err)
                return
            attempt += 1
            time.sleep(min(0.1 * 2 ** attempt, 2))

    def heartbeat(self, ctx):
        """Renews the lease every lease/3; a cancel request or a lost lease sets ctx.stop."""
        interval = self.lease_ms / 3000.0
        last_ok = time.monotonic()
        while not ctx.finished.wait(interval) and not ctx.lease_lost:
            try:
                answer = self.api.call("POST", f"/api/jobs/{ctx.job['id']}/heartbeat",
                                       {"workerId": self.id, "leaseMs": self.lease_ms, "attempt": ctx.attempt})
                last_ok = time.monotonic()
                if answer["cancelRequested"]:
                    log.info("job %s: cancelled; stopping its handler", ctx.job["id"])
                    ctx.stop.set()
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


def main(argv=None):
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

    worker = Worker(Api(args.server, args.key), HANDLERS, args.queues or ["default"],
                    args.concurrency, args.lease_ms, args.wait_ms, args.worker_id)

    def on_signal(signum, _frame):
        log.info("signal %s: finishing running jobs, then exiting", signum)
        worker.stop()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    log.info("worker %s taking %s from %s", worker.id, ", ".join(HANDLERS), args.server)
    return worker.run(once_idle=args.once_idle)


if __name__ == "__main__":
    sys.exit(main())
