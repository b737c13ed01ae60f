"""What a release is made of, in memory: :class:`ReleaseData` (typed pandas frames).

`collect` fills it from the store; everything after that (splits, tables, card, diff) is a
pure function of it, so tests can build one directly without a store.

Annotator columns hold **pseudonyms only**: emails, Label Studio user ids and tokens never
enter a `ReleaseData`, so they cannot reach a release file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

import pandas as pd

from workbench.schema import Schema

SPLITS: tuple[str, ...] = ("train", "dev", "test")
DEFAULT_RATIOS: tuple[float, float, float] = (0.8, 0.1, 0.1)

#: Columns of each frame of a `ReleaseData` (in order). Lists hold pseudonyms.
COLUMNS: dict[str, tuple[str, ...]] = {
    # split_group: the article's first revision, so revisions of one article share a split.
    "articles": (
        "article_id",
        "split_group",
        "title",
        "author",
        "outlet",
        "published",
        "source_path",
    ),
    "segments": ("segment_id", "article_id", "position", "start", "end", "text"),
    # Segment-level consensus, one row per (segment, field); label None = undecided.
    "labels": (
        "segment_id",
        "field",
        "label",
        "support",
        "confidence",
        "n_annotators",
        "method",
        "adjudicated",
    ),
    # Consensus spans; attrs: {attribute name: value}.
    "spans": (
        "segment_id",
        "span_id",
        "label",
        "start",
        "end",
        "attrs",
        "support",
        "confidence",
        "n_annotators",
        "exact",
        "adjudicated",
    ),
    "relations": ("segment_id", "kind", "from_id", "to_id", "support", "confidence"),
    # Raw annotations (current revision, valid, not deleted); result = Label Studio result list
    # (or its JSON text). An optional column `canonical` (bool) marks a result that is already
    # its cleaned canonical JSON text (`annotation.clean.canonical_result`), as the store has it.
    "annotations": ("segment_id", "annotator", "annotation_id", "lead_time", "result"),
    # One row per adjudicated decision; target = a field name or a span id.
    "adjudications": ("segment_id", "target", "kind", "decision", "adjudicator", "note"),
}


class Columns:
    """A frame as plain lists, missing values None (a column reads as ``columns[name]``):
    what `collect` gives the export, whose tables read columns as lists anyway. Building
    pandas frames only to read them back was 0.7 s of the export at 10^5 segments."""

    def __init__(self, name: str, columns: Mapping[str, list[Any]]) -> None:
        self.data = {c: columns[c] for c in COLUMNS[name]}
        self.columns = list(self.data)

    def __getitem__(self, name: str) -> list[Any]:
        return self.data[name]

    def __len__(self) -> int:
        return len(self.data[self.columns[0]])

    def filter(self, mask: Sequence[bool]) -> Columns:
        """The rows where `mask` is true."""
        out = Columns.__new__(Columns)
        out.data = {
            c: [v for v, m in zip(col, mask, strict=True) if m] for c, col in self.data.items()
        }
        out.columns = self.columns
        return out


#: A `ReleaseData` frame: pandas (tests, callers) or `Columns` (the export's own collect).
Frame: TypeAlias = pd.DataFrame | Columns


@dataclass(frozen=True)
class ReleaseData:
    """Everything one release is built from. Frames have exactly the `COLUMNS` above."""

    dataset: str
    schema: Schema
    label_studio_url: str | None
    project_id: int | None
    articles: Frame
    segments: Frame
    labels: Frame
    spans: Frame
    relations: Frame
    annotations: Frame
    adjudications: Frame
    #: How consensus was reached (method, thresholds), as the reconcile step recorded it.
    reconcile_info: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        for name, cols in COLUMNS.items():
            frame: Frame = getattr(self, name)
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                raise ValueError(f"ReleaseData.{name} lacks columns {missing}")

    def identity(self) -> ReleaseData:
        """This data with its segment, label, span, relation and annotation frames emptied:
        what a release's card and manifest still read once its tables are built (the
        export drops the rest, a gigabyte at 10^5 segments, before it writes them)."""
        empty = {n: frame(n) for n in ("segments", "labels", "spans", "relations", "annotations")}
        return replace(self, **empty)


def frame(name: str, rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """A frame with the columns of `name` (empty when no rows): object dtype, no coercion."""
    return frame_of(name, {c: [r.get(c) for r in rows or []] for c in COLUMNS[name]})


def frame_of(name: str, columns: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """`frame` from columns (lists of equal length, one per column of `name`)."""
    cols = list(COLUMNS[name])
    return pd.DataFrame({c: pd.Series(columns[c], dtype=object) for c in cols}, columns=cols)
