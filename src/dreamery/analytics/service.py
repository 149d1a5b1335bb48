"""Analytics specs: metric points, role dashboards and their widgets."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.analytics.schemas import (
    AnalyticsDashboardCreate,
    AnalyticsDashboardRead,
    AnalyticsDashboardUpdate,
    AnalyticsMetricCreate,
    AnalyticsMetricRead,
    AnalyticsMetricUpdate,
    DashboardWidgetCreate,
    DashboardWidgetRead,
    DashboardWidgetUpdate,
)
from dreamery.core import crud
from dreamery.core.crud import Caller, EntitySpec, Ownership
from dreamery.models import AnalyticsDashboard, AnalyticsMetric, DashboardWidget
from dreamery.models.enums import Resource

METRICS: EntitySpec[AnalyticsMetric, AnalyticsMetricRead] = EntitySpec(
    name="metric",
    model=AnalyticsMetric,
    resource=Resource.METRIC,
    create_schema=AnalyticsMetricCreate,
    update_schema=AnalyticsMetricUpdate,
    read_schema=AnalyticsMetricRead,
    owner=Ownership("user_id"),
    filters=frozenset({"role_id", "user_id", "metric", "category"}),
    sorts=frozenset({"timestamp", "created_at"}),
    default_sort="timestamp",
)

DASHBOARDS: EntitySpec[AnalyticsDashboard, AnalyticsDashboardRead] = EntitySpec(
    name="dashboard",
    model=AnalyticsDashboard,
    resource=Resource.DASHBOARD,
    create_schema=AnalyticsDashboardCreate,
    update_schema=AnalyticsDashboardUpdate,
    read_schema=AnalyticsDashboardRead,
    owner=Ownership("role_id", "role_id"),
    filters=frozenset({"role_id", "is_default", "slug"}),
    sorts=frozenset({"created_at", "name"}),
)

DASHBOARD_WIDGETS: EntitySpec[DashboardWidget, DashboardWidgetRead] = EntitySpec(
    name="dashboard_widget",
    model=DashboardWidget,
    resource=Resource.DASHBOARD,
    create_schema=DashboardWidgetCreate,
    update_schema=DashboardWidgetUpdate,
    read_schema=DashboardWidgetRead,
    parent=(DASHBOARDS, "dashboard_id"),
    filters=frozenset({"dashboard_id", "widget_type", "metric"}),
    sorts=frozenset({"position_y", "created_at"}),
    default_sort="position_y",
    descending=False,
)


async def create_dashboard(session: AsyncSession, caller: Caller, data: Any) -> AnalyticsDashboard:
    """A dashboard with its widgets, in one transaction."""
    payload = crud.parse(AnalyticsDashboardCreate, data)
    assert isinstance(payload, AnalyticsDashboardCreate)
    dashboard = await crud.create(session, caller, DASHBOARDS, payload)
    for widget in payload.widgets:
        await crud.create(
            session,
            caller,
            DASHBOARD_WIDGETS,
            {**widget.model_dump(), "dashboard_id": dashboard.id},
        )
    return dashboard
