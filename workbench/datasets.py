"""Which schema a dataset is read under (the one place that decides it): the configured one,
unless the dataset was made under another (its id differs: a team's project pulled with an
imported schema); then the one stored with it, so `reconcile`, `agreement` and `export` of
that dataset need no flag.
"""

from __future__ import annotations

from workbench.config import Settings
from workbench.schema import Schema, load_schema, schema_from_dict
from workbench.store import Dataset, Store


def dataset_schema(settings: Settings, store: Store | None, dataset: str) -> Schema:
    stored = None
    if store is not None:
        with store.session() as session:
            row = session.get(Dataset, dataset)
            if row is not None and row.schema_json:
                stored = (row.schema_id, dict(row.schema_json))
    if stored is not None and not settings.schema_path.is_file():
        return schema_from_dict(stored[1], source=f"<schema of dataset {dataset}>")
    configured = load_schema(settings.schema_path)  # a missing file is its one-line error
    if stored is not None and stored[0] != configured.id:
        return schema_from_dict(stored[1], source=f"<schema of dataset {dataset}>")
    return configured
