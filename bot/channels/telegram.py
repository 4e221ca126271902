"""Channels (① and ⑥), Telegram: Update -> Incoming, Reply -> Bot API calls; long polling or the shared webhook.

The pure half (`to_incoming`, `render`, `PayloadMap`, `RateLimiter`) knows nothing of I/O and is unit-tested on
its own. The I/O half (`TelegramChannel`) runs a python-telegram-bot v22 `Application`:

- updates of different users are processed concurrently, updates of one user strictly in arrival order
  (`PerUserOrder`, an update processor that takes a per-user lock before anything else can suspend);
- every Bot API call that delivers something to a user is retried with backoff on network errors, timeouts,
  and flood control (`RetryAfter`), a bounded number of times; nothing here ever crashes the process;
- plain text only (no parse_mode), so nothing the engine or a user wrote can break the markup;
- in groups the bot answers only when addressed and never logs message content (only update ids and kinds).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import math
import time
import warnings
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, TypeVar

from aiohttp import web
from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseUpdateProcessor, ContextTypes, TypeHandler
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import Capabilities, RateLimiter, Verdict, register, split_text
from bot.engine.engine import Engine
from bot.engine.messages import Attachment, Incoming, Reply
from bot.settings import TelegramSettings
from bot.texts import Texts

log = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_MESSAGE_CHARS = 4096  # Bot API limit for sendMessage text, counted in UTF-16 code units after parsing
MAX_CALLBACK_BYTES = 64  # Bot API limit for callback_data
CAPABILITIES = Capabilities(buttons=True, files=True, max_chars=MAX_MESSAGE_CHARS)
MENU = ("start", "help", "steps", "evidence", "draft", "mydata", "forget", "cancel")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
UNSUPPORTED_KINDS = (
    "sticker",
    "animation",  # checked before document: an animation also carries a document
    "audio",
    "voice",
    "video",
    "video_note",
    "venue",  # checked before location: a venue also carries a location
    "location",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
)

T = TypeVar("T")

# ---------------------------------------------------------------------------------------------------------------
# Pure half: parse and render
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A polite answer the channel gives by itself (text key under [telegram]), without asking the engine."""

    user_key: str
    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, texts: Texts) -> str:
        """The sentence to send."""
        values = dict(self.values)
        if "kind" in values:
            values["kind"] = texts.get(f"telegram.kind.{values['kind']}")
        return texts.get(f"telegram.{self.key}", **values)


@dataclass(frozen=True)
class Fetch:
    """A message whose file must be downloaded first; `complete(data)` then gives the engine's Incoming."""

    incoming: Incoming  # everything but the attachment
    file_id: str
    kind: str  # "image" | "document"
    name: str
    mime: str
    size: int | None  # as Telegram declared it (may be missing)

    def complete(self, data: bytes) -> Incoming:
        """The message with its downloaded file attached."""
        return replace(self.incoming, attachments=(Attachment(self.kind, self.name, data, self.mime),))


Parsed = Incoming | Fetch | Refusal | None


class PayloadMap:
    """Button payloads as callback_data (≤ 64 bytes): short ones verbatim, longer ones by a hash kept in a bounded map.

    A hashed payload pressed after a restart (or after it fell out of the map) decodes to None: the button expired.
    """

    PREFIX = "~"  # engine payloads never start with this

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._long: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        """callback_data for a payload."""
        if len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith(self.PREFIX):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:40]
        self._long[key] = payload
        self._long.move_to_end(key)
        while len(self._long) > self.capacity:
            self._long.popitem(last=False)
        return key

    def decode(self, data: str) -> str | None:
        """The payload behind callback_data; None when it is unknown (expired)."""
        if not data.startswith(self.PREFIX):
            return data or None
        payload = self._long.get(data)
        if payload is not None:
            self._long.move_to_end(data)
        return payload


def user_key(user_id: int) -> str:
    """The engine's key for a Telegram user (stable across chats)."""
    return f"{CHANNEL}:{user_id}"


