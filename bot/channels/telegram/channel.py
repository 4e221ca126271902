"""Channels (① and ⑥), Telegram I/O: the channel on python-telegram-bot; long polling or the shared webhook.

The pure halves (inbound.py: `to_incoming`; outbound.py: `render`, `PayloadMap`) know nothing of I/O and are
unit-tested on their own. `TelegramChannel` runs a python-telegram-bot v22 `Application`:

- updates of different users are processed concurrently, updates of one user strictly in arrival order
  (`PerUserOrder`, an update processor that takes a per-user lock before anything else can suspend);
- every Bot API call that delivers something to a user is retried with backoff on network errors, timeouts,
  and flood control (`RetryAfter`), a bounded number of times; nothing here ever crashes the process;
- plain text only (no parse_mode), so nothing the engine or a user wrote can break the markup;
- in groups the bot answers only when addressed and never logs message content (only update ids and kinds);
- nothing acknowledged is lost: a webhook update is recorded in the durable inbox (storage/inbox_repo.py) before
  Telegram gets its 200, its answer is kept once computed, every part sent is counted, and at start-up whatever a
  crash left unfinished is replayed in order (computed if it was not, sent from the first unsent part if it was).
  Telegram has no idempotency key, so a crash between a send and its count can repeat that one part;
- with a language model, an answer is shown while it is written (live.py): its checked sentences in one message,
  edited at most once a second; those edits are best effort and not journaled. The final answer is kept in the inbox
  with that message's id and delivered as an edit of it, so a replay edits it again rather than sending a second
  copy. A crash while the answer is still being written leaves the message with the checked sentences shown so far
  (marked as still being written); the restart computes the answer again and sends it as a new message;
- several replicas on one database (shared `Turns`, storage/turns.py): the inbox is the queue. An update is
  recorded and acknowledged by whichever replica Telegram reached; then, holding the person's turn (a database
  lock one replica has at a time), a replica finishes every update of that person not done yet, oldest first,
  whoever recorded it. A replica that dies releases its turns with its connection, and the others take over what
  it left (`_rescue`, every few seconds): each update is answered once, in the person's order.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import json
import logging
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, ClassVar, TypeVar

from aiohttp import web
from cachetools import LRUCache
from telegram import BotCommand, CallbackQuery, LinkPreviewOptions, Message, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseUpdateProcessor, ContextTypes, TypeHandler
from telegram.warnings import PTBDeprecationWarning
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from bot.channels.base import Capabilities, Deps, Limiter, LocalLimiter, Outgoing, Verdict, limiter_for, register
from bot.channels.telegram.download import TooBig, fetch_capped
from bot.channels.telegram.inbound import (
    CHANNEL,
    Fetch,
    Parsed,
    Refusal,
    megabytes,
    ordering_key,
    to_incoming,
    user_key,
)
from bot.channels.telegram.live import LiveMessage
from bot.channels.telegram.outbound import (
    CAPABILITIES,
    MAX_MESSAGE_CHARS,
    PayloadMap,
    SendAction,
    SendText,
    long_payloads,
    render,
    utf16_len,
)
from bot.contract.messages import Incoming, Reply
from bot.contract.wire import dump_replies, load_replies
from bot.engine.gate import Answers
from bot.locks import KeyedLocks
from bot.settings import Settings, TelegramSettings
from bot.storage.buttons_repo import ButtonPayloads
from bot.storage.inbox_repo import ANSWERED, Entry, Inbox
from bot.storage.turns import Turns, database_outage
from bot.texts import Texts

log = logging.getLogger(__name__)
MENU = ("start", "help", "steps", "evidence", "draft", "mydata", "forget", "cancel")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret

T = TypeVar("T")


class PerUserOrder(BaseUpdateProcessor):
    """Concurrent across users, sequential per user.

    The Application starts one task per update in arrival order; the lock is taken before anything can suspend,
    and asyncio locks are FIFO, so one user's updates run in the order Telegram sent them.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: KeyedLocks[object] = KeyedLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers under its user's lock."""
        async with self._locks.lock(ordering_key(update)):
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


def retryable(exc: BaseException) -> bool:
    """Flood control and network errors are worth another try; a refusal (bad request, blocked, bad token) is not."""
    if isinstance(exc, BadRequest | Forbidden | InvalidToken):
        return False
    return isinstance(exc, RetryAfter | NetworkError)


class Backoff:
    """tenacity wait: what Telegram asks after flood control, else a delay doubling (up to a cap) per network error."""

    def __init__(self, base: float, cap: float) -> None:
        self.delay = base
        self.cap = cap

    def __call__(self, state: RetryCallState) -> float:
        """Seconds to wait before the next attempt."""
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, RetryAfter):
            return retry_after_seconds(error) + 0.05
        wait = self.delay
        self.delay = min(self.delay * 2, self.cap)
        return wait


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@register
class TelegramChannel:
    """The engine on Telegram: long polling (`run_polling`) or webhook (`routes()` mounted by bot/web.py)."""

    name: ClassVar[str] = CHANNEL
    section: ClassVar[str | None] = "telegram"
    capabilities: ClassVar[Capabilities] = CAPABILITIES
    webhook: ClassVar[bool] = True
    requirement: ClassVar[str] = "Telegram (ANNING_TELEGRAM__TOKEN, __WEBHOOK_URL, __WEBHOOK_SECRET)"

    def __init__(
        self,
        engine: Answers,
        settings: TelegramSettings,
        texts: Texts,
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
        inbox: Inbox | None = None,
        turns: Turns | None = None,
        rescue_every: float = 5.0,
        stranded_after: float = 10.0,
        limiter: Limiter | None = None,
        buttons: ButtonPayloads | None = None,
    ) -> None:
        self.engine = engine
        self.inbox = inbox  # updates recorded before they are acknowledged (and redeliveries refused)
        self.turns = turns if turns is not None and turns.shared and inbox is not None else None  # several replicas
        self.rescue_every = rescue_every  # how often a replica looks for updates another one left (shared turns)
        self.stranded_after = stranded_after  # an update not done after this long is looked at by any replica
        self._rescuer: asyncio.Task[None] | None = None
        self._entries: dict[int, int] = {}  # update_id -> its inbox entry, while queued
        self._replays: dict[int, Entry] = {}  # update_id -> what a crash left of it, while queued at start-up
        self.settings = settings
        self.texts = texts
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
        self.keyboards: LRUCache[int, int] = LRUCache(maxsize=4096)  # chat -> the message that has the live keyboard
        self.limiter = limiter if limiter is not None else LocalLimiter(settings.rate_limit_per_minute, clock=clock)
        self.buttons = buttons  # long payloads shared by replicas (and kept across restarts); None: memory only
        self.bot_username = ""
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None

    # -- the registry's view ------------------------------------------------------------------------------------

    @classmethod
    def enabled(cls, settings: Settings) -> bool:
        """Served by `anning serve` when the token, the webhook URL and its secret are set (polling needs the token)."""
        tg = settings.telegram
        return bool(tg.token.get_secret_value() and tg.webhook_url and tg.webhook_secret.get_secret_value())

    @classmethod
    def build(cls, deps: Deps) -> TelegramChannel:
        """The channel on deps.settings.telegram."""
        return cls(
            deps.engine,
            deps.settings.telegram,
            deps.texts,
            max_file_bytes=deps.settings.max_file_bytes,
            inbox=deps.inbox,
            turns=deps.turns,
            limiter=limiter_for(deps, deps.settings.telegram.rate_limit_per_minute),
            buttons=deps.buttons,
        )

    @classmethod
    def preview(cls, reply: Reply, texts: Texts) -> list[Outgoing]:
        """The messages `render` sends: texts with their keyboards' labels, then documents."""
        out: list[Outgoing] = []
        for action in render(reply):
            if isinstance(action, SendText):
                rows = action.keyboard.inline_keyboard if action.keyboard is not None else ()
                out.append(Outgoing(action.text, tuple(b.text for row in rows for b in row)))
            else:
                out.append(Outgoing(file=action.name))
        return out

    async def run(self) -> None:
        """`anning telegram`: long polling until SIGINT/SIGTERM."""
        await self.run_polling()

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

    async def start(self, *, polling: bool = False) -> None:
        """Connect (getMe, setMyCommands), start processing; then long polling, or setWebhook when a URL is set."""
        logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the bot token in the URL
        application = self.build_application()
        await self._retry("initialize", application.initialize, give_up=False)
        self.application = application
        self.bot_username = application.bot.username or ""
        commands = [BotCommand(c, self.texts.get(f"telegram.menu.{c}")) for c in MENU]
        await self._retry("setMyCommands", lambda: application.bot.set_my_commands(commands))
        await application.start()
        if self.turns is None:
            await self._replay(application)
        else:  # the other replicas may be at work: take over only what nobody holds, now and every few seconds
            self._rescuer = asyncio.create_task(self._rescue())
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
        if self._rescuer is not None:
            self._rescuer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._rescuer
            self._rescuer = None
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

    async def _replay(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Queue, in their order, the updates a crash left unfinished (before any new one can arrive)."""
        if self.inbox is None:
            return
        unfinished = await self.inbox.unfinished(CHANNEL)
        for entry in unfinished:
            try:
                update = Update.de_json(json.loads(entry.payload), application.bot)
            except Exception as exc:  # recorded by a version that read it differently: drop it
                log.warning("replay: unreadable update dropped (%s)", type(exc).__name__)
                await self.inbox.done(entry.id)
                continue
            self._entries[update.update_id] = entry.id
            self._replays[update.update_id] = entry
            await application.update_queue.put(update)
        if unfinished:
            log.info("replaying %d update(s) left unfinished by the last run", len(unfinished))

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Webhook routes for bot/web.py (mounted under the shared prefix)."""
        return [("POST", "/telegram", self.webhook_handler())]

    def webhook_handler(self) -> Handler:
        """aiohttp handler: 403 unless the secret-token header matches; the Update is recorded in the inbox, then
        queued, then acknowledged with 200 (a redelivery of a recorded update gets 200 and nothing more)."""
        secret = self.settings.webhook_secret.get_secret_value().encode()

        async def handle(request: web.Request) -> web.StreamResponse:
            given = request.headers.get(SECRET_HEADER, "").encode()
            if not secret or not hmac.compare_digest(given, secret):
                return web.Response(status=403, text="forbidden")
            application = self.application
            if application is None or not application.running:
                return web.Response(status=503, text="not ready")
            body = await request.read()
            try:
                data = json.loads(body)
            except (ValueError, RecursionError):  # RecursionError: nested too deeply to parse
                return web.Response(status=400, text="not JSON")
            try:
                update = Update.de_json(data, application.bot)
            except Exception as exc:  # an update PTB cannot read: drop it, or Telegram would redeliver it forever
                log.warning("webhook: unreadable update dropped (%s)", type(exc).__name__)
                return web.Response(text="ok")
            if self.inbox is not None:
                entry = await self._record(update, body)
                if entry is None:
                    log.debug("update %s: a repeat, ignored", update.update_id)
                    return web.Response(text="ok")
                self._entries[update.update_id] = entry
            await application.update_queue.put(update)
            return web.Response(text="ok")

        return handle

    # -- one update --------------------------------------------------------------------------------------------

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        entry = self._entries.pop(update.update_id, None)
        replay = self._replays.pop(update.update_id, None)
        if entry is None and self.inbox is not None:  # long polling: getUpdates has confirmed it already
            entry = await self._record(update, json.dumps(update.to_dict()).encode())
            if entry is None:
                log.debug("update %s: a repeat, ignored", update.update_id)
                return
        person = self.inbox.person(_user(update)) if self.inbox is not None else ""
        if self.turns is not None and entry is not None and person:
            await self._take_turn(person)
            return
        await self._finish(update, entry, replay)

    async def _finish(self, update: Update, entry: int | None, replay: Entry | None) -> None:
        """Answer one update (or send the rest of an answer computed before), counting parts in the inbox."""
        chat = update.effective_chat
        if replay is not None and replay.state == ANSWERED and chat is not None:  # computed before a crash
            replies, draft = unpack_answer(replay.answer)
            await self._deliver(chat.id, replies, entry, replay.sent, draft)
            return
        live = self._live(chat.id) if chat is not None and self.settings.stream_answers else None
        try:
            replies = await self._replies(update, live)
        finally:
            draft = await live.settle() if live is not None else None
        if entry is not None and self.inbox is not None:
            await self._noted(functools.partial(self.inbox.answered, entry, pack_answer(replies, draft)))
        if chat is not None:
            await self._deliver(chat.id, replies, entry, 0, draft)
        elif entry is not None and self.inbox is not None:
            await self.inbox.done(entry)

    async def _take_turn(self, person: str) -> None:
        """Several replicas: wait for the person's turn, then finish their updates not done yet, oldest first."""
        assert self.turns is not None
        async with self.turns.hold(person):
            await self._finish_all(person)

    async def _finish_all(self, person: str) -> None:
        """Under the person's turn: every update of theirs not done (whichever replica recorded it), in order."""
        assert self.inbox is not None
        for entry in await self.inbox.unfinished_of(CHANNEL, person):
            try:
                update = Update.de_json(json.loads(entry.payload), self._app().bot)
            except Exception as exc:  # recorded by a version that read it differently: drop it
                log.warning("unreadable update dropped (%s)", type(exc).__name__)
                await self.inbox.done(entry.id)
                continue
            await self._finish(update, entry.id, entry)

    async def _rescue(self) -> None:
        """Several replicas: finish what nobody holds: updates a dead replica left (at start, then every few
        seconds, those waiting longer than `stranded_after`)."""
        assert self.inbox is not None and self.turns is not None
        older_than = timedelta(0)
        while True:
            try:
                for person in await self.inbox.stranded(CHANNEL, older_than):
                    async with self.turns.try_hold(person) as mine:
                        if mine:
                            await self._finish_all(person)
            except Exception as exc:  # the database away for a moment: the next round tries again
                log.warning("rescue round failed (%s)", type(exc).__name__)
            older_than = timedelta(seconds=self.stranded_after)
            await asyncio.sleep(self.rescue_every)

    async def _record(self, update: Update, raw: bytes) -> int | None:
        """Record the update in the inbox: its entry, or None for one recorded before (a redelivery)."""
        assert self.inbox is not None
        return await self.inbox.take(CHANNEL, update_key(self.settings, update.update_id), _user(update), raw)

    def _live(self, chat_id: int) -> LiveMessage:
        """A message that may show an answer while a model writes it (used only when one does)."""
        bot = self._app().bot

        async def send(text: str) -> int | None:
            message = await bot.send_message(chat_id, text, link_preview_options=LinkPreviewOptions(is_disabled=True))
            return int(message.message_id)

        async def edit(message_id: int, text: str) -> bool:
            await bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            return True

        return LiveMessage(send, edit, self.settings.stream_edit_seconds, self.clock)

    async def _replies(self, update: Update, live: LiveMessage | None = None) -> list[Reply]:
        """What to send for one update (nothing for an ignored one); answers a pressed button's query. A text
        message's answer may be shown on `live` while a model writes it."""
        await self._recall_button(update)
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
            return []
        key = parsed.incoming.user_key if isinstance(parsed, Fetch) else parsed.user_key
        verdict = await self.limiter.check(key)
        if query is not None:
            await self._answer(
                query, None if verdict is Verdict.ALLOW else self.texts.get("telegram.rate_limited_short")
            )
        if verdict is Verdict.DROP:
            return []
        if verdict is Verdict.WARN:
            return [Reply(self.texts.get("telegram.rate_limited"))]
        if isinstance(parsed, Refusal):
            return [Reply(parsed.text(self.texts))]
        if query is not None:
            await self._mark_chosen(query)
        async with self._typing(chat.id):
            return await self._work(parsed, update_key(self.settings, update.update_id), live)

    async def _deliver(
        self, chat_id: int, replies: list[Reply], entry: int | None, skip: int, draft: int | None = None
    ) -> None:
        """Send the replies' parts after the first `skip`, counting each in the inbox, then mark the entry done.
        `draft`: the message that showed the answer while it was written; the first part replaces its text."""
        actions = [action for reply in replies for action in render(reply, self.payloads)]
        if self.buttons is not None:  # before the keyboard goes out: its press may reach another replica
            await self._noted(functools.partial(self.buttons.store, long_payloads(actions, self.payloads)))
        for i, action in enumerate(actions[skip:], skip + 1):
            if i == 1 and draft is not None and isinstance(action, SendText):
                sent_id = await self._replace(chat_id, draft, action)
            else:
                sent = await self._send(chat_id, action)
                sent_id = sent.message_id if sent is not None else None
            if isinstance(action, SendText) and action.keyboard is not None and sent_id is not None:
                await self._retire_keyboard(chat_id, sent_id)
            if entry is not None and self.inbox is not None and i < len(actions):
                await self._noted(functools.partial(self.inbox.progress, entry, i))
        if entry is not None and self.inbox is not None:
            await self._noted(functools.partial(self.inbox.done, entry))

    async def _noted(self, write: Callable[[], Awaitable[None]], attempts: int = 120) -> None:
        """Record what was sent; a database away for a moment (a restart) is waited for, up to about a minute,
        else the part would be sent again by whoever finishes the update."""
        for attempt in range(1, attempts + 1):
            try:
                await write()
                return
            except Exception as exc:
                if attempt == attempts or not database_outage(exc):
                    raise
                await asyncio.sleep(0.5)

    async def _work(self, parsed: Incoming | Fetch, key: str, live: LiveMessage | None = None) -> list[Reply]:
        if isinstance(parsed, Incoming):
            incoming = replace(parsed, draft=live) if parsed.text else parsed
        else:
            data = await self._download(parsed)
            if data is None:
                return [Reply(self.texts.get("telegram.download_failed"))]
            if isinstance(data, TooBig):
                refusal = Refusal(
                    parsed.incoming.user_key,
                    "file_too_big",
                    {"size": megabytes(data.size), "limit": megabytes(self.max_file_bytes)},
                )
                return [Reply(refusal.text(self.texts))]
            incoming = parsed.complete(data)
        try:
            return await self.engine.handle(replace(incoming, key=key))
        except Exception as exc:
            if self.turns is not None and database_outage(exc):  # the update stays in the inbox: rescued later
                raise
            log.exception("engine failed on a %s message", CHANNEL)
            return [Reply(self.texts.get("telegram.error"))]

    async def _download(self, fetch: Fetch) -> bytes | TooBig | None:
        """The file, streamed and cut off past max_file_bytes whatever size was declared (TooBig), or None."""
        application = self._app()
        tg_file = await self._retry("getFile", lambda: application.bot.get_file(fetch.file_id))
        if tg_file is None or not tg_file.file_path:
            return None
        if tg_file.file_size is not None and tg_file.file_size > self.max_file_bytes:
            return TooBig(tg_file.file_size)
        for _ in range(3):
            data = await fetch_capped(tg_file.file_path, self.max_file_bytes, max(self.request_timeout, 30.0))
            if data is not None:
                return data
        return None

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

    async def _replace(self, chat_id: int, draft: int, action: SendText) -> int | None:
        """The final text (and keyboard) as an edit of the message that showed it being written; a message that
        cannot be edited (deleted, too old) gets a new one instead. Editing to the same text again (a replay) is
        fine: Telegram says "not modified"."""
        bot = self._app().bot
        try:
            await self._retry(
                "editMessageText",
                lambda: bot.edit_message_text(
                    action.text,
                    chat_id=chat_id,
                    message_id=draft,
                    reply_markup=action.keyboard,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                ),
                give_up=False,
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                log.info("editMessageText refused (%s): the answer goes as a new message", type(exc).__name__)
                sent = await self._send(chat_id, action)
                return sent.message_id if sent is not None else None
        except (Forbidden, InvalidToken, RetryAfter, NetworkError) as exc:
            log.error("editMessageText failed: %s", type(exc).__name__)
            return None
        return draft

    async def _recall_button(self, update: Update) -> None:
        """A pressed button whose long payload this process does not know (another replica sent the keyboard, or
        this one restarted since): look it up in the database."""
        query = update.callback_query
        data = query.data if query is not None else None
        if self.buttons is None or not data or not data.startswith(PayloadMap.PREFIX):
            return
        if self.payloads.decode(data) is None:
            payload = await self.buttons.recall(data)
            if payload is not None:
                self.payloads.remember(payload)

    async def _retire_keyboard(self, chat_id: int, newest: int) -> None:
        """Only the newest keyboard stays: the one before it is taken off, so an old step's button cannot be pressed
        (the engine also recognises presses on older messages, for a keyboard that could not be removed)."""
        older = self.keyboards.get(chat_id)
        self.keyboards[chat_id] = newest
        if older is None or older == newest:
            return
        with contextlib.suppress(TelegramError):
            await self._app().bot.edit_message_reply_markup(chat_id=chat_id, message_id=older, reply_markup=None)

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
        if self.keyboards.get(message.chat.id) == message.message_id:  # its keyboard goes now
            del self.keyboards[message.chat.id]
        text = f"{message.text}\n\n{self.texts.get('telegram.chosen', label=label)}"
        if utf16_len(text) > MAX_MESSAGE_CHARS:
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
        """Call the Bot API; retry network errors, timeouts and flood control with backoff (tenacity).

        Flood control waits as long as Telegram asks; network errors wait `retry_base_delay`, doubling up to
        `retry_max_delay`. Returns None when it gives up (logged). With give_up=False the last error is raised instead.
        """
        attempts = attempts or self.retry_attempts
        backoff = Backoff(self.retry_base_delay, self.retry_max_delay)

        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome is not None else None
            wait = state.next_action.sleep if state.next_action is not None else 0.0
            log.info("%s: %s, retrying in %.2f s", what, type(error).__name__, wait)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            retry=retry_if_exception(retryable),
            wait=backoff,
            before_sleep=before_sleep,
            reraise=True,
        )

        async def attempt() -> T:  # a coroutine function: tenacity would not await what a plain lambda returns
            return await call()

        try:
            return await retrying(attempt)
        except (BadRequest, Forbidden, InvalidToken) as exc:  # retrying cannot help
            if not give_up:
                raise
            log.warning("%s refused by Telegram: %s", what, type(exc).__name__)
            return None
        except (RetryAfter, NetworkError) as exc:  # NetworkError includes TimedOut and 5xx answers
            if not give_up:
                raise
            log.error("%s failed after %d attempts: %s", what, attempts, type(exc).__name__)
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


def pack_answer(replies: list[Reply], draft: int | None) -> bytes:
    """The answer kept in the inbox: the replies (as dump_replies), with the id of the message that showed the
    answer being written, if any (its final text is an edit of that message, also on a replay)."""
    if draft is None:
        return dump_replies(replies)
    return json.dumps({"draft": draft, "replies": json.loads(dump_replies(replies))}, ensure_ascii=False).encode()


def unpack_answer(data: bytes) -> tuple[list[Reply], int | None]:
    """Inverse of pack_answer (an answer kept before live answers existed is a plain list)."""
    if not data.lstrip().startswith(b"{"):
        return load_replies(data), None
    kept = json.loads(data)
    return load_replies(json.dumps(kept["replies"]).encode()), int(kept["draft"])


def update_key(settings: TelegramSettings, update_id: int) -> str:
    """The seen-messages key of one update: per bot (the token's numeric id), apart from every WeChat key."""
    bot_id = settings.token.get_secret_value().split(":", 1)[0]
    return f"telegram-update|{bot_id}|{update_id}"


def _user(update: Update) -> str:
    """The engine's key of the update's sender ("" when there is none), for erasing their inbox entries."""
    return user_key(update.effective_user.id) if update.effective_user is not None else ""
