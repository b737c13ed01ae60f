"""One call to Label Studio: the SDK client, retries, and every failure as one line.

Every failure leaves as a one-line ``LabelStudioError`` / ``AuthenticationError``. The API token
never appears in a message: the SDK's exception text (response headers, cookies) is never
shown, and any message is scrubbed of the token. The SDK's own retries are off (they re-send
POSTs after a 500/409, which can duplicate imported tasks): a call is retried with backoff when
it provably never reached the server, and, if idempotent, also after a read timeout, a reset
connection or a 502/503/504. The SDK is imported lazily (it pulls in pandas: seconds).
"""

from __future__ import annotations

import random
import re
import time
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from workbench.errors import AuthenticationError, ConfigError, LabelStudioError

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

T = TypeVar("T")

DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 3
TRANSIENT_STATUS = frozenset({502, 503, 504})
_END = "\0end-of-pages\0"


def plain(obj: Any) -> Any:
    """An SDK (pydantic) object as the JSON Label Studio sent (unset fields left out)."""
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    if isinstance(obj, list | tuple):
        return [plain(item) for item in obj]
    if isinstance(obj, dict):
        return {key: plain(value) for key, value in obj.items()}
    dump = getattr(obj, "model_dump", None)
    if callable(dump):
        return dump(mode="json", by_alias=True, exclude_unset=True)
    return obj


def plain_dict(obj: Any) -> dict[str, Any]:
    data = plain(obj)
    if not isinstance(data, dict):
        raise LabelStudioError(f"unexpected answer from Label Studio: {type(obj).__name__}")
    return data


