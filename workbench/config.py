"""One `Settings` object. Precedence, highest first: command-line options, environment
variables, `workbench.toml` in the working directory, the local config of `workbench server
start` (`.workbench/config.json`, mode 0600: it holds the API token), defaults. The token is a
`Secret`, so it cannot leak through `repr`, logs or tracebacks by accident.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from workbench.data import PACKAGED_SCHEMA, SCHEMA_NAME
from workbench.errors import ConfigError
from workbench.logging import register_secret

CONFIG_FILE = "workbench.toml"
LOCAL_CONFIG = "config.json"

ENV_VARS = {
    "database_url": "WORKBENCH_DATABASE_URL",
    "home": "WORKBENCH_HOME",
    "label_studio_url": "LABEL_STUDIO_URL",
    "label_studio_api_key": "LABEL_STUDIO_API_KEY",
    "dataset": "WORKBENCH_DATASET",
    "schema_path": "WORKBENCH_SCHEMA",
    "exports_dir": "WORKBENCH_EXPORTS",
}


class Secret:
    """A string that never shows itself: `str()`/`repr()` give `***`; `reveal()` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)  # redacted from logs, error lines and tracebacks from now on

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Settings:
    home: Path = Path(".workbench")
    database_url: str = ""
    label_studio_url: str | None = None
    label_studio_api_key: Secret | None = field(default=None, repr=False)
    dataset: str = "news"
    schema_path: Path = PACKAGED_SCHEMA
    exports_dir: Path = Path("exports")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'workbench.db').as_posix()}"


def _coerce(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in ("home", "schema_path", "exports_dir"):
        return Path(str(value))
    if name == "label_studio_api_key":
        return value if isinstance(value, Secret) else Secret(str(value))
    return str(value)


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    section = data.get("workbench", data)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [workbench] must be a table")
    known = {f.name for f in fields(Settings)}
    if unknown := sorted(set(section) - known):
        raise ConfigError(
            f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    return dict(section)


def read_local_config(home: Path) -> dict[str, Any]:
    path = home / LOCAL_CONFIG
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: cannot read local configuration: {exc}") from None
    return data if isinstance(data, dict) else {}


def write_local_config(home: Path, updates: dict[str, Any]) -> Path:
    """Merge `updates` into the local config, created with mode 0600 before anything is written."""
    home.mkdir(parents=True, exist_ok=True)
    data = read_local_config(home)
    data.update({k: (v.reveal() if isinstance(v, Secret) else v) for k, v in updates.items()})
    return write_private_json(home / LOCAL_CONFIG, data)


def write_private_json(path: Path, data: dict[str, Any]) -> Path:
    """Replace `path` atomically with `data` as JSON, mode 0600 before anything is written."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def load_settings(
    overrides: dict[str, Any] | None = None,
    *,
    cwd: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Build the settings; `overrides` are command-line options (None means "not given")."""
    cwd = cwd or Path.cwd()
    env = os.environ if environ is None else environ
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    from_env = {name: env[var] for name, var in ENV_VARS.items() if env.get(var)}
    from_toml = _read_toml(cwd / CONFIG_FILE)

    home_value = given.get("home") or from_env.get("home") or from_toml.get("home") or ".workbench"
    home = cwd / str(home_value)  # relative to `cwd`, unless absolute
    local = {
        k: v
        for k, v in read_local_config(home).items()
        if k in ("label_studio_url", "label_studio_api_key")
    }

    merged: dict[str, Any] = {**local, **from_toml, **from_env, **given, "home": home}
    if "schema_path" not in merged:  # the folder's own copy (a clone, `workbench init`) first
        local_schema = cwd / "schemas" / SCHEMA_NAME
        merged["schema_path"] = local_schema if local_schema.is_file() else PACKAGED_SCHEMA
    values = {name: _coerce(name, value) for name, value in merged.items()}
    settings = replace(Settings(), **values)
    return replace(
        settings, schema_path=cwd / settings.schema_path, exports_dir=cwd / settings.exports_dir
    )
