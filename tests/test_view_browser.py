"""The generated labeling view in a real browser: an annotator labels a segment in Label Studio
with the view's hotkeys, and `pull` stores what they did; the instructions keep their lists.

Chromium comes from Debian's packages (``make test`` installs it: ``apt-get install chromium``);
Playwright (a dev dependency) drives it with ``executable_path`` set, so nothing is downloaded.
The test is skipped, with the reason, only when no Chromium is installed. Screenshots go to
``$WORKBENCH_TEST_SCREENSHOTS`` (a directory) when set, else to the test's temporary directory.

What the annotator does, as the guidelines tell them (schemas/news-v1.md, example 2):

* the task opens with a suggestion (a Label Studio prediction: one Source span), which the
  editor turns into the start of the annotator's annotation: accepting it is keeping it;
* click the suggested Source, ``o`` (source_type official);
* ``2`` and drag over *said* (a Cue); ``3`` and drag over the reported speech (a Content), click
  it, ``i`` (quote_type indirect);
* with the Content selected, ``alt+r`` and click the Source: a relation, left untyped (pull
  gives it the one relation its two labels allow: linking costs one action);
* ``8`` (segment sentiment neutral); ``ctrl+enter`` submits.

Feedback (workbench.feedback): after a pull quarantines an annotator's annotation, the task
shows them the problem in red; a task with no message, or from before the `feedback` field
(no such key in its data), shows nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from workbench import corpus
from workbench.config import Settings, load_settings
from workbench.labelstudio import server
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.server import ServerInfo
from workbench.pull import pull
from workbench.push import push
from workbench.schema import label_config, load_schema
from workbench.store import Annotation, Annotator, Prediction, Segment, Store, Task, open_store

pytestmark = [pytest.mark.labelstudio, pytest.mark.browser]

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "news-v1.yaml"
ARTICLE = ROOT / "seeds" / "004_6126446ed3470000.txt"  # worked example 2 of the guidelines
SEGMENT_START = "Khan is holding wide-ranging discussions"
#: The machine's network is closed: without these, Chromium hangs on its own connections.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "annotate-in-the-browser-1"
MODEL_VERSION = "browser-test-suggestions"
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium under Playwright; skipped when none is installed."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[dev]'"
    )
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip(
            "no Chromium on this machine: `make test` installs Debian's (apt-get install -y "
            "chromium, as root); this browser test needs it"
        )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("WORKBENCH_TEST_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        return Path(wanted)
    return tmp_path_factory.mktemp("screenshots")


@dataclass(frozen=True)
class Pushed:
    settings: Settings
    store: Store
    client: LabelStudioClient
    project_id: int
    task_id: int
    text: str


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerInfo]:
    """A Label Studio of this module's own, holding only the view's project: on the session's
    server, after the rest of the suite has made its projects and users there, the suggestion
    did not stay in the editor long enough to be seen (three full runs of three); alone, it
    always did."""
    data_dir = tmp_path_factory.mktemp("label-studio-view")
    info = server.start(data_dir, timeout=600)
    try:
        yield info
    finally:
        server.stop(data_dir)


@pytest.fixture(scope="module")
def pushed(label_studio: ServerInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pushed]:
    """Seed article 004 pushed with the news schema, through workbench's own push."""
    tmp = tmp_path_factory.mktemp("view")
    store_url = f"sqlite:///{tmp / 'store.db'}"
    store = open_store(store_url)
    corpus.ingest(store, [ARTICLE])
    corpus.segment(store)
    settings = load_settings(
        {
            "database_url": store_url,
            "label_studio_url": label_studio.url,
            "label_studio_api_key": label_studio.token,
            "dataset": f"view{uuid.uuid4().hex[:8]}",
            "schema_path": str(SCHEMA),
        },
        cwd=tmp,
        environ={},
    )
    client = LabelStudioClient(label_studio.url, label_studio.token)
    # without the rules' suggestions: the test makes its own, and the editor starts from one
    report = push(settings, store, load_schema(SCHEMA), client, annotators=1, suggestions=False)
    assert report.project_id is not None
    with store.session() as s:
        text, task_id = s.execute(
            sa.select(Segment.text, Task.ls_task_id)
            .join(Task, Task.segment_id == Segment.id)
            .where(Segment.text.like(SEGMENT_START + "%"))
        ).one()
    yield Pushed(settings, store, client, report.project_id, task_id, text)
    store.close()


