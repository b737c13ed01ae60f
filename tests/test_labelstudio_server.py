"""The local Label Studio server and the client wrapper, against a real Label Studio."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import httpx
import pytest

from workbench.errors import AuthenticationError, LabelStudioError
from workbench.labelstudio import install, provision, server
from workbench.labelstudio.client import LabelStudioClient

pytest_plugins = ["ls_fixtures"]
pytestmark = pytest.mark.labelstudio


def _span(start: int, end: int, text: str, label: str) -> dict[str, object]:
    return {
        "from_name": "span",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text, "labels": [label]},
    }


def _choice(value: str) -> dict[str, object]:
    return {
        "from_name": "sentiment",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": [value]},
    }


def _closed_port() -> int:
    return server.free_port()  # nothing listens there once the probe socket is closed


# ---------------------------------------------------------------------------- server


def test_server_info_repr_hides_secrets(label_studio: server.ServerInfo) -> None:
    text = repr(label_studio)
    assert label_studio.token not in text
    assert label_studio.password not in text
    assert label_studio.url in text
    state = (label_studio.data_dir / server.STATE_NAME).read_text()
    assert label_studio.token not in state
    assert label_studio.password not in state


def test_start_binds_loopback_only(label_studio: server.ServerInfo) -> None:
    assert label_studio.url.startswith("http://127.0.0.1:")
    assert label_studio.pid is not None
    args = (Path(f"/proc/{label_studio.pid}/cmdline").read_bytes()).split(b"\0")
    assert b"--internal-host" in args and b"127.0.0.1" in args
    assert label_studio.token.encode() not in b" ".join(args)  # secrets go through the env
    assert label_studio.password.encode() not in b" ".join(args)


def test_start_again_is_a_noop(label_studio: server.ServerInfo) -> None:
    again = server.start(
        label_studio.data_dir,
        username=label_studio.username,
        password=label_studio.password,
        token=label_studio.token,
    )
    assert again == label_studio  # same url, pid, credentials


def test_status_of_running_server(label_studio: server.ServerInfo) -> None:
    st = server.status(label_studio.data_dir)
    assert st.running and st.healthy
    assert st.pid == label_studio.pid
    assert st.url == label_studio.url


def test_status_and_stop_without_server(tmp_path: Path) -> None:
    st = server.status(tmp_path)
    assert not st.running and not st.healthy and st.pid is None
    assert server.stop(tmp_path) is False
    assert server.stop(tmp_path / "missing") is False


def test_stop_leaves_a_foreign_process_alone(tmp_path: Path) -> None:
    """A pidfile naming some other process (pid reuse, tampering) never gets it killed."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / server.PIDFILE_NAME).write_text(f"{other.pid}\n")
        assert server.stop(tmp_path, timeout=2) is False
        assert other.poll() is None  # still running
        assert not (tmp_path / server.PIDFILE_NAME).exists()  # stale pidfile cleared
    finally:
        other.kill()
        other.wait()


def test_second_server_starts_and_stops_alone(
    label_studio: server.ServerInfo, tmp_path: Path
) -> None:
    data_dir = tmp_path / "ls2"
    info = server.start(data_dir, timeout=600)
    try:
        assert info.url != label_studio.url
        assert LabelStudioClient(info.url, info.token).check()["email"] == info.username
        # the two servers do not share credentials
        with pytest.raises(AuthenticationError):
            LabelStudioClient(info.url, label_studio.token, retries=0).check()
    finally:
        assert server.stop(data_dir) is True
    assert info.pid is not None
    assert not Path(f"/proc/{info.pid}").exists() or b"Z" in _proc_state(info.pid)
    assert not server.status(data_dir).running
    assert server.stop(data_dir) is False  # already stopped
    assert server.status(label_studio.data_dir).healthy  # the session server is untouched

    # a later start keeps the admin: its token is read back from the database when not given
    again = server.start(data_dir, timeout=600)
    try:
        assert again.token == info.token
        assert again.password == ""  # unknown: Label Studio keeps the first one
        assert LabelStudioClient(again.url, info.token).check()["email"] == info.username
        assert _can_log_in(again.url, info.username, info.password)
    finally:
        assert server.stop(data_dir) is True


def _proc_state(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2][:3]
    except OSError:
        return b"Z"


# ---------------------------------------------------------------------------- auth, errors


def test_token_works_with_the_sdk(label_studio: server.ServerInfo) -> None:
    from label_studio_sdk import LabelStudio

    sdk = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    assert sdk.users.whoami().email == label_studio.username


def test_check_returns_the_admin(
    ls_client: LabelStudioClient, label_studio: server.ServerInfo
) -> None:
    me = ls_client.check()
    assert me["email"] == label_studio.username
    assert label_studio.token not in repr(ls_client)


