"""Metric, dashboard and widget schemas."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from typing_extensions import TypedDict

from dreamery.core.schemas import (
    AwareDatetime,
    Description,
    EntityRead,
    InputSchema,
    JsonObject,
    Name,
    Slug,
    UpdateSchema,
    VersionedRead,
    pattern_explained,
)
from dreamery.models.analytics import GRID_COLUMNS
from dreamery.models.enums import MetricCategory, WidgetType

MetricName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_.]*$", min_length=1, max_length=100),
    pattern_explained("a metric name: lower-case letters, digits, _ and ., starting with a letter"),
]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]

# What a value may be, by unit: wide enough for any real book of business, narrow enough that
# a typo or a prank (1e9 percent) is refused. Other units get the last line.
VALUE_RANGES: dict[str, tuple[float, float]] = {
    "percent": (-100, 1_000),  # a share, or a change (down 100 % at most)
    "count": (0, 1_000_000_000),
    "score": (-100, 100),  # ratings and net promoter scores
    "usd": (-100_000_000_000, 100_000_000_000),
    "sqft": (0, 100_000_000),
    "minutes": (0, 52_560_000),  # a century
    "hours": (0, 876_000),
    "days": (0, 36_500),
}
ANY_UNIT = (-1_000_000_000_000, 1_000_000_000_000)
WHOLE_UNITS = frozenset({"count"})


def value_problem(unit: str, value: float) -> str | None:
    """Why `value` cannot be a metric in `unit`, or None."""
    if not math.isfinite(value):
        return "must be a finite number"
    low, high = VALUE_RANGES.get(unit.lower(), ANY_UNIT)
    if not low <= value <= high:
        return f"must be between {low:,g} and {high:,g} for a metric in {unit}"
    if unit.lower() in WHOLE_UNITS and not float(value).is_integer():
        return f"must be a whole number for a metric in {unit}"
    return None


MetricSort = Literal["timestamp", "created_at"]
DashboardSort = Literal["created_at", "name"]
WidgetSort = Literal["position", "position_y", "created_at"]


class AnalyticsMetricFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    role_id: str
    user_id: uuid.UUID
    metric: str
    category: MetricCategory


class AnalyticsDashboardFilters(TypedDict, total=False):
    organization_id: uuid.UUID
    role_id: str
    is_default: bool
    slug: str


class DashboardWidgetFilters(TypedDict, total=False):
    dashboard_id: uuid.UUID
    widget_type: WidgetType
    metric: str


class AnalyticsMetricCreate(InputSchema):
    """A metric point: one value of a metric at a moment."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "metric": "deals_closed",
                    "unit": "count",
                    "value": 2,
                    "category": "performance",
                    "metadata": {"week": "2027-W02"},
                    "timestamp": "2027-01-15T17:00:00Z",
                }
            ]
        }
    )

    role_id: Slug | None = Field(
        default=None,
        description="the role the point is tagged with; default: the role of `user_id`, or yours",
    )
    user_id: uuid.UUID | None = Field(
        default=None,
        description="whom the point is about; default: you (`null`: nobody in particular)",
    )
    metric: MetricName
    unit: Unit  # before `value`, which is checked against it
    value: float
    category: MetricCategory
    # `metadata` on the wire; `meta` on the model (SQLAlchemy reserves the name).
    meta: JsonObject | None = Field(default=None, alias="metadata")
    timestamp: AwareDatetime | None = None

    @field_validator("value")
    @classmethod
    def _in_range(cls, value: float, info: ValidationInfo) -> float:
        problem = value_problem(info.data.get("unit", ""), value)
        if problem:
            raise ValueError(problem)
        return value


class AnalyticsMetricUpdate(UpdateSchema):
    value: float | None = None
    unit: Unit | None = None
    meta: JsonObject | None = Field(default=None, alias="metadata")


class AnalyticsMetricRead(EntityRead):
    organization_id: uuid.UUID | None
    role_id: str
    user_id: uuid.UUID | None
    metric: str
    value: float
    unit: str
    category: MetricCategory
    metadata: dict[str, Any] | None = Field(validation_alias="meta")
    timestamp: datetime


class DashboardWidgetFields(InputSchema):
    widget_type: WidgetType
    title: Name
    metric: MetricName | None = None
    query: JsonObject | None = None
    position_x: int = Field(default=0, ge=0, lt=GRID_COLUMNS)
    position_y: int = Field(default=0, ge=0)
    width: int = Field(default=3, ge=1, le=GRID_COLUMNS)
    height: int = Field(default=2, ge=1, le=12)
    settings: JsonObject = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fits_grid(self) -> DashboardWidgetFields:
        if self.position_x + self.width > GRID_COLUMNS:
            raise ValueError(f"width: position_x + width exceeds the {GRID_COLUMNS}-column grid")
        if self.metric is None and self.query is None:
            raise ValueError("metric: a widget shows a metric or a query")
        return self


class DashboardWidgetCreate(DashboardWidgetFields):
    dashboard_id: uuid.UUID


class DashboardWidgetUpdate(UpdateSchema):
    widget_type: WidgetType | None = None
    title: Name | None = None
    metric: MetricName | None = None
    query: JsonObject | None = None
    position_x: int | None = Field(default=None, ge=0, lt=GRID_COLUMNS)
    position_y: int | None = Field(default=None, ge=0)
    width: int | None = Field(default=None, ge=1, le=GRID_COLUMNS)
    height: int | None = Field(default=None, ge=1, le=12)
    settings: JsonObject | None = None


class DashboardWidgetRead(VersionedRead):
    dashboard_id: uuid.UUID
    widget_type: WidgetType
    title: str
    metric: str | None
    query: dict[str, Any] | None
    position_x: int
    position_y: int
    width: int
    height: int
    settings: dict[str, Any]


class AnalyticsDashboardCreate(InputSchema):
    role_id: Slug
    name: Name
    description: Description | None = None
    is_default: bool = False
    slug: Slug | None = None
    widgets: list[DashboardWidgetFields] = Field(default_factory=list, max_length=50)


class AnalyticsDashboardUpdate(UpdateSchema):
    name: Name | None = None
    description: Description | None = None
    is_default: bool | None = None


class AnalyticsDashboardRead(VersionedRead):
    organization_id: uuid.UUID | None
    slug: str | None
    role_id: str
    name: str
    description: str | None
    is_default: bool
