"""`workbench export verify`: recompute every checksum of a release against its manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workbench.export.write import MANIFEST, read_manifest, sha256


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    version: str | None
    checked: int
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.extra)


def verify_release(path: Path) -> VerifyReport:
    """Compare every file under `path` with the manifest: changed, missing and extra files."""
    manifest = read_manifest(path)
    listed = manifest.get("files") or {}
    on_disk = {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()} - {MANIFEST}
    changed, missing = [], []
    for name, entry in sorted(listed.items()):
        file = path / name
        if not file.is_file():
            missing.append(name)
        elif sha256(file.read_bytes()) != entry.get("sha256"):
            changed.append(name)
    extra = sorted(on_disk - set(listed))
    return VerifyReport(path, manifest.get("version"), len(listed), changed, missing, extra)
