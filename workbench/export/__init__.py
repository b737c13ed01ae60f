"""Versioned, immutable dataset releases: `exports/<dataset>/vNNNN/` with manifest, card, diff,
Parquet + JSONL data and a spaCy/Prodigy span file (`release` has the functions the CLI calls).
"""

from workbench.export.collect import collect, public_url
from workbench.export.release import (
    ExportResult,
    ReleaseInfo,
    diff_releases,
    export_dataset,
    list_releases,
)
from workbench.export.splits import DEFAULT_RATIOS, SPLITS, assign_splits, hash_split, parse_ratios
from workbench.export.verify import VerifyReport, verify_release
from workbench.export.write import ReleaseError

__all__ = [
    "DEFAULT_RATIOS",
    "SPLITS",
    "ExportResult",
    "ReleaseError",
    "ReleaseInfo",
    "VerifyReport",
    "assign_splits",
    "collect",
    "diff_releases",
    "export_dataset",
    "hash_split",
    "list_releases",
    "parse_ratios",
    "public_url",
    "verify_release",
]
