"""Reading article files from disk: path expansion, decoding, and the checks on bad input.

Nothing here knows about cleaning or the store; it turns paths into decoded text or an
`InputError` that names the file.
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


def display_path(path: Path, cwd: Path | None = None) -> str:
    """Relative to the working directory when inside it: provenance that survives moving a repo."""
    cwd = cwd or Path.cwd()
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


class MissingPath(InputError):
    """A path given on the command line that does not exist; it carries the path itself."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: no such file or folder")
        self.path = path


def expand_paths(paths: Iterable[Path]) -> Iterator[Path | MissingPath]:
    """Files as given, and the article files inside folders (sorted, recursively).

    A path that does not exist yields a MissingPath error instead of stopping the walk, so the
    caller can report it and go on with the others.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in FORMATS and not child.name.startswith("."):
                    yield child
        elif path.exists():
            yield path
        else:
            yield MissingPath(path)


def read_source(path: Path, cwd: Path | None = None) -> SourceFile:
    shown = display_path(path, cwd)
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