def _sdk(ls: ServerInfo) -> Any:
    from label_studio_sdk import LabelStudio

    return LabelStudio(base_url=ls.url, api_key=ls.token)


@dataclass(frozen=True)
class LoggedIn:
    page: Any  # playwright's Page
    email: str


@pytest.fixture(scope="module")
def annotator(chromium: Any, label_studio: ServerInfo, pushed: Pushed) -> Iterator[LoggedIn]:
    """A page logged in as a new annotator, who signed up through the organization's invite
    link as a team member would (the Community edition has no roles: every member may label)."""
    invite = _sdk(label_studio).organizations.invites.get_invite_link()
    email = f"annotator-{uuid.uuid4().hex[:6]}@example.org"
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(label_studio.url + invite.invite_url)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/user/" not in url)  # signed up and logged in: home
    try:
        yield LoggedIn(page, email)
    finally:
        context.close()


# -- driving the editor -------------------------------------------------------------------------

#: Viewport rectangles of the first and last character of text[start:end] in the segment's text
#: element (the one whose text is the task text; the context paragraph is another).
_CHAR_RECTS = """([text, start, end]) => {
  const root = [...document.querySelectorAll('.lsf-richtext__container')]
    .find(e => e.textContent === text);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const at = (offset) => {
    let pos = 0, node;
    walker.currentNode = root;
    while ((node = walker.nextNode())) {
      if (offset < pos + node.textContent.length) return [node, offset - pos];
      pos += node.textContent.length;
    }
    throw new Error('offset ' + offset + ' is past the text');
  };
  const rect = (offset) => {
    const [node, i] = at(offset);
    const r = document.createRange();
    r.setStart(node, i);
    r.setEnd(node, i + 1);
    return r.getBoundingClientRect();
  };
  const a = rect(start), b = rect(end - 1);
  return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
}"""

#: After a submit the data manager reloads the task: done when the editor is back with the
#: annotation's server id.
_SHOWS_STORED_ANNOTATION = """() => window.Htx?.annotationStore?.selected?.pk
  && document.querySelector('.lsf-richtext__container')"""
_REGIONS = """() => Htx.annotationStore.selected.regions.map(r => r.labelName)"""
_SELECTED = """() => Htx.annotationStore.selected.selectedRegions.map(r => r.labelName)"""


class Editor:
    """The labeling view of one task, driven with the mouse and the view's hotkeys."""

    def __init__(self, page: Any, text: str) -> None:
        self.page = page
        self.text = text

    def span(self, words: str) -> tuple[int, int]:
        start = self.text.index(words)
        return start, start + len(words)

    def drag(self, words: str) -> None:
        """Select `words` with the mouse, as an annotator does."""
        x1, y1, x2, y2 = self.page.evaluate(_CHAR_RECTS, [self.text, *self.span(words)])
        mouse = self.page.mouse
        mouse.move(x1, y1)
        mouse.down()
        mouse.move(x2, y2, steps=5)
        mouse.up()

    def click(self, words: str, label: str | None = None) -> None:
        """Click the region over `words`; with `label`, wait until it is the selected one."""
        start, _ = self.span(words)
        x1, y1, _, _ = self.page.evaluate(_CHAR_RECTS, [self.text, start, start + 1])
        self.page.mouse.click(x1 + 2, y1)
        if label:
            self.page.wait_for_function(f"() => ({_SELECTED})().includes({label!r})")

    def draw(self, hotkey: str, words: str, label: str) -> None:
        """Press a label's hotkey, then select the words: a new region with that label."""
        before = len(self.regions())
        self.page.keyboard.press("u")  # unselect: a label key would relabel a selected region
        self.page.keyboard.press(hotkey)
        self.drag(words)
        self.page.wait_for_function(f"() => ({_REGIONS})().length === {before + 1}")
        assert self.regions()[-1] == label

    def regions(self) -> list[str]:
        labels: list[str] = self.page.evaluate(_REGIONS)
        return labels