def to_incoming(
    update: Update,
    bot_username: str,
    private_only: bool,
    *,
    max_file_bytes: int | None = None,
    payloads: PayloadMap | None = None,
) -> Parsed:
    """Normalise one Telegram update.

    Returns an Incoming for the engine, a Fetch when a file must be downloaded first, a Refusal when the channel
    answers by itself (unsupported content, edits, a file over the limit, a group when private_only), or None when
    the update is to be ignored silently (channel posts, bots, service messages, group talk not addressed to us).
    """
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    key = user_key(user.id)

    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != ChatType.PRIVATE and private_only:
            return Refusal(key, "group_private")
        data = query.data or ""
        payload = payloads.decode(data) if payloads is not None else (data or None)
        if payload is None:
            return Refusal(key, "button_expired")
        return Incoming(channel=CHANNEL, user_key=key, button=payload)

    edited = update.edited_message
    if edited is not None:
        return Refusal(key, "edited") if edited.chat.type == ChatType.PRIVATE else None

    message = update.message
    if message is None:  # channel posts, inline queries, polls, member updates, reactions, business updates ...
        return None
    text = message.text or message.caption or ""
    if message.chat.type != ChatType.PRIVATE:
        addressed, text = _addressed(message, text, bot_username)
        if not addressed:
            return None
        if private_only:
            return Refusal(key, "group_private")

    origin = message.forward_origin
    base = Incoming(
        channel=CHANNEL,
        user_key=key,
        text=text,
        received_at=message.date,
        forwarded_at=origin.date if origin is not None else None,
    )
    fetch = _fetch(message, base)
    if fetch is not None:
        if max_file_bytes is not None and fetch.size is not None and fetch.size > max_file_bytes:
            return Refusal(key, "file_too_big", {"size": _mb(fetch.size), "limit": _mb(max_file_bytes)})
        return fetch
    for kind in UNSUPPORTED_KINDS:
        if getattr(message, kind, None):
            return Refusal(key, "unsupported", {"kind": kind})
    if not text.strip():
        return None  # a service message (pinned, joined, ...) or content we do not know: nothing to answer
    return base


def _fetch(message: Message, base: Incoming) -> Fetch | None:
    if message.photo:
        best = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return Fetch(base, best.file_id, "image", f"photo-{best.file_unique_id}.jpg", "image/jpeg", best.file_size)
    doc = message.document
    if doc is not None and message.animation is None:
        mime = doc.mime_type or "application/octet-stream"
        kind = "image" if mime.startswith("image/") else "document"
        return Fetch(base, doc.file_id, kind, doc.file_name or "document", mime, doc.file_size)
    return None


def _addressed(message: Message, text: str, bot_username: str) -> tuple[bool, str]:
    """In a group: is this message for us (/cmd@bot, an @mention, a reply to our message)? Text without the mention."""
    name = bot_username.lower().lstrip("@")
    if not name:
        return False, text
    mention = "@" + name
    if text.startswith("/"):
        first = text.split(maxsplit=1)[0]
        if "@" in first:
            return first.lower().endswith(mention), text
    lowered = text.lower()
    at = lowered.find(mention)
    if at >= 0:
        return True, (text[:at] + text[at + len(mention) :]).strip()
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.is_bot:
        return (reply.from_user.username or "").lower() == name, text
    return False, text


def _mb(size: int) -> int:
    return max(1, math.ceil(size / (1024 * 1024)))


