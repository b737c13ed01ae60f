"""Run the workbench CLI with faults injected: ``python faultrun.py ARGS...`` (the CLI's args).

The fault is described by the JSON in ``WB_FAULT`` (all keys optional):

``count_file``  write the number of *events* the run went through to this file at exit.
``kill_at``     SIGKILL this process at event N. Events are calls of Python functions of
                workbench, SQLAlchemy, httpx and httpcore (after the imports are done), so a
                kill lands anywhere in the work itself: between two SQL statements, inside a
                transaction, between sending a request and reading its answer, between two
                files of a release. With ``PYTHONHASHSEED`` fixed, the same N is the same point.
``http``        ``{"match": REGEX, "nth": K, "when": "before"|"during"|"after", "kill_pid":
                PID, "delay": S}``: SIGKILL the process group of PID (a Label Studio server)
                around the K-th request whose ``"METHOD /path"`` matches REGEX — before it is
                sent, S seconds after it was sent (while the server works on it), or after
                its answer arrived.
``after_rename`` REGEX: SIGKILL this process right after an ``os.rename`` whose target matches
                (e.g. a release folder moved into place).
``hold_lock``   seconds to sleep right after taking a dataset lock (a slow operation).
``page_size``   page size of a live pull (small pages: many commits to kill between).
``raise_on_check`` a message: `LabelStudioClient.check` raises RuntimeError(message), an
                unexpected exception for the CLI's last-resort handler.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, signal.SIGKILL)


def _suicide() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    spec: dict[str, Any] = json.loads(os.environ.get("WB_FAULT") or "{}")

    import httpcore
    import httpx
    import sqlalchemy

    import workbench
    import workbench.cli
    import workbench.labelstudio.client
    import workbench.pull
    import workbench.store.lock

    if spec.get("preload_sdk"):
        import label_studio_sdk  # noqa: F401  (seconds of imports, not worth tracing)
    if spec.get("preload_export"):
        import workbench.export
        import workbench.reconcile.commands

    if "page_size" in spec:
        workbench.pull.pull = functools.partial(
            workbench.pull.pull, page_size=int(spec["page_size"])
        )

    if "hold_lock" in spec:
        original_acquire = workbench.store.lock._acquire
        pause = float(spec["hold_lock"])

        def acquire(*args: Any, **kwargs: Any) -> str:
            token = original_acquire(*args, **kwargs)
            time.sleep(pause)
            return token

        workbench.store.lock._acquire = acquire

    if "raise_on_check" in spec:
        message = str(spec["raise_on_check"])

        def check(self: Any) -> dict[str, Any]:
            raise RuntimeError(message)

        workbench.labelstudio.client.LabelStudioClient.check = check  # type: ignore[method-assign]

    if "http" in spec:
        http = spec["http"]
        pattern = re.compile(http["match"])
        state = {"n": 0}
        original_send = httpx.Client.send

        def send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
            if pattern.search(f"{request.method} {request.url.path}"):
                state["n"] += 1
                if state["n"] == int(http["nth"]):
                    pid, when = int(http["kill_pid"]), http.get("when", "before")
                    if when == "before":
                        _kill_group(pid)
                        time.sleep(0.2)
                    elif when == "during":
                        timer = threading.Timer(float(http.get("delay", 0.05)), _kill_group, [pid])
                        timer.daemon = True
                        timer.start()
                    else:
                        response = original_send(self, request, **kwargs)
                        _kill_group(pid)
                        time.sleep(0.2)
                        return response
            return original_send(self, request, **kwargs)

        httpx.Client.send = send  # type: ignore[method-assign]

    if "after_rename" in spec:
        target = re.compile(spec["after_rename"])
        original_rename = os.rename

        def rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            original_rename(src, dst, *args, **kwargs)
            if target.search(str(dst)):
                _suicide()

        os.rename = rename

    if "kill_at" in spec or "count_file" in spec:
        roots = tuple(
            str(Path(m.__file__ or "").parent) + os.sep
            for m in (workbench, sqlalchemy, httpx, httpcore)
        )
        kill_at = int(spec.get("kill_at") or 0)
        cache: dict[str, bool] = {}
        count = [0]

        def tracer(frame: FrameType, event: str, arg: Any) -> None:
            filename = frame.f_code.co_filename
            hit = cache.get(filename)
            if hit is None:
                hit = cache[filename] = filename.startswith(roots)
            if hit:
                count[0] += 1
                if count[0] == kill_at:
                    _suicide()

        if "count_file" in spec:
            path = Path(spec["count_file"])
            atexit.register(lambda: path.write_text(str(count[0])))
        threading.settrace(tracer)
        sys.settrace(tracer)

    workbench.cli.main(sys.argv[1:])


if __name__ == "__main__":
    main()