def test_annotator_accepts_a_suggestion_labels_links_and_submits_and_pull_stores_it(
    annotator: LoggedIn, label_studio: ServerInfo, pushed: Pushed, shots: Path
) -> None:
    started = time.monotonic()
    text, page = pushed.text, annotator.page
    source_words = "the Foreign Office spokesperson"
    content_words = text[: text.index(", the Foreign Office")]
    s0, s1 = text.index(source_words), text.index(source_words) + len(source_words)
    suggestion = {
        "id": "suggested-source",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": s0, "end": s1, "text": source_words, "labels": ["Source"]},
    }
    _sdk(label_studio).predictions.create(
        task=pushed.task_id, result=[suggestion], model_version=MODEL_VERSION, score=0.9
    )

    page.goto(f"{label_studio.url}/projects/{pushed.project_id}/data?task={pushed.task_id}")
    # the data manager opens the task, then its task list arrives and it may open the task
    # again (a new editor): on a server with many projects that is seconds later, so wait for
    # the page to go quiet before looking at the editor
    page.wait_for_load_state("networkidle", timeout=4 * WAIT_MS)
    page.wait_for_function("() => window.Htx?.annotationStore?.selected")
    editor = Editor(page, text)
    # the suggestion is where the annotation starts (for 1.5 s on end: not a passing editor)
    steady = (
        f"() => {{ const ok = JSON.stringify(({_REGIONS})()) === '[\"Source\"]';"
        " window.__okSince = ok ? (window.__okSince || Date.now()) : 0;"
        " return ok && Date.now() - window.__okSince > 1500; }"
    )
    page.wait_for_function(steady, timeout=2 * WAIT_MS)
    assert editor.regions() == ["Source"]
    page.screenshot(path=shots / "01-task-opened-with-suggestion.png")

    editor.draw("2", "said", "Cue")
    editor.draw("3", content_words, "Content")
    editor.click(content_words, "Content")
    page.keyboard.press("i")  # quote_type: indirect
    page.keyboard.press("Alt+r")  # relation from the selected Content ...
    editor.click(source_words)  # ... to the Source
    page.wait_for_function("() => Htx.annotationStore.selected.relationStore.relations.length")
    page.keyboard.press("u")
    page.keyboard.press("8")  # segment sentiment: neutral
    # the Source's type is left for Submit to ask for: the editor selects the Source and the
    # message says, in the view's words, what is missing and which keys answer it
    page.keyboard.press("Control+Enter")
    warning = page.get_by_text("has no answer to")
    warning.wait_for()
    page.screenshot(path=shots / "02-submit-asks-for-the-source-type.png")
    assert warning.inner_text() == (
        "A Source has no answer to “Source type”. It is selected now: press OK, then one of"
        " o a m n w e."
    )
    page.get_by_role("button", name="OK").click()
    warning.wait_for(state="hidden")  # a key pressed while the dialog closes may be lost
    assert page.evaluate(_SELECTED) == ["Source"]
    page.keyboard.press("o")  # source_type: official
    page.wait_for_function(
        "() => Htx.annotationStore.selected.selectedRegions[0].results"
        ".some(r => r.from_name.name === 'source_source_type')"
    )
    page.screenshot(path=shots / "03-labelled-before-submit.png")
    submitted = re.compile(rf"/api/tasks/{pushed.task_id}/annotations\b")
    with page.expect_response(
        lambda r: r.request.method == "POST" and submitted.search(r.url) is not None
    ) as response:
        page.keyboard.press("Control+Enter")
    assert response.value.ok, response.value.text()
    # the view reloads the task and shows the stored annotation
    page.get_by_text(
        "Annotation saved successfully", exact=True
    ).wait_for()  # the toast, not its aria-live twin
    page.wait_for_function(_SHOWS_STORED_ANNOTATION, timeout=2 * WAIT_MS)
    page.screenshot(path=shots / "04-submitted.png")
    browser_seconds = time.monotonic() - started

    report = pull(pushed.settings, pushed.store, pushed.client)
    assert report.quarantined == [] and report.annotations_new == 1
    with pushed.store.session() as s:
        ann = s.scalars(
            sa.select(Annotation).join(Task).where(Task.ls_task_id == pushed.task_id)
        ).one()
        email = s.scalar(sa.select(Annotator.email).where(Annotator.id == ann.annotator_id))
        predictions = s.scalars(
            sa.select(Prediction).join(Task).where(Task.ls_task_id == pushed.task_id)
        ).all()
    assert ann.status == "valid", ann.problems
    assert email == annotator.email
    assert [(p.model_version, p.result[0]["value"]["start"]) for p in predictions] == [
        (MODEL_VERSION, s0)
    ]

    # what the annotator did, as pull parsed and stored it (the annotation model's entry)
    entry = json.loads(ann.result_entry or "null")
    assert entry is not None, "pull stored no parsed entry"
    spans = {span["label"]: span for span in entry["spans"]}
    assert sorted(spans) == ["Content", "Cue", "Source"]
    assert (spans["Source"]["start"], spans["Source"]["end"]) == (s0, s1)  # the suggestion
    assert spans["Source"]["attributes"] == {"source_type": "official"}
    cue = spans["Cue"]
    assert text[cue["start"] : cue["end"]] == "said" and cue["attributes"] == {}
    content = spans["Content"]
    assert (content["start"], content["end"]) == (0, len(content_words))
    assert content["attributes"] == {"quote_type": "indirect"}
    assert entry["labels"] == {"sentiment": "neutral"}
    # linked in one action (alt+r, click): pull gave it the one relation the labels allow
    assert entry["relations"] == [
        {
            "kind": "attributed_to",
            "from_id": spans["Content"]["region_id"],
            "to_id": spans["Source"]["region_id"],
        }
    ]
    assert any("untyped relation typed attributed_to" in r for r in ann.repairs or []), ann.repairs
    # and the raw result Label Studio sent: offsets into the task text, covering what it says
    for item in ann.result:
        value = item.get("value") or {}
        if "start" in value:
            assert value["text"] == text[value["start"] : value["end"]]
    print(f"\nbrowser part: {browser_seconds:.1f} s; screenshots in {shots}")