def _display_url(url: str) -> str:
    """``url`` without user:password@ (never show credentials)."""
    parsed = httpx.URL(url)
    return (str(parsed.copy_with(userinfo=b"")) if parsed.userinfo else url).rstrip("/")


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(re.sub(r"<[^>]+>", " ", text).split())  # HTML error pages too
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flatten_errors(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [
            line
            for key, sub in value.items()
            for line in _flatten_errors(
                sub, f"{prefix}{key}: " if key != "non_field_errors" else prefix
            )
        ]
    if isinstance(value, list):
        return [line for sub in value for line in _flatten_errors(sub, prefix)]
    return [f"{prefix}{value}"]


def _body_message(body: Any) -> str:
    """Label Studio's error body (``{"detail": …, "validation_errors": {…}}`` or other) as text."""
    if isinstance(body, dict):
        parts = [str(body["detail"])] if body.get("detail") else []
        if body.get("validation_errors"):
            parts.append("; ".join(_flatten_errors(body["validation_errors"])))
        if not parts:
            rest = {k: v for k, v in body.items() if k not in {"id", "status_code", "version"}}
            parts.append("; ".join(_flatten_errors(rest)) or "no details")
        return ": ".join(parts)
    if isinstance(body, list):
        return "; ".join(_flatten_errors(body))
    if body is None or body == "":
        return "no details"
    title = re.search(r"<title>(.*?)</title>", str(body), re.S | re.I)
    return title.group(1) if title else str(body)


def _reason(exc: BaseException) -> str:
    return _one_line(str(exc) or type(exc).__name__, 160)


class _Transient(Exception):
    """An attempt failed in a way worth retrying; its one arg is the error to raise at the end."""


class Connection:
    """One Label Studio server and one API token (legacy token or personal access token).

    ``repr`` shows the URL only. A transient failure is retried ``retries`` times with backoff
    ``backoff * 2**n`` seconds (+ jitter, capped at 8 s).
    """

    def __init__(
        self, url: str, api_key: str, *, retries: int = DEFAULT_RETRIES, backoff: float = 0.5
    ) -> None:
        if not url or not urllib.parse.urlsplit(url).scheme.startswith("http"):
            raise ConfigError(f"invalid Label Studio URL {url!r}: expected http(s)://host[:port]")
        if not api_key:
            raise ConfigError("no Label Studio API key: set LABEL_STUDIO_API_KEY")
        self.url = _display_url(url)
        self._base_url = url.rstrip("/")
        self.__api_key = api_key
        self.retries = max(0, retries)
        self.backoff = backoff
        self._sdk_client: LabelStudio | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r})"

    @property
    def _sdk(self) -> LabelStudio:
        if self._sdk_client is None:
            from label_studio_sdk import LabelStudio
            from label_studio_sdk.core.api_error import ApiError

            try:
                self._sdk_client = LabelStudio(  # type: ignore[no-untyped-call]
                    base_url=self._base_url,
                    api_key=self.__api_key,
                    timeout=DEFAULT_TIMEOUT,
                    max_retries=0,
                )
            except ApiError:  # a JWT without expiry or already expired
                raise self._auth_error() from None
        return self._sdk_client

    def _auth_error(self) -> AuthenticationError:
        return AuthenticationError(
            f"authentication failed for Label Studio at {self.url}: check LABEL_STUDIO_API_KEY"
        )

    def _error(self, message: str) -> LabelStudioError:
        return LabelStudioError(message.replace(self.__api_key, "***"))

    def _missing(self, what: str, ident: int) -> str:
        return f"{what} {ident} not found on {self.url} (deleted?)"

    def _call(
        self, what: str, fn: Callable[[], T], *, idempotent: bool = True, not_found: str = ""
    ) -> T:
        """Run one SDK call, retrying transient failures, mapping every failure to our errors.
        ``what`` names the operation ("create project"); ``not_found``, a 404 (else LS's text)."""
        attempt = 0
        while True:
            try:
                return self._attempt(what, fn, idempotent=idempotent, not_found=not_found)
            except _Transient as transient:
                if attempt >= self.retries:
                    raise transient.args[0] from None
                time.sleep(min(8.0, self.backoff * 2**attempt) * (1 + random.random() / 4))
                attempt += 1

    def _attempt(self, what: str, fn: Callable[[], T], *, idempotent: bool, not_found: str) -> T:
        from label_studio_sdk.core.api_error import ApiError
        from label_studio_sdk.core.parse_error import ParsingError

        _ = self._sdk  # may raise AuthenticationError
        at = f"Label Studio at {self.url}"
        try:
            return fn()
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # never reached the server: safe to retry anything
            raise _Transient(self._error(f"cannot reach {at}: {_reason(exc)}")) from None
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            error = self._error(f"cannot reach {at}: {_reason(exc)} ({what})")
            raise (_Transient(error) if idempotent else error) from None
        except httpx.HTTPError as exc:
            raise self._error(f"{at} failed on {what}: {_reason(exc)}") from None
        except ApiError as exc:
            status = exc.status_code or 0
            if status in (401, 403):
                raise self._auth_error() from None
            message = _one_line(self._error(_body_message(exc.body)).message)
            if status == 404:
                raise self._error(not_found or f"{at}: {what}: {message}") from None
            verb = "refused" if 400 <= status < 500 else "failed on"
            error = self._error(f"{at} {verb} {what} (HTTP {status}): {message}")
            if status in TRANSIENT_STATUS and idempotent:
                raise _Transient(error) from None
            raise error from None
        except ParsingError:
            raise self._error(f"unexpected answer from {at} on {what}") from None

    def _page_or_none(self, what: str, fn: Callable[[], T]) -> T | None:
        """A page past the end answers 404 in Label Studio: that is the end, not an error."""
        try:
            return self._call(what, fn, not_found=_END)
        except LabelStudioError as exc:
            if exc.message == _END:
                return None
            raise

    def _raw_get(self, path: str, params: dict[str, Any]) -> Any:
        """GET through the SDK's HTTP client (same auth and base URL), JSON exactly as sent: the
        SDK's task models may default or drop fields trimmed with ``include=``."""
        from label_studio_sdk.core.api_error import ApiError
        from label_studio_sdk.core.parse_error import ParsingError

        response = self._sdk._client_wrapper.httpx_client.request(path, method="GET", params=params)
        try:
            body: Any = response.json()
        except ValueError:
            if response.status_code < 400:
                raise ParsingError(status_code=response.status_code, body=response.text) from None
            body = response.text
        if response.status_code >= 400:
            raise ApiError(status_code=response.status_code, body=body)
        return body
