"""core.memo.Memo: a value is built once per key while it is fresh, again after it expires, and the oldest keys go
first past the size."""

from __future__ import annotations

import threading

from core.memo import Memo


def test_a_value_is_kept_while_fresh_and_rebuilt_after() -> None:
    now = [0.0]
    built: list[str] = []
    memo: Memo[str] = Memo(maxsize=10, seconds=60, timer=lambda: now[0])

    def build(key: str) -> str:
        built.append(key)
        return key.upper()

    assert memo.get("a", lambda: build("a")) == "A"
    now[0] = 59
    assert memo.get("a", lambda: build("a")) == "A" and built == ["a"]
    now[0] = 61
    assert memo.get("a", lambda: build("a")) == "A" and built == ["a", "a"]


def test_past_its_size_the_least_recently_used_key_goes() -> None:
    built: list[int] = []
    memo: Memo[int] = Memo(maxsize=2, seconds=60)
    for key in (1, 2, 1, 3, 1, 2):
        memo.get(key, lambda key=key: built.append(key) or key)
    assert built == [1, 2, 3, 2]  # 2 was evicted by 3 (1 was used since); 1 stayed


def test_threads_share_it() -> None:
    memo: Memo[int] = Memo(maxsize=100, seconds=60)
    errors: list[BaseException] = []

    def work(start: int) -> None:
        try:
            for i in range(2_000):
                key = (start + i) % 150
                assert memo.get(key, lambda key=key: key * 2) == key * 2
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n * 37,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
