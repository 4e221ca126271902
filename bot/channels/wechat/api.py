"""Channels (⑥), WeChat API: an async client for the Official Account (公众号) and WeCom (企业微信) server APIs.

One `WeChatApi` per account. The access token is fetched once and shared (single-flight: concurrent callers wait for
the one fetch), kept until 300 s before it runs out, and fetched again when WeChat says it is invalid or expired
(the call is then retried once). With a `SharedTokens` store, processes share it too: before fetching, a process
takes the token another one stored (unless WeChat just refused that very token), so instances do not keep
invalidating each other's tokens or spend the daily fetch quota. "System busy" and frequency-limit answers, HTTP
5xx and network errors are retried with exponential backoff (tenacity); any other errcode is raised at once as
`WeChatApiError`. Logs name the method, the path and the errcode only: never the token, the secret or what a
message says.

JSON is sent as UTF-8 without \\uXXXX escapes (WeChat would show them literally); media downloads are streamed and
refused as soon as they pass the caller's byte limit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, Protocol

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

Kind = Literal["mp", "work"]

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid credential, invalid access_token, access_token expired
BUSY_ERRORS = frozenset({-1, 45009, 45011})  # system busy, api freq out of limit, api minute-quota reached
NETWORK_ERROR = -1  # errcode of a WeChatApiError for network errors and HTTP 5xx that outlived the retries
TOO_LARGE = -2  # errcode when a download passes max_bytes
BAD_ANSWER = -3  # errcode when the answer is not what the API documents (not JSON, no access_token, no media_id)
REFRESH_MARGIN = 300.0  # seconds before expires_in runs out that the token is fetched again
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=10)
MAX_JSON_BYTES = 4 * 1024 * 1024  # a JSON answer larger than this is refused
MAX_JSON_ERROR_BYTES = 64 * 1024  # what a media download may read to find a JSON error, whatever max_bytes
_JSON_TYPES = frozenset({"application/json", "text/plain", "text/json"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


class WeChatApiError(Exception):
    """WeChat refused a call (errcode from the answer) or it failed for good (negative errcodes, see above)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class _Transient(Exception):
    """An answer worth retrying: busy, HTTP 5xx or a network error (errcode, errmsg for the final WeChatApiError)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errmsg)
        self.errcode = errcode
        self.errmsg = errmsg


class _TokenRefused(Exception):
    """WeChat refused the access token (TOKEN_ERRORS): it was dropped, the call goes again at once with a new one."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errmsg)
        self.errcode = errcode
        self.errmsg = errmsg


def _error(state: RetryCallState) -> BaseException | None:
    """The exception the last attempt raised (tenacity's outcome), if any."""
    return state.outcome.exception() if state.outcome is not None else None


FormFactory = Callable[[], aiohttp.FormData]


class SharedTokens(Protocol):
    """Access tokens shared by every process (bot.storage.tokens_repo.TokenStore)."""

    async def get(self, name: str) -> tuple[str, float] | None:
        """The stored token and its end of use as a Unix time."""
        ...

    async def put(self, name: str, token: str, expires_at: float) -> None:
        """Store a freshly fetched token."""
        ...


