"""`reconcile`: bring a dataset's consensus tables up to date with its annotations.

Each segment's *input hash* covers its annotation revisions (annotator, Label Studio id,
revision, content), its adjudication and the method parameters; only segments whose hash
changed are recomputed. Dawid–Skene is global (an annotator's confusion is learnt from every
item), so with it the model is refitted on the whole dataset and rows are rewritten where
the inputs changed or the result moved (an output hash of the rounded rows). Either way the
store ends up as a full recompute would leave it.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from itertools import groupby, islice, repeat
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workbench.entries import refresh as refresh_entries
from workbench.errors import ConfigError
from workbench.schema import Schema
from workbench.store import Store, ensure_dataset
from workbench.store import models as m
from workbench.store.lock import operation_lock

from . import figures
from .engine import (
    METHOD_NAMES,
    ConsensusRows,
    Method,
    SegmentConsensus,
    reconcile_records,
)
from .extract import span_index
from .load import (
    TABLES,
    Released,
    driver_rows,
    load_decisions,
    load_released,
    load_texts,
    parse_released,
)
from .spans import DEFAULT_THRESHOLD


def parse_min_support(text: str) -> int | float:
    """``2`` → a count of annotators; ``0.5`` / ``2/3`` → a share of the item's annotators."""
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            value: int | float = int(num) / int(den)
        else:
            value = float(text) if "." in text else int(text)
    except (ValueError, ZeroDivisionError):
        raise ConfigError(
            f"--min-support {text!r}: give a count (2) or a share (0.5, 2/3)"
        ) from None
    if (isinstance(value, int) and value < 1) or (isinstance(value, float) and not 0 < value <= 1):
        raise ConfigError(f"--min-support {text!r}: a count ≥ 1 or a share in (0, 1]")
    return value


@dataclass
class ReconcileReport:
    dataset: str
    method: str
    min_support: str
    segments: int = 0
    recomputed: int = 0
    unchanged: int = 0
    refit_changed: int = 0  # unchanged inputs whose Dawid–Skene result moved
    removed: int = 0
    labels_decided: int = 0
    labels_undecided: int = 0
    labels_adjudicated: int = 0
    spans_decided: int = 0
    spans_undecided: int = 0
    relations_decided: int = 0
    changed_segments: list[str] = field(default_factory=list)
    # the release's agreement figures (`workbench.reconcile.figures`), stored for the export
    agreement: dict[str, Any] = field(default_factory=dict)


def _hash(value: Any) -> str:
    """sha256 of `value` as compact JSON, keys sorted."""
    data = orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=dict)
    return hashlib.sha256(data).hexdigest()


def input_hashes(
    rel: Released, decisions: Mapping[str, m.Adjudication], params: Mapping[str, Any]
) -> dict[str, str]:
    """Per segment: what its consensus is computed from, hashed (see the module doc). `rel`
    comes sorted by segment."""
    shas = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in rel.entry]
    members = zip(rel.annotator, rel.ls_annotation_id, rel.revision, shas, strict=True)
    out = {}
    for sid, group in groupby(zip(rel.segment_id, members, strict=True), itemgetter(0)):
        decision = decisions.get(sid)
        judged = None if decision is None else [decision.ls_annotation_id, _hash(decision.decision)]
        anns = sorted(map(itemgetter(1), group))
        out[sid] = _hash({"params": params, "annotations": anns, "decision": judged})
    return out


def reconcile(
    store: Store,
    schema: Schema,
    dataset: str,
    *,
    method: Method = "vote",
    min_support: int | float = 0.5,
    threshold: float = DEFAULT_THRESHOLD,
) -> ReconcileReport:
    """Bring the dataset's consensus tables up to date with its annotations (incremental),
    and its release's agreement figures (`workbench.reconcile.figures`, stored for the export).
    The annotations are read and parsed once; consensus and figures are written in one
    transaction, under the dataset's lock."""
    with operation_lock(store, dataset, "reconcile"):
        return _reconcile(store, schema, dataset, method, min_support, threshold)


