"""A bounded, time-limited memo for values built per viewer (a scope's compiled condition or statement): kept a
while, shared by the threads of a web process, forgotten oldest first past its size."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import TTLCache

V = TypeVar("V")


class Memo(Generic[V]):
    """``cachetools.TTLCache`` under a lock (it is not thread-safe by itself). A value is built outside the lock:
    two threads asking at once may both build it, which is harmless for pure builds."""

    def __init__(self, *, maxsize: int, seconds: float, timer: Callable[[], float] = time.monotonic) -> None:
        self._cache: TTLCache = TTLCache(maxsize=maxsize, ttl=seconds, timer=timer)
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        with self._lock:
            found = self._cache.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        value = build()
        with self._lock:
            self._cache[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


_MISSING = object()
