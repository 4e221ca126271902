"""Channels (⑥), WeChat delivery: the 5-second rule, retries of one MsgId handled once, replies never lost.

WeChat waits 5 seconds for the answer to a callback, then retries the same message (same MsgId) twice more. Each
message becomes one `Job` (its texts are computed once, whatever the retries); every callback attempt waits up to
`budget` seconds for it. Then, in order of preference:

1. the answer is ready and is one message: it goes back passively, in the HTTP response;
2. the answer is long or late, and the account may push (customer-service or WeCom app messages): it is pushed, in
   order, behind anything already being pushed to that person; a late answer gets a short passive "working on it";
3. the account cannot push: attempts 1 and 2 stay silent a little past WeChat's timeout so that WeChat retries, and
   the retry takes the answer passively; past the last attempt the answer waits in the outbox (storage). The passive
   reply always answers what was just asked (its first part); further parts and late answers wait in the outbox,
   and the reply says how many; "继续" hands them over, oldest first.

Past capacity (`Pace`: the answers finishing now could not reach a new message within its budget), a push-capable
account acknowledges at once instead of holding the callback open for the whole budget, so the acknowledgement is
never what runs late. Past `max_backlog` messages still being computed, a new message is not taken on at all: it is
answered at once that the bot is busy and should be sent again in a minute (nothing is recorded, so nothing
acknowledged is lost, and the work in hand is not slowed further). Once a burst of work has drained, the freed heap
goes back to the system (`trim_heap`).

Exactly one of these claims a job. A job nobody claimed in time (WeChat gave up) goes to the outbox, so nothing is
lost; a retry of a claimed job gets an empty "success".

With a `Journal` (storage/inbox_repo.py), every message is recorded in the database before anything is computed
(WeCom: before the callback is acknowledged), its texts are kept once computed, and it is marked done only when they
have gone somewhere (passive reply, push, outbox). A retry that reaches another instance finds the id taken and is
not answered twice; a restart `resume`s what the last run left unfinished, so WeChat's retry after a restart joins
the resumed job and gets the answer, computed now or kept from before the crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.channels.wechat.pace import Pace
from bot.contract.wire import dump_texts, load_texts
from bot.locks import KeyedLocks
from bot.memory import trim_heap
from bot.storage.outbox_repo import Outbox
from bot.texts import Texts

log = logging.getLogger(__name__)

Push = Callable[[str, str], Awaitable[None]]  # (user key, text); raises when the platform refuses
Compute = Callable[[], Coroutine[Any, Any, list[str]]]
MIN_WAIT = 0.05  # a callback that arrives late still waits this long for an answer that is nearly ready
TRIM_AFTER = 50  # answers finished since the heap was last trimmed: a burst worth handing memory back after
TRIM_IDLE = 2.0  # seconds with nothing computing before the trim


class Journal(Protocol):
    """Messages recorded until answered, shared by every process (bot.storage.inbox_repo.Inbox)."""

    async def take(self, channel: str, key: str, user_key: str, payload: bytes) -> int | None:
        """Record a message; its entry id, or None when the id was taken before."""
        ...

    async def answered(self, entry: int, answer: bytes) -> None:
        """Keep the computed answer."""
        ...

    async def done(self, entry: int) -> None:
        """The answer has gone somewhere."""
        ...


class AlreadyHandled(Exception):
    """The message id was taken on by an earlier process or another instance: nothing to compute or send."""


@dataclass
class Job:
    """One WeChat message, whatever the number of callback attempts."""

    user_key: str
    task: asyncio.Task[list[str]]
    created: float
    recorded: asyncio.Future[int | None]  # the journal entry, once the message is in the database
    attempts: int = 0
    settled: asyncio.Event = field(default_factory=asyncio.Event)  # set once the texts have gone somewhere
    _claimed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def claimed(self) -> bool:
        """True once one path (passive, push, outbox) owns the texts."""
        return self._claimed.is_set()

    def claim(self) -> None:
        """Take ownership of the texts."""
        self._claimed.set()

    async def wait_claimed(self) -> None:
        """Until some path owns the texts."""
        await self._claimed.wait()


class Delivery:
    """Decide, per callback attempt, what goes back passively and what is pushed or held."""

    def __init__(
        self,
        outbox: Outbox,
        texts: Texts,
        push: Push | None,
        *,
        budget: float = 4.0,
        hold: float = 1.0,
        max_attempts: int = 3,
        retry_window: float = 20.0,
        keep_jobs: int = 10_000,
        journal: Journal | None = None,
        channel: str = "",
        clock: Callable[[], float] = time.monotonic,
        release: Callable[[], None] | None = trim_heap,
        max_backlog: int = 0,
    ) -> None:
        self.outbox = outbox
        self.texts = texts
        self.push = push
        self.budget = budget
        self.hold = hold
        self.max_attempts = max_attempts
        self.retry_window = retry_window
        self.keep_jobs = keep_jobs
        self.journal = journal
        self.channel = channel  # the journal's channel name
        self.clock = clock
        self._jobs: OrderedDict[str, Job] = OrderedDict()  # not an LRU cache: `_trim` never drops an unsettled job
        self._tasks: set[asyncio.Task[Any]] = set()
        self._push_locks: KeyedLocks[str] = KeyedLocks()
        self.pace = Pace(clock)
        self.max_backlog = max_backlog  # messages computing at once beyond which new ones are turned away (0: never)
        self.computing = 0  # jobs whose texts are not computed yet
        self.release = release  # gives freed memory back once a burst has drained (None: never)
        self._since_release = 0
        self._releasing: asyncio.Task[None] | None = None

    # -- the callback side --------------------------------------------------------------------------------------

    def known(self, key: str) -> bool:
        """True for a message seen before (a WeChat retry)."""
        return key in self._jobs

    async def callback(
        self, key: str, user_key: str, compute: Compute, payload: bytes = b"", arrived: float | None = None
    ) -> str | None:
        """Handle one callback attempt for message `key` (`payload`: what a restart needs to compute it again;
        `arrived`: when the request came in, by `clock`; the budget counts from then, so time spent checking and
        recording it under load is not added on top); returns the passive reply text (None: reply "success")."""
        job = self._jobs.get(key)
        ahead = -1  # a retry: it waits like the first attempt did
        if job is None:
            if self.full():
                return self.texts.get("wechat.busy")  # not taken on: its retries are asked again
            ahead = self.computing
            job = self._new_job(key, user_key, compute, payload)
            self._spawn(self._settle(job))
        job.attempts += 1
        if job.claimed:
            return None
        spent = self.clock() - arrived if arrived is not None else 0.0
        left = max(MIN_WAIT, self.budget - spent)
        if self.push is not None and ahead > 0 and (self.pace.wait(ahead) or 0.0) > left:
            return await self._late(job)  # cannot be ready in time: acknowledge now, push it when it is
        try:
            texts = await asyncio.wait_for(asyncio.shield(job.task), left)
        except TimeoutError:
            return await self._late(job)
        except AlreadyHandled:  # the earlier process pushed or held the answer: hand over what is held, if any
            job.claim()
            job.settled.set()
            return None if self.push is not None else await self._hand_over(user_key, [])
        except Exception:
            log.exception("wechat: computing a reply failed")
            texts = [self.texts.get("wechat.error")]
        if job.claimed:  # another attempt took it while this one waited
            return None
        job.claim()
        try:
            return await self._hand_over(user_key, texts)
        finally:
            job.settled.set()

    async def enqueue(self, key: str, user_key: str, compute: Compute, payload: bytes = b"") -> None:
        """Push-only platforms (WeCom): record the message, then let the callback be answered; push the texts when
        ready; retries ignored. Raises when the message could not be recorded (the callback then fails and WeChat
        retries it)."""
        if self.push is None:
            raise ValueError("enqueue needs a push function")
        if key in self._jobs:
            return
        if self.full():
            self._spawn(self._push_busy(user_key))  # not taken on: told so, nothing recorded
            return
        job = self._new_job(key, user_key, compute, payload)
        job.claim()
        self._spawn(self._push_when_ready(job))
        try:
            await asyncio.shield(job.recorded)
        except Exception:
            self._jobs.pop(key, None)  # not taken on: WeChat's retry is a new message
            raise

    def full(self) -> bool:
        """True when `max_backlog` messages are still being computed: a new one would only wait behind them."""
        return 0 < self.max_backlog <= self.computing

    async def _push_busy(self, user_key: str) -> None:
        assert self.push is not None
        try:
            await self.push(user_key, self.texts.get("wechat.busy"))
        except Exception as exc:
            log.warning("wechat: the busy notice could not be pushed (%s)", type(exc).__name__)

    def resume(self, key: str, user_key: str, compute: Compute, entry: int, answer: bytes, *, retried: bool) -> None:
        """At start-up: a message the last run recorded and did not finish. Its kept texts (`answer`), or computed
        now; with `retried` (the Official Account) it waits for WeChat's retry like a new message and goes to the
        push or the outbox if none comes; otherwise (WeCom: the callback was acknowledged) it is pushed."""

        async def kept() -> list[str]:
            return load_texts(answer)

        job = self._new_job(key, user_key, kept if answer else compute, b"", entry=entry)
        if retried:
            self._spawn(self._settle(job))
        else:
            job.claim()
            self._spawn(self._push_when_ready(job))

    def _new_job(self, key: str, user_key: str, compute: Compute, payload: bytes, entry: int | None = None) -> Job:
        """Start computing message `key` once it is recorded and the database agrees no other process has taken it
        on (`entry`: recorded already, by the last run)."""
        recorded: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

        async def once() -> list[str]:
            taken = entry
            if taken is None and self.journal is not None:
                try:  # ids are per account
                    taken = await self.journal.take(self.channel, f"{user_key}|{key}", user_key, payload)
                except Exception as exc:
                    recorded.set_exception(exc)
                    raise
            recorded.set_result(taken)
            if taken is None and self.journal is not None:
                log.info("wechat: message taken on before (restart or another instance); not answered again")
                raise AlreadyHandled
            texts = await compute()
            if taken is not None and self.journal is not None:  # kept for a restart; not awaited: the 5 seconds run
                self._spawn(self.journal.answered(taken, dump_texts(texts)))  # queued before the entry's `done`
            return texts

        job = Job(user_key, asyncio.create_task(once()), self.clock(), recorded)
        self.computing += 1
        job.task.add_done_callback(self._computed)
        self._spawn(self._finish(job))
        self._jobs[key] = job
        self._trim()
        return job

    def _computed(self, task: asyncio.Task[list[str]]) -> None:
        """A job's texts are computed (or failed): count it, and after a drained burst give memory back."""
        self.computing -= 1
        self.pace.finished()
        self._since_release += 1
        idle = self.computing == 0 and self._since_release >= TRIM_AFTER
        if idle and self.release is not None and self._releasing is None:
            self._releasing = asyncio.create_task(self._release_when_idle(self.release))

    async def _release_when_idle(self, release: Callable[[], None]) -> None:
        try:
            await asyncio.sleep(TRIM_IDLE)
            if self.computing == 0:
                self._since_release = 0
                await asyncio.to_thread(release)
        finally:
            self._releasing = None

    async def _finish(self, job: Job) -> None:
        """Once the job's texts have gone somewhere, its journal entry is done."""
        await job.settled.wait()
        if self.journal is None or not job.recorded.done() or _failed(job.recorded):
            return
        entry = job.recorded.result()
        if entry is not None:
            await self.journal.done(entry)

    async def _late(self, job: Job) -> str | None:
        if job.claimed:  # an overlapping attempt (a retry sent while this one still waited) was late first
            return None
        if self.push is not None:
            job.claim()
            self._spawn(self._push_when_ready(job))
            return self.texts.get("wechat.working")
        if job.attempts < self.max_attempts:
            await asyncio.sleep(self.hold)  # past WeChat's timeout: it retries, and the retry may take the answer
            return None
        job.claim()
        self._spawn(self._hold_when_ready(job))
        return self.texts.get("wechat.later")

    async def _hand_over(self, user_key: str, texts: list[str]) -> str | None:
        if self.push is not None:
            busy = self._push_locks.locked(user_key)
            if busy or len(texts) > 1 or await self.outbox.pending(user_key):
                self._spawn(self._push_all(user_key, texts))  # behind what is being pushed, in order
                return None
            return texts[0] if texts else None
        if texts:  # answer what was just asked; anything longer waits for "继续"
            head, rest = texts[0], texts[1:]
            await self.outbox.push(user_key, rest)
            left = await self.outbox.pending(user_key)
        else:  # "继续": the oldest held part
            popped, left = await self.outbox.pop(user_key)
            if popped is None:
                return None
            head = popped
        return f"{head}\n{self.texts.get('wechat.more', left=left)}" if left else head

    # -- the background side ------------------------------------------------------------------------------------

    async def _result(self, job: Job) -> list[str]:
        try:
            return await job.task
        except AlreadyHandled:
            return []
        except Exception:
            if _failed(job.recorded):  # never recorded: nothing was taken on, nothing to say
                return []
            log.exception("wechat: computing a reply failed")
            return [self.texts.get("wechat.error")]

    async def _push_when_ready(self, job: Job) -> None:
        try:
            texts = await self._result(job)
            if texts:
                await self._push_all(job.user_key, texts)
        finally:
            job.settled.set()

    async def _hold_when_ready(self, job: Job) -> None:
        try:
            await self.outbox.push(job.user_key, await self._result(job))
        finally:
            job.settled.set()

    async def _settle(self, job: Job) -> None:
        """A job that no attempt claimed within WeChat's retry window goes to the outbox (or is pushed)."""
        texts = await self._result(job)
        remaining = job.created + self.retry_window - self.clock()
        if remaining > 0 and not job.claimed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.wait_claimed(), remaining)
        await self._unclaimed(job, texts)

    async def _unclaimed(self, job: Job, texts: list[str]) -> None:
        if job.claimed:
            return
        job.claim()
        try:
            if not texts:  # taken on by another process: nothing of ours to send
                return
            if self.push is not None:
                await self._push_all(job.user_key, texts)
            else:
                await self.outbox.push(job.user_key, texts)
        finally:
            job.settled.set()

    async def _push_all(self, user_key: str, texts: list[str]) -> None:
        """Push held texts, then these, in order; whatever the platform refuses is held for the next message."""
        assert self.push is not None
        async with self._push_locks.lock(user_key):
            queue = [*await self.outbox.drain(user_key), *texts]
            for i, text in enumerate(queue):
                try:
                    await self.push(user_key, text)
                except Exception as exc:  # any refusal: keep the rest for the next message
                    log.warning("wechat: push failed (%s); %d message(s) held", type(exc).__name__, len(queue) - i)
                    await self.outbox.push(user_key, queue[i:])
                    return

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _trim(self) -> None:
        """Forget settled jobs once WeChat can no longer retry them, or when there are too many."""
        horizon = self.clock() - 3 * self.retry_window
        while self._jobs:
            _, old = next(iter(self._jobs.items()))
            if not old.settled.is_set():
                break  # never forget a job whose texts have not gone anywhere yet
            if len(self._jobs) <= self.keep_jobs and old.created > horizon:
                break
            self._jobs.popitem(last=False)

    async def close(self, timeout: float = 30.0) -> None:
        """Let running jobs finish; whatever no attempt claimed is pushed or held now rather than lost."""

        async def finish(job: Job) -> None:
            await self._unclaimed(job, await self._result(job))

        waiting = [finish(job) for job in list(self._jobs.values()) if not job.claimed]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*waiting), timeout)
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
        if self._releasing is not None:
            self._releasing.cancel()


def _failed(recorded: asyncio.Future[int | None]) -> bool:
    """True when recording the message in the journal failed (or was cancelled)."""
    return recorded.done() and (recorded.cancelled() or recorded.exception() is not None)
