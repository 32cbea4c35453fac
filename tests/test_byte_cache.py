"""The live tables' cache holds at most its bound in bytes, newest kept."""

from __future__ import annotations

from lib.byte_cache import ByteCache


def test_the_table_cache_stays_under_its_bound_in_bytes():
    cache = ByteCache(1000)
    for key in range(20):
        assert cache.get(key, lambda key=key: bytes(300)) == bytes(300)
        assert cache.size <= 1000
    assert len(cache) == 3
    calls = []
    cache.get(19, lambda: calls.append(1) or b"")  # the newest entry is still there: not built again
    assert not calls
    assert cache.get("big", lambda: bytes(5000)) == bytes(5000) and cache.size <= 1000  # too big to keep
