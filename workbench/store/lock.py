"""One long-running operation per dataset at a time, on SQLite and PostgreSQL alike.

`operation_lock(store, dataset, "pull")` holds the row ``locks.name = "dataset:<dataset>"`` for
the block: acquiring is an INSERT (the primary key lets exactly one of two racing processes win,
on every database), releasing deletes the row by this acquisition's random token, and meanwhile
a daemon thread refreshes ``heartbeat_at``. A lock whose process died is *stale* and taken over:
its owner ran on this host and that pid is gone (or is another process now: the pid's start
time is recorded), or its heartbeat is older than ``stale_after`` (another host, or a process
frozen that long). The take-over is a compare-and-swap on the old token, so two processes that
both found it stale cannot both win. A live holder is waited for up to ``wait`` seconds
(default: ``WORKBENCH_LOCK_WAIT``, else 0), then refused with `LockedError` naming it (exit 5).

Every library entry point that writes takes the lock itself. It is re-entrant within one thread
(`workbench up` holds it around the push, pull, reconcile and export that take it too); another
thread is a competitor like any other process. The corpus (articles and segments, shared by every
dataset) has a lock of its own: ``dataset=None``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Delete, Update, delete, select, update
from sqlalchemy.exc import IntegrityError

from workbench.errors import ConfigError, StoreError
from workbench.processes import pid_alive
from workbench.store.db import Store
from workbench.store.models import OperationLock, utcnow

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)
HEARTBEAT_SECONDS = 30.0
_POLL_SECONDS = 0.25


class LockedError(StoreError):
    """Another live process runs an operation on the same dataset."""


@dataclass(frozen=True)
class Holder:
    name: str
    operation: str
    token: str
    host: str
    pid: int
    started: str | None
    acquired_at: datetime
    heartbeat_at: datetime

    @classmethod
    def of(cls, row: OperationLock) -> Holder:
        return cls(
            row.name,
            row.operation,
            row.token,
            row.owner_host,
            row.owner_pid,
            row.owner_started,
            _utc(row.acquired_at),
            _utc(row.heartbeat_at),
        )


def lock_name(dataset: str | None) -> str:
    return "corpus" if dataset is None else f"dataset:{dataset}"


def lock_wait() -> float:
    """Seconds to wait for a busy lock: ``WORKBENCH_LOCK_WAIT`` (default 0)."""
    value = os.environ.get("WORKBENCH_LOCK_WAIT", "").strip()
    try:
        wait = float(value or 0)
    except ValueError:
        wait = -1.0
    if not wait >= 0 or wait == float("inf"):
        raise ConfigError(f"WORKBENCH_LOCK_WAIT={value!r}: not a number of seconds")
    return wait


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _host() -> str:
    return socket.gethostname()[:255]


def _pid_started(pid: int) -> str | None:
    """The start time of `pid` (clock ticks since boot, from /proc): tells pid reuse apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def is_stale(holder: Holder, *, stale_after: timedelta = STALE_AFTER) -> str | None:
    """Why `holder` is stale (its process is gone, or silent too long); None if it is alive."""
    if holder.host == _host():
        if not pid_alive(holder.pid):
            return f"pid {holder.pid} is gone"
        started = _pid_started(holder.pid)
        if holder.started and started and started != holder.started:
            return f"pid {holder.pid} is another process now"
    age = utcnow() - holder.heartbeat_at
    if age > stale_after:
        return f"no heartbeat for {age.total_seconds() / 60:.0f} minutes"
    return None


def current_holder(store: Store, dataset: str | None) -> Holder | None:
    with store.session() as session:
        row = session.get(OperationLock, lock_name(dataset))
        return Holder.of(row) if row is not None else None


# Re-entrancy: this thread's held locks, (store url, lock name) -> depth
_held = threading.local()


def _what(dataset: str | None) -> str:
    return "the corpus" if dataset is None else f"dataset {dataset!r}"


def _describe(dataset: str | None, holder: Holder) -> str:
    since = holder.acquired_at.isoformat(timespec="seconds")
    return (
        f"{_what(dataset)} is busy: {holder.operation} by pid {holder.pid} on {holder.host} "
        f"since {since}; try again when it has finished (a lock whose process died is taken "
        "over automatically)"
    )


