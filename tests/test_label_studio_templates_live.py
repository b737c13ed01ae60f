"""Label Studio's own text templates as live projects: each template the workbench imports is
set up on the real server with its original label config (the server validates it) and the
template's example data, three annotators' results go in through the API, and a live `pull`
of the project stores them all with nothing quarantined or skipped (the file-export path is
`test_label_studio_templates`)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from ls_template_results import Template, imported_schema, make_export
from test_label_studio_templates import _text_templates

from workbench.config import load_settings
from workbench.labelstudio.client import LabelStudioClient
from workbench.labelstudio.server import ServerInfo
from workbench.pull import pull
from workbench.store import open_store

pytestmark = pytest.mark.labelstudio


@pytest.mark.parametrize("template", _text_templates(refused=False))
def test_a_template_project_pulls_live_with_nothing_quarantined(
    template: Template, label_studio: ServerInfo, ls_client: LabelStudioClient, tmp_path: Path
) -> None:
    schema = imported_schema(template, tmp_path)
    tasks = make_export(schema, template.config)
    project = ls_client.create_project(
        title=f"{template.key.split('/')[-1][:40]} {uuid.uuid4().hex[:6]}",
        label_config=template.config,
    )
    ids = ls_client.import_tasks(project.id, [{"data": t["data"]} for t in tasks])
    users = [ls_client.ensure_user(f"t{n}-{uuid.uuid4().hex[:6]}@example.org").id for n in range(3)]
    for task_id, task in zip(ids, tasks, strict=True):
        for n, annotation in enumerate(task["annotations"]):
            ls_client.create_annotation(task_id, annotation["result"], users[n])
    url = f"sqlite:///{tmp_path / 'wb.db'}"
    settings = load_settings(
        {
            "database_url": url,
            "label_studio_url": label_studio.url,
            "label_studio_api_key": label_studio.token,
            "dataset": "team",
            "schema_path": str(tmp_path / "team.yaml"),
        },
        cwd=tmp_path,
        environ={},
    )
    store = open_store(url)
    try:
        report = pull(settings, store, ls_client, schema=schema, project=project.id)
    finally:
        store.engine.dispose()
    assert (report.annotations_new, report.quarantined, report.skipped) == (9, [], [])
