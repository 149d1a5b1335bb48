"""A data step's validation rules, applied to what a user submits for it.

Every rule is applied and every failure returned, by field, so that a form can show them all
at once; nothing is saved when any fails (the caller's part). A rule other than `required`
says nothing of a field left empty: whether it must be filled is `required`'s to say, as in
an HTML form. A value of the wrong kind for its rule (a word where a number is due) fails
that rule with the rule's own message.

Rules are checked when they are written (`schemas.check_rule_value`), so a rule's parameter
is known to fit its type here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from dreamery.core.emails import normalize_email
from dreamery.models.enums import ValidationRuleType


class Rule(Protocol):
    """What a rule is made of: a stored `ValidationRule`, or its read schema."""

    @property
    def field(self) -> str: ...
    @property
    def rule_type(self) -> ValidationRuleType: ...
    @property
    def value(self) -> Any: ...
    @property
    def message(self) -> str: ...
    @property
    def order(self) -> int: ...


@dataclass(frozen=True)
class RuleFailure:
    """One rule a submission failed: the field, the rule and the rule's message."""

    field: str
    rule_type: ValidationRuleType
    message: str


def failed_rules(
    rules: Iterable[Rule], data: Mapping[str, Any], *, today: date
) -> list[RuleFailure]:
    """Every rule of `rules` that `data` fails, in the rules' order; `today` is the date that
    a `date_range` bound of "today" means (the case's, not the server's)."""
    failures: list[RuleFailure] = []
    for rule in sorted(rules, key=lambda rule: rule.order):
        value = data.get(rule.field)
        if _empty(value):
            passed = rule.rule_type is not ValidationRuleType.REQUIRED
        else:
            passed = _passes(rule.rule_type, rule.value, value, today)
        if not passed:
            failures.append(RuleFailure(rule.field, rule.rule_type, rule.message))
    return failures


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | dict) and not value


def _passes(kind: ValidationRuleType, parameter: Any, value: Any, today: date) -> bool:
    if kind is ValidationRuleType.REQUIRED:
        return True  # not empty, or it would not be here
    if kind in (ValidationRuleType.MIN_LENGTH, ValidationRuleType.MAX_LENGTH):
        if not isinstance(value, str | list):
            return False
        size = len(value.strip()) if isinstance(value, str) else len(value)
        limit = int(parameter)
        return size >= limit if kind is ValidationRuleType.MIN_LENGTH else size <= limit
    if kind in (ValidationRuleType.MIN_VALUE, ValidationRuleType.MAX_VALUE):
        number = _number(value)
        if number is None:
            return False
        bound = Decimal(str(parameter))
        return number >= bound if kind is ValidationRuleType.MIN_VALUE else number <= bound
    if kind is ValidationRuleType.PATTERN:
        # As the design's `RegExp.test`: the pattern's anchors say whether it is the whole.
        return isinstance(value, str) and re.search(parameter, value) is not None
    if kind is ValidationRuleType.EMAIL:
        return isinstance(value, str) and _is_email(value)
    if kind is ValidationRuleType.ONE_OF:
        return isinstance(value, str) and value in parameter
    if kind is ValidationRuleType.DATE_RANGE:
        day = _day(value)
        if day is None:
            return False
        low, high = (_bound(parameter.get(end), today) for end in ("min", "max"))
        return (low is None or day >= low) and (high is None or day <= high)
    raise AssertionError(f"no check for rule type {kind!r}")  # a new type needs its check


def _number(value: Any) -> Decimal | None:
    """A number, or the text of one as a form sends it ("1,250.50" is not one: ambiguous)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _is_email(value: str) -> bool:
    try:
        normalize_email(value)
    except ValueError:
        return False
    return True


def _day(value: Any) -> date | None:
    """A calendar date written as ISO's YYYY-MM-DD; a time of day is not a date."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _bound(bound: Any, today: date) -> date | None:
    if bound is None:
        return None
    return today if bound == "today" else date.fromisoformat(bound)
