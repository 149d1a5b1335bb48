"""Metric, dashboard and widget schemas."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator
from typing_extensions import TypedDict

from dreamery.core.schemas import (
    AwareDatetime,
    Description,
    EntityRead,
    InputSchema,
    Name,
    Slug,
    UpdateSchema,
    VersionedRead,
)
from dreamery.models.enums import MetricCategory, WidgetType

MetricName = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]*$", min_length=1, max_length=100)
]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
GRID_COLUMNS = 12

MetricSort = Literal["timestamp", "created_at"]
DashboardSort = Literal["created_at", "name"]
WidgetSort = Literal["position_y", "created_at"]


class AnalyticsMetricFilters(TypedDict, total=False):
    role_id: str
    user_id: uuid.UUID
    metric: str
    category: MetricCategory


class AnalyticsDashboardFilters(TypedDict, total=False):
    role_id: str
    is_default: bool
    slug: str


class DashboardWidgetFilters(TypedDict, total=False):
    dashboard_id: uuid.UUID
    widget_type: WidgetType
    metric: str


class AnalyticsMetricCreate(InputSchema):
    role_id: Slug
    user_id: uuid.UUID | None = None
    metric: MetricName
    value: float
    unit: Unit
    category: MetricCategory
    # `metadata` on the wire; `meta` on the model (SQLAlchemy reserves the name).
    meta: dict[str, Any] | None = Field(default=None, alias="metadata")
    timestamp: AwareDatetime | None = None

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class AnalyticsMetricUpdate(UpdateSchema):
    value: float | None = None
    unit: Unit | None = None
    meta: dict[str, Any] | None = Field(default=None, alias="metadata")


class AnalyticsMetricRead(EntityRead):
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
    query: dict[str, Any] | None = None
    position_x: int = Field(default=0, ge=0, lt=GRID_COLUMNS)
    position_y: int = Field(default=0, ge=0)
    width: int = Field(default=3, ge=1, le=GRID_COLUMNS)
    height: int = Field(default=2, ge=1, le=12)
    settings: dict[str, Any] = Field(default_factory=dict)

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
    query: dict[str, Any] | None = None
    position_x: int | None = Field(default=None, ge=0, lt=GRID_COLUMNS)
    position_y: int | None = Field(default=None, ge=0)
    width: int | None = Field(default=None, ge=1, le=GRID_COLUMNS)
    height: int | None = Field(default=None, ge=1, le=12)
    settings: dict[str, Any] | None = None


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
    slug: str | None
    role_id: str
    name: str
    description: str | None
    is_default: bool
