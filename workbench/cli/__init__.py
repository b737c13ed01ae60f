"""The `workbench` command line, by command group; `main` is the entry point."""

from workbench.cli import corpus, labelstudio, releases  # noqa: F401  (they register commands)
from workbench.cli.base import cli, main

__all__ = ["cli", "main"]
