"""The model calendar: month 0 is October, the start of the program year [S3].

Calendar questions are named functions of the step counter, never scattered
``% 12`` arithmetic.
"""

from __future__ import annotations

START_CALENDAR_MONTH = 10
"""Calendar month (1-12) of model month 0: October [S3]."""


def calendar_month(t: int) -> int:
    """Return the calendar month (1 = January ... 12 = December) of model month ``t``."""
    return (START_CALENDAR_MONTH - 1 + t) % 12 + 1


def month_of_year_index(t: int) -> int:
    """Return the row (0-11) of month ``t`` in a rolling 12-month history."""
    return t % 12


def program_year(t: int) -> int:
    """Return the program year (0-based; each runs October to September) of month ``t``."""
    return t // 12


PROGRAM_STAGES: dict[str, tuple[int, ...]] = {
    "call": (10,),
    "sparring": (11, 12),
    "complementing": (12, 1),
    "selection": (2,),
    "benchmarking": (3, 4),
    "structuring": (5,),
    "evaluation": (6,),
    "continuation": (9,),
}
"""Calendar months (1-12) of each stage of the innovation-platform program year [S3]."""


def is_stage_month(stage: str, t: int) -> bool:
    """Return True when month ``t`` falls in the program year's ``stage`` (PROGRAM_STAGES)."""
    return calendar_month(t) in PROGRAM_STAGES[stage]


def stage_length_months(stage: str) -> int:
    """Return how many months a stage of the program year lasts (its effect is split over them)."""
    return len(PROGRAM_STAGES[stage])


def is_call_month(t: int) -> bool:
    """Return True in October, when the innovation-platform call opens [S3]."""
    return is_stage_month("call", t)


def is_year_end(t: int) -> bool:
    """Return True in September, the last month of a program year."""
    return is_stage_month("continuation", t)


def is_festival_month(t: int, festival_months: tuple[int, ...]) -> bool:
    """Return True when outdoor festivals can be held (no meeting place needed)."""
    return calendar_month(t) in festival_months
