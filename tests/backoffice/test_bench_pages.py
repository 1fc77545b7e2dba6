"""The pure parts of ``python -m bench pages`` (the benchmark itself never runs in the suite):
the percentile, the targets check that decides its exit status, and the pages it covers."""

import pytest

from bench import BENCHMARKS
from bench.http_load import _p
from bench.pages import (
    PAGES,
    TARGET_CONCURRENT_P95_MS,
    TARGET_SEQUENTIAL_P95_MS,
    target_failures,
)


def _figures(*, seq=20.0, conc=90.0, queries=12, errors=0):
    return {
        "sequential_p50_ms": seq / 2,
        "sequential_p95_ms": seq,
        "concurrent_p50_ms": conc / 2,
        "concurrent_p95_ms": conc,
        "requests": [20, 40],
        "errors": errors,
        "queries": queries,
    }


def _pages(small=None, large=None):
    return {
        "payday dashboard": {
            "path": {"200": "/payroll/", "10000": "/payroll/"},
            "roles": {"payroll": {"200": small or _figures(), "10000": large or _figures()}},
        }
    }


def test_percentiles_are_the_inclusive_quantiles_of_the_timings():
    timings = [float(t) for t in range(200, 0, -10)]  # 20 requests, 200 ms down to 10 ms
    assert _p(timings, 95) == 190.5
    assert _p(timings, 50) == 105.0
    assert _p([7.0], 95) == 7.0
    assert _p([], 95) == 0.0


def test_targets_hold_when_fast_error_free_and_query_counts_equal():
    assert target_failures(_pages(), small=200, large=10_000) == []


@pytest.mark.parametrize(
    ("large", "words"),
    [
        (_figures(seq=TARGET_SEQUENTIAL_P95_MS + 0.1), "sequential_p95_ms 60.1"),
        (_figures(conc=TARGET_CONCURRENT_P95_MS + 0.1), "concurrent_p95_ms 200.1"),
        (_figures(queries=13), "12 queries at 200, 13 at 10000"),
        (_figures(errors=3), "3 failed requests at 10000"),
        (_figures(queries=None), "no query count at 10000"),
        ({"errors": "not measured", "queries": 12}, "sequential_p95_ms None"),
    ],
)
def test_each_missed_target_fails_the_benchmark_and_says_which(large, words):
    failures = target_failures(_pages(large=large), small=200, large=10_000)
    assert any(f.startswith("payday dashboard as payroll: ") and words in f for f in failures), (
        failures
    )


def test_slow_pages_at_the_small_size_do_not_count_but_their_errors_do():
    """The targets are for the large size; at 200 only correctness (errors, counts) counts."""
    slow = _figures(seq=500.0, conc=900.0)
    assert target_failures(_pages(small=slow), small=200, large=10_000) == []
    failures = target_failures(_pages(small=_figures(errors=1)), small=200, large=10_000)
    assert failures == ["payday dashboard as payroll: 1 failed requests at 200"]


def test_the_benchmark_covers_every_page_of_issue_14_and_is_registered():
    labels = {page.label for page in PAGES}
    for page in (
        "payday dashboard",
        "run review (calculated run)",
        "run detail (paid run)",
        "admin payslip changelist",
        "payroll register (latest paid run)",
        "admin employee changelist with a search",
        "home",
        "employee list",
        "trial balance",
        "general ledger",
        "general ledger CSV",
        "budget dashboard",
        "admin journal entries",
    ):
        assert page in labels
    assert all(page.roles for page in PAGES)
    assert BENCHMARKS["pages"].module == "bench.pages"