def test_wrong_token_is_an_authentication_error(label_studio: server.ServerInfo) -> None:
    bad = "f" * 40
    client = LabelStudioClient(label_studio.url, bad, retries=0)
    with pytest.raises(AuthenticationError) as err:
        client.check()
    message = str(err.value)
    assert bad not in message and label_studio.token not in message
    assert message == (
        f"authentication failed for Label Studio at {label_studio.url}: check LABEL_STUDIO_API_KEY"
    )
    assert bad not in repr(client)


def test_unreachable_server_is_a_labelstudio_error() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    token = uuid.uuid4().hex
    client = LabelStudioClient(url, token, retries=1, backoff=0.01)
    with pytest.raises(LabelStudioError) as err:
        client.check()
    assert not isinstance(err.value, AuthenticationError)
    message = str(err.value)
    assert message.startswith(f"cannot reach Label Studio at {url}: ")
    assert "\n" not in message and token not in message


def test_missing_project_is_named(ls_client: LabelStudioClient) -> None:
    with pytest.raises(LabelStudioError, match=r"^project 999999 not found on .* \(deleted\?\)$"):
        ls_client.get_project(999999)
    with pytest.raises(LabelStudioError, match="project 999999 not found"):
        ls_client.import_tasks(999999, [{"data": {"text": "x"}}])
    with pytest.raises(LabelStudioError, match="project 999999 not found"):
        list(ls_client.list_tasks(999999))


def test_refusal_is_one_line_with_label_studio_reason(
    ls_client: LabelStudioClient, ls_label_config: str
) -> None:
    with pytest.raises(LabelStudioError) as err:
        ls_client.create_project("x", ls_label_config)  # titles need 3+ characters
    message = str(err.value)
    assert "\n" not in message
    assert "HTTP 400" in message and "title" in message
    with pytest.raises(LabelStudioError) as err:
        ls_client.create_project("bad config", "<View><Text name='t' value='$text'>")
    assert "\n" not in str(err.value) and "HTTP 400" in str(err.value)


# ---------------------------------------------------------------------------- the real work


def test_project_tasks_users_and_annotations(
    ls_client: LabelStudioClient, ls_label_config: str
) -> None:
    project = ls_client.create_project(
        "workbench test",
        ls_label_config,
        description="made by the test suite",
        expert_instruction="<p>Label sources and claims.</p>",
        maximum_annotations=3,
    )
    assert project.maximum_annotations == 3
    assert project.show_instruction is True
    assert project.expert_instruction == "<p>Label sources and claims.</p>"
    assert ls_client.get_project(project.id).title == "workbench test"

    texts = [f"Minister {i} said the plan will work." for i in range(5)]
    tasks = [{"data": {"text": t, "segment_id": f"seg-{i}"}} for i, t in enumerate(texts)]
    ids = ls_client.import_tasks(project.id, tasks)
    assert len(ids) == 5 and ids == sorted(ids)
    assert sorted(ls_client.task_id_set(project.id)) == ids

    suffix = uuid.uuid4().hex[:8]
    users = [
        ls_client.create_user(f"annotator{n}-{suffix}@example.org", first_name=f"A{n}")
        for n in range(3)
    ]
    assert len({u.id for u in users}) == 3
    listed = {u.email for u in ls_client.list_users()}
    assert {u.email for u in users} <= listed
    assert ls_client.find_user(users[0].email.upper()) == users[0]
    assert ls_client.ensure_user(users[1].email) == users[1]

    for task_id, text in zip(ids[:4], texts, strict=False):
        for n, user in enumerate(users):
            label = "Claim" if n else "Source"
            ann = ls_client.create_annotation(
                task_id,
                [_span(0, 10, text[:10], label), _choice(["negative", "neutral", "positive"][n])],
                completed_by=user.id,
                lead_time=1.5,
            )
            assert ann["completed_by"] == user.id and ann["task"] == task_id

    pulled = list(ls_client.list_tasks(project.id, page_size=2))  # 3 pages
    assert [t["id"] for t in pulled] == ids
    for task, text in zip(pulled, texts, strict=True):
        assert task["data"]["text"] == text  # ids map to the tasks in import order
    for task in pulled[:4]:
        assert sorted(a["completed_by"] for a in task["annotations"]) == sorted(u.id for u in users)
        assert all(a["result"][0]["value"]["end"] == 10 for a in task["annotations"])
    assert pulled[4]["annotations"] == []

    anns = ls_client.list_annotations(ids[0])
    assert len(anns) == 3
    changed = ls_client.update_annotation(anns[0]["id"], result=[_choice("positive")])
    assert changed["result"] == [_choice("positive")]
    ls_client.delete_annotation(anns[1]["id"])
    assert len(ls_client.list_annotations(ids[0])) == 2
    with pytest.raises(LabelStudioError, match=r"annotation \d+ not found"):
        ls_client.delete_annotation(anns[1]["id"])

    ls_client.delete_task(ids[-1])
    assert sorted(ls_client.task_id_set(project.id)) == ids[:-1]

    updated = ls_client.update_project(project.id, title="workbench test (renamed)")
    assert updated.title == "workbench test (renamed)"
    ls_client.delete_project(project.id)
    with pytest.raises(LabelStudioError, match=f"project {project.id} not found"):
        ls_client.get_project(project.id)


