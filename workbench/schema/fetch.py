"""Where ``schema import`` reads a label config: a file, or a live project's config."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from workbench.errors import ConfigError
from workbench.schema.importer import ImportedSchema, import_config, schema_id_from
from workbench.schema.load import read_text

if TYPE_CHECKING:
    from workbench.labelstudio.client import LabelStudioClient


def import_schema(
    *,
    config: Path | None = None,
    project: int | None = None,
    client: LabelStudioClient | None = None,
    schema_id: str | None = None,
    output: Path | None = None,
    force: bool = False,
) -> ImportedSchema:
    """The schema for a label config file (`config`) or for project `project` (read with
    `client`), written to `output` if given (an existing file only with `force`). The id
    defaults to the file's or the project's name."""
    if (config is None) == (project is None):
        raise ConfigError("give a label config file or a project id, not both or neither")
    if output is not None and output.exists() and not force:
        raise ConfigError(f"{output}: exists (use --force to overwrite)")
    if config is not None:
        text = read_text(config, "label config file")
        title, source = config.stem, str(config)
    else:
        assert project is not None
        if client is None:
            raise ConfigError("reading a project's label config needs a Label Studio client")
        found = client.get_project(project)
        text, title = found.label_config, found.title or f"project {project}"
        source = f"{client.url}/projects/{project}"
        if not text.strip():
            raise ConfigError(f"{source}: the project has no label config yet")
    imported = import_config(
        text, schema_id=schema_id or schema_id_from(title), title=title, source=source
    )
    if output is not None:
        output.write_text(imported.yaml, encoding="utf-8")
    return imported