class WeChatApi:
    """Client for one Official Account ("mp") or one WeCom corp app ("work") on an existing aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        kind: Kind,
        app_id: str,
        secret: str,
        *,
        max_attempts: int = 4,
        backoff_seconds: float = 0.5,
        tokens: SharedTokens | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if kind not in ("mp", "work"):
            raise ValueError(f"kind must be 'mp' or 'work', not {kind!r}")
        self._session = session
        self.base_url = base_url.rstrip("/")
        self.kind: Kind = kind
        self.app_id = app_id
        self._secret = secret
        self.max_attempts = max(1, max_attempts)
        self.backoff_seconds = backoff_seconds
        self._clock = clock
        self._wall = wall
        self._shared = tokens
        self._rejected: str | None = None  # the token WeChat refused last: never taken from the shared store again
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self._fetches = 0  # token fetches finished (for waiters to tell that one failed while they waited)
        self._fetch_error: WeChatApiError | None = None

    def __repr__(self) -> str:
        return f"WeChatApi(kind={self.kind!r}, app_id={self.app_id!r}, base_url={self.base_url!r})"

    # -- access token -----------------------------------------------------------------------------------------

    def _cached(self) -> str | None:
        if self._token is not None and self._clock() < self._expires_at:
            return self._token
        return None

    async def access_token(self) -> str:
        """The cached token, or a fresh one; concurrent callers share a single fetch (and its failure)."""
        token = self._cached()
        if token is not None:
            return token
        seen = self._fetches
        async with self._lock:
            token = self._cached()
            if token is not None:
                return token
            if self._fetches != seen and self._fetch_error is not None:  # the fetch we waited for failed
                raise WeChatApiError(self._fetch_error.errcode, self._fetch_error.errmsg)
            shared = await self._from_store()
            if shared is not None:
                return shared
            self._fetch_error = None
            try:
                token, expires_in = await self._fetch_token()
            except WeChatApiError as exc:
                self._fetch_error = exc
                raise
            finally:
                self._fetches += 1
            # 300 s early as a rule; a short-lived token is kept for half its life instead of not at all
            lifetime = max(expires_in - REFRESH_MARGIN, expires_in / 2)
            self._token = token
            self._expires_at = self._clock() + lifetime
            await self._to_store(token, self._wall() + lifetime)
            return token

    @property
    def _store_name(self) -> str:
        return f"{self.kind}:{self.app_id}"

    async def _from_store(self) -> str | None:
        """A usable token another process stored, adopted as this process's cache."""
        if self._shared is None:
            return None
        try:
            found = await self._shared.get(self._store_name)
        except Exception as exc:  # the store is an optimisation: fetch instead
            log.warning("wechat %s: shared token store unreadable (%s)", self.kind, type(exc).__name__)
            return None
        if found is None:
            return None
        token, expires_at = found
        left = expires_at - self._wall()
        if token == self._rejected or left <= 0:
            return None
        self._token = token
        self._expires_at = self._clock() + left
        return token

    async def _to_store(self, token: str, expires_at: float) -> None:
        if self._shared is None:
            return
        try:
            await self._shared.put(self._store_name, token, expires_at)
        except Exception as exc:
            log.warning("wechat %s: shared token store unwritable (%s)", self.kind, type(exc).__name__)

    def invalidate(self, token: str) -> None:
        """Forget the cached token if it is still `token` (WeChat said it is invalid or expired)."""
        self._rejected = token
        if self._token == token:
            self._token = None
            self._expires_at = 0.0

    async def _fetch_token(self) -> tuple[str, float]:
        if self.kind == "mp":
            path = "/cgi-bin/token"
            params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self._secret}
        else:
            path = "/cgi-bin/gettoken"
            params = {"corpid": self.app_id, "corpsecret": self._secret}
        answer = await self._request_json("GET", path, params=params, with_token=False)
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise WeChatApiError(BAD_ANSWER, "no access_token in the answer")
        try:
            expires_in = float(answer.get("expires_in", 7200))
        except (TypeError, ValueError):
            expires_in = 7200.0
        log.debug("wechat %s: access token fetched, expires in %.0f s", self.kind, expires_in)
        return token, expires_in

    # -- calls --------------------------------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
        data: aiohttp.FormData | None = None,
    ) -> dict[str, Any]:
        """Call an API path with the access token; the answer's JSON object when errcode is 0 or absent."""
        form = (lambda: data) if data is not None else None
        return await self._request_json(method, path, params=params, json_body=json_body, form=form)

    async def send_text(self, to_user: str, text: str, agent_id: int | None = None) -> None:
        """Push a text: a customer-service message (mp, to an openid) or an app message (work, to a userid)."""
        if self.kind == "mp":
            body: dict[str, Any] = {"touser": to_user, "msgtype": "text", "text": {"content": text}}
            await self.call("POST", "/cgi-bin/message/custom/send", json_body=body)
            return
        if agent_id is None:
            raise ValueError("WeCom messages need the app's agent_id")
        body = {"touser": to_user, "msgtype": "text", "agentid": agent_id, "text": {"content": text}}
        await self.call("POST", "/cgi-bin/message/send", json_body=body)

    async def send_file(self, to_user: str, media_id: str, agent_id: int) -> None:
        """Push an uploaded file (WeCom only; see upload_file)."""
        if self.kind != "work":
            raise ValueError("send_file is for WeCom accounts only")
        body = {"touser": to_user, "msgtype": "file", "agentid": agent_id, "file": {"media_id": media_id}}
        await self.call("POST", "/cgi-bin/message/send", json_body=body)

    async def create_menu(self, menu: dict[str, Any]) -> None:
        """Set the Official Account's custom menu ({"button": [...]}; MP only)."""
        if self.kind != "mp":
            raise ValueError("create_menu is for Official Accounts only")
        await self.call("POST", "/cgi-bin/menu/create", json_body=menu)

    async def upload_file(self, name: str, data: bytes, media_type: str = "file") -> str:
        """Upload temporary media (multipart field "media"); returns its media_id."""
        filename = _CONTROL.sub("_", name) or "file"

        def form() -> aiohttp.FormData:
            # quote_fields=False: WeChat takes the UTF-8 file name as is (it would show %XX escapes literally)
            fd = aiohttp.FormData(quote_fields=False)
            fd.add_field("media", data, filename=filename, content_type="application/octet-stream")
            return fd

        answer = await self._request_json("POST", "/cgi-bin/media/upload", params={"type": media_type}, form=form)
        media_id = answer.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise WeChatApiError(BAD_ANSWER, "no media_id in the answer")
        return media_id

    async def download_media(self, media_id: str, max_bytes: int) -> bytes:
        """Download temporary media a user sent; WeChatApiError(-2, "too large") past max_bytes."""
        answer = await self._request("GET", "/cgi-bin/media/get", params={"media_id": media_id}, max_bytes=max_bytes)
        if isinstance(answer, dict):  # JSON without an errcode, e.g. {"video_url": ...}: not a file
            raise WeChatApiError(BAD_ANSWER, "the answer holds no file")
        return answer

    # -- the exchange, with retries -----------------------------------------------------------------------------

    async def _request_json(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
        form: FormFactory | None = None,
        with_token: bool = True,
    ) -> dict[str, Any]:
        answer = await self._request(method, path, params=params, json_body=json_body, form=form, with_token=with_token)
        if not isinstance(answer, dict):  # pragma: no cover - only media downloads return bytes
            raise WeChatApiError(BAD_ANSWER, "the answer is not JSON")
        return answer

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
        form: FormFactory | None = None,
        max_bytes: int | None = None,
        with_token: bool = True,
    ) -> dict[str, Any] | bytes:
        """One API call: token errors refetch the token and retry once, busy/5xx/network errors back off (tenacity).

        A refused token is dropped and the call is made again at once with a fresh one; a second refusal raises.
        Busy answers, HTTP 5xx and network errors wait `backoff_seconds`, doubling per failure, and raise
        `WeChatApiError` at the `max_attempts`-th failure. Any other errcode raises at once.
        """
        failures = 0  # busy answers, 5xx and network errors so far (a token refusal is not one)
        token_retried = False

        async def attempt() -> dict[str, Any] | bytes:
            nonlocal failures, token_retried
            token = await self.access_token() if with_token else None
            query = {**(params or {}), **({"access_token": token} if token is not None else {})}
            try:
                answer = await self._once(method, path, query, json_body, form, max_bytes)
            except _Transient:
                failures += 1
                raise
            if isinstance(answer, bytes):
                return answer
            errcode, errmsg = _errcode(answer)
            if errcode == 0:
                return answer
            if with_token and token is not None and errcode in TOKEN_ERRORS:
                self.invalidate(token)
                if token_retried:
                    log.warning("wechat %s %s: token refused again (errcode %d)", method, path, errcode)
                    raise WeChatApiError(errcode, errmsg)
                log.info("wechat %s %s: token refused (errcode %d), fetching a new one", method, path, errcode)
                token_retried = True
                raise _TokenRefused(errcode, errmsg)
            if errcode not in BUSY_ERRORS:
                log.warning("wechat %s %s: errcode %d", method, path, errcode)
                raise WeChatApiError(errcode, errmsg)
            failures += 1
            raise _Transient(errcode, errmsg)

        def give_up(state: RetryCallState) -> bool:
            return isinstance(_error(state), _Transient) and failures >= self.max_attempts

        def wait(state: RetryCallState) -> float:
            if isinstance(_error(state), _TokenRefused):
                return 0.0  # a new token, no backoff
            return float(self.backoff_seconds * 2 ** (failures - 1))

        def before_sleep(state: RetryCallState) -> None:
            error = _error(state)
            if isinstance(error, _Transient):
                delay = state.next_action.sleep if state.next_action is not None else 0.0
                log.info("wechat %s %s: errcode %d, retrying in %.2f s", method, path, error.errcode, delay)

        retrying = AsyncRetrying(
            retry=retry_if_exception_type((_Transient, _TokenRefused)),
            stop=give_up,
            wait=wait,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return await retrying(attempt)
        except _Transient as exc:
            log.warning("wechat %s %s: giving up after %d attempts (errcode %d)", method, path, failures, exc.errcode)
            raise WeChatApiError(exc.errcode, exc.errmsg) from None

    async def _once(
        self,
        method: str,
        path: str,
        query: dict[str, Any],
        json_body: dict[str, Any] | None,
        form: FormFactory | None,
        max_bytes: int | None,
    ) -> dict[str, Any] | bytes:
        """One HTTP exchange: the JSON object, or the raw bytes of a media download."""
        url = self.base_url + path
        body: bytes | aiohttp.FormData | None = None
        headers: dict[str, str] | None = None
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            headers = _JSON_HEADERS
        elif form is not None:
            body = form()
        try:
            async with self._session.request(
                method, url, params=query, data=body, headers=headers, timeout=REQUEST_TIMEOUT
            ) as resp:
                if resp.status >= 500:
                    raise _Transient(NETWORK_ERROR, f"HTTP {resp.status}")
                if max_bytes is None:
                    return _json_object(await _read_limited(resp, MAX_JSON_BYTES), resp.status)
                return await _read_media(resp, max_bytes)
        except (aiohttp.ClientError, TimeoutError) as exc:
            # the exception text may hold the URL, so the token: only its type goes on
            raise _Transient(NETWORK_ERROR, f"network error: {type(exc).__name__}") from None


def _errcode(answer: dict[str, Any]) -> tuple[int, str]:
    raw = answer.get("errcode", 0)
    try:
        errcode = int(raw)
    except (TypeError, ValueError):
        errcode = BAD_ANSWER
    return errcode, str(answer.get("errmsg", ""))


def _json_object(raw: bytes, status: int) -> dict[str, Any]:
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WeChatApiError(BAD_ANSWER, f"HTTP {status}: the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise WeChatApiError(BAD_ANSWER, f"HTTP {status}: the answer is not a JSON object")
    return answer


async def _read_limited(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    """The body, refused (errcode -2) as soon as it is known or seen to pass `limit` bytes."""
    if resp.content_length is not None and resp.content_length > limit:
        raise WeChatApiError(TOO_LARGE, "too large")
    buf = bytearray()
    async for chunk in resp.content.iter_chunked(64 * 1024):
        buf += chunk
        if len(buf) > limit:
            raise WeChatApiError(TOO_LARGE, "too large")
    return bytes(buf)


async def _read_media(resp: aiohttp.ClientResponse, max_bytes: int) -> dict[str, Any] | bytes:
    """media/get answers the file itself, or JSON (as application/json or text/plain): an error, or a video_url."""
    if resp.content_type not in _JSON_TYPES:
        data = await _read_limited(resp, max_bytes)
    else:  # read a little past a tiny max_bytes so that a JSON error is still seen as one
        data = await _read_limited(resp, max(max_bytes, MAX_JSON_ERROR_BYTES))
        if data.lstrip().startswith(b"{"):
            try:
                answer = json.loads(data.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                answer = None
            if isinstance(answer, dict) and ("errcode" in answer or "video_url" in answer):
                return answer
        if len(data) > max_bytes:
            raise WeChatApiError(TOO_LARGE, "too large")
    if resp.status != 200:
        raise WeChatApiError(BAD_ANSWER, f"HTTP {resp.status} without a JSON error")
    return data


def api_for(
    settings: Settings, http: aiohttp.ClientSession, kind: Kind, tokens: SharedTokens | None = None
) -> WeChatApi | None:
    """The API client for the Official Account ("mp") or WeCom ("work"), if its credentials are set."""
    if kind == "mp":
        mp = settings.wechat_mp
        if not (mp.app_id and mp.app_secret.get_secret_value()):
            return None
        return WeChatApi(http, mp.api_base_url, "mp", mp.app_id, mp.app_secret.get_secret_value(), tokens=tokens)
    work = settings.wecom
    if not (work.corp_id and work.corp_secret.get_secret_value()):
        return None
    secret = work.corp_secret.get_secret_value()
    return WeChatApi(http, work.api_base_url, "work", work.corp_id, secret, tokens=tokens)
