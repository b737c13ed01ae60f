"""The dataset card (README.md of a release), as Markdown text (pure): built only from the
release's own data and the schema, never from the clock, so one store state gives one text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.export.splits import SPLITS
from workbench.reconcile.figures import segment_fields
from workbench.reconcile.triples import has_attributions
from workbench.schema import Schema

#: The card's static part: how to load the release, its files (`str.format`: what depends on
#: the schema).
_LOADING_AND_FILES = """\
## How to load it

From the release folder (files are plain Parquet / JSONL, no custom code needed):

```python
import pandas as pd; segments = pd.read_parquet("segments.parquet")
import pandas as pd; spans = pd.read_parquet("spans.parquet")
from datasets import load_dataset; ds = load_dataset("parquet", data_files={{"segments": \
"segments.parquet"}})["segments"]
train = ds.filter(lambda r: r["split"] == "train")
{soft}import json; docs = [json.loads(l) for l in open("spans.spacy.jsonl", encoding="utf-8")]
```

Into spaCy (span categorizer): `doc = nlp.make_doc(d['text']); doc.spans['sc'] = \
[doc.char_span(s['start'], s['end'], s['label'], alignment_mode='expand') for s in \
d['spans']]`, then `DocBin(docs=...)`.

Check the files against the manifest with `workbench export verify <release folder>`.

## Files

