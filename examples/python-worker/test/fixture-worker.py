#!/usr/bin/env python3
"""worker.py with handlers that misbehave, for python-worker.test.ts. Same flags as worker.py."""

import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import worker  # noqa: E402


def stuck(payload, ctx):
    """Ignores its ctx and never returns."""
    threading.Event().wait()


def polite(payload, ctx):
    """Sleeps through its ctx: stops when told to, and says so."""
    try:
        ctx.sleep(60)
    except worker.Cancelled as e:
        print(f"polite handler stopped: {e}", file=sys.stderr, flush=True)
        raise


def result(payload, ctx):
    """Returns what payload.kind names."""
    kind = payload["kind"]
    if kind == "set":
        return {"tags": {"a", "b"}}
    if kind == "nan":
        return {"score": float("nan")}
    if kind == "infinity":
        return [float("inf")]
    if kind == "cycle":
        loop = []
        loop.append(loop)
        return loop
    if kind == "large":
        return "x" * payload["size"]
    return {"echo": payload}


class Abort(BaseException):
    """Not an Exception: what `except Exception` lets through."""


def raises(payload, ctx):
    kind = payload["kind"]
    if kind == "exit":
        sys.exit(3)
    if kind == "interrupt":
        raise KeyboardInterrupt()
    raise Abort("stop everything")


if __name__ == "__main__":
    sys.exit(worker.main(handlers={"stuck": stuck, "polite": polite, "result": result, "raises": raises}))
