"""One computation in a forked child while the caller goes on with its own (the second core).

Reconcile and export are mostly single-threaded Python over data already in memory. Where two
parts are independent, the child inherits the data by `fork` (nothing big is pickled), and only
its answer, small by design, travels back through a pipe. With one worker, or where `fork` is
unavailable, the function runs in the caller when its result is asked for: same answer.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def can_fork(workers: int | None = None) -> bool:
    """Whether `beside` and `stages` run their function in a child (else lazily here)."""
    workers = (os.cpu_count() or 1) if workers is None else workers
    return workers >= 2 and "fork" in mp.get_all_start_methods()


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        conn.send(fn(*args))
    except BaseException as exc:  # the parent re-raises it
        conn.send(exc)
    finally:
        conn.close()


class Inbox:
    """What the caller of `stages` sends its worker (`Stages.send`), in the order sent. In a
    forked worker a thread takes each value off the pipe as soon as it arrives, so the
    caller's `send` never waits for the worker to ask."""

    def __init__(self, conn: Connection | None = None) -> None:
        self._held: deque[Any] = deque()  # run here: sent before the worker asks
        self._arrived: queue.Queue[Any] | None = None
        if conn is not None:
            self._arrived = queue.Queue()
            threading.Thread(target=self._receive, args=(conn,), daemon=True).start()

    def _receive(self, conn: Connection) -> None:
        assert self._arrived is not None
        try:
            while True:
                self._arrived.put(conn.recv())
        except (EOFError, OSError):  # the caller is gone or done sending
            self._arrived.put(_CLOSED)

    def put(self, value: Any) -> None:
        self._held.append(value)

    def get(self) -> Any:
        """The next value sent (waits for it in a forked worker)."""
        if self._arrived is None:
            if not self._held:
                raise RuntimeError("the worker asked for a value its caller has not sent")
            return self._held.popleft()
        value = self._arrived.get()
        if value is _CLOSED:
            raise RuntimeError("the caller stopped before sending what the worker needs")
        return value


_CLOSED = object()


def _stages_child(
    conn: Connection,
    fn: Callable[..., Iterator[Any]],
    args: tuple[Any, ...],
    inbox: Connection | None = None,
    callers_end: Connection | None = None,
) -> None:
    if callers_end is not None:
        callers_end.close()  # inherited: held here, the caller's death would never reach us
    try:
        for value in fn(Inbox(inbox), *args):
            conn.send(value)
    except BaseException as exc:
        conn.send(exc)
    finally:
        conn.close()


def _fork(target: Callable[..., None], fn: Any, args: tuple[Any, ...]) -> tuple[Any, Connection]:
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(send, fn, args), daemon=True)
    proc.start()
    send.close()
    return proc, receive


class Beside(Generic[T]):
    """`fn(*args)`, computed in a forked child (or lazily here); `result()` waits for it."""

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...], workers: int | None) -> None:
        self._fn, self._args = fn, args
        self._proc: Any = None
        self._conn: Connection | None = None
        if can_fork(workers):
            self._proc, self._conn = _fork(_child, fn, args)

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


class Stages:
    """The values the generator `fn(inbox, *args)` yields, one by one, computed in a forked
    child (or here, a stage at a time, when `next` asks for it): for a worker whose first
    answer is needed before its last one is done. `inbox.get()` in the worker returns what
    the caller passed to `send` (in a worker run here, it must have been sent already)."""

    def __init__(
        self, fn: Callable[..., Iterator[Any]], args: tuple[Any, ...], workers: int | None
    ) -> None:
        self._here: Iterator[Any] | None = None
        self._inbox: Inbox | None = None
        self._proc: Any = None
        self._conn: Connection | None = None
        self._outbox: Connection | None = None
        if can_fork(workers):
            ctx = mp.get_context("fork")
            receive, send = ctx.Pipe(duplex=False)
            inbox, self._outbox = ctx.Pipe(duplex=False)
            self._proc = ctx.Process(
                target=_stages_child, args=(send, fn, args, inbox, self._outbox), daemon=True
            )
            self._proc.start()
            send.close()
            inbox.close()
            self._conn = receive
        else:
            self._inbox = Inbox()
            self._here = fn(self._inbox, *args)

    def send(self, value: Any) -> None:
        """Give the worker `value` (its `inbox.get()` returns it); pickled when forked."""
        if self._inbox is not None:
            self._inbox.put(value)
            return
        if self._outbox is None:
            raise RuntimeError("the worker has stopped (or was cancelled)")
        with contextlib.suppress(OSError):  # it died or failed: `next` reports why
            self._outbox.send(value)

    def next(self) -> Any:
        """The next value yielded (re-raises what the function raised)."""
        if self._here is not None:
            return next(self._here)
        if self._conn is None:
            raise RuntimeError("the worker has no more values (or was cancelled)")
        try:
            answer = self._conn.recv()
        except EOFError:
            pid = self._proc.pid
            self.cancel()
            raise RuntimeError(f"the worker process (pid {pid}) died without an answer") from None
        if isinstance(answer, BaseException):
            self.cancel()
            raise answer
        return answer

    def cancel(self) -> None:
        """Stop the child (harmless once it is done)."""
        for conn in (self._conn, self._outbox):
            if conn is not None:
                conn.close()
        self._conn = self._outbox = None
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.terminate()
            self._proc.join()
            self._proc = None
        self._here = None
        self._inbox = None


def stages(fn: Callable[..., Iterator[Any]], *args: Any, workers: int | None = None) -> Stages:
    """Start the generator `fn(inbox, *args)` beside the caller (single-threaded, as for
    `beside`); its values are pickled back as they are yielded."""
    return Stages(fn, args, workers)
