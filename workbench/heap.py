"""Give freed heap memory back to the operating system (glibc's heap and Arrow's pool).

glibc and Arrow's allocator keep freed blocks for reuse: after an export step drops a
gigabyte of Python objects and Arrow buffers, the process (or its forked worker) stays that
large while the next step runs, and the two processes' peaks add up.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any

import pyarrow as pa


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def trim() -> None:
    """Return the free memory of the C heap and of Arrow's pool (its own allocator, which
    keeps freed buffers too) to the system."""
    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
