"""One computation in a forked child while the caller goes on with its own (the second core).

Reconcile and export are mostly single-threaded Python over data already in memory. Where two
parts are independent, the child inherits the data by `fork` (nothing big is pickled), and only
its answer, small by design, travels back through a pipe. With one worker, or where `fork` is
unavailable, the function runs in the caller when its result is asked for: same answer.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        conn.send(fn(*args))
    except BaseException as exc:  # the parent re-raises it
        conn.send(exc)
    finally:
        conn.close()


class Beside(Generic[T]):
    """`fn(*args)`, computed in a forked child (or lazily here); `result()` waits for it."""

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...], workers: int | None) -> None:
        self._fn, self._args = fn, args
        self._proc: Any = None
        self._conn: Connection | None = None
        workers = (os.cpu_count() or 1) if workers is None else workers
        if workers >= 2 and "fork" in mp.get_all_start_methods():
            ctx = mp.get_context("fork")
            receive, send = ctx.Pipe(duplex=False)
            self._proc = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
            self._proc.start()
            send.close()
            self._conn = receive

    def result(self) -> T:
        if self._proc is None:
            return self._fn(*self._args)
        assert self._conn is not None
        try:
            answer = self._conn.recv()
        except EOFError:
            raise RuntimeError(
                f"the worker process (pid {self._proc.pid}) died without an answer"
            ) from None
        finally:
            self._close()
        if isinstance(answer, BaseException):
            raise answer
        out: T = answer
        return out

    def cancel(self) -> None:
        """Stop the child (nobody will read its answer); harmless after `result`."""
        if self._proc is not None and self._conn is not None:
            self._proc.terminate()
            self._close()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._proc.join()


def beside(fn: Callable[..., T], *args: Any, workers: int | None = None) -> Beside[T]:
    """Start `fn(*args)` beside the caller. Call it from a single-threaded program (a fork
    copies only the calling thread) and keep the answer small: it is pickled back."""
    return Beside(fn, args, workers)
