"""Typed input and output records of reconciliation.

Everything in `workbench.reconcile` is pure logic: it takes these records (already pulled from
Label Studio and validated against the schema) and returns figures and consensus records. Nothing
here touches a database, a file or the network.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple


class Label(NamedTuple):
    """One annotator's value for one categorical field of one item.

    A named tuple (immutable, ordered and hashable by its fields) rather than a dataclass:
    reconcile builds one per attribute vote, over a million at 10^5 segments, and a frozen
    dataclass costs several times more to construct.
    """

    item: str
    annotator: str
    field: str
    value: str


NO_ATTRS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Span:
    """One annotator's labelled character span ``[start, end)`` in an item's text.

    `region_id` is the Label Studio region id; relations refer to spans by it, so it must be
    unique per (item, annotator). `attrs` holds per-region choices (e.g. a source's type).
    """

    item: str
    annotator: str
    label: str
    start: int
    end: int
    attrs: Mapping[str, str] = field(default_factory=dict, hash=False)
    region_id: str = ""

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(
                f"span [{self.start}, {self.end}) of {self.item!r} is empty or negative"
            )
        # Attributes frozen in sorted order, so equal spans compare equal whatever order they
        # came in; a proxy is taken as frozen already (`extract` makes one per region).
        attrs = self.attrs
        if type(attrs) is not MappingProxyType:
            frozen = MappingProxyType(dict(sorted(attrs.items()))) if attrs else NO_ATTRS
            object.__setattr__(self, "attrs", frozen)

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True, order=True)
class Relation:
    """One annotator's directed relation between two of their regions of the same item."""

    item: str
    annotator: str
    kind: str
    from_region: str
    to_region: str


@dataclass(frozen=True, slots=True)
class Metric:
    """One agreement figure with its percentile bootstrap confidence interval.

    `n_items` is the number of items (units) the figure is computed on — the ones that were
    resampled by the bootstrap. `value`, `ci_low` and `ci_high` are NaN when undefined (no
    pairable item, or no variation at all, so chance agreement is 1).
    """

    name: str
    value: float
    n_items: int
    ci_low: float
    ci_high: float

    def __eq__(self, other: object) -> bool:
        # NaN-aware equality, so that identical results compare equal.
        if not isinstance(other, Metric):
            return NotImplemented
        return (
            self.name == other.name
            and self.n_items == other.n_items
            and _same(self.value, other.value)
            and _same(self.ci_low, other.ci_low)
            and _same(self.ci_high, other.ci_high)
        )

    def __hash__(self) -> int:
        return hash((self.name, self.n_items))


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b