@contextmanager
def operation_lock(
    store: Store,
    dataset: str | None,
    operation: str,
    *,
    wait: float | None = None,
    stale_after: timedelta = STALE_AFTER,
    heartbeat: float = HEARTBEAT_SECONDS,
) -> Iterator[None]:
    """Hold the dataset's (None: the corpus's) operation lock for the block (see the module
    docstring). Waits up to `wait` seconds (default `lock_wait()`) for a live holder, then
    raises `LockedError` naming it."""
    name = lock_name(dataset)
    key = (store.url, name)
    depths: Counter[tuple[str, str]] = _held.__dict__.setdefault("depths", Counter())
    if depths[key]:
        depths[key] += 1
        try:
            yield
        finally:
            depths[key] -= 1
        return

    wait = lock_wait() if wait is None else wait
    token = _acquire(store, dataset, name, operation, wait, stale_after)
    depths[key] = 1
    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat, args=(store, name, token, heartbeat, stop), daemon=True
    )
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join(timeout=5)
        del depths[key]
        _release(store, name, token)


def _acquire(
    store: Store,
    dataset: str | None,
    name: str,
    operation: str,
    wait: float,
    stale_after: timedelta,
) -> str:
    token = uuid.uuid4().hex
    deadline = time.monotonic() + max(0.0, wait)
    told = False
    while True:
        now = utcnow()
        try:
            with store.session() as session:
                session.add(OperationLock(name=name, **_owner(token, operation, now)))
            return token
        except IntegrityError:
            pass  # held: look at the holder
        holder = current_holder(store, dataset)
        if holder is None:
            continue  # released in between: try again at once
        reason = is_stale(holder, stale_after=stale_after)
        if reason is not None:
            if _take_over(store, holder, token, operation, now):
                log.warning(
                    "took over the stale lock of %s (%s by pid %s on %s: %s)",
                    dataset,
                    holder.operation,
                    holder.pid,
                    holder.host,
                    reason,
                )
                return token
            continue  # someone else took it over first: look again
        if time.monotonic() >= deadline:
            raise LockedError(_describe(dataset, holder))
        if not told:  # a waiting command would otherwise look hung
            log.warning(
                "waiting up to %g s for %s: %s by pid %s on %s holds it",
                wait, _what(dataset), holder.operation, holder.pid, holder.host,
            )  # fmt: skip
            told = True
        time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))


def _owner(token: str, operation: str, now: datetime) -> dict[str, object]:
    """The lock row's columns that say who holds it: this process, from `now`."""
    pid = os.getpid()
    return {
        "operation": operation[:32],
        "token": token,
        "owner_host": _host(),
        "owner_pid": pid,
        "owner_started": _pid_started(pid),
        "acquired_at": now,
        "heartbeat_at": now,
    }


def _mine(store: Store, statement: Update | Delete, name: str, token: str) -> int:
    """Run `statement` on the lock row `name` only while the acquisition `token` holds it;
    how many rows it touched (0: the lock was taken over)."""
    with store.session() as session:
        where = (OperationLock.name == name, OperationLock.token == token)
        return int(session.connection().execute(statement.where(*where)).rowcount)


def _take_over(store: Store, holder: Holder, token: str, operation: str, now: datetime) -> bool:
    claim = update(OperationLock).values(**_owner(token, operation, now))
    return _mine(store, claim, holder.name, holder.token) == 1


def _heartbeat(store: Store, name: str, token: str, every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        try:
            if _mine(store, update(OperationLock).values(heartbeat_at=utcnow()), name, token) == 0:
                log.warning("the lock %s was taken over by another process", name)
                return
        except Exception as exc:  # a missed heartbeat is not worth stopping the work for
            log.info("lock heartbeat failed: %s", type(exc).__name__)


def _release(store: Store, name: str, token: str) -> None:
    try:
        _mine(store, delete(OperationLock), name, token)
    except Exception as exc:  # the lock goes stale and is taken over once this process ends
        log.warning("could not release the lock %s: %s", name, type(exc).__name__)


def held_locks(store: Store) -> list[Holder]:
    """Every lock row in the store (for `status` and tests)."""
    with store.session() as session:
        return [Holder.of(r) for r in session.scalars(select(OperationLock))]
