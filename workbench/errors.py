"""The error tree. User errors become one line and an exit code in `cli.main`, nowhere else."""

from __future__ import annotations


class WorkbenchError(Exception):
    """An error the user can act on: shown as one line, never as a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(WorkbenchError):
    """Bad input file: missing, unreadable, binary, empty, undecodable, malformed."""

    exit_code = 3


class ConfigError(WorkbenchError):
    """Bad configuration: invalid setting, invalid schema file."""

    exit_code = 4


class StoreError(WorkbenchError):
    """The store cannot be used: unreachable database, store newer than this code, locked."""

    exit_code = 5


class LabelStudioError(WorkbenchError):
    """Label Studio unreachable, refused the request, or lost a project."""

    exit_code = 6


class AuthenticationError(LabelStudioError):
    """Label Studio refused the API token. The token itself is never part of the message."""

    exit_code = 7


class ValidationError(WorkbenchError):
    """Annotations or labels that do not fit the schema or the text."""

    exit_code = 8


class PartialFailure(WorkbenchError):
    """Some items failed (each already reported) while the others went through."""

    exit_code = 9


class OutOfDate(WorkbenchError):
    """A stage's input changed since the stage it depends on last ran (run that one first)."""

    exit_code = 10


class NothingToRelease(WorkbenchError):
    """An export of a dataset with no annotations to release (none yet, or all quarantined):
    refused rather than written as an empty, permanent version."""

    exit_code = 11
