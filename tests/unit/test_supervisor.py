"""``make run``'s supervisor: a child that stops by itself is restarted, with backoff, up to a limit."""

from __future__ import annotations

from typing import List

import pytest

from bot.servers import GaveUp, RestartPolicy, Supervisor


class FakeChild:
    def __init__(self, fail_starts: int = 0) -> None:
        self.running, self.starts, self.fail_starts = False, 0, fail_starts

    def start(self) -> None:
        self.starts += 1
        if self.fail_starts:
            self.fail_starts -= 1
            raise RuntimeError("server exited with code 1 before it answered")
        self.running = True

    def stop(self) -> None:
        self.running = False

    def alive(self) -> bool:
        return self.running


def supervised(child: FakeChild) -> tuple[Supervisor, List[str], List[float]]:
    lines: List[str] = []
    return Supervisor({"action server": child}, say=lines.append), lines, []


def test_a_crashed_child_is_restarted_and_each_restart_is_said() -> None:
    child = FakeChild()
    supervisor, lines, sleeps = supervised(child)
    supervisor.start()
    supervisor.check(now=0, sleep=sleeps.append)
    assert child.starts == 1 and lines == []
    child.running = False  # kill -9
    supervisor.check(now=1, sleep=sleeps.append)
    assert child.alive() and child.starts == 2
    assert sleeps == [1.0]
    assert lines[0].startswith("The action server stopped by itself; restarting it in 1s")
    assert lines[-1] == "The action server is back."


def test_backoff_doubles_and_repeated_fast_crashes_give_up_loudly() -> None:
    child = FakeChild()
    supervisor, lines, sleeps = supervised(child)
    supervisor.start()
    for second in range(4):
        child.running = False
        supervisor.check(now=second, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    child.running = False
    with pytest.raises(GaveUp, match="action server stopped 5 times within 60s"):
        supervisor.check(now=5, sleep=sleeps.append)


def test_crashes_far_apart_never_give_up() -> None:
    child = FakeChild()
    supervisor, _, sleeps = supervised(child)
    supervisor.start()
    for minute in range(10):
        child.running = False
        supervisor.check(now=minute * 61.0, sleep=sleeps.append)
    assert child.starts == 11 and sleeps == [1.0] * 10


def test_a_restart_that_fails_counts_as_a_crash_and_is_retried() -> None:
    child = FakeChild()
    supervisor, lines, sleeps = supervised(child)
    supervisor.start()
    child.running, child.fail_starts = False, 2
    supervisor.check(now=0, sleep=sleeps.append)
    assert child.alive() and child.starts == 4
    assert sleeps == [1.0, 2.0, 4.0]
    assert sum("did not come back" in line for line in lines) == 2


def test_restart_policy_caps_the_delay() -> None:
    policy = RestartPolicy(limit=100, window=1e9)
    delays = [policy.delay_after_crash(now=float(n)) for n in range(8)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


def test_a_child_that_does_not_start_stops_the_start_with_its_logs_error(tmp_path) -> None:  # noqa: ANN001
    log = tmp_path / "rasa1.log"
    log.write_text("Traceback (most recent call last):\n  File \"x.py\", line 1\n"
                   "(Background on this error at: https://sqlalche.me/e/14/e3q8)\n"
                   "\x1b[91mConnectionException: Cannot connect to tracker store. The database did not answer "
                   "within 2 s\x1b[0m\n", encoding="utf-8")
    child = FakeChild(fail_starts=1)
    child.log = log  # type: ignore[attr-defined]
    with pytest.raises(GaveUp) as raised:
        Supervisor({"Rasa server 1": child}).start()
    assert str(raised.value) == (
        "The Rasa server 1 did not start: server exited with code 1 before it answered. "
        f"Its log ({log}) says: ConnectionException: Cannot connect to tracker store. The database did not "
        "answer within 2 s")