def _reconcile(
    store: Store,
    schema: Schema,
    dataset: str,
    method: Method,
    min_support: int | float,
    threshold: float,
) -> ReconcileReport:
    params = {
        "method": method,
        "min_support": min_support,
        "threshold": threshold,
        "schema": schema.version,
    }
    report = ReconcileReport(dataset, METHOD_NAMES[method], str(min_support))
    with store.session() as session:  # a cache: entries stale under this schema made again
        ensure_dataset(session, dataset)
        refresh_entries(session, dataset, schema)
    with store.session() as session:  # consensus and figures: one transaction
        rel = load_released(session, dataset, schema, refresh=False)  # made above
        decisions = load_decisions(session, dataset)
        hashes = input_hashes(rel, decisions, params)
        state = _state(session, dataset)
        changed = sorted(s for s, h in hashes.items() if s not in state or state[s][0] != h)
        gone = sorted(set(state) - set(hashes))
        # Majority vote is per item: only changed segments need computing. Dawid–Skene is
        # fitted over every item, so it always sees the whole dataset.
        scope = sorted(hashes) if method == "dawid-skene" else changed
        texts = load_texts(session, dataset) if scope else {}
        # the entries parsed once: the consensus reads those of `scope`, the figures the
        # live ones (with the export's names of annotators); mostly they are the same
        in_scope, live = set(scope), [i for i, x in enumerate(rel.live) if x]
        rows = [i for i, sid in enumerate(rel.segment_id) if sid in in_scope]
        parsed = parse_released(schema, rel, rows, rel.annotator)
        columns = parsed if rows == live and rel.name == rel.annotator else None
        index = span_index(parsed, threshold)  # the figures' too, where it is the same
        same = columns is not None and not parsed.more_labels and threshold == DEFAULT_THRESHOLD
        # Agreement is dataset-wide (bootstrap intervals over every item): recomputed only
        # when the release's annotations changed since the stored figures.
        fingerprint = figures.fingerprint(
            [rel.row_id[i] for i in live], [rel.name[i] for i in live], schema
        )
        stored = figures.stored(session, dataset, fingerprint)
        if stored is not None:
            report.agreement = stored
        else:
            columns = columns or parse_released(schema, rel, live, rel.name)
            shared = index[0] if same and parsed.span_of else None
            report.agreement = figures.parsed_agreement(columns, schema, shared)
        del columns
        # the adjudicated segments' annotations, for their consensus
        judged_rows: dict[str, list[int]] = defaultdict(list)
        for i in rows:
            if rel.segment_id[i] in decisions:
                judged_rows[rel.segment_id[i]].append(i)
        judged = {
            sid: (decisions[sid].decision, parse_released(schema, rel, ix, rel.annotator))
            for sid, ix in judged_rows.items()
        }
        # the garbage collector walks every long list alive at each of its full passes
        del rel, rows, live
        computed = reconcile_records(
            schema,
            parsed,
            texts,
            method=method,
            min_support=min_support,
            threshold=threshold,
            decisions=judged,
            indexed=index,
        )
        del parsed, index
        # only a refit can move an unchanged segment: vote needs no output hash
        refit = method == "dawid-skene"
        records = computed.records() if refit else {}
        to_write: dict[str, str] = {}  # segment → its output hash
        changed_set = set(changed)
        for seg in scope:
            out_hash = _hash(records.get(seg, SegmentConsensus())) if refit else ""
            if seg in changed_set:
                to_write[seg] = out_hash
            elif state[seg][1] != out_hash:
                to_write[seg] = out_hash
                report.refit_changed += 1
        # every stored segment rewritten or gone: its rows are all the dataset's
        everything = not state.keys() - to_write.keys() - set(gone)
        _delete_rows(session, dataset, [*to_write, *gone], everything)
        written = sorted(to_write)
        new_rows = computed if len(written) == len(scope) else computed.only(to_write)
        _insert_rows(session, dataset, new_rows)
        when, name = _when(session), METHOD_NAMES[method]
        states = [
            (dataset, seg, hashes[seg], to_write[seg], name, str(min_support), when)
            for seg in written
        ]
        _bulk_insert(session, m.ReconcileState, states)
        report.segments = len(hashes)
        report.recomputed = len(changed)
        report.unchanged = len(hashes) - len(changed)
        report.removed = len(gone)
        report.changed_segments = written
        _count(session, dataset, report, new_rows if everything else None)
        figures.save(session, dataset, fingerprint, report.agreement)
    return report


def _state(session: Session, dataset: str) -> dict[str, tuple[str, str]]:
    """segment → (input hash, output hash) of its stored consensus."""
    t = m.ReconcileState
    query = select(t.segment_id, t.input_hash, t.output_hash).where(t.dataset == dataset)
    return {sid: (i, o) for sid, i, o in driver_rows(session, query)}


_CONSENSUS = (m.ConsensusLabel, m.ConsensusSpan, m.ConsensusRelation, m.ReconcileState)


