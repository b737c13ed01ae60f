"""Schema files: YAML → a validated, frozen :class:`Schema` (one-line ``ConfigError`` otherwise).

Every command that loads a schema goes through :func:`load_schema`, so ``schema validate`` and
``pull`` accept exactly the same files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import ConfigError
from workbench.schema.model import Schema
from workbench.schema.validate import Validator


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (``yes``/``no`` stay strings) and no duplicate keys."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class _DuplicateKey(Exception):
    """args: (the key, its line)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        try:
            duplicate = key in seen
        except TypeError:  # unhashable key; construct_mapping reports it
            continue
        if duplicate:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_schema(path: str | Path) -> Schema:
    """Read, parse and validate a schema file. Raises :class:`ConfigError` (one line)."""
    path = Path(path)
    return parse_schema(read_text(path, "schema file"), source=path)


def read_text(path: Path, what: str) -> str:
    """A UTF-8 file's text; a one-line `ConfigError` naming it and ``what`` it is otherwise."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror})") from None


def parse_schema(text: str, source: str | Path = "<schema>") -> Schema:
    """Parse and validate schema YAML text; ``source`` names it in errors and anchors
    the guideline file (a :class:`~pathlib.Path` source is checked to have it beside it)."""
    data = _parse_yaml(text, str(source))
    return Validator(str(source), source if isinstance(source, Path) else None).schema(data)


def schema_from_dict(data: Mapping[str, Any], source: str = "<stored schema>") -> Schema:
    """The schema a :meth:`Schema.to_dict` holds (a dataset's stored ``schema_json``),
    validated by the same rules as a file: whatever loads from YAML loads from its dict."""
    return Validator(source, None).schema(dict(data))


def _parse_yaml(text: str, where: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: safe
    except _DuplicateKey as exc:
        key, line = exc.args
        raise ConfigError(
            f"{where}: line {line}: duplicate key {key!r} (YAML would silently keep only the"
            " last one)"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        if mark is not None:
            raise ConfigError(
                f"{where}: line {mark.line + 1}, column {mark.column + 1}:"
                f" YAML syntax error: {problem}"
            ) from None
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: YAML error: {' '.join(str(exc).split())}") from None