def test_instructions_show_their_numbered_and_bulleted_lists(
    annotator: LoggedIn, label_studio: ServerInfo, pushed: Pushed, shots: Path
) -> None:
    """ "Label All Tasks" opens the instructions first; their lists keep their markers (Label
    Studio's page resets list styles; workbench.instructions restores them)."""
    page = annotator.page
    page.goto(f"{label_studio.url}/projects/{pushed.project_id}/data?labeling=1")
    guidelines = page.locator(".workbench-guidelines")
    guidelines.wait_for()
    page.screenshot(path=shots / "05-instructions.png")
    lists = page.evaluate(
        """() => [...document.querySelectorAll('.workbench-guidelines :is(ol, ul)')].map(l => {
            const li = l.querySelector('li');
            return {
              tag: l.tagName,
              listStyle: getComputedStyle(l).listStyleType,
              padding: parseFloat(getComputedStyle(l).paddingLeft),
              item: getComputedStyle(li).display,
              first: li.textContent.trim().slice(0, 40),
            };
          })"""
    )
    steps = next(x for x in lists if x["first"].startswith("Mark the attributions"))
    assert steps["tag"] == "OL" and steps["listStyle"] == "decimal", steps
    bullets = [x for x in lists if x["tag"] == "UL"]
    assert bullets and all(x["listStyle"] in ("disc", "circle") for x in bullets), bullets
    # markers sit outside the text: without room on the left they would be cut off
    assert all(x["padding"] >= 12 and x["item"] == "list-item" for x in lists), lists
    # the hotkey table: cells with borders and room, not words run together
    cell = page.locator(".workbench-guidelines td").last
    cell.scroll_into_view_if_needed()
    page.screenshot(path=shots / "06-instructions-hotkey-table.png")
    widths = cell.evaluate(
        "c => [getComputedStyle(c).borderLeftWidth, getComputedStyle(c).paddingLeft]"
    )
    assert all(float(w.removesuffix("px")) > 0 for w in widths), widths


# -- feedback to annotators ---------------------------------------------------------------------

#: The feedback view of the open task: its text, the box's height, and the message's colour.
_FEEDBACK = """() => {
  const box = document.querySelector('.wb-feedback');
  const shown = box.firstElementChild;
  const meta = document.querySelector('.wb-meta');
  const next = box.nextElementSibling;
  return {
    text: box.innerText,
    height: box.getBoundingClientRect().height,
    color: shown ? getComputedStyle(shown).color : null,
    // the room between the meta line and what follows the feedback: the meta line's own
    // margin when the feedback is empty
    gap: next.getBoundingClientRect().top - meta.getBoundingClientRect().bottom,
    metaMargin: parseFloat(getComputedStyle(meta.firstElementChild).marginBottom),
  };
}"""


def _open(page: Any, ls: ServerInfo, project_id: int, task_id: int) -> dict[str, Any]:
    """Open a task in the labeling view; what its feedback view shows."""
    page.goto(f"{ls.url}/projects/{project_id}/data?task={task_id}")
    page.wait_for_function(
        f"() => window.Htx?.annotationStore?.selected && Htx.task?.id === {task_id}"
        " && document.querySelector('.wb-feedback')"
        " && !document.querySelector('.lsf-label-view_loading')"  # the view is greyed out till then
    )
    shown: dict[str, Any] = page.evaluate(_FEEDBACK)
    return shown


