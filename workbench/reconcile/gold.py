"""Each annotator against the gold set (Label Studio's ``ground_truth`` annotations, the latest
per item), pure: per segment field, the share of items where they gave gold's value; for
spans, F1 of exact (label, start, end) matches, pooled over the items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .extract import Records


@dataclass(frozen=True)
class GoldAgreement:
    """One annotator against gold."""

    annotator: str
    n_items: int  # items with a gold annotation that this annotator also annotated
    fields: Mapping[str, float] = field(default_factory=dict)  # share equal to gold
    span_f1: float | None = None  # exact (label, start, end) matches, pooled
    span_precision: float | None = None
    span_recall: float | None = None


def gold_agreement(records: Records, gold: Mapping[str, str]) -> list[GoldAgreement]:
    """Each annotator's agreement with gold; `gold` maps an item to the pseudonym whose
    annotation of it is the gold one (that annotator is not compared on that item)."""
    values: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for lab in records.labels:
        values[(lab.item, lab.annotator)][lab.field] = lab.value
    spans: dict[tuple[str, str], set[tuple[str, int, int]]] = defaultdict(set)
    for sp in records.spans:
        spans[(sp.item, sp.annotator)].add((sp.label, sp.start, sp.end))
    out = []
    for who in sorted({a for _, a in records.coverage}):
        items = sorted(
            item
            for item, ann in records.coverage
            if ann == who and gold.get(item) not in (None, who)
        )
        if not items:
            continue
        same: dict[str, list[bool]] = defaultdict(list)
        tp = n_mine = n_gold = 0
        for item in items:
            ref = gold[item]
            mine, theirs = values[(item, who)], values[(item, ref)]
            for name in theirs.keys() & mine.keys():
                same[name].append(mine[name] == theirs[name])
            a, g = spans[(item, who)], spans[(item, ref)]
            tp, n_mine, n_gold = tp + len(a & g), n_mine + len(a), n_gold + len(g)
        out.append(
            GoldAgreement(
                who,
                len(items),
                {name: round(sum(v) / len(v), 4) for name, v in sorted(same.items())},
                _share(2 * tp, n_mine + n_gold),
                _share(tp, n_mine),
                _share(tp, n_gold),
            )
        )
    return out


def _share(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def gold_of(flags: Iterable[tuple[str, str, int, bool]]) -> dict[str, str]:
    """item → the annotator of its gold annotation, from (item, annotator, Label Studio id,
    ground truth) of the released annotations; the latest gold one wins."""
    best: dict[str, tuple[int, str]] = {}
    for item, who, ls_id, is_gold in flags:
        if is_gold and (item not in best or ls_id > best[item][0]):
            best[item] = (ls_id, who)
    return {item: who for item, (_, who) in best.items()}
