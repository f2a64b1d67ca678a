"""The scale benchmark's capacity table: people chatting -> servers, cores and store load."""

from bench import scale


def test_capacity_follows_the_measured_cost_per_turn():
    measured = {"cpu_ms_per_turn": {"rasa_servers": 30.0, "action_servers": 3.0, "haproxy": 0.5},
                "postgresql_per_turn": {"transactions": 1.1, "rows_inserted": 7.8}, "redis_commands_per_turn": 11.5}
    small, middle, large = scale.capacity(measured, users=(100, 1_000, 10_000))
    # 10,000 people, one message per 15 s: 666.7 turns/s x 30 ms = 20 cores of Rasa, at most 70% busy -> 29
    assert large["turns_per_s"] == 666.7 and large["rasa_servers"] == 29 and large["action_servers"] == 3
    assert large["redis_commands_per_s"] == 7667 and large["postgresql_transactions_per_s"] == 733
    assert small["rasa_servers"] == 1 and small["cores"] == 1  # never fewer than one server
    assert middle["rasa_servers"] == 3


def test_the_median_run_is_the_middle_throughput():
    runs = [{"throughput_turns_per_s": x} for x in (53.1, 54.2, 53.8)]
    assert scale._median(runs)["throughput_turns_per_s"] == 53.8
