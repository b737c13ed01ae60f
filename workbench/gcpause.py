"""Pause Python's cyclic garbage collector around bulk work on many small objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block (or decorated function), then restore it.

    Reconciling 10^5 segments builds millions of records, tuples and dicts, none of them in a
    reference cycle; every generation-2 collection rescans all of them, which cost ~40 % of
    reconcile's time (benchmarks/RESULTS.md). Reference counting still frees everything; only
    cycles wait until the collector is back on. Nesting is safe: the outermost block restores.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