@dataclass(frozen=True)
class SendText:
    """sendMessage: plain text (no parse_mode), optionally with an inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class SendDocument:
    """sendDocument: a file returned with a reply (evidence exports, drafts)."""

    name: str
    data: bytes
    mime: str


SendAction = SendText | SendDocument


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str) -> list[str]:
    """Split at sentence boundaries so that every part fits Telegram's 4096 (UTF-16 code units) limit."""
    parts: list[str] = []
    for part in split_text(text, CAPABILITIES):
        if _utf16_len(part) <= MAX_MESSAGE_CHARS:
            parts.append(part)
        else:  # astral characters (emoji) count twice in UTF-16: split again, with room for all of them
            parts.extend(split_text(part, Capabilities(buttons=True, files=True, max_chars=MAX_MESSAGE_CHARS // 2)))
    return parts


def keyboard(reply: Reply, payloads: PayloadMap) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard: one row for up to three short labels, else one per row."""
    if not reply.buttons:
        return None
    buttons = [InlineKeyboardButton(b.label, callback_data=payloads.encode(b.payload)) for b in reply.buttons]
    if len(buttons) <= 3 and all(len(b.label) <= 6 for b in reply.buttons):
        return InlineKeyboardMarkup([buttons])
    return InlineKeyboardMarkup([[b] for b in buttons])


def render(reply: Reply, payloads: PayloadMap | None = None) -> list[SendAction]:
    """A reply as Bot API calls: text split under the limit (keyboard on the last part), then one document per file.

    Without a PayloadMap, payloads over 64 bytes are hashed into a throwaway map (those buttons will read as expired).
    """
    payloads = payloads if payloads is not None else PayloadMap()
    markup = keyboard(reply, payloads)
    actions: list[SendAction] = []
    parts = split_message(reply.text) if reply.text.strip() else []
    for i, part in enumerate(parts):
        actions.append(SendText(part, markup if i == len(parts) - 1 else None))
    if markup is not None and not parts:
        actions.append(SendText("👇", markup))  # buttons need a message to hang on
    actions.extend(SendDocument(f.name, f.data, f.mime) for f in reply.files)
    return actions


def ordering_key(update: object) -> object:
    """Updates with the same key are processed one at a time, in arrival order (the user, else the chat)."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        return ("update", update.update_id)
    return ("object", id(update))


# ---------------------------------------------------------------------------------------------------------------
# I/O half
# ---------------------------------------------------------------------------------------------------------------


class PerUserOrder(BaseUpdateProcessor):
    """Concurrent across users, sequential per user.

    The Application starts one task per update in arrival order; the lock is taken before anything can suspend,
    and asyncio locks are FIFO, so one user's updates run in the order Telegram sent them.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[object, asyncio.Lock] = weakref.WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers under its user's lock."""
        key = ordering_key(update)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def retry_after_seconds(exc: RetryAfter) -> float:
    """Seconds Telegram asked us to wait (int or timedelta depending on PTB_TIMEDELTA)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@register(CHANNEL)
class TelegramChannel:
    """The engine on Telegram: long polling (`run_polling`) or webhook (`routes()` mounted by bot/web.py)."""

    def __init__(
        self,
        engine: Engine,
        settings: TelegramSettings,
        texts: Texts | None = None,
        *,
        max_file_bytes: int | None = None,
        request_timeout: float = 10.0,
        retry_attempts: int = 6,
        retry_base_delay: float = 0.5,
        retry_max_delay: float = 30.0,
        typing_after: float = 0.25,
        poll_interval: float = 0.0,
        poll_timeout: float = 30.0,
        max_concurrent_updates: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.texts = texts or Texts()
        self.max_file_bytes = max_file_bytes if max_file_bytes is not None else engine.max_file_bytes
        self.request_timeout = request_timeout
        self.retry_attempts = max(1, retry_attempts)
        self.retry_base_delay = retry_base_delay
        self.retry_max_delay = retry_max_delay
        self.typing_after = typing_after
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self.max_concurrent_updates = max_concurrent_updates
        self.clock = clock
        self.payloads = PayloadMap()
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        self.bot_username = ""
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def build_application(self) -> Application[Any, Any, Any, Any, Any, Any]:
        """A PTB Application pointed at settings.base_url, with per-user ordering and one handler for everything."""
        token = self.settings.token.get_secret_value()
        if not token:
            raise ValueError("ANNING_TELEGRAM__TOKEN is empty: the Telegram channel is off")
        t = self.request_timeout
        application = (
            ApplicationBuilder()
            .token(token)
            .base_url(self.settings.base_url)
            .base_file_url(self.settings.base_file_url)
            .concurrent_updates(PerUserOrder(self.max_concurrent_updates))
            .connection_pool_size(64)
            .pool_timeout(t)
            .connect_timeout(t)
            .read_timeout(t)
            .write_timeout(t)
            .media_write_timeout(max(t, 30.0))
            .get_updates_connect_timeout(t)
            .get_updates_read_timeout(t)
            .get_updates_write_timeout(t)
            .get_updates_pool_timeout(t)
            .job_queue(None)
            .build()
        )
        application.add_handler(TypeHandler(Update, self._on_update))
        application.add_error_handler(self._on_error)
        return application

    async def start(self, *, polling: bool) -> None:
        """Connect (getMe, setMyCommands), start processing; then long polling, or setWebhook when a URL is set."""
        logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the bot token in the URL
        application = self.build_application()
        await self._retry("initialize", application.initialize, give_up=False)
        self.application = application
        self.bot_username = application.bot.username or ""
        commands = [BotCommand(c, self.texts.get(f"telegram.menu.{c}")) for c in MENU]
        await self._retry("setMyCommands", lambda: application.bot.set_my_commands(commands))
        await application.start()
        if polling:
            if application.updater is None:
                raise RuntimeError("the Application was built without an updater")
            await application.updater.start_polling(
                poll_interval=self.poll_interval,
                timeout=timedelta(seconds=self.poll_timeout),
                bootstrap_retries=-1,
                allowed_updates=Update.ALL_TYPES,
                error_callback=self._polling_error,
            )
        elif self.settings.webhook_url:
            secret = self.settings.webhook_secret.get_secret_value()
            await self._retry(
                "setWebhook",
                lambda: application.bot.set_webhook(
                    url=self.settings.webhook_url,
                    secret_token=secret or None,
                    allowed_updates=Update.ALL_TYPES,
                ),
            )
        log.info("telegram channel started as @%s (%s)", self.bot_username, "polling" if polling else "webhook")

    async def stop(self) -> None:
        """Graceful: stop fetching, finish every update already received (replies included), then disconnect."""
        application = self.application
        if application is None:
            return
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        self.application = None
        log.info("telegram channel stopped")

    async def run_polling(self, stop: asyncio.Event | None = None) -> None:
        """`anning telegram`: long polling until SIGINT/SIGTERM (or `stop` is set), then a graceful stop."""
        from bot.web import stop_on_signals

        stop = stop or asyncio.Event()
        stop_on_signals(stop)
        await self.start(polling=True)
        try:
            await stop.wait()
        finally:
            await self.stop()

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Webhook routes for bot/web.py (mounted under the shared prefix)."""
        return [("POST", "/telegram", self.webhook_handler())]

    def webhook_handler(self) -> Handler:
        """aiohttp handler: 403 unless the secret-token header matches, then queue the Update and answer 200 at once."""
        secret = self.settings.webhook_secret.get_secret_value().encode()

        async def handle(request: web.Request) -> web.StreamResponse:
            given = request.headers.get(SECRET_HEADER, "").encode()
            if not secret or not hmac.compare_digest(given, secret):
                return web.Response(status=403, text="forbidden")
            application = self.application
            if application is None or not application.running:
                return web.Response(status=503, text="not ready")
            try:
                data = await request.json()
            except ValueError:
                return web.Response(status=400, text="not JSON")
            try:
                update = Update.de_json(data, application.bot)
            except Exception as exc:  # an update PTB cannot read: drop it, or Telegram would redeliver it forever
                log.warning("webhook: unreadable update dropped (%s)", type(exc).__name__)
                return web.Response(text="ok")
            await application.update_queue.put(update)
            return web.Response(text="ok")

        return handle

    # -- one update --------------------------------------------------------------------------------------------

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        parsed = to_incoming(
            update,
            self.bot_username,
            self.settings.private_only,
            max_file_bytes=self.max_file_bytes,
            payloads=self.payloads,
        )
        query = update.callback_query
        chat = update.effective_chat
        log.debug("update %s: %s", update.update_id, _kind(update, parsed))
        if parsed is None or chat is None:
            if query is not None:
                await self._answer(query)
            return
        key = parsed.incoming.user_key if isinstance(parsed, Fetch) else parsed.user_key
        verdict = self.limiter.check(key, self.clock())
        if query is not None:
            await self._answer(
                query, None if verdict is Verdict.ALLOW else self.texts.get("telegram.rate_limited_short")
            )
        if verdict is Verdict.DROP:
            return
        if verdict is Verdict.WARN:
            await self._send(chat.id, SendText(self.texts.get("telegram.rate_limited")))
            return
        if isinstance(parsed, Refusal):
            await self._send(chat.id, SendText(parsed.text(self.texts)))
            return
        if query is not None:
            await self._mark_chosen(query)
        async with self._typing(chat.id):
            replies = await self._work(parsed)
        for reply in replies:
            for action in render(reply, self.payloads):
                await self._send(chat.id, action)

    async def _work(self, parsed: Incoming | Fetch) -> list[Reply]:
        if isinstance(parsed, Incoming):
            incoming = parsed
        else:
            data = await self._download(parsed)
            if data is None:
                return [Reply(self.texts.get("telegram.download_failed"))]
            if len(data) > self.max_file_bytes:
                refusal = Refusal(
                    parsed.incoming.user_key,
                    "file_too_big",
                    {"size": _mb(len(data)), "limit": _mb(self.max_file_bytes)},
                )
                return [Reply(refusal.text(self.texts))]
            incoming = parsed.complete(data)
        try:
            return await self.engine.handle(incoming)
        except Exception:
            log.exception("engine failed on a %s message", CHANNEL)
            return [Reply(self.texts.get("telegram.error"))]

    async def _download(self, fetch: Fetch) -> bytes | None:
        application = self._app()
        tg_file = await self._retry("getFile", lambda: application.bot.get_file(fetch.file_id))
        if tg_file is None:
            return None
        data = await self._retry("download", tg_file.download_as_bytearray)
        return bytes(data) if data is not None else None

    async def _send(self, chat_id: int, action: SendAction) -> Message | None:
        bot = self._app().bot
        if isinstance(action, SendText):
            return await self._retry(
                "sendMessage",
                lambda: bot.send_message(
                    chat_id,
                    action.text,
                    reply_markup=action.keyboard,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                ),
            )
        return await self._retry(
            "sendDocument", lambda: bot.send_document(chat_id, document=action.data, filename=action.name)
        )

    async def _answer(self, query: CallbackQuery, text: str | None = None) -> None:
        await self._retry("answerCallbackQuery", lambda: query.answer(text=text), attempts=2)

    async def _mark_chosen(self, query: CallbackQuery) -> None:
        """Take the keyboard off the pressed message (so it cannot be pressed twice) and show what was chosen."""
        message = query.message
        if not isinstance(message, Message) or message.reply_markup is None or not message.text:
            return
        label = next(
            (b.text for row in message.reply_markup.inline_keyboard for b in row if b.callback_data == query.data),
            None,
        )
        if label is None:
            return
        text = f"{message.text}\n\n{self.texts.get('telegram.chosen', label=label)}"
        if _utf16_len(text) > MAX_MESSAGE_CHARS:
            text = message.text
        await self._retry(
            "editMessageText",
            lambda: self._app().bot.edit_message_text(text, chat_id=message.chat.id, message_id=message.message_id),
            attempts=2,
        )

    @contextlib.asynccontextmanager
    async def _typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" while the engine works, once it takes longer than `typing_after` seconds."""

        async def keep_typing() -> None:
            await asyncio.sleep(self.typing_after)
            while True:
                with contextlib.suppress(TelegramError):
                    await self._app().bot.send_chat_action(chat_id, "typing")
                await asyncio.sleep(4.5)  # Telegram shows the action for about 5 s

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _retry(
        self,
        what: str,
        call: Callable[[], Awaitable[T]],
        *,
        attempts: int | None = None,
        give_up: bool = True,
    ) -> T | None:
        """Call the Bot API; retry network errors, timeouts and flood control with backoff.

        Returns None when it gives up (logged). With give_up=False the last error is raised instead.
        """
        attempts = attempts or self.retry_attempts
        delay = self.retry_base_delay
        for attempt in range(1, attempts + 1):
            try:
                return await call()
            except RetryAfter as exc:
                wait = retry_after_seconds(exc) + 0.05
                error: TelegramError = exc
            except (BadRequest, Forbidden, InvalidToken) as exc:  # retrying cannot help
                if not give_up:
                    raise
                log.warning("%s refused by Telegram: %s", what, type(exc).__name__)
                return None
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                wait = delay
                delay = min(delay * 2, self.retry_max_delay)
                error = exc
            if attempt == attempts:
                if not give_up:
                    raise error
                log.error("%s failed after %d attempts: %s", what, attempts, type(error).__name__)
                return None
            log.info("%s: %s, retrying in %.2f s", what, type(error).__name__, wait)
            await asyncio.sleep(wait)
        return None

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("error while handling update %s: %r", update_id, context.error)

    def _polling_error(self, error: TelegramError) -> None:
        log.warning("getUpdates failed (PTB retries): %s", type(error).__name__)

    def _app(self) -> Application[Any, Any, Any, Any, Any, Any]:
        if self.application is None:
            raise RuntimeError("the Telegram channel is not started")
        return self.application


def _kind(update: Update, parsed: Parsed) -> str:
    """What an update was, for logs: never its content."""
    if isinstance(parsed, Refusal):
        return f"refused ({parsed.key})"
    if parsed is None:
        return "ignored"
    if update.callback_query is not None:
        return "button"
    if isinstance(parsed, Fetch):
        return f"file ({parsed.kind})"
    return "forward" if parsed.forwarded_at else "text"
