"""Due dates of workflow steps: so many calendar or business days before or after a date.

A step's due rule counts from an anchor: one of the case's key dates (contract acceptance,
inspection deadline, closing...) or the day the steps it depends on were done. Business days
skip Saturdays, Sundays and the public holidays of the property's country and state, from
the maintained `holidays` package (a state's own holidays included: the day after
Thanksgiving is one in California and not in New York).

Counting follows contract practice: the anchor is day 0, so "3 business days after a
Friday acceptance" is the Wednesday after. Zero business days from a weekend or a holiday is
the nearest business day in the rule's direction (the Friday before a Saturday closing).
Calendar days are counted as they are; whether a deadline that falls on a weekend moves is
the contract's to say, and a rule in business days says it.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays
from pydantic import BaseModel, ConfigDict, Field, model_validator

from dreamery.cases.schemas import KeyDateName

MAX_DAYS = 3650


class DayCount(StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"


class Direction(StrEnum):
    BEFORE = "before"
    AFTER = "after"


class DueRule(BaseModel):
    """When a step is due: `days` `unit` days `direction` the key date `key_date`, or after
    the day its dependencies were done when `key_date` is None (then only "after")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int = Field(ge=0, le=MAX_DAYS)
    unit: DayCount = DayCount.CALENDAR
    direction: Direction = Direction.AFTER
    key_date: KeyDateName | None = None

    @model_validator(mode="after")
    def _after_dependencies(self) -> DueRule:
        if self.key_date is None and self.direction is Direction.BEFORE:
            raise ValueError(
                "a due rule counted from the steps it depends on can only be 'after' them"
            )
        return self

    def describe(self) -> str:
        """The rule in words: "3 business days after contract_acceptance"."""
        unit = f"{self.unit.value} day" + ("" if self.days == 1 else "s")
        anchor = self.key_date or "its dependencies are done"
        return f"{self.days} {unit} {self.direction.value} {anchor}"


class HolidayCalendar:
    """Which days are business days where a property is: `country` an ISO 3166-1 alpha-2
    code, `state` the subdivision code the `holidays` package knows (a US state: "CA")."""

    def __init__(self, country: str, state: str | None = None) -> None:
        self.country, self.state = country.upper(), state.upper() if state else None
        self._holidays = _holidays_of(self.country, self.state)

    def holiday(self, day: date) -> str | None:
        """The holiday's name when `day` is a public holiday there, else None."""
        name = self._holidays.get(day)
        return str(name) if name else None

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays


@lru_cache(maxsize=64)
def _holidays_of(country: str, state: str | None) -> holidays.HolidayBase:
    try:
        return holidays.country_holidays(country, subdiv=state)
    except NotImplementedError:
        if state is None or country not in holidays.list_supported_countries():
            raise ValueError(f"country: no public holidays known for {country!r}") from None
        known = ", ".join(holidays.list_supported_countries()[country])
        raise ValueError(
            f"state: {country} has no subdivision {state!r} (known: {known})"
        ) from None


def due_date(rule: DueRule, anchor: date, calendar: HolidayCalendar) -> date:
    """The day a step under `rule` is due, counted from `anchor` (the key date, or the day
    its dependencies were done)."""
    step = timedelta(days=1 if rule.direction is Direction.AFTER else -1)
    if rule.unit is DayCount.CALENDAR:
        return anchor + step * rule.days
    day = anchor
    if rule.days == 0:
        while not calendar.is_business_day(day):
            day += step
        return day
    counted = 0
    while counted < rule.days:
        day += step
        if calendar.is_business_day(day):
            counted += 1
    return day