def _other_task(pushed: Pushed, nth: int = 0) -> tuple[int, str]:
    """The `nth` pushed task of the article other than the one the labeling test uses."""
    with pushed.store.session() as s:
        ls_id, text = s.execute(
            sa.select(Task.ls_task_id, Segment.text)
            .join(Segment, Task.segment_id == Segment.id)
            .where(Task.ls_task_id != pushed.task_id, Task.ls_task_id.is_not(None))
            .order_by(Task.id)
            .offset(nth)
            .limit(1)
        ).one()
    return ls_id, text


def test_feedback_on_a_quarantined_annotation_is_shown_to_its_annotator_in_red(
    annotator: LoggedIn, label_studio: ServerInfo, pushed: Pushed, shots: Path
) -> None:
    task_id, text = _other_task(pushed)
    empty = _open(annotator.page, label_studio, pushed.project_id, task_id)
    # a task with no message (push sends "") shows nothing and takes no room
    assert empty["text"].strip() == "", empty
    assert empty["height"] <= 2 and empty["gap"] <= empty["metaMargin"] + 2, empty

    user = pushed.client.find_user(annotator.email)
    assert user is not None
    word = text.split()[0]
    outside = {
        "id": "outside",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {
            "start": len(text) + 5,
            "end": len(text) + 5 + len(word),
            "text": word,
            "labels": ["Cue"],
        },
    }
    pushed.client.create_annotation(task_id, [outside], completed_by=user.id)
    report = pull(pushed.settings, pushed.store, pushed.client)
    assert report.feedback_written == 1 and len(report.quarantined) == 1, report

    shown = _open(annotator.page, label_studio, pushed.project_id, task_id)
    annotator.page.screenshot(path=shots / "07-feedback-shown.png")
    assert annotator.email in shown["text"] and "no longer fits the text" in shown["text"], shown
    assert shown["text"].startswith("⚠ "), shown
    assert shown["color"] == "rgb(176, 0, 32)", shown  # #b00020, as config_xml styles it
    assert shown["height"] > 10, shown


def test_relation_names_do_not_cover_the_words_above_their_regions(
    annotator: LoggedIn, label_studio: ServerInfo, pushed: Pushed, shots: Path
) -> None:
    """A suggested relation carries its type, which the editor writes on a chip over the line
    above the two regions, hiding its words. In the news view (relations typed by their
    labels) the arc and its arrow stay and the chip does not show."""
    task_id, text = _other_task(pushed, nth=1)
    first, second = text.split()[:2]
    spans = [
        ("cue", 0, first, "Cue"),
        ("content", len(first) + 1, second, "Content"),
    ]
    result: list[dict[str, Any]] = [
        {
            "id": rid,
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": at, "end": at + len(words), "text": words, "labels": [label]},
        }
        for rid, at, words, label in spans
    ]
    result.append(
        {
            "type": "relation",
            "from_id": "cue",
            "to_id": "content",
            "direction": "right",
            "labels": ["cue_of"],
        }
    )
    _sdk(label_studio).predictions.create(task=task_id, result=result, model_version=MODEL_VERSION)
    _open(annotator.page, label_studio, pushed.project_id, task_id)
    annotator.page.wait_for_function(f"() => ({_REGIONS})().length === 2")
    # the editor draws the arc after the regions, a moment later on a loaded machine
    annotator.page.wait_for_function(
        "() => document.querySelectorAll('.relations-overlay path[marker-end]').length > 0"
    )
    annotator.page.screenshot(path=shots / "08-suggested-relation.png")
    arcs, chips, shown = annotator.page.evaluate(
        """() => {
          const chips = [...document.querySelectorAll('.relations-overlay g[transform]')];
          return [document.querySelectorAll('.relations-overlay path[marker-end]').length,
                  chips.length, chips.filter(c => c.getBoundingClientRect().width > 0).length];
        }"""
    )
    assert arcs == 1 and chips == 1, (arcs, chips)  # the relation is drawn, with its chip ...
    assert shown == 0  # ... which takes no room over the text


