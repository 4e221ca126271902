"""Shared, stage 0: `KeyedLocks`, one asyncio.Lock per key (a user), kept only while someone holds or awaits it."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class KeyedLocks(Generic[K]):
    """Per-key mutual exclusion: `async with locks.lock(key):` serialises work on one key, others run concurrently.

    The map holds its locks weakly: a lock lives while a coroutine holds it or waits for it (their frames keep a
    reference), then its entry vanishes, so the map never grows with the number of keys ever seen. asyncio locks are
    FIFO, so callers that take the lock before they first suspend run in the order they arrived.
    """

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[K, asyncio.Lock] = weakref.WeakValueDictionary()

    def lock(self, key: K) -> asyncio.Lock:
        """The lock for `key`: the one in use, else a new one."""
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    def locked(self, key: K) -> bool:
        """True while someone holds the lock for `key` (without making one)."""
        lock = self._locks.get(key)
        return lock is not None and lock.locked()

    def __len__(self) -> int:
        """How many keys have a lock in use (held or awaited)."""
        return len(self._locks)
