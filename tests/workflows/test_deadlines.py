"""Due dates from due rules: calendar and business days, weekends and state holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from dreamery.workflows.deadlines import DueRule, HolidayCalendar, due_date

CALIFORNIA = HolidayCalendar("US", "CA")
NEW_YORK = HolidayCalendar("us", "ny")
FRIDAY = date(2026, 10, 2)


def rule(days: int, unit: str = "business", direction: str = "after") -> DueRule:
    return DueRule.model_validate(
        {"days": days, "unit": unit, "direction": direction, "key_date": "acceptance"}
    )


def test_business_days_count_from_the_day_after_and_skip_the_weekend() -> None:
    assert due_date(rule(3), FRIDAY, CALIFORNIA) == date(2026, 10, 7)  # Wednesday
    assert due_date(rule(1), FRIDAY, CALIFORNIA) == date(2026, 10, 5)  # Monday
    assert due_date(rule(3, direction="before"), date(2026, 10, 7), CALIFORNIA) == FRIDAY


def test_calendar_days_are_counted_as_they_are() -> None:
    assert due_date(rule(3, "calendar"), FRIDAY, CALIFORNIA) == date(2026, 10, 5)
    assert due_date(rule(10, "calendar", "before"), FRIDAY, CALIFORNIA) == date(2026, 9, 22)


def test_a_states_own_holidays_move_its_deadlines() -> None:
    wednesday = date(2026, 11, 25)  # Thanksgiving is Thursday the 26th, everywhere in the US
    # The day after is a holiday in California, not in New York.
    assert CALIFORNIA.holiday(date(2026, 11, 27)) == "Day After Thanksgiving"
    assert NEW_YORK.holiday(date(2026, 11, 27)) is None
    assert due_date(rule(1), wednesday, NEW_YORK) == date(2026, 11, 27)
    assert due_date(rule(1), wednesday, CALIFORNIA) == date(2026, 11, 30)
    # Closing three business days out from before the New Year.
    assert due_date(rule(3), date(2026, 12, 30), NEW_YORK) == date(2027, 1, 5)


def test_zero_business_days_is_the_nearest_business_day_in_the_rules_direction() -> None:
    saturday = date(2026, 10, 3)
    assert due_date(rule(0, direction="before"), saturday, CALIFORNIA) == FRIDAY
    assert due_date(rule(0), saturday, CALIFORNIA) == date(2026, 10, 5)
    assert due_date(rule(0), FRIDAY, CALIFORNIA) == FRIDAY


def test_bad_rules_and_places_are_refused_naming_what_is_wrong() -> None:
    with pytest.raises(ValidationError, match="only be 'after'"):
        DueRule.model_validate({"days": 2, "direction": "before"})
    for bad in ({"days": -1}, {"days": 1, "unit": "fortnights"}, {"days": 1, "key_date": "X Y"}):
        with pytest.raises(ValidationError):
            DueRule.model_validate(bad)
    with pytest.raises(ValueError, match="country: no public holidays known for 'XX'"):
        HolidayCalendar("XX")
    with pytest.raises(ValueError, match="state: US has no subdivision 'ZZ'"):
        HolidayCalendar("US", "ZZ")


def test_rules_read_in_words() -> None:
    assert rule(3).describe() == "3 business days after acceptance"
    assert DueRule(days=1).describe() == "1 calendar day after its dependencies are done"


@given(
    anchor=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    days=st.integers(min_value=1, max_value=40),
    direction=st.sampled_from(["before", "after"]),
)
def test_n_business_days_away_is_a_business_day_with_n_1_between(
    anchor: date, days: int, direction: str
) -> None:
    due = due_date(rule(days, direction=direction), anchor, CALIFORNIA)
    assert CALIFORNIA.is_business_day(due)
    low, high = sorted((anchor, due))
    between = [low + timedelta(n) for n in range(1, (high - low).days)]
    assert sum(map(CALIFORNIA.is_business_day, between)) == days - 1
    assert (due > anchor) == (direction == "after")
