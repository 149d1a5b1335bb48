"""A data step's validation rules applied to a submission: every failure at once, by field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dreamery.catalog.data import load_catalog
from dreamery.models.enums import ValidationRuleType as T
from dreamery.workflows.rules import RuleFailure, failed_rules
from dreamery.workflows.schemas import check_rule_value

TODAY = date(2026, 12, 1)


@dataclass(frozen=True)
class R:
    field: str
    rule_type: T
    value: Any = None
    message: str = "bad"
    order: int = 0


def fails(rule: R, value: Any, *, absent: bool = False) -> bool:
    check_rule_value(rule.rule_type, rule.value)  # only rules that could be stored
    data = {} if absent else {rule.field: value}
    return bool(failed_rules([rule], data, today=TODAY))


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (R("a", T.REQUIRED), ["x", 0, False, ["x"]], [None, "", "   ", [], {}]),
        (R("a", T.MIN_LENGTH, 3), ["abc", " abcd ", [1, 2, 3]], ["ab", " ab ", [1], 123]),
        (R("a", T.MAX_LENGTH, 3), ["abc", [1]], ["abcd", [1, 2, 3, 4], 12]),
        (R("a", T.MIN_VALUE, 100), [100, 100.5, "250", " 1e3 "], [99, "99.99", "lots", True]),
        (R("a", T.MAX_VALUE, 0.5), [0.5, -3, "0.25"], [0.51, "1", "NaN", "Infinity", [0]]),
        (R("a", T.PATTERN, r"^[A-Z]{2}-\d+$"), ["CA-12"], ["ca-12", "CA-12x", 12]),
        (R("a", T.EMAIL), ["pat@example.com"], ["pat@", "pat at example.com", 5]),
        (R("a", T.ONE_OF, ["cash", "loan"]), ["cash"], ["Cash", "lease", ["cash"]]),
        (
            R("a", T.DATE_RANGE, {"min": "2026-01-01", "max": "today"}),
            ["2026-01-01", "2026-12-01"],
            ["2025-12-31", "2026-12-02", "2026-02-30", "2026-06-01T10:00", "June 1", 20260601],
        ),
    ],
    ids=lambda value: value.rule_type.value if isinstance(value, R) else "",
)
def test_each_rule_type_passes_what_it_allows_and_fails_the_rest(
    rule: R, good: list[Any], bad: list[Any]
) -> None:
    for value in good:
        assert not fails(rule, value), (rule, value)
    for value in bad:
        assert fails(rule, value), (rule, value)


@pytest.mark.parametrize("kind", [kind for kind in T if kind is not T.REQUIRED])
def test_only_required_speaks_of_an_empty_field(kind: T) -> None:
    parameter: dict[T, Any] = {
        T.MIN_LENGTH: 2,
        T.MAX_LENGTH: 2,
        T.MIN_VALUE: 1,
        T.MAX_VALUE: 1,
        T.PATTERN: "^x$",
        T.ONE_OF: ["x"],
        T.DATE_RANGE: {"max": "today"},
    }
    rule = R("a", kind, parameter.get(kind))
    assert not fails(rule, None, absent=True)
    assert not fails(rule, "")
    assert fails(R("a", T.REQUIRED), None, absent=True)


def test_every_failure_comes_back_at_once_in_the_rules_order() -> None:
    rules = [
        R("price", T.MIN_VALUE, 1000, "at least 1,000", order=2),
        R("email", T.EMAIL, None, "an e-mail address", order=1),
        R("price", T.REQUIRED, None, "the price", order=0),
        R("type", T.ONE_OF, ["cash", "loan"], "cash or loan", order=3),
    ]
    got = failed_rules(rules, {"price": "999", "email": "x", "type": "loan"}, today=TODAY)
    assert got == [
        RuleFailure("email", T.EMAIL, "an e-mail address"),
        RuleFailure("price", T.MIN_VALUE, "at least 1,000"),
    ]
    right = {"price": 1000, "email": "a@b.co", "type": "cash"}
    assert failed_rules(rules, right, today=TODAY) == []


def test_today_is_the_date_given_not_the_servers() -> None:
    rule = R("closing", T.DATE_RANGE, {"min": "today"})
    assert failed_rules([rule], {"closing": "2026-11-30"}, today=TODAY)
    assert not failed_rules([rule], {"closing": "2026-11-30"}, today=date(2026, 11, 30))


def _seeded_rules() -> list[R]:
    rules = []
    for starter in load_catalog().starter.values():
        for workflow in starter.workflows:
            for step in workflow.steps:
                rules += [R(r.field, r.type, r.value, r.message) for r in step.rules]
    return rules


SEEDED = _seeded_rules()
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates().map(date.isoformat),
    st.lists(st.text(max_size=5), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@given(data=st.dictionaries(st.sampled_from(sorted({r.field for r in SEEDED})), VALUES))
def test_any_submission_is_judged_by_every_seeded_rule_without_an_error(
    data: dict[str, Any],
) -> None:
    """Whatever a form sends, each of the catalogue's rules answers pass or fail (never an
    exception), and only rules of the fields sent or required can fail."""
    failures = failed_rules(SEEDED, data, today=TODAY)
    required = {r.field for r in SEEDED if r.rule_type is T.REQUIRED}
    assert {f.field for f in failures} <= set(data) | required
    assert len(SEEDED) > 100