- `segments.parquet`: one row per segment: `segment_id`, `article_id`, `position` (its \
index in the article), `start`/`end` (its character offsets in the article's cleaned text, \
which is not in the release), `text`, `split`, `n_annotations` (annotations of it here); \
per segment field (*Segment labels* below) the consensus `<field>` (null when undecided; \
several choices as JSON text), `<field>_confidence` (the winner's vote share, or its \
Dawid-Skene posterior), `<field>_support` (pseudonyms of the annotators who gave it) and \
`<field>_adjudicated`
- `spans.parquet`: one row per consensus span: `segment_id`, `span_id` (`Label@start:end`, \
unique within its segment only: key spans by `segment_id` and `span_id`), `label`, \
`start`/`end` (character offsets into the segment text), `text`, `split`; one column per \
per-region attribute (named like the Label Studio control, listed under *Span labels*; null \
on other labels' spans); `support` (pseudonyms of the annotators who drew it), `n_support` \
(their number), `n_annotators` (annotators of the segment), `confidence` (the share of them \
who drew it), `exact` (true when every supporter drew exactly these bounds; else they are \
the most central supporter's), `adjudicated`
- `relations.parquet`: consensus relations between spans: `segment_id`, `kind` \
({relations}), `from_id`/`to_id` (`span_id`s of the same segment), \
`support`, `confidence`
- `attributions.parquet`: {attributions}
- `annotations.parquet`: raw annotations, one row per (segment, annotator): `segment_id`, \
`annotator` (pseudonym), `annotation_id` (Label Studio's), `split`, the annotator's answer \
per segment field (`<field>`), `n_spans` (regions drawn), `lead_time` (seconds, as Label \
Studio recorded it; may be null), `result` (the Label Studio result JSON; rebuild spans or \
your own aggregation from it)
- `adjudications.parquet`: decisions an adjudicator made where annotators disagreed: \
`segment_id`, `split`, `target` (the field decided; `*`: the whole segment), `kind` \
(`segment` or `field`), `decision` (the Label Studio result JSON), `adjudicator` \
(pseudonym), `note` (reserved; empty)
- `articles.parquet`: the articles of the released segments: `article_id`, `split`, \
`title`, `author`, `outlet`, `published` (date as text), `source_path`, `n_segments`
- `segments.jsonl`: one nested JSON record per segment: labels, spans, relations, \
attributions (as span ids) and every annotator's labels, spans and relations
- `spans.spacy.jsonl`: the span layer for span-model trainers (spaCy span categorizer / \
Prodigy format): `{{"text", "spans": [{{"start", "end", "label"}}], "meta"}}`
- `diff.json`: what changed against the parent version
- `manifest.json`: version, parent, schema and guideline versions, provenance, counts, \
agreement, sha256 of every file

Offsets are character offsets into the segment `text` (Python `str` indexing, \
`text[start:end]`); `segments.start/end` are offsets into the article's cleaned text. \
Annotator ids are pseudonyms (`annotator`, `support`, `adjudicator`); no emails, Label \
Studio user ids or tokens are in this release.

**Span format.** The span layer is also given as spaCy/Prodigy JSONL rather than CoNLL \
BIO: spans in this schema nest and overlap{nesting}, which BIO tags cannot represent \
without losing spans; character offsets also survive any tokenizer choice.

"""


_LIMITS = """\
## Known limits

- A small corpus of news articles: figures (and their intervals) are indicative.
- Annotators are few; pairwise figures rest on the segments each pair shared.
- Spans use character offsets; tokenizers may need `alignment_mode='expand'`.
- Only current, valid (schema-conforming), non-cancelled annotations are included; \
quarantined annotations are left out.
- Segments nobody annotated yet are not in the release.
- Segment texts are the articles' cleaned texts (whole articles are not included); \
copyright stays with the publishers.
"""

_RECONCILED = """\
## How it was reconciled

Each segment was labelled by several annotators. Segment labels take the majority label \
when it has enough support, spans are aligned across annotators by overlap and kept when \
enough annotators drew them (boundaries of the most central one, attributes by majority), \
relations between kept spans likewise. Items without a clear majority went to an \
adjudicator, whose decision replaces the vote (`*_adjudicated` is true); undecided labels \
are empty (null)."""


def _what(schema: Schema) -> str:
    """What the segments were annotated for: the news schema's words, else the schema's own
    layers (an imported team schema is not about claims or sentiment)."""
    if has_attributions(schema):
        return (
            "of news articles annotated in Label Studio for **claims**, **attribution** (who "
            "said what: source, cue, content) and **sentiment**"
        )
    layers = []
    if schema.labels:
        layers.append("span labels " + ", ".join(f"**{x.name}**" for x in schema.labels))
    if schema.relations:
        layers.append("relations " + ", ".join(f"**{r.name}**" for r in schema.relations))
    if schema.segment:
        layers.append("segment labels " + ", ".join(f"**{a.name}**" for a in schema.segment))
    return "annotated in Label Studio" + (" with " + "; ".join(layers) if layers else "")


#: attributions.parquet's columns, for a schema that makes triples
_ATTRIBUTIONS = (
    "attribution triples built from the consensus spans and relations: `segment_id`, `split` "
    "and, per part (`content`, `source`, `cue`), `<part>_id`, `<part>_start`, `<part>_end`, "
    "`<part>_text` and its label's attributes as `<part>_<attribute>` (e.g. "
    "`content_quote_type`); a missing source or cue is null"
)


def _soft_labels(schema: Schema) -> str:
    """The loading line for soft labels (each segment's distribution of the annotators'
    answers) of the schema's first segment field; none without one."""
    fields = segment_fields(schema)
    if not fields:
        return ""
    return (
        f'import pandas as pd; a = pd.read_parquet("annotations.parquet"); soft = pd.crosstab('
        f"a.segment_id, a[{fields[0]!r}], normalize='index')  # soft labels, one row a segment\n"
    )


def _files(schema: Schema) -> str:
    """How to load the release and its files, in this schema's names."""
    if has_attributions(schema):
        attributions = _ATTRIBUTIONS
        nesting = " (a Claim inside a Content, a Target inside a Claim)"
    else:
        attributions = (
            "empty: attribution triples need the relations `attributed_to` and `cue_of`, "
            "which this schema does not have"
        )
        nesting = ""
    names = ", ".join(f"`{r.name}`" for r in schema.relations) or "none in this schema"
    return _LOADING_AND_FILES.format(
        relations=names, attributions=attributions, nesting=nesting, soft=_soft_labels(schema)
    )


def _fmt(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def _metric(m: Mapping[str, Any]) -> str:
    if m.get("value") is None:
        return f"undefined (n={m.get('n_items', 0)})"
    return f"{_fmt(m['value'])} [{_fmt(m['ci_low'])}, {_fmt(m['ci_high'])}] (n={m['n_items']})"


def _cell(text: Any) -> str:
    return _fmt(text).replace("|", "\\|").replace("\n", " ")


def render_card(
    manifest: Mapping[str, Any],
    schema: Schema,
    articles: list[dict[str, Any]],
    reconcile_info: Mapping[str, Any] | None,
) -> str:
    """The card of a release from its manifest (without checksums)."""
    m = manifest
    dataset, version, parent, project = m["dataset"], m["version"], m["parent"], m["label_studio"]
    counts, distributions, agreement = m["counts"], m["distributions"], m["agreement"]
    diff_summary, guidelines_version = m["diff"], m["guidelines_version"]
    ratios = [m["splits"]["ratios"][name] for name in SPLITS]
    lines: list[str] = []

    def add(*texts: str) -> None:
        lines.extend(texts)

    add(f"# {dataset} {version}: {schema.title}", "")
    news = has_attributions(schema)
    add(
        f"Segments {_what(schema)}, by several annotators each, reconciled into consensus "
        f"labels. Schema `{schema.id}` (version `{schema.version}`), guidelines version "
        f"`{guidelines_version or 'unknown'}`. Parent version: {parent or 'none (first release)'}.",
        "",
        f"{counts['segments']} segments from {counts['articles']} articles, "
        f"{counts['annotations']} annotations by {counts['annotators']} annotators, "
        f"{counts['spans']} consensus spans, "
        + (f"{counts['attributions']} attribution triples, " if news else "")
        + f"{counts['adjudications']} adjudications.",
    )
    if project.get("url") or project.get("project_id") is not None:
        add(f"Label Studio project {project.get('project_id')} at {project.get('url')}.")
    add("", *_files(schema).split("\n")[:-1], "## Splits", "")
    add(
        "Train/dev/test are grouped by article (no article in two splits) and stable across "
        "versions: an article's split is stored when it first appears in a release and reused "
        "by every later one. A new article is placed by hashing its id into [0, 1) and cutting "
        f"at the ratios {ratios[0]:g}/{ratios[1]:g}/{ratios[2]:g} (revisions of an article "
        "share its first revision's split)."
        + (
            f" Tasks imported from a Label Studio project with the same `{by}` in their data "
            "are one document: each placed where the document's first is (else by hashing "
            "the document), so no document is in two splits unless its tasks were released "
            "before this grouping was set."
            if (by := m["splits"].get("documents_by"))
            else ""
        ),
        "",
        "| split | articles | segments |",
        "|---|---|---|",
    )
    for name in SPLITS:
        sc = counts["splits"][name]
        add(f"| {name} | {sc['articles']} | {sc['segments']} |")
    add("", "## Schema", "", "### Span labels", "")
    for label in schema.labels:
        add(f"- **{label.name}**: {label.description}")
        for attr in label.attributes:
            values = ", ".join(f"`{c.value}`" for c in attr.choices)
            add(
                f"  - attribute `{attr.name}` (column `{attr.control_name}`): "
                f"{attr.description} Values: {values}."
            )
    for attr in schema.regions:
        values = ", ".join(f"`{v}`" for v in attr.values) or f"({attr.kind})"
        add(
            f"- attribute of every region `{attr.name}` (column `{attr.control_name}`): "
            f"{attr.description} Values: {values}."
        )
    add("")
    if schema.relations:
        add("### Relations", "")
        for rel in schema.relations:
            arrow = " → ".join(rel.ends("|"))
            add(f"- **{rel.name}** ({arrow}): {rel.description}")
        add("")
    if schema.segment:
        add("### Segment labels", "")
        for attr in schema.segment:
            add(f"- **{attr.name}**: {attr.description}")
            add(*(f"  - `{c.value}`: {c.description}" for c in attr.choices))
        add("")
    add("## Label distributions (consensus)", "")
    for f, dist in distributions.get("segment", {}).items():
        add(f"- segment `{f}`: " + ", ".join(f"{k} {v}" for k, v in dist.items()))
    spans = distributions.get("span_labels", {})
    if spans:
        add("- span labels: " + ", ".join(f"{k} {v}" for k, v in spans.items()))
    for col, dist in distributions.get("span_attributes", {}).items():
        if dist:
            add(f"- `{col}`: " + ", ".join(f"{k} {v}" for k, v in dist.items()))
    add(
        "",
        "## Agreement",
        "",
        "Between annotators, on the raw annotations in `annotations.parquet`; 95 % percentile "
        "bootstrap intervals over segments (1000 resamples, seed 0).",
        "",
    )
    for f, ag in agreement.get("segment", {}).items():
        add(
            f"- segment `{f}`: Krippendorff's alpha (nominal) {_metric(ag['krippendorff_alpha'])}"
            f"; Fleiss' kappa {_metric(ag['fleiss_kappa'])}; percent agreement "
            f"{_metric(ag['percent_agreement'])}"
        )
    span_ag = agreement.get("spans", {})
    if span_ag:
        add("", "Span F1 between annotator pairs (overlap match), per label:", "")
        add("| label | mean pairwise F1 | pairs (F1 [95 % CI], n segments) |", "|---|---|---|")
        for label, ag in span_ag.items():
            pairs = "; ".join(
                f"{p['pair'][0]}–{p['pair'][1]} {_metric(p['f1'])}" for p in ag["pairs"]
            )
            add(f"| {label} | {_fmt(ag['mean_pairwise_f1'])} | {pairs} |")
    add("", *_RECONCILED.split("\n"))
    if reconcile_info:
        add("", *(f"- {key}: {value}" for key, value in sorted(reconcile_info.items())))
    add("", "## Changes against the parent version", "")
    if parent is None:
        add("First release.")
    else:
        add(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in diff_summary.items()) + ".")
        add("Details in `diff.json`.")
    add("", "## Source articles", "", "| title | outlet | date | split | segments | path |")
    add("|---|---|---|---|---|---|")
    for a in articles:
        if a["n_segments"]:
            add(
                f"| {_cell(a['title'])} | {_cell(a['outlet'])} | {_cell(a['published'])} | "
                f"{a['split']} | {a['n_segments']} | {_cell(a['source_path'])} |"
            )
    add("")
    return "\n".join(lines) + "\n" + _LIMITS
