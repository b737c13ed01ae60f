"""`workbench init`: a folder of one's own to work from: a commented `workbench.toml`, the
packaged schema and guidelines in `schemas/` to edit (then the default schema) and an empty
`articles/`. Nothing is overwritten unless asked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from workbench.config import CONFIG_FILE
from workbench.data import GUIDELINES_NAME, PACKAGED_GUIDELINES, PACKAGED_SCHEMA, SCHEMA_NAME
from workbench.errors import ConfigError

ARTICLES_DIR = "articles"

STARTER_TOML = f"""\
# workbench settings for this folder (read from the working directory).
# Precedence, highest first: command-line options, environment variables, this file,
# .workbench/config.json (written by `workbench server start`), defaults.
#
# Put article files (.txt, .md, .html) into {ARTICLES_DIR}/, then:
#   workbench ingest {ARTICLES_DIR} && workbench segment
#   workbench server start        # a local Label Studio (installed on first use)
#   workbench push                # segments become Label Studio tasks
#   workbench pull && workbench reconcile && workbench export

[workbench]
# The annotation schema; its guidelines file is named inside it and lives beside it.
# [env WORKBENCH_SCHEMA]
schema_path = "schemas/{SCHEMA_NAME}"

# The dataset's name: the Label Studio project and exports/<dataset>/. [env WORKBENCH_DATASET]
dataset = "news"

# The store: any SQLAlchemy URL. Default: SQLite in .workbench/workbench.db.
# For a team, PostgreSQL (prefer the env var WORKBENCH_DATABASE_URL when it has a password):
# database_url = "postgresql://annotation@db.example.org/workbench"

# A Label Studio the team already runs. Default: the local server of `workbench server start`.
# Its API key goes in the environment (LABEL_STUDIO_API_KEY), never in this file.
# label_studio_url = "https://labelstudio.example.org"

# Where releases are written. [env WORKBENCH_EXPORTS]
# exports_dir = "exports"

# Local state (SQLite store, local Label Studio data). [env WORKBENCH_HOME]
# home = ".workbench"
"""


@dataclass(frozen=True)
class InitReport:
    directory: Path
    written: tuple[Path, ...]  # files written, in order
    articles_dir: Path


def init_folder(directory: Path, *, force: bool = False) -> InitReport:
    """Write the starter files into `directory` (created if missing); without `force`, a
    `ConfigError` naming the first existing file, and nothing written. `articles/` is never
    emptied."""
    directory = directory.expanduser()
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory}: not a folder")
    files = {
        directory / CONFIG_FILE: STARTER_TOML.encode(),
        directory / "schemas" / SCHEMA_NAME: PACKAGED_SCHEMA.read_bytes(),
        directory / "schemas" / GUIDELINES_NAME: PACKAGED_GUIDELINES.read_bytes(),
    }
    articles = directory / ARTICLES_DIR
    if not force:
        for path in files:
            if path.exists():
                raise ConfigError(f"{path}: already exists (use --force to overwrite)")
    if articles.exists() and not articles.is_dir():
        raise ConfigError(f"{articles}: exists and is not a folder")
    try:
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(content)
            os.replace(tmp, path)
        articles.mkdir(exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{directory}: cannot write the starter files: {exc.strerror}") from None
    return InitReport(directory, tuple(files), articles)
