"""A least-recently-used cache bounded by the bytes it holds, not only by its number of entries.

The explorable's tables differ in size by page and K; a bound in entries alone let a learner sweeping K make the
server hold 64 tables of ~6.7 MB. Values are ``bytes``; their total length stays under ``max_bytes``. Thread-safe:
Streamlit runs each session's script in its own thread. Pure Python, no streamlit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class ByteCache:
    """``get(key, build)``: the cached bytes for ``key``, or ``build()``'s, kept while they fit ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """The bytes held now."""
        return self._size

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()  # outside the lock: another session's hit never waits for this build
        with self._lock:
            if key not in self._items and len(value) <= self.max_bytes:
                self._items[key] = value
                self._size += len(value)
                while self._size > self.max_bytes:
                    _, dropped = self._items.popitem(last=False)
                    self._size -= len(dropped)
        return value
