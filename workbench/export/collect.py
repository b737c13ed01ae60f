"""Store → the release's tables: the only export module that reads the store's data tables.

What goes in: the dataset's released annotations (current, valid, not cancelled, not deleted)
of live segments, those segments, their articles, their consensus (decided or adjudicated
rows, and every segment label) and the latest adjudication per (segment, field). Annotators
appear only by pseudonym. JSON columns are read as text, decoded once per distinct value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.orm import Session

from workbench.annotation.clean import canonical_json, canonical_result, clean_result
from workbench.errors import ConfigError
from workbench.export.splits import assign_splits
from workbench.export.tables import (
    ANNOTATION_CHUNK,
    BOOL,
    INT,
    STR,
    STRS,
    build_tables,
    decoded,
    schema_of,
)
from workbench.reconcile.figures import fingerprint
from workbench.schema import Schema
from workbench.store import Store
from workbench.store import models as m

KEPT = ("decided", "adjudicated")


@dataclass(frozen=True)
class Collected:
    """A dataset's release as the store holds it: the tables of its Parquet files, beside them
    what its JSONL files need (each span's attribute map as JSON text, in span order; each
    annotation's entry), and what its manifest and card say of where they came from."""

    tables: dict[str, pa.Table]
    attrs: pa.ChunkedArray
    entries: pa.ChunkedArray
    label_studio: dict[str, Any]  # the project's public URL and id
    reconcile_info: dict[str, Any] | None  # how consensus was reached, as reconcile recorded it
    new_splits: dict[str, str]  # split group → split, for groups new in this release
    fingerprint: str  # of the released annotations (`figures.fingerprint`)
    documents_by: str | None = None  # the task data field that made tasks one document


def public_url(url: str | None) -> str | None:
    """The URL without user, password, query or fragment (tokens hide in all of those)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def _binary(column: Any, dialect: str) -> Any:
    """`column` compared byte by byte (code point order, as Arrow and Python sort strings):
    PostgreSQL's default collation is the locale's."""
    return sa.collate(column, "C") if dialect == "postgresql" else column


def _batches(s: Session, query: Any, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """The rows of a Core SELECT (its columns in `schema`'s order), of `schema`'s types. On
    PostgreSQL through its ADBC driver (rows arrive as Arrow columns); on SQLite through the
    store's own driver, a chunk at a time (ADBC's SQLite is a second copy of the library in
    the process, which SQLite warns breaks its locks: it did not see the other's WAL)."""
    engine = s.connection().engine
    if engine.dialect.name == "postgresql":
        import adbc_driver_postgresql.dbapi as postgresql

        sql = query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with postgresql.connect(url) as adbc, adbc.cursor() as cursor:
            cursor.execute(str(sql))
            read = cursor.fetch_record_batch()  # streamed: a batch at a time
            yield from _rechunked(b.rename_columns(schema.names).cast(schema) for b in read)
        return
    compiled = query.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    dbapi: Any = s.connection().connection.dbapi_connection
    dbapi.text_factory = bytes  # texts as SQLite holds them, UTF-8: not decoded and encoded
    cursor = dbapi.cursor()
    try:
        cursor.execute(str(compiled), tuple(params[k] for k in compiled.positiontup or ()))
        while rows := cursor.fetchmany(ANNOTATION_CHUNK):
            columns = zip(zip(*rows, strict=True), schema, strict=True)
            yield pa.record_batch([_array(c, f.type) for c, f in columns], schema=schema)
    finally:
        cursor.close()
        dbapi.text_factory = str


def _array(values: tuple[Any, ...], type_: pa.DataType) -> pa.Array:
    """A column of SQLite values as Arrow, typed (inferring costs many times more). Texts lie
    end to end in one buffer of their size (pyarrow's builder doubled: 200 MB more at 10^5)."""
    if type_ != STR:
        return pa.array(values, INT if type_ == BOOL else type_).cast(type_)
    valid = np.fromiter((v is not None for v in values), np.bool_, len(values))
    offsets = np.zeros(len(values) + 1, np.int64)
    np.cumsum(np.fromiter((len(v or b"") for v in values), np.int64, len(values)), out=offsets[1:])
    nulls = len(values) - int(valid.sum())
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    data = pa.py_buffer(b"".join(v for v in values if v is not None))
    array = pa.LargeStringArray.from_buffers(
        len(values), pa.py_buffer(offsets), data, bitmap, nulls
    )
    array.validate(full=True)  # UTF-8
    return array.cast(STR)  # its offsets only; a chunk of over 2 GB fails here, not silently


def _rechunked(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Batches of ANNOTATION_CHUNK rows (the last one fewer) from batches of any size, as
    SQLite's are read: the Parquet writer cuts pages at chunk boundaries."""
    pending: list[pa.RecordBatch] = []
    for batch in batches:
        pending.append(batch)
        while sum(b.num_rows for b in pending) >= ANNOTATION_CHUNK:
            rows = pa.Table.from_batches(pending).combine_chunks()
            yield rows.slice(0, ANNOTATION_CHUNK).to_batches()[0]
            pending = [b for b in rows.slice(ANNOTATION_CHUNK).to_batches() if b.num_rows]
    if pending:
        yield pa.Table.from_batches(pending).combine_chunks().to_batches()[0]


def _read(s: Session, spec: str, columns: list[Any], *where: Any) -> pa.Table:
    """`columns` where `where` holds, as Arrow, named and typed by `spec` (``name:type``
    words, as `schema_of` reads them)."""
    schema = schema_of(spec)
    return pa.Table.from_batches(_batches(s, sa.select(*columns).where(*where), schema), schema)


def _text(column: Any) -> Any:
    """A JSON column read as its text."""
    return sa.cast(column, sa.Text)


def _support(text: str | None) -> list[str]:
    return sorted(map(str, orjson.loads(text) or [])) if text is not None else []


def _annotations(s: Session, dataset: str) -> pa.Table:
    """The released annotations of live segments in table order (segment, annotator, Label
    Studio id), each with its entry (made under the export's schema: `entries.refresh` ran
    first), its canonical result (the store keeps it; else cleaned here) and its row id."""
    a, d = m.Annotation, s.connection().dialect.name
    # "unknown": the annotator of an annotation whose annotator the store lacks
    name = sa.func.coalesce(sa.func.nullif(m.Annotator.pseudonym, ""), "unknown")
    result = sa.func.coalesce(a.result_clean, _text(a.result))
    query = (
        sa.select(m.Task.segment_id, name, a.ls_annotation_id, a.lead_time, result)
        .add_columns(a.result_entry, a.id, a.result_clean.is_(None))
        .join(m.Task, m.Task.id == a.task_id)
        .join(m.Segment, m.Segment.id == m.Task.segment_id)
        .outerjoin(m.Annotator, m.Annotator.id == a.annotator_id)
        .where(a.dataset == dataset, m.Segment.retired_at.is_(None), *m.released())
        .order_by(
            _binary(m.Task.segment_id, d), _binary(name, d), sa.func.coalesce(a.ls_annotation_id, 0)
        )
    )
    spec = "segment_id annotator annotation_id:i lead_time:f result entry row_id:i raw:b"
    read = _batches(s, query, schema_of(spec))
    return pa.Table.from_batches(map(_cleaned, read), schema_of(spec.removesuffix(" raw:b")))


def _cleaned(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A chunk of annotations with the results the store lacks cleaned here (a store filled
    by other means), a chunk at a time: no second copy of every result."""
    raw = batch.column(batch.num_columns - 1)
    batch = batch.drop_columns(["raw"])
    if not pc.any(raw).as_py():
        return batch
    results = [
        canonical_result(r) if x else r
        for r, x in zip(batch.column(4).to_pylist(), raw.to_pylist(), strict=True)
    ]
    return batch.set_column(4, "result", pa.array(results, STR))


def _groups(s: Session) -> dict[str, str]:
    """article id → its first revision's id (revisions of one article share a split)."""
    rows = s.execute(sa.select(m.Article.id, m.Article.previous_id))
    prev: dict[str, str | None] = {a: p for a, p in rows}
    out: dict[str, str] = {}
    for aid in prev:
        root, seen = aid, {aid}
        while (before := prev.get(root)) and before not in seen:
            root = before
            seen.add(root)
        out[aid] = root
    return out


def collect(
    store: Store,
    dataset: str,
    schema: Schema,
    ratios: tuple[float, float, float],
    group_by: str | None = None,
) -> Collected:
    """Read one dataset's release from the store, its new articles placed in splits by
    `ratios` (those of earlier releases keep theirs); with `group_by`, the tasks imported
    from a team's project with the same value of that data field are one document, placed
    together."""
    with store.session() as s:  # an unknown dataset was refused before
        return _collect(s, s.get_one(m.Dataset, dataset), schema, ratios, group_by)


def _documents(s: Session, roots: dict[str, str], field: str, dataset: str) -> dict[str, str]:
    """Split group → document key (`field=value`) for the imported tasks (articles stored as
    their task's data, JSON) whose data has `field`; refused when none has it (a misspelt
    field would silently leave every paragraph its own document)."""
    ar = m.Article
    rows = s.execute(sa.select(ar.id, ar.raw).where(ar.format == "json", ar.id.in_(list(roots))))
    out: dict[str, str] = {}
    seen: set[str] = set()
    for aid, raw in rows:
        data = orjson.loads(raw) if raw else {}
        value = data.get(field) if isinstance(data, dict) else None
        seen.update(data if isinstance(data, dict) else ())
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            out[roots[aid]] = f"{field}={value}"
    if not out:
        has = ", ".join(sorted(seen)[:12]) or "none: its articles were ingested, not imported"
        raise ConfigError(
            f"--group-by {field!r}: no task of dataset {dataset!r} has that data field "
            f"(their fields: {has})"
        )
    return out


def _collect(
    s: Session,
    ds: m.Dataset,
    schema: Schema,
    ratios: tuple[float, float, float],
    group_by: str | None = None,
) -> Collected:
    dataset = ds.name
    annotations = _annotations(s, dataset)
    sg, task_segments = m.Segment, sa.select(m.Task.segment_id).where(m.Task.dataset == dataset)
    columns = [sg.id, sg.article_id, sg.position, sg.start, sg.end, sg.text]
    spec = "segment_id article_id position:i start:i end:i text"
    segments = _read(s, spec, columns, sg.id.in_(task_segments))
    segments = segments.filter(pc.is_in(segments["segment_id"], annotations["segment_id"]))
    ar = m.Article
    columns = [ar.id, ar.title, ar.author, ar.outlet, ar.published, ar.source_path]
    articles = _read(s, "article_id title author outlet published source_path", columns)
    articles = articles.filter(pc.is_in(articles["article_id"], segments["article_id"]))
    # an article's split is its split group's: its first revision's, so revisions of one
    # article share a split
    groups = _groups(s)
    group = [groups.get(a, a) for a in articles["article_id"].to_pylist()]
    sp = m.SplitAssignment
    rows = s.execute(sa.select(sp.article_id, sp.split).where(sp.dataset == dataset))
    roots = dict(zip(articles["article_id"].to_pylist(), group, strict=True))
    documents = _documents(s, roots, group_by, dataset) if group_by else None
    splits, new = assign_splits(group, {a: split for a, split in rows}, ratios, documents)
    articles = articles.append_column("split", pa.array([splits[g] for g in group], STR))

    cl, cr = m.ConsensusLabel, m.ConsensusRelation
    columns = [cl.segment_id, cl.field, cl.label, _text(cl.support), cl.confidence, cl.status]
    spec = "segment_id field label support confidence:f status"
    of_segment = sa.or_(cl.span_key.is_(None), cl.span_key == "")  # not a span's attribute
    labels = _read(s, spec, columns, cl.dataset == dataset, of_segment)
    labels = labels.set_column(3, "support", decoded(labels["support"], _support, STRS))
    columns = [cr.segment_id, cr.kind, cr.from_key, cr.to_key, _text(cr.support), cr.confidence]
    spec = "segment_id kind from_id to_id support confidence:f"
    relations = _read(s, spec, columns, cr.dataset == dataset, cr.status.in_(KEPT))
    relations = relations.set_column(4, "support", decoded(relations["support"], _support, STRS))
    # The latest decision per (segment, field), its adjudicator named by their annotator
    # pseudonym when they also annotated: the email and user id of `adjudications` are never
    # read into a release.
    ad, ann = m.Adjudication, m.Annotator
    project = s.get(m.AdjudicationProject, dataset)
    same = (ann.label_studio_url == (project or ds).label_studio_url) & (
        ann.ls_user_id == ad.adjudicator_ls_user_id
    )
    decisions = s.execute(
        sa.select(ad.segment_id, ad.field, ad.decision, ann.pseudonym)
        .outerjoin(ann, same)
        .where(ad.dataset == dataset)
        .order_by(ad.decided_at, ad.id)
    )
    latest = {(sid, target): (decision, who) for sid, target, decision, who in decisions}
    adjudications = [
        {
            "segment_id": sid,
            "target": target,
            "decision": canonical_json(clean_result(decision)),
            "adjudicator": who if who is not None else "adjudicator",
        }
        for (sid, target), (decision, who) in latest.items()
    ]
    rs = m.ReconcileState
    methods = s.execute(sa.select(rs.method, rs.min_support).where(rs.dataset == dataset))
    info = {f"{method} (min support {ms})" for method, ms in methods}
    source = {
        "articles": articles,
        "segments": segments,
        "labels": labels,
        "spans": _spans(s, dataset, schema),
        "relations": relations,
        "annotations": annotations.drop_columns(["row_id"]),
        "adjudications": pa.Table.from_pylist(
            adjudications, schema_of("segment_id target decision adjudicator")
        ),
    }
    ids, who = (annotations[c].to_pylist() for c in ("row_id", "annotator"))
    return Collected(
        *build_tables(schema, source),
        label_studio={"url": public_url(ds.label_studio_url), "project_id": ds.project_id},
        reconcile_info={"consensus method(s)": ", ".join(sorted(info))} if info else None,
        new_splits=new,
        fingerprint=fingerprint(ids, who, schema),
        documents_by=group_by,
    )


def _spans(s: Session, dataset: str, schema: Schema) -> pa.Table:
    """The kept spans with their attribute maps: the stored one updated by the span's
    per-region attribute labels, gathered by the store (reconcile writes both; a Target's
    attribute is only a label). One merge per distinct (map, labels): a few hundred."""
    controls = schema.controls

    def attribute(field: str) -> str:  # `Label.attribute`, or the control's name
        if "." in field:
            return field.partition(".")[2]
        attr = controls.get(field)
        return attr.name if attr is not None and attr.per_region else field

    def merge(key: str) -> str:  # stored map, \x1d, "field\x1flabel" pairs split by \x1e
        text, _, extra = key.partition("\x1d")
        value = orjson.loads(text or "null") or {}
        pairs = (p.partition("\x1f") for p in extra.split("\x1e") if p)
        for name, label in sorted((attribute(field), label) for field, _, label in pairs):
            value[name] = label
        texts = {str(k): str(v) for k, v in value.items()}  # sorted JSON text, values as text
        return orjson.dumps(texts, option=orjson.OPT_SORT_KEYS).decode()

    cl, cs = m.ConsensusLabel, m.ConsensusSpan
    pair = sa.func.aggregate_strings(cl.field + "\x1f" + cl.label, "\x1e")
    regions = (
        sa.select(cl.segment_id, cl.span_key, pair.label("extra"))
        .where(cl.dataset == dataset, cl.span_key != "", cl.status.in_(KEPT))
        .group_by(cl.segment_id, cl.span_key)
        .subquery()
    )
    attrs = sa.func.coalesce(_text(cs.attrs), "") + "\x1d"
    query = (
        sa.select(cs.segment_id, cs.span_key, cs.label, cs.start, cs.end)
        .add_columns(attrs + sa.func.coalesce(regions.c.extra, ""), _text(cs.support))
        .add_columns(cs.confidence, cs.n_annotators, cs.exact, cs.status == "adjudicated")
        .outerjoin(regions, sa.tuple_(*regions.c[:2]) == sa.tuple_(cs.segment_id, cs.span_key))
        .where(cs.dataset == dataset, cs.status.in_(KEPT))
    )
    spec = "segment_id span_id label start:i end:i attrs support confidence:f n_annotators:i"
    schema = schema_of(f"{spec} exact:b adjudicated:b")
    spans = pa.Table.from_batches(_batches(s, query, schema), schema)
    spans = spans.set_column(5, "attrs", decoded(spans["attrs"], merge, STR))
    return spans.set_column(6, "support", decoded(spans["support"], _support, STRS))