def _delete_rows(session: Session, dataset: str, segments: Sequence[str], everything: bool) -> None:
    """The consensus rows and states of `segments` (`everything`: all of the dataset's)."""
    for model in _CONSENSUS:
        table: Any = model.__table__
        if everything:
            session.execute(delete(table).where(table.c.dataset == dataset))
            continue
        for i in range(0, len(segments), 500):
            chunk = list(segments[i : i + 500])
            session.execute(
                delete(table).where(table.c.dataset == dataset, table.c.segment_id.in_(chunk))
            )


def _when(session: Session) -> Any:
    """Now, as the store's DateTime columns send it to the driver (a string on SQLite)."""
    dialect = session.connection().dialect
    process = m.ReconcileState.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
    return process(m.utcnow()) if process is not None else m.utcnow()


def _bulk_insert(session: Session, model: Any, rows: Iterable[tuple[Any, ...]]) -> None:
    """The driver's executemany of plain tuples, one value per column of the table but `id`, in
    the session's transaction: SQLAlchemy's per-row parameter processing (a dict per row, a
    JSON encoder call per value) was most of the write at 10^6 rows. Made and sent 50,000 at
    a time: a million tuples alive at once cost seconds of garbage collection."""
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    names = [c.name for c in model.__table__.columns if c.name != "id"]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(model.__tablename__)} ({', '.join(map(quote, names))}) "
        f"VALUES ({', '.join([mark] * len(names))})"
    )
    if conn.dialect.name == "postgresql":  # COPY: several times faster than executemany
        table = f"{quote(model.__tablename__)} ({', '.join(map(quote, names))})"
        dbapi: Any = conn.connection.dbapi_connection  # psycopg's
        with dbapi.cursor() as cursor, cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    it = iter(rows)
    while chunk := list(islice(it, 50_000)):
        conn.exec_driver_sql(sql, chunk)


def _json(values: Iterable[Any], key: Callable[[Any], Any] = lambda v: v) -> Iterator[str]:
    """The JSON text of each value, each distinct `key(value)` encoded once: supports and
    votes take few distinct values (rows share their votes dicts: `engine._votes_of`), and
    an encoder call per value was seconds at 10^6 rows."""
    values = list(values)
    keys = list(map(key, values))
    text = {k: orjson.dumps(v).decode() for k, v in dict(zip(keys, values, strict=True)).items()}
    return map(text.__getitem__, keys)


def _each_json(values: Iterable[Any]) -> Iterator[str]:
    return map(bytes.decode, map(orjson.dumps, values))


# the JSON columns' encoders: votes by identity (rows share their votes dicts), supports by
# value (few distinct), the others each its own
_CODERS: dict[str, Callable[[list[Any]], Iterator[str]]] = {
    "votes": lambda values: _json(values, id),
    "support": _json,
    "attrs": _each_json,
    "regions": _each_json,
}


def _insert_rows(session: Session, dataset: str, rows: ConsensusRows) -> None:
    """The rows, each table's straight from its columns."""
    fixed = repeat(dataset), repeat(_when(session))
    for model, (attr, kind) in TABLES.items():
        names = [f.name for f in fields(kind)]
        table = getattr(rows, attr)
        columns = [_CODERS.get(name, iter)(c) for name, c in zip(names, table, strict=True)]
        _bulk_insert(session, model, zip(fixed[0], *columns, fixed[1], strict=False))


def _count(
    session: Session, dataset: str, report: ReconcileReport, rows: ConsensusRows | None
) -> None:
    """The report's rows by status: counted in `rows` when they are all the dataset's (just
    written: a count in the store was half a second at 10^5 segments), else in the store."""

    def by_status(model: Any) -> Mapping[str, int]:
        if rows is not None:
            attr, kind = TABLES[model]
            return Counter(getattr(rows, attr)[[f.name for f in fields(kind)].index("status")])
        query = select(model.status, func.count()).where(model.dataset == dataset)
        return {status: int(n) for status, n in session.execute(query.group_by(model.status))}

    labels = by_status(m.ConsensusLabel)
    report.labels_decided = labels.get("decided", 0)
    report.labels_undecided = labels.get("undecided", 0)
    report.labels_adjudicated = (
        sum(labels.values()) - report.labels_decided - report.labels_undecided
    )
    spans = by_status(m.ConsensusSpan)
    report.spans_undecided = spans.get("undecided", 0)
    report.spans_decided = sum(spans.values()) - report.spans_undecided
    relations = by_status(m.ConsensusRelation)
    report.relations_decided = sum(relations.values()) - relations.get("undecided", 0)
