"""Percentiles used for the latency figures."""

import pytest

from bench.stats import latency_summary, percentile


def test_percentile_matches_numpy_linear_definition():
    np = pytest.importorskip("numpy")
    values = [0.3, 12.0, 5.5, 7.0, 1.0, 99.0, 42.0]
    for p in (0, 10, 50, 90, 95, 99, 100):
        assert percentile(values, p) == pytest.approx(float(np.percentile(values, p)))


def test_percentile_interpolates_between_ranks():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 20], 95) == pytest.approx(19.5)


def test_percentile_ignores_input_order_and_handles_one_value():
    assert percentile([3, 1, 2], 0) == 1
    assert percentile([3, 1, 2], 100) == 3
    assert percentile([7.0], 99) == 7.0


@pytest.mark.parametrize("p", [-1, 101])
def test_percentile_rejects_out_of_range(p):
    with pytest.raises(ValueError):
        percentile([1, 2], p)


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 50)


def test_latency_summary_in_milliseconds():
    summary = latency_summary([0.010, 0.020, 0.030, 0.040, 1.0])
    assert summary["count"] == 5
    assert summary["p50_ms"] == 30.0
    assert summary["max_ms"] == 1000.0
    assert summary["p99_ms"] > summary["p95_ms"] > summary["p50_ms"]
