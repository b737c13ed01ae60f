"""Files shipped inside the package: the news schema and its guidelines.

They are used when neither an option, `WORKBENCH_SCHEMA`, `workbench.toml` nor a
`./schemas/news-v1.yaml` names a schema, so the workbench runs from any folder. In the
repository the two files here are symbolic links to `schemas/` (the one copy to edit); a built
wheel carries their content (`tests/test_init.py` builds one and checks).
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
SCHEMA_NAME = "news-v1.yaml"
GUIDELINES_NAME = "news-v1.md"
PACKAGED_SCHEMA = DATA_DIR / SCHEMA_NAME
PACKAGED_GUIDELINES = DATA_DIR / GUIDELINES_NAME
