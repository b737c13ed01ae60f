"""Versioned, immutable dataset releases: `exports/<dataset>/vNNNN/` with manifest, card, diff,
Parquet + JSONL data and a spaCy/Prodigy span file.

Layout: `collect` (store → ReleaseData) · `tables` (DuckDB SQL → Arrow tables) · `jsonl`,
`summary`, `card`, `diff`, `splits` (pure) · `write` (files, checksums, atomic folder
write) · `verify` · `release` (the library functions the CLI calls).
"""

from workbench.export.collect import collect, public_url
from workbench.export.model import DEFAULT_RATIOS, SPLITS, ReleaseData, frame
from workbench.export.release import (
    ExportResult,
    ReleaseInfo,
    build_release,
    diff_releases,
    export_dataset,
    list_releases,
    render_data,
)
from workbench.export.splits import assign_splits, hash_split, parse_ratios
from workbench.export.verify import VerifyReport, verify_release
from workbench.export.write import ReleaseError

__all__ = [
    "DEFAULT_RATIOS",
    "SPLITS",
    "ExportResult",
    "ReleaseData",
    "ReleaseError",
    "ReleaseInfo",
    "VerifyReport",
    "assign_splits",
    "build_release",
    "collect",
    "diff_releases",
    "export_dataset",
    "frame",
    "hash_split",
    "list_releases",
    "parse_ratios",
    "public_url",
    "render_data",
    "verify_release",
]
