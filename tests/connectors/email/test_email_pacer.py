"""Sends are paced to the relay's rate on a schedule, absorbing the work between them."""

from __future__ import annotations

from connectors.email.pacer import Pacer, shared_pacer


class FakeTime:
    """A clock that only moves when someone sleeps or works."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_sends_are_spaced_by_the_interval_and_work_between_them_is_absorbed() -> None:
    time = FakeTime()
    pacer = Pacer(4.0, clock=time.clock, sleep=time.sleep)
    starts = []
    for work in (0.0, 0.1, 0.2, 0.0):
        pacer.wait()
        starts.append(time.now)
        time.now += work
    assert starts == [100.0, 100.25, 100.5, 100.75]
    assert time.slept == [0.25, 0.15, 0.05]


def test_a_late_caller_earns_no_burst() -> None:
    time = FakeTime()
    pacer = Pacer(2.0, clock=time.clock, sleep=time.sleep)
    pacer.wait()
    time.now += 5.0  # idle for a while
    pacer.wait()
    pacer.wait()
    assert time.slept == [0.5]


def test_no_rate_never_waits() -> None:
    time = FakeTime()
    pacer = Pacer(None, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        pacer.wait()
    assert time.slept == []


def test_notifiers_of_one_relay_share_its_pace() -> None:
    relay = ("smtp.example.com", 587)
    assert shared_pacer(relay, 5.0) is shared_pacer(relay, 5.0)
    assert shared_pacer(relay, 5.0) is not shared_pacer(("other.example.com", 587), 5.0)
    assert shared_pacer(relay, None).interval is None