def test_empty_project_lists_nothing(ls_client: LabelStudioClient, ls_label_config: str) -> None:
    project = ls_client.create_project("empty one", ls_label_config)
    assert list(ls_client.list_tasks(project.id)) == []
    assert sorted(ls_client.task_id_set(project.id)) == []
    assert ls_client.import_tasks(project.id, []) == []
    ids = ls_client.import_tasks(project.id, [{"data": {"text": str(i)}} for i in range(3)])
    assert [t["id"] for t in ls_client.list_tasks(project.id, page_size=3)] == ids  # exact fit


def test_api_users_get_a_login_password_through_the_local_server(
    ls_client: LabelStudioClient, label_studio: server.ServerInfo
) -> None:
    email = f"login-{uuid.uuid4().hex[:8]}@example.org"
    ls_client.create_user(email)
    assert not _can_log_in(label_studio.url, email, "")
    provision.set_user_password(label_studio.data_dir, email, "annotate-me-1")
    assert _can_log_in(label_studio.url, email, "annotate-me-1")
    assert _can_log_in(label_studio.url, label_studio.username, label_studio.password)
    # generated passwords (token_urlsafe) start with "-" once in 64: not an option
    provision.set_user_password(label_studio.data_dir, email, "-dash-first")
    assert _can_log_in(label_studio.url, email, "-dash-first")


def _can_log_in(url: str, email: str, password: str) -> bool:
    with httpx.Client(base_url=url, trust_env=False) as web:
        web.get("/user/login/")
        answer = web.post(
            "/user/login/",
            data={
                "email": email,
                "password": password,
                "csrfmiddlewaretoken": web.cookies.get("csrftoken") or "",
            },
            headers={"Referer": f"{url}/user/login/"},
        )
    return answer.status_code == 302  # a failed login re-renders the form (200)


def test_install_is_idempotent() -> None:
    venv = install.install()
    assert (venv / install.INSTALL_MARKER).read_text().strip() == install.LABEL_STUDIO_VERSION
    assert install.install() == venv
    assert os.access(venv / "bin" / "label-studio", os.X_OK)


# ---------------------------------------------------------------------------- retries (fake server)


class _Scripted:
    """A tiny HTTP server on 127.0.0.1 answering from a script of (status, content type, body)."""

    def __init__(self, script: list[tuple[int, str, str]]) -> None:
        self.script = list(script)
        self.seen: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                owner.seen.append(f"{self.command} {self.path}")
                status, ctype, body = (
                    owner.script.pop(0) if owner.script else (500, "text/plain", "")
                )
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _Scripted:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


_ME = json.dumps({"id": 1, "email": "admin@example.org"})
_JSON = "application/json"
_TOKEN = "0123456789abcdef0123456789abcdef01234567"


def _fake_client(url: str, retries: int = 3) -> LabelStudioClient:
    return LabelStudioClient(url, _TOKEN, retries=retries, backoff=0.01)


def test_idempotent_calls_retry_transient_errors() -> None:
    script = [(503, _JSON, "{}"), (502, "text/html", "<h1>bad gateway</h1>"), (200, _JSON, _ME)]
    with _Scripted(script) as fake:
        assert _fake_client(fake.url).check()["email"] == "admin@example.org"
    assert len(fake.seen) == 3


def test_retries_are_bounded() -> None:
    fake = _Scripted([(503, _JSON, '{"detail": "busy"}')] * 10)
    with fake, pytest.raises(LabelStudioError, match=r"HTTP 503\): busy$"):
        _fake_client(fake.url, retries=2).check()
    assert len(fake.seen) == 3


def test_posts_are_not_resent_after_reaching_the_server() -> None:
    fake = _Scripted([(503, _JSON, "{}"), (201, _JSON, '{"id": 5}')])
    with fake, pytest.raises(LabelStudioError, match="HTTP 503"):
        _fake_client(fake.url).import_tasks(1, [{"data": {"text": "x"}}])
    assert len(fake.seen) == 1  # a retry could have imported the tasks twice


def test_server_errors_become_one_line_without_secrets() -> None:
    page = "<html>\n<head><title>Server Error (500)</title></head>\n<body>trace…</body></html>"
    echo = json.dumps({"detail": f"token {_TOKEN} is\nodd", "validation_errors": {"a": ["b"]}})
    with _Scripted([(500, "text/html", page), (400, _JSON, echo)]) as fake:
        client = _fake_client(fake.url)
        with pytest.raises(LabelStudioError) as err:
            client.check()
        assert str(err.value) == (
            f"Label Studio at {fake.url} failed on check (HTTP 500): Server Error (500)"
        )
        with pytest.raises(LabelStudioError) as err:
            client.check()
    message = str(err.value)
    assert _TOKEN not in message and "\n" not in message
    assert message.endswith("(HTTP 400): token *** is odd: a: b")
    assert len(fake.seen) == 2  # 500 and 400 are not retried
