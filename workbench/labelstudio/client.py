"""A thin, typed wrapper around ``label_studio_sdk`` (2.1.x): the one door to Label Studio.

Every failure leaves here as a one-line ``LabelStudioError`` / ``AuthenticationError``; results
are plain dicts (tasks, annotations: Label Studio's own JSON shape) or small dataclasses
(projects, users), never SDK objects. The API token never appears in a message or repr: the
SDK's own exception text (which carries response headers, session cookies included) is never
shown, and any message is scrubbed of the token before it is raised.

Retries: the SDK's built-in retries are off (they re-send POSTs after a 500/409, which can
duplicate imported tasks). Here a request is retried with exponential backoff when it provably
never reached the server (connection refused/failed, connect timeout) and, for idempotent
calls only (GET/PATCH/DELETE), also after a read timeout, a reset connection or a 502/503/504.

The SDK is imported lazily (it takes seconds: it pulls in pandas), so importing this module
and the CLI stay fast.
"""

from __future__ import annotations

import random
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from workbench.errors import AuthenticationError, ConfigError, LabelStudioError

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

T = TypeVar("T")

DEFAULT_TIMEOUT = 60.0
IMPORT_TIMEOUT = 600.0
DEFAULT_RETRIES = 3
TRANSIENT_STATUS = frozenset({502, 503, 504})
_MAX_MESSAGE = 300


@dataclass(frozen=True)
class Project:
    id: int
    title: str
    description: str
    label_config: str
    expert_instruction: str
    show_instruction: bool
    maximum_annotations: int
    task_number: int | None
    raw: dict[str, Any] = field(repr=False, compare=False)  # everything Label Studio returned

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Project:
        return cls(
            id=int(data["id"]),
            title=str(data.get("title") or ""),
            description=str(data.get("description") or ""),
            label_config=str(data.get("label_config") or ""),
            expert_instruction=str(data.get("expert_instruction") or ""),
            show_instruction=bool(data.get("show_instruction")),
            maximum_annotations=int(data.get("maximum_annotations") or 1),
            task_number=_opt_int(data.get("task_number")),
            raw=data,
        )


@dataclass(frozen=True)
class User:
    id: int
    email: str
    username: str
    first_name: str
    last_name: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> User:
        return cls(
            id=int(data["id"]),
            email=str(data.get("email") or ""),
            username=str(data.get("username") or ""),
            first_name=str(data.get("first_name") or ""),
            last_name=str(data.get("last_name") or ""),
        )


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _plain(obj: Any) -> Any:
    """An SDK (pydantic) object as the JSON Label Studio sent (unset fields left out)."""
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    if isinstance(obj, list | tuple):
        return [_plain(item) for item in obj]
    if isinstance(obj, dict):
        return {key: _plain(value) for key, value in obj.items()}
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        return dump(mode="json", by_alias=True, exclude_unset=True)
    legacy = getattr(obj, "dict", None)  # pydantic v1
    if callable(legacy):
        return _plain(legacy(by_alias=True, exclude_unset=True))
    return obj


def _plain_dict(obj: Any) -> dict[str, Any]:
    data = _plain(obj)
    if not isinstance(data, dict):
        raise LabelStudioError(f"unexpected answer from Label Studio: {type(obj).__name__}")
    return data


def _display_url(url: str) -> str:
    """``url`` without user:password@ (never show credentials)."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url.rstrip("/")
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=host)).rstrip("/")


def _one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    text = re.sub(r"<[^>]+>", " ", text)  # HTML error pages
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flatten_errors(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        out: list[str] = []
        for key, sub in value.items():
            out.extend(
                _flatten_errors(sub, f"{prefix}{key}: " if key != "non_field_errors" else prefix)
            )
        return out
    if isinstance(value, list):
        out = []
        for sub in value:
            out.extend(_flatten_errors(sub, prefix))
        return out
    return [f"{prefix}{value}"]


def _body_message(body: Any) -> str:
    """Label Studio's error body (``{"detail": …, "validation_errors": {…}}`` or other) as text."""
    if isinstance(body, dict):
        parts: list[str] = []
        detail = body.get("detail")
        if detail:
            parts.append(str(detail))
        errors = body.get("validation_errors")
        if errors:
            parts.append("; ".join(_flatten_errors(errors)))
        if not parts:
            rest = {k: v for k, v in body.items() if k not in {"id", "status_code", "version"}}
            parts.append("; ".join(_flatten_errors(rest)) or "no details")
        return ": ".join(parts)
    if isinstance(body, list):
        return "; ".join(_flatten_errors(body))
    if body is None or body == "":
        return "no details"
    text = str(body)
    title = re.search(r"<title>(.*?)</title>", text, re.S | re.I)
    return title.group(1) if title else text