#: The region questions shown, each with its bottom edge, and the top of the editor's bottom
#: bar (Submit); and whether the context's last character is inside the context's box.
_NARROW = """() => {
  const shown = [...document.querySelectorAll('.wb-attr')].filter(e => e.offsetHeight);
  const ctx = document.querySelector('.lsf-richtext__container').closest('.lsf-object');
  const box = ctx.parentElement.getBoundingClientRect();
  const range = document.createRange();
  const last = [...ctx.querySelectorAll('.lsf-richtext__line')].pop().lastChild;
  range.setStart(last, last.length - 1);
  range.setEnd(last, last.length);
  const end = range.getBoundingClientRect();
  return {
    questions: shown.map(e => [e.innerText.split('*')[0].trim(), e.getBoundingClientRect().bottom]),
    bar: document.querySelector('.lsf-bottombar').getBoundingClientRect().top,
    contextEndShown: end.bottom <= box.bottom + 1 && end.top >= box.top - 1,
  };
}"""


def test_a_1280x720_window_shows_a_claims_questions_under_a_long_paragraph(
    annotator: LoggedIn, label_studio: ServerInfo, pushed: Pushed, shots: Path
) -> None:
    """A laptop window: the task whose paragraph and previous paragraph are longest, a Claim
    drawn and selected; both its questions show above Submit's bar without scrolling (each
    question's heading beside its answers; the grey context at most three lines, scrolled to
    its end), and the context's last line is the one shown."""
    used = {pushed.task_id, _other_task(pushed)[0], _other_task(pushed, nth=1)[0]}
    with pushed.store.session() as s:
        ids = s.scalars(sa.select(Task.ls_task_id).where(Task.ls_task_id.is_not(None))).all()
    data = {i: pushed.client.get_task(i)["data"] for i in ids if i not in used}
    task_id = max(
        (i for i, d in data.items() if "\n" not in d["text"]),
        key=lambda i: len(data[i]["text"]) + len(data[i]["context"]),
    )
    text, page = data[task_id]["text"], annotator.page
    page.set_viewport_size({"width": 1280, "height": 720})
    try:
        _open(page, label_studio, pushed.project_id, task_id)
        editor = Editor(page, text)
        words = " ".join(text.split()[:3])
        editor.draw("4", words, "Claim")
        editor.click(words, "Claim")
        page.screenshot(path=shots / "10-narrow-window-claim-selected.png")
        shown = page.evaluate(_NARROW)
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})
    names = [name for name, _ in shown["questions"]]
    assert names == ["Segment sentiment", "Claim type (Claim)", "Checkworthy (Claim)"], shown
    assert all(bottom <= shown["bar"] for _, bottom in shown["questions"]), shown
    assert shown["contextEndShown"], shown


def test_a_task_pushed_before_feedback_existed_shows_no_placeholder(
    annotator: LoggedIn, label_studio: ServerInfo, pushed: Pushed, shots: Path
) -> None:
    """A project pushed before the `feedback` field: its view had no feedback line and its
    tasks have no such key. Pushed again, the project gets the new view; such a task shows
    nothing there, not a literal "$feedback"."""
    schema = load_schema(SCHEMA)
    new_view = label_config(schema)
    old_view, cut = re.subn(
        r'\s*<View className="wb-feedback">.*?</View>', "", new_view, flags=re.S
    )
    assert cut == 1 and "$feedback" not in old_view
    pushed.client.update_project(pushed.project_id, label_config=old_view)
    original = pushed.client.get_task(pushed.task_id)["data"]
    data = {k: v for k, v in original.items() if k != "feedback"}
    data["segment_id"] = f"pre-feedback-{uuid.uuid4().hex[:6]}"  # not one of the store's
    [task_id] = pushed.client.import_tasks(pushed.project_id, [{"data": data}])
    assert "feedback" not in pushed.client.get_task(task_id)["data"]
    # workbench's push brings the project's view up to date; Label Studio accepts it
    again = push(
        pushed.settings, pushed.store, schema, pushed.client, annotators=1, suggestions=False
    )
    assert again.project == "update", again
    assert "$feedback" in pushed.client.get_project(pushed.project_id).label_config

    shown = _open(annotator.page, label_studio, pushed.project_id, task_id)
    annotator.page.screenshot(path=shots / "09-task-without-feedback-key.png")
    assert "$feedback" not in annotator.page.locator("body").inner_text()
    assert shown["text"].strip() == "", shown
    assert shown["height"] <= 2 and shown["gap"] <= shown["metaMargin"] + 2, shown
