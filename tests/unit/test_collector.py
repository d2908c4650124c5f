"""The collector paused while a heavy library loads: no collection inside, and on again after as it was."""

from __future__ import annotations

import gc
import threading

import pytest

from shared.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_on_after() -> object:
    was = gc.isenabled()
    yield None
    if was:
        gc.enable()
    else:
        gc.disable()


def test_no_collection_runs_inside_and_the_collector_is_on_after() -> None:
    gc.enable()
    seen: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(count)
    try:
        with collector_paused():
            assert not gc.isenabled()
            kept = [[i] for i in range(50_000)]  # enough allocations for dozens of young collections
            assert seen == []
        assert gc.isenabled()
    finally:
        gc.callbacks.remove(count)
    assert len(kept) == 50_000


def test_a_collector_that_was_off_stays_off_and_an_error_still_restores_it() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the import failed")
    assert gc.isenabled()


def test_nested_and_concurrent_pauses_end_with_the_collector_on() -> None:
    gc.enable()
    inside = threading.Barrier(2)

    def other() -> None:
        with collector_paused():
            inside.wait()
            inside.wait()

    thread = threading.Thread(target=other)
    thread.start()
    with collector_paused():
        inside.wait()  # both inside
        with collector_paused():
            pass
        assert not gc.isenabled()
    inside.wait()
    thread.join()
    assert gc.isenabled()