class _Transient(Exception):
    """An attempt failed in a way worth retrying; ``error`` is what to raise at the end."""

    def __init__(self, error: LabelStudioError) -> None:
        super().__init__(error.message)
        self.error = error


class LabelStudioClient:
    """Talk to one Label Studio server with one API token (legacy token or personal access token).

    ``repr`` shows the URL only. ``retries`` bounds the retries of a transient failure (so at most
    ``retries + 1`` attempts) with backoff ``backoff * 2**n`` seconds (+ jitter, capped at 8 s).
    """

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = 0.5,
    ) -> None:
        if not url or not urllib.parse.urlsplit(url).scheme.startswith("http"):
            raise ConfigError(f"invalid Label Studio URL {url!r}: expected http(s)://host[:port]")
        if not api_key:
            raise ConfigError("no Label Studio API key: set LABEL_STUDIO_API_KEY")
        self.url = _display_url(url)
        self._base_url = url.rstrip("/")
        self.__api_key = api_key
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self._sdk_client: LabelStudio | None = None

    def __repr__(self) -> str:
        return f"LabelStudioClient(url={self.url!r})"

    # ------------------------------------------------------------------ plumbing

    @property
    def _sdk(self) -> LabelStudio:
        if self._sdk_client is None:
            from label_studio_sdk import LabelStudio
            from label_studio_sdk.core.api_error import ApiError

            try:
                self._sdk_client = LabelStudio(  # type: ignore[no-untyped-call]
                    base_url=self._base_url,
                    api_key=self.__api_key,
                    timeout=self.timeout,
                    max_retries=0,
                )
            except ApiError:  # a JWT without expiry or already expired
                raise self._auth_error() from None
        return self._sdk_client

    def _auth_error(self) -> AuthenticationError:
        return AuthenticationError(
            f"authentication failed for Label Studio at {self.url}: check LABEL_STUDIO_API_KEY"
        )

    def _scrub(self, text: str) -> str:
        return text.replace(self.__api_key, "***") if self.__api_key else text

    def _error(self, cls: type[LabelStudioError], message: str) -> LabelStudioError:
        return cls(self._scrub(message))

    def _call(
        self,
        what: str,
        fn: Callable[[], T],
        *,
        idempotent: bool,
        not_found: str | None = None,
    ) -> T:
        """Run one SDK call, retrying transient failures, mapping every failure to our errors.

        ``what`` names the operation for messages ("create project"); ``not_found`` is the
        message for a 404 (default: Label Studio's own message).
        """
        attempt = 0
        while True:
            try:
                return self._attempt(what, fn, idempotent=idempotent, not_found=not_found)
            except _Transient as transient:
                if attempt >= self.retries:
                    raise transient.error from None
                delay = min(8.0, self.backoff * (2**attempt)) * (1 + random.random() / 4)
                time.sleep(delay)
                attempt += 1

    def _attempt(
        self, what: str, fn: Callable[[], T], *, idempotent: bool, not_found: str | None
    ) -> T:
        from label_studio_sdk.core.api_error import ApiError
        from label_studio_sdk.core.parse_error import ParsingError

        _ = self._sdk  # may raise AuthenticationError
        unreachable = f"cannot reach Label Studio at {self.url}"
        try:
            return fn()
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # never reached the server: safe to retry anything
            raise _Transient(
                self._error(LabelStudioError, f"{unreachable}: {_reason(exc)}")
            ) from None
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            error = self._error(LabelStudioError, f"{unreachable}: {_reason(exc)} ({what})")
            if idempotent:
                raise _Transient(error) from None
            raise error from None
        except httpx.HTTPError as exc:
            raise self._error(
                LabelStudioError, f"Label Studio at {self.url} failed on {what}: {_reason(exc)}"
            ) from None
        except ApiError as exc:
            status = exc.status_code or 0
            if status in (401, 403):
                raise self._auth_error() from None
            message = _one_line(self._scrub(_body_message(exc.body)))
            if status == 404:
                raise self._error(
                    LabelStudioError, not_found or f"Label Studio at {self.url}: {what}: {message}"
                ) from None
            error = self._error(
                LabelStudioError,
                f"Label Studio at {self.url} refused {what} (HTTP {status}): {message}"
                if 400 <= status < 500
                else f"Label Studio at {self.url} failed on {what} (HTTP {status}): {message}",
            )
            if status in TRANSIENT_STATUS and idempotent:
                raise _Transient(error) from None
            raise error from None
        except ParsingError:
            raise self._error(
                LabelStudioError, f"unexpected answer from Label Studio at {self.url} on {what}"
            ) from None

    def _project_missing(self, project_id: int) -> str:
        return f"project {project_id} not found on {self.url} (deleted?)"

    # ------------------------------------------------------------------ server

    def check(self) -> dict[str, Any]:
        """Reachable and the token accepted? Returns the token's user (whoami)."""
        return _plain_dict(self._call("check", lambda: self._sdk.users.whoami(), idempotent=True))

    # ------------------------------------------------------------------ projects

    def get_project(self, project_id: int) -> Project:
        data = self._call(
            f"get project {project_id}",
            lambda: self._sdk.projects.get(id=project_id),
            idempotent=True,
            not_found=self._project_missing(project_id),
        )
        return Project.from_dict(_plain_dict(data))

    def list_projects(self, page_size: int = 100) -> list[Project]:
        projects: list[Project] = []
        page = 1
        while True:

            def fetch(p: int = page) -> Any:
                return self._sdk.projects.list(page=p, page_size=page_size)

            pager = self._page_or_none(f"list projects (page {page})", fetch)
            items = [] if pager is None else list(pager.items or [])
            projects.extend(Project.from_dict(_plain_dict(item)) for item in items)
            if len(items) < page_size:
                return projects
            page += 1

    def create_project(
        self,
        title: str,
        label_config: str,
        description: str = "",
        expert_instruction: str = "",
        maximum_annotations: int = 1,
        show_instruction: bool = True,
        **fields: Any,
    ) -> Project:
        """Create a project; ``fields`` are further SDK ``projects.create`` keyword arguments."""
        data = self._call(
            f"create project {title!r}",
            lambda: self._sdk.projects.create(
                title=title,
                label_config=label_config,
                description=description,
                expert_instruction=expert_instruction,
                maximum_annotations=maximum_annotations,
                show_instruction=show_instruction,
                **fields,
            ),
            idempotent=False,
        )
        created = Project.from_dict(_plain_dict(data))
        # the create answer is a reduced serializer: read the project back for a full picture
        return self.get_project(created.id)

    def update_project(self, project_id: int, **fields: Any) -> Project:
        """PATCH the project; ``fields`` are SDK ``projects.update`` keyword arguments."""
        data = self._call(
            f"update project {project_id}",
            lambda: self._sdk.projects.update(id=project_id, **fields),
            idempotent=True,
            not_found=self._project_missing(project_id),
        )
        return Project.from_dict(_plain_dict(data))

    def delete_project(self, project_id: int) -> None:
        self._call(
            f"delete project {project_id}",
            lambda: self._sdk.projects.delete(id=project_id),
            idempotent=True,
            not_found=self._project_missing(project_id),
        )

    # ------------------------------------------------------------------ tasks

    def import_tasks(
        self, project_id: int, tasks: list[dict[str, Any]], *, timeout: float = IMPORT_TIMEOUT
    ) -> list[int]:
        """Import ``tasks`` (each ``{"data": {...}, "meta": {...}?}``); the new ids, in order.

        One synchronous request (Community edition). Not retried once it reached the server:
        a retry could import the tasks twice. Send batches of a few hundred to a few thousand.
        """
        if not tasks:
            return []
        answer = self._call(
            f"import {len(tasks)} tasks into project {project_id}",
            lambda: self._sdk.projects.import_tasks(
                id=project_id,
                request=tasks,  # type: ignore[arg-type]  # plain dicts serialise the same
                return_task_ids=True,
                commit_to_project=True,
                request_options={"timeout": timeout, "max_retries": 0},
            ),
            idempotent=False,
            not_found=self._project_missing(project_id),
        )
        data = _plain_dict(answer)
        ids = data.get("task_ids")
        if not isinstance(ids, list) or len(ids) != len(tasks):
            if data.get("import") is not None:
                raise LabelStudioError(
                    f"Label Studio at {self.url} imported asynchronously (import "
                    f"{data['import']}): only the Community edition's synchronous import "
                    "is supported"
                )
            raise LabelStudioError(
                f"Label Studio at {self.url} did not return the ids of the imported tasks "
                f"(got {len(ids) if isinstance(ids, list) else 'none'} for {len(tasks)})"
            )
        return [int(task_id) for task_id in ids]

    def _page_or_none(self, what: str, fn: Callable[[], T]) -> T | None:
        """A page past the end answers 404 in Label Studio: that is the end, not an error."""
        marker = "\0end-of-pages\0"
        try:
            return self._call(what, fn, idempotent=True, not_found=marker)
        except LabelStudioError as exc:
            if exc.message == marker:
                return None
            raise

    def _task_pages(
        self, project_id: int, page_size: int, fields: str
    ) -> Iterator[list[dict[str, Any]]]:
        if page_size < 1:
            raise ConfigError("page_size must be at least 1")
        page = 1
        seen = 0
        total: int | None = None
        while True:

            def fetch(p: int = page) -> Any:
                return self._sdk.tasks.list(
                    project=project_id, page=p, page_size=page_size, fields=fields
                )

            what = f"list tasks of project {project_id} (page {page})"
            if page == 1:  # page 1 always exists, even for an empty project: 404 = no project
                pager = self._call(
                    what, fetch, idempotent=True, not_found=self._project_missing(project_id)
                )
                total = _opt_int(getattr(pager.response, "total", None))
            else:
                pager = self._page_or_none(what, fetch)
                if pager is None:
                    return
            items = [_plain_dict(item) for item in (pager.items or [])]
            if items:
                yield items
            seen += len(items)
            if len(items) < page_size or (total is not None and seen >= total):
                return
            page += 1

    def list_tasks(
        self, project_id: int, page_size: int = 100, *, annotations: bool = True
    ) -> Iterator[dict[str, Any]]:
        """Every task of the project, in id order, page by page (``/api/tasks``).

        With ``annotations`` (``fields=all``) each task carries its ``annotations`` (full
        results, ``completed_by`` as a user id) and ``predictions``. Pages are numbered, so
        tasks deleted while paging may shift one task past us; ids are never yielded twice.
        """
        seen: set[int] = set()
        for batch in self._task_pages(project_id, page_size, "all" if annotations else "task_only"):
            for task in batch:
                task_id = int(task["id"])
                if task_id not in seen:
                    seen.add(task_id)
                    yield task

    def list_task_ids(self, project_id: int, page_size: int = 1000) -> list[int]:
        ids: list[int] = []
        for batch in self._task_pages(project_id, page_size, "task_only"):
            ids.extend(int(task["id"]) for task in batch)
        return list(dict.fromkeys(ids))

    def get_task(self, task_id: int) -> dict[str, Any]:
        data = self._call(
            f"get task {task_id}",
            lambda: self._sdk.tasks.get(id=str(task_id)),
            idempotent=True,
            not_found=f"task {task_id} not found on {self.url} (deleted?)",
        )
        return _plain_dict(data)

    def update_task_data(self, task_id: int, data: dict[str, Any]) -> None:
        """Replace a task's data (PATCH): the caller passes all of it, changed."""
        self._call(
            f"update task {task_id}",
            lambda: self._sdk.tasks.update(id=str(task_id), data=data),
            idempotent=True,
            not_found=f"task {task_id} not found on {self.url} (deleted?)",
        )

    def delete_task(self, task_id: int) -> None:
        self._call(
            f"delete task {task_id}",
            lambda: self._sdk.tasks.delete(id=str(task_id)),
            idempotent=True,
            not_found=f"task {task_id} not found on {self.url} (deleted?)",
        )

    # ------------------------------------------------------------------ users

    def list_users(self) -> list[User]:
        data = self._call("list users", lambda: self._sdk.users.list(), idempotent=True)
        items = _plain(data)
        if isinstance(items, dict):  # a paginated answer, should a server send one
            items = items.get("results", [])
        return [User.from_dict(item) for item in items]

    def find_user(self, email: str) -> User | None:
        wanted = email.strip().lower()
        return next((u for u in self.list_users() if u.email.lower() == wanted), None)

    def create_user(
        self,
        email: str,
        *,
        username: str | None = None,
        first_name: str = "",
        last_name: str = "",
    ) -> User:
        """Create a user in the token owner's organization (the token must be an admin's).

        Label Studio 1.23 Community ignores a password sent here: an API-created user cannot
        log in until a password is set (``server.set_user_password`` for the local server,
        the Django admin or ``label-studio reset_password`` elsewhere). Annotations can be
        created on their behalf regardless (``create_annotation(completed_by=user.id)``).
        """
        data = self._call(
            f"create user {email}",
            lambda: self._sdk.users.create(
                email=email,
                username=username or email,
                first_name=first_name,
                last_name=last_name,
            ),
            idempotent=False,
        )
        return User.from_dict(_plain_dict(data))

    def ensure_user(self, email: str, **kwargs: Any) -> User:
        """The user with ``email``, created if missing."""
        return self.find_user(email) or self.create_user(email, **kwargs)

    # ------------------------------------------------------------------ annotations

    def create_annotation(
        self,
        task_id: int,
        result: list[dict[str, Any]],
        completed_by: int,
        *,
        was_cancelled: bool = False,
        ground_truth: bool = False,
        lead_time: float | None = None,
    ) -> dict[str, Any]:
        """Add an annotation to a task on behalf of user ``completed_by`` (admin token)."""
        extra: dict[str, Any] = {} if lead_time is None else {"lead_time": lead_time}
        data = self._call(
            f"create annotation on task {task_id}",
            lambda: self._sdk.annotations.create(
                id=task_id,
                result=result,
                completed_by=completed_by,
                was_cancelled=was_cancelled,
                ground_truth=ground_truth,
                **extra,
            ),
            idempotent=False,
            not_found=f"task {task_id} not found on {self.url} (deleted?)",
        )
        return _plain_dict(data)

    def update_annotation(self, annotation_id: int, **fields: Any) -> dict[str, Any]:
        """PATCH an annotation (``result=…``, ``completed_by=…``, ``was_cancelled=…``, …)."""
        data = self._call(
            f"update annotation {annotation_id}",
            lambda: self._sdk.annotations.update(id=annotation_id, **fields),
            idempotent=True,
            not_found=f"annotation {annotation_id} not found on {self.url} (deleted?)",
        )
        return _plain_dict(data)

    def delete_annotation(self, annotation_id: int) -> None:
        self._call(
            f"delete annotation {annotation_id}",
            lambda: self._sdk.annotations.delete(id=annotation_id),
            idempotent=True,
            not_found=f"annotation {annotation_id} not found on {self.url} (deleted?)",
        )

    def list_annotations(self, task_id: int) -> list[dict[str, Any]]:
        data = self._call(
            f"list annotations of task {task_id}",
            lambda: self._sdk.annotations.list(id=task_id),
            idempotent=True,
            not_found=f"task {task_id} not found on {self.url} (deleted?)",
        )
        items = _plain(data)
        return [item for item in items if isinstance(item, dict)]

    def _raw_get(self, path: str, params: dict[str, Any]) -> Any:
        """GET through the SDK's HTTP client (same auth and base URL), JSON exactly as sent.

        Pull uses this for task lists: the SDK parses them into role-based models that may
        default or drop fields trimmed with ``include=``.
        """
        from label_studio_sdk.core.api_error import ApiError
        from label_studio_sdk.core.parse_error import ParsingError

        response = self._sdk._client_wrapper.httpx_client.request(path, method="GET", params=params)
        if response.status_code >= 400:
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text
            raise ApiError(status_code=response.status_code, body=body)
        try:
            return response.json()
        except ValueError:
            raise ParsingError(status_code=response.status_code, body=response.text) from None

    # ------------------------------------------------------------------ pull

    def task_page(
        self,
        project_id: int,
        *,
        query: dict[str, Any] | None = None,
        include: str | None = None,
        fields: str = "all",
        page: int = 1,
        page_size: int = 100,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """One page of ``/api/tasks`` as raw JSON: (tasks, total matching the query).

        ``query`` is the Data Manager query (``filters``, ``ordering``); ``include`` trims the
        fields, also inside embedded annotations (``include=id,updated_at`` is a cheap probe).
        A page past the end is an empty list; a missing project is an error.
        """
        import json as _json

        params: dict[str, Any] = {
            "project": project_id,
            "fields": fields,
            "page": page,
            "page_size": page_size,
        }
        if query is not None:
            params["query"] = _json.dumps(query, separators=(",", ":"))
        if include is not None:
            params["include"] = include
        what = f"list tasks of project {project_id} (page {page})"
        fetch: Callable[[], Any] = lambda: self._raw_get("api/tasks/", params)  # noqa: E731
        if page == 1:
            data = self._call(
                what, fetch, idempotent=True, not_found=self._project_missing(project_id)
            )
        else:
            data = self._page_or_none(what, fetch)
            if data is None:
                return [], None
        if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
            raise LabelStudioError(f"unexpected answer from Label Studio at {self.url} on {what}")
        tasks = [t for t in data["tasks"] if isinstance(t, dict)]
        total = data.get("total")
        return tasks, total if isinstance(total, int) else None

    def task_count(self, project_id: int) -> int:
        """How many tasks the project has (the ``total`` of a one-task page: cheap)."""
        tasks, total = self.task_page(project_id, include="id", fields="task_only", page_size=1)
        return total if total is not None else len(tasks)

    def task_id_set(self, project_id: int, page_size: int = 5000) -> set[int]:
        """Every task id of the project: the scan that finds deleted tasks (ids only)."""
        ids: set[int] = set()
        page = 1
        while True:
            tasks, total = self.task_page(
                project_id, include="id", fields="task_only", page=page, page_size=page_size
            )
            ids.update(int(t["id"]) for t in tasks if isinstance(t.get("id"), int))
            if len(tasks) < page_size or (total is not None and len(ids) >= total):
                return ids
            page += 1

    def export_snapshot(self, project_id: int) -> list[Any]:
        """A standard Label Studio JSON export of every task, made the way a team would make one
        in the UI (a snapshot, with annotators as objects carrying their email). Synchronous in
        the Community edition; meant for tests and small projects, pull never uses it."""
        import json as _json

        from label_studio_sdk.types.serialization_options_request import (
            SerializationOptionsRequest,
        )

        options = SerializationOptionsRequest.model_validate(
            {"annotations__completed_by": {"only_id": False}, "predictions": {"only_id": False}}
        )
        created = self._call(
            f"create export of project {project_id}",
            lambda: self._sdk.projects.exports.create(
                project_id,
                title="workbench",
                serialization_options=options,
                task_filter_options={"only_with_annotations": False},  # type: ignore[arg-type]
            ),
            idempotent=False,
            not_found=self._project_missing(project_id),
        )
        export_id = int(_plain_dict(created)["id"])
        chunks = self._call(
            f"download export {export_id} of project {project_id}",
            lambda: b"".join(
                self._sdk.projects.exports.download(project_id, export_id, export_type="JSON")
            ),
            idempotent=True,
        )
        data = _json.loads(chunks)
        if not isinstance(data, list):
            raise LabelStudioError(f"export {export_id} of project {project_id} is not a list")
        return data

    def export_json(self, project_id: int) -> list[Any]:
        """The quick export (``/api/projects/{id}/export?exportType=JSON&download_all_tasks``):
        annotators as bare user ids. Times out on large projects; pull never uses it."""
        import json as _json

        data = self._call(
            f"export project {project_id}",
            lambda: _json.loads(
                b"".join(
                    self._sdk.projects.exports.download_sync(
                        project_id, export_type="JSON", download_all_tasks=True
                    )
                )
            ),
            idempotent=True,
            not_found=self._project_missing(project_id),
        )
        if not isinstance(data, list):
            raise LabelStudioError(f"export of project {project_id} is not a list")
        return data


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return _one_line(text, 160)
