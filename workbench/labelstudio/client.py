"""A thin, typed wrapper around ``label_studio_sdk`` (2.1.x): the one door to Label Studio.

Results are plain dicts (tasks, annotations: Label Studio's own JSON) or small dataclasses
(projects, users), never SDK objects; failures, retries and the token's secrecy: `calls`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from workbench.errors import ConfigError, LabelStudioError
from workbench.labelstudio.calls import Connection, plain, plain_dict

IMPORT_TIMEOUT = 600.0


@dataclass(frozen=True)
class Project:
    id: int
    title: str
    description: str
    label_config: str
    expert_instruction: str
    show_instruction: bool
    maximum_annotations: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Project:
        texts = ("title", "description", "label_config", "expert_instruction")
        return cls(
            id=int(data["id"]),
            **{k: str(data.get(k) or "") for k in texts},
            show_instruction=bool(data.get("show_instruction")),
            maximum_annotations=int(data.get("maximum_annotations") or 1),
        )


@dataclass(frozen=True)
class User:
    id: int
    email: str


class LabelStudioClient(Connection):
    """Projects, tasks, users and annotations of one Label Studio server (see `Connection`)."""

    def _on(self, verb: str, kind: str, ident: int, **fields: Any) -> Any:
        """The SDK's ``<kind>s.<verb>(id=ident, **fields)`` through `_call`; a 404 says that
        the project, task or annotation is gone. (Task ids go to the SDK as strings.)"""
        sdk_id = str(ident) if kind == "task" else ident
        return self._call(
            f"{verb} {kind} {ident}",
            lambda: getattr(getattr(self._sdk, f"{kind}s"), verb)(id=sdk_id, **fields),
            not_found=self._missing(kind, ident),
        )

    # ------------------------------------------------------------------ server, projects

    def check(self) -> dict[str, Any]:
        """Reachable and the token accepted? Returns the token's user (whoami)."""
        # a 404 here is a URL that is not Label Studio's root (a path too many, another site)
        where = f"no Label Studio API at {self.url} (HTTP 404): check LABEL_STUDIO_URL"
        return plain_dict(self._call("check", lambda: self._sdk.users.whoami(), not_found=where))

    def get_project(self, project_id: int) -> Project:
        data = self._on("get", "project", project_id)
        return Project.from_dict(plain_dict(data))

    def list_projects(self, page_size: int = 100) -> list[Project]:
        projects: list[Project] = []
        page = 1
        while True:

            def fetch(p: int = page) -> Any:
                return self._sdk.projects.list(page=p, page_size=page_size)

            pager = self._page_or_none(f"list projects (page {page})", fetch)
            items = [] if pager is None else list(pager.items or [])
            projects.extend(Project.from_dict(plain_dict(item)) for item in items)
            if len(items) < page_size:
                return projects
            page += 1

    def create_project(self, title: str, label_config: str, **fields: Any) -> Project:
        """Create a project; ``fields`` are further SDK ``projects.create`` keyword arguments
        (``description``, ``expert_instruction``, ``maximum_annotations``, …)."""
        fields.setdefault("show_instruction", True)
        data = self._call(
            f"create project {title!r}",
            lambda: self._sdk.projects.create(title=title, label_config=label_config, **fields),
            idempotent=False,
        )
        # the create answer is a reduced serializer: read the project back for a full picture
        return self.get_project(int(plain_dict(data)["id"]))

    def update_project(self, project_id: int, **fields: Any) -> Project:
        """PATCH the project; ``fields`` are SDK ``projects.update`` keyword arguments."""
        data = self._on("update", "project", project_id, **fields)
        return Project.from_dict(plain_dict(data))

    def delete_project(self, project_id: int) -> None:
        self._on("delete", "project", project_id)

    # ------------------------------------------------------------------ tasks

    def import_tasks(
        self, project_id: int, tasks: list[dict[str, Any]], *, timeout: float = IMPORT_TIMEOUT
    ) -> list[int]:
        """Import ``tasks`` (each ``{"data": {...}, "meta": {...}?}``); the new ids, in order.

        One synchronous request (Community edition), never retried once it reached the server:
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
            not_found=self._missing("project", project_id),
        )
        data = plain_dict(answer)
        ids = data.get("task_ids")
        if isinstance(ids, list) and len(ids) == len(tasks):
            return [int(task_id) for task_id in ids]
        if data.get("import") is not None:
            raise LabelStudioError(
                f"Label Studio at {self.url} imported asynchronously (import {data['import']}):"
                " only the Community edition's synchronous import is supported"
            )
        raise LabelStudioError(
            f"Label Studio at {self.url} did not return the ids of the imported tasks "
            f"(got {len(ids) if isinstance(ids, list) else 'none'} for {len(tasks)})"
        )

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
        With ``fields="all"`` each task carries its ``annotations`` (``completed_by`` a user
        id) and ``predictions``. A page past the end is empty; a missing project is an error.
        """
        if page_size < 1:
            raise ConfigError("page_size must be at least 1")
        params: dict[str, Any] = {
            "project": project_id,
            "fields": fields,
            "page": page,
            "page_size": page_size,
        }
        if query is not None:
            params["query"] = json.dumps(query, separators=(",", ":"))
        if include is not None:
            params["include"] = include
        what = f"list tasks of project {project_id} (page {page})"

        def fetch() -> Any:
            return self._raw_get("api/tasks/", params)

        if page == 1:  # page 1 always exists, even for an empty project: 404 = no project
            data = self._call(what, fetch, not_found=self._missing("project", project_id))
        elif (data := self._page_or_none(what, fetch)) is None:
            return [], None
        if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
            raise LabelStudioError(f"unexpected answer from Label Studio at {self.url} on {what}")
        total = data.get("total")
        tasks = [t for t in data["tasks"] if isinstance(t, dict)]
        return tasks, total if isinstance(total, int) else None

    def list_tasks(
        self,
        project_id: int,
        page_size: int = 100,
        *,
        annotations: bool = True,
        include: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every task of the project in id order, page by page (see `task_page`). Pages are
        numbered, so a task deleted while paging may shift one past us; none comes twice."""
        seen: set[int] = set()
        page = 1
        fields = "all" if annotations else "task_only"
        while True:
            tasks, total = self.task_page(
                project_id, include=include, fields=fields, page=page, page_size=page_size
            )
            for task in tasks:
                if isinstance(task.get("id"), int) and task["id"] not in seen:
                    seen.add(task["id"])
                    yield task
            if len(tasks) < page_size or (total is not None and page * page_size >= total):
                return
            page += 1

    def task_count(self, project_id: int) -> int:
        """How many tasks the project has (the ``total`` of a one-task page: cheap)."""
        tasks, total = self.task_page(project_id, include="id", fields="task_only", page_size=1)
        return total if total is not None else len(tasks)

    def task_id_set(self, project_id: int, page_size: int = 5000) -> set[int]:
        """Every task id of the project: the scan that finds deleted tasks (ids only)."""
        tasks = self.list_tasks(project_id, page_size, annotations=False, include="id")
        return {int(task["id"]) for task in tasks}

    def get_task(self, task_id: int) -> dict[str, Any]:
        data = self._on("get", "task", task_id)
        return plain_dict(data)

    def update_task_data(self, task_id: int, data: dict[str, Any]) -> None:
        """Replace a task's data (PATCH): the caller passes all of it, changed."""
        self._on("update", "task", task_id, data=data)

    def delete_task(self, task_id: int) -> None:
        self._on("delete", "task", task_id)

    # ------------------------------------------------------------------ users

    def list_users(self) -> list[User]:
        items = plain(self._call("list users", lambda: self._sdk.users.list()))
        if isinstance(items, dict):  # a paginated answer, should a server send one
            items = items.get("results", [])
        return [User(int(item["id"]), str(item.get("email") or "")) for item in items]

    def find_user(self, email: str) -> User | None:
        wanted = email.strip().lower()
        return next((u for u in self.list_users() if u.email.lower() == wanted), None)

    def create_user(self, email: str, **fields: Any) -> User:
        """Create a user in the token owner's organization (the token must be an admin's);
        ``fields``: ``username`` (default: the email), ``first_name``, ``last_name``.

        Label Studio 1.23 Community ignores a password sent here: the user cannot log in until
        one is set (`provision.set_user_password` for the local server). Annotations can be
        made on their behalf regardless (``create_annotation(completed_by=user.id)``).
        """
        fields.setdefault("username", email)
        data = self._call(
            f"create user {email}",
            lambda: self._sdk.users.create(email=email, **fields),
            idempotent=False,
        )
        created = plain_dict(data)
        return User(int(created["id"]), str(created.get("email") or ""))

    def ensure_user(self, email: str, **fields: Any) -> User:
        """The user with ``email``, created if missing."""
        return self.find_user(email) or self.create_user(email, **fields)

    # ------------------------------------------------------------------ annotations

    def create_annotation(
        self, task_id: int, result: list[dict[str, Any]], completed_by: int, **fields: Any
    ) -> dict[str, Any]:
        """Add an annotation to a task on behalf of user ``completed_by`` (admin token);
        ``fields``: ``was_cancelled``, ``ground_truth``, ``lead_time``."""
        data = self._call(
            f"create annotation on task {task_id}",
            lambda: self._sdk.annotations.create(
                id=task_id, result=result, completed_by=completed_by, **fields
            ),
            idempotent=False,
            not_found=self._missing("task", task_id),
        )
        return plain_dict(data)

    def update_annotation(self, annotation_id: int, **fields: Any) -> dict[str, Any]:
        """PATCH an annotation (``result=…``, ``completed_by=…``, ``was_cancelled=…``, …)."""
        data = self._on("update", "annotation", annotation_id, **fields)
        return plain_dict(data)

    def delete_annotation(self, annotation_id: int) -> None:
        self._on("delete", "annotation", annotation_id)

    def list_annotations(self, task_id: int) -> list[dict[str, Any]]:
        data = self._call(
            f"list annotations of task {task_id}",
            lambda: self._sdk.annotations.list(id=task_id),
            not_found=self._missing("task", task_id),
        )
        return [item for item in plain(data) if isinstance(item, dict)]
