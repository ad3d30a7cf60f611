"""Named random streams (common random numbers) and the model calendar."""

import numpy as np

from districtsim import calendar
from districtsim.params import Associations
from districtsim.rng import Streams, stream_key


def _draw(streams: Streams, name: str, month: int | None = None) -> np.ndarray:
    return streams.get(name, month).random(8)


def test_same_seed_name_month_gives_identical_draws():
    a = _draw(Streams(42), "migration", 5)
    b = _draw(Streams(42), "migration", 5)
    np.testing.assert_array_equal(
        a, b, err_msg="expected the same (seed, name, month) to give identical draws"
    )
    s = Streams(42)
    np.testing.assert_array_equal(
        _draw(s, "init.ties"),
        _draw(s, "init.ties"),
        err_msg="expected a stream fetched twice to restart its sequence",
    )


def test_different_names_months_and_seeds_differ():
    ref = _draw(Streams(42), "migration", 5)
    for label, other in (
        ("name", _draw(Streams(42), "mobilisation", 5)),
        ("month", _draw(Streams(42), "migration", 6)),
        ("seed", _draw(Streams(43), "migration", 5)),
        ("month given or not", _draw(Streams(42), "migration")),
    ):
        assert not np.array_equal(ref, other), (
            f"expected a different {label} to give different draws"
        )


def test_other_streams_do_not_shift_a_stream():
    s = Streams(7)
    alone = _draw(s, "communication", 3)
    s2 = Streams(7)
    s2.get("intervention.new", 3).random(1000)
    _draw(s2, "migration", 3)
    np.testing.assert_array_equal(
        _draw(s2, "communication", 3),
        alone,
        err_msg=(
            "expected draws from other streams not to change this stream (common random numbers)"
        ),
    )


def test_stream_key_is_stable():
    assert stream_key("migration") == stream_key("migration"), (
        "expected the same name to give the same key"
    )
    assert stream_key("migration") != stream_key("mobilisation"), (
        "expected different names to give different keys"
    )
    assert stream_key("a") == 3904355907, "expected CRC-32 of the name, not Python's salted hash"


def test_month_zero_is_october():
    assert calendar.calendar_month(0) == 10, "expected model month 0 to be October"
    months = [calendar.calendar_month(t) for t in range(13)]
    assert months == [10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (
        "expected months to run October to September and wrap"
    )


def test_is_call_month_every_october():
    calls = [t for t in range(60) if calendar.is_call_month(t)]
    assert calls == [0, 12, 24, 36, 48], (
        "expected the call to open each October (months 0, 12, 24, ...)"
    )


def test_program_year():
    assert [calendar.program_year(t) for t in (0, 11, 12, 23, 24, 239)] == [0, 0, 1, 1, 2, 19], (
        "expected program years of 12 months starting in October"
    )


def test_year_end_is_september():
    ends = [t for t in range(36) if calendar.is_year_end(t)]
    assert ends == [11, 23, 35], "expected the last month of each program year to be September"


def test_is_festival_month():
    festival = Associations().festival_months  # May, June, August, September
    got = [calendar.calendar_month(t) for t in range(12) if calendar.is_festival_month(t, festival)]
    assert got == [5, 6, 8, 9], "expected festivals in May, June, August and September"
    assert calendar.is_festival_month(7, festival), (
        "expected model month 7 (May) to be a festival month"
    )
    assert not calendar.is_festival_month(0, festival), (
        "expected October not to be a festival month"
    )
    assert not calendar.is_festival_month(0, ()), (
        "expected no festival months when none are declared"
    )
