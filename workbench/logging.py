"""Keeping secrets out of everything workbench prints: log records, error lines, tracebacks.

Every `workbench.config.Secret` registers its value here when made, so text that leaves through
`redact` (the CLI's error lines and tracebacks) or a log handler with `RedactingFilter` (the CLI
installs it on the root handlers) shows ``***`` for it. (``import logging`` here is the
standard library: absolute imports only.)
"""

from __future__ import annotations

import logging
import threading
import traceback

MASK = "***"
_MIN_LENGTH = 6  # shorter values would mask ordinary words; tokens are never that short

_secrets: set[str] = set()
_guard = threading.Lock()


def register_secret(value: str | None) -> None:
    """Never show `value` again (in anything that passes through `redact`)."""
    if value and len(value) >= _MIN_LENGTH:
        with _guard:
            _secrets.add(value)


def redact(text: str) -> str:
    """`text` with every registered secret replaced by ``***``."""
    with _guard:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def format_exception(exc: BaseException) -> str:
    """The traceback of `exc` (with its chain), redacted."""
    return redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


class RedactingFilter(logging.Filter):
    """A handler filter: the message, its traceback and stack are redacted before formatting."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = format_exception(record.exc_info[1]).rstrip("\n")
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install() -> None:
    """Add a `RedactingFilter` to every handler of the root logger."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
