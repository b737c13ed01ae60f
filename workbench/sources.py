"""Reading article files from disk: paths → decoded text, or an `InputError` naming the file.
Nothing here knows about cleaning or the store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import InputError

FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
MAX_BYTES = 20 * 1024 * 1024  # an article is kilobytes; anything this big is not an article


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str  # how the path is shown and kept as provenance
    format: str
    raw: str
    sha256: str


class MissingPath(InputError):
    """A path given that does not exist (carrying the path)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: no such file or folder")
        self.path = path


def expand_paths(paths: Iterable[Path]) -> Iterator[Path | MissingPath]:
    """Files as given, and the article files inside folders (sorted, recursively); a path
    that does not exist yields a MissingPath, so the caller can report it and go on."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in FORMATS and not child.name.startswith("."):
                    yield child
        elif path.exists():
            yield path
        else:
            yield MissingPath(path)


def read_source(path: Path) -> SourceFile:
    # shown relative to the working directory when inside it: provenance that survives a move
    resolved, cwd = path.resolve(), Path.cwd().resolve()
    shown = (resolved.relative_to(cwd) if resolved.is_relative_to(cwd) else resolved).as_posix()
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(set(FORMATS)))
        raise InputError(f"{shown}: unsupported file type {path.suffix or '(none)'!r} ({known})")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"{shown}: {size / 1e6:.0f} MB is too large for an article (limit "
                f"{MAX_BYTES // 1024 // 1024} MB)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputError(f"{shown}: empty file")
    if b"\x00" in data[:8192]:
        raise InputError(f"{shown}: binary file, not text")
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{shown}: not UTF-8 text (undecodable byte at offset {exc.start})"
        ) from None
    return SourceFile(path, shown, fmt, raw, hashlib.sha256(data).hexdigest())
