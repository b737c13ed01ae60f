"""The records reconciliation works on: labels, spans and relations as pulled and validated,
a field's labels coded as arrays (`CategoricalData`), and figures (`Metric`)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from workbench.errors import ValidationError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


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


class Span(NamedTuple):
    """One annotator's labelled character span ``[start, end)`` in an item's text (a named
    tuple, as `Label` and `Relation`).

    `region_id` is the Label Studio region id; relations refer to spans by it, so it must be
    unique per (item, annotator). `attrs` holds per-region choices (e.g. a source's type).
    """

    item: str
    annotator: str
    label: str
    start: int
    end: int
    attrs: Mapping[str, str] = NO_ATTRS
    region_id: str = ""


def jaccard(a: Span, b: Span) -> float:
    """Character Jaccard index of two spans' ``[start, end)`` intervals (labels ignored)."""
    inter = min(a.end, b.end) - max(a.start, b.start)
    return inter / (max(a.end, b.end) - min(a.start, b.start)) if inter > 0 else 0.0


class Relation(NamedTuple):
    """One annotator's directed relation between two of their regions of the same item (a
    named tuple: reconcile reads ~10^5 of them as plain tuples)."""

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


def _category_order(values: Iterable[str]) -> tuple[str, ...]:
    """Sorted categories: numerically when every value is a number, else as strings."""
    uniq = sorted(set(values))
    try:
        return tuple(sorted(uniq, key=lambda v: (float(v), v)))
    except ValueError:
        return tuple(uniq)


def factorize(values: list[str]) -> tuple[tuple[str, ...], IntArray]:
    """The sorted distinct `values` and each value's index among them.

    Only the first of each run of equal values is looked up: spans come grouped by item and
    annotator, and a dict lookup per span was much of the index's construction at 10^6.
    """
    col = np.array(values, dtype=object)
    head = np.ones(len(col), dtype=bool)
    head[1:] = col[1:] != col[:-1]
    at = np.flatnonzero(head)
    firsts = col[at].tolist()
    names = tuple(sorted(set(firsts)))
    code_of = {x: k for k, x in enumerate(names)}
    codes = np.fromiter(map(code_of.__getitem__, firsts), np.int64, len(firsts))
    out: IntArray = np.repeat(codes, np.diff(np.append(at, len(col))))
    return names, out


@dataclass(frozen=True, eq=False)
class CategoricalData:
    """Labels of one field in long form, canonically ordered.

    `items`, `annotators` are sorted; `categories` are sorted (numerically when all values are
    numbers) unless given. The three index arrays hold one row per (item, annotator) label,
    sorted by item then annotator, so nothing downstream depends on the input order.
    """

    field: str
    items: tuple[str, ...]
    annotators: tuple[str, ...]
    categories: tuple[str, ...]
    item_idx: IntArray
    annotator_idx: IntArray
    code: IntArray

    @classmethod
    def from_labels(
        cls,
        labels: Iterable[Label],
        field: str | None = None,
        categories: Sequence[str] | None = None,
    ) -> CategoricalData:
        """Collect the labels of `field` (or of the only field present when None).

        `categories` fixes the category order (needed for ordinal alpha on non-numeric values)
        and may include categories nobody used. Two different values by one annotator for one
        item raise `ValidationError`; exact duplicates are dropped.
        """
        rows = [lab for lab in labels if field is None or lab.field == field]
        if field is None:
            fields = {lab.field for lab in rows}
            if len(fields) > 1:
                raise ValueError(f"labels of several fields {sorted(fields)}: pass field=")
            field = next(iter(fields), "")
        items, anns = [lab.item for lab in rows], [lab.annotator for lab in rows]
        return cls.from_columns(field, items, anns, [lab.value for lab in rows], categories)

    @classmethod
    def from_columns(
        cls,
        field: str,
        items: list[str],
        annotators: list[str],
        values: list[str],
        categories: Sequence[str] | None = None,
    ) -> CategoricalData:
        """`from_labels` of the labels (item, annotator, value) of `field` given as columns."""
        if categories is None:
            cats = _category_order(values)
        else:
            cats = tuple(categories)
            if len(set(cats)) != len(cats):
                raise ValueError("categories has duplicates")
            unknown = set(values) - set(cats)
            if unknown:
                raise ValidationError(f"{field}: values not in the categories: {sorted(unknown)}")
        items_, item_idx = factorize(items)
        anns, ann_idx = factorize(annotators)
        code_of = {c: i for i, c in enumerate(cats)}
        code = np.array(list(map(code_of.__getitem__, values)), dtype=np.int64).reshape(-1)
        return cls.from_codes(field, items_, anns, cats, item_idx, ann_idx, code)

    @classmethod
    def from_codes(
        cls,
        field: str,
        items: tuple[str, ...],
        annotators: tuple[str, ...],
        categories: tuple[str, ...],
        item_idx: IntArray,
        annotator_idx: IntArray,
        code: IntArray,
    ) -> CategoricalData:
        """From label rows already coded into sorted `items` and `annotators` and into
        `categories` (any row order): sorted canonically, exact duplicates dropped, two values
        for one (item, annotator) a `ValidationError`."""
        order = np.lexsort((code, annotator_idx, item_idx))
        item_idx, ann_idx, code = item_idx[order], annotator_idx[order], code[order]
        if len(order) > 1:
            same_cell = (item_idx[1:] == item_idx[:-1]) & (ann_idx[1:] == ann_idx[:-1])
            if same_cell.any():
                clash = same_cell & (code[1:] != code[:-1])
                if clash.any():
                    k = int(np.flatnonzero(clash)[0])
                    raise ValidationError(
                        f"{field}: annotator {annotators[ann_idx[k]]!r} gave item"
                        f" {items[item_idx[k]]!r} two values"
                        f" ({categories[code[k]]!r}, {categories[code[k + 1]]!r})"
                    )
                keep = np.concatenate(([True], ~same_cell))
                item_idx, ann_idx, code = item_idx[keep], ann_idx[keep], code[keep]
        return cls(
            field=field,
            items=items,
            annotators=annotators,
            categories=categories,
            item_idx=item_idx,
            annotator_idx=ann_idx,
            code=code,
        )

    def restricted(self, categories: Sequence[str]) -> CategoricalData:
        """The labels whose value is one of `categories`, coded in that order; items and
        annotators left without a label drop out (as `from_labels` of those labels would)."""
        recode = np.full(len(self.categories) + 1, -1, dtype=np.int64)
        position = {c: i for i, c in enumerate(categories)}
        for j, cat in enumerate(self.categories):
            recode[j] = position.get(cat, -1)
        new_code = recode[self.code]
        keep = new_code >= 0
        used_items, item_idx = np.unique(self.item_idx[keep], return_inverse=True)
        used_anns, ann_idx = np.unique(self.annotator_idx[keep], return_inverse=True)
        return CategoricalData(
            field=self.field,
            items=tuple(self.items[i] for i in used_items.tolist()),
            annotators=tuple(self.annotators[a] for a in used_anns.tolist()),
            categories=tuple(categories),
            item_idx=item_idx.reshape(-1).astype(np.int64),
            annotator_idx=ann_idx.reshape(-1).astype(np.int64),
            code=new_code[keep],
        )

    @property
    def n_items(self) -> int:
        return len(self.items)

    def value_counts(self) -> IntArray:
        """(items, categories) matrix: how many annotators gave each item each category."""
        k = len(self.categories)
        flat = np.bincount(self.item_idx * k + self.code, minlength=self.n_items * k)
        return flat.reshape(self.n_items, k).astype(np.int64)


def categorical_data(
    labels: Iterable[Label], field: str | None = None, categories: Sequence[str] | None = None
) -> CategoricalData:
    """Shorthand for `CategoricalData.from_labels`."""
    return CategoricalData.from_labels(labels, field, categories)
