"""Analytics specs: metric points, role dashboards and their widgets."""

from __future__ import annotations

from typing import get_args

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.analytics.schemas import (
    AnalyticsDashboardCreate,
    AnalyticsDashboardFilters,
    AnalyticsDashboardRead,
    AnalyticsDashboardUpdate,
    AnalyticsMetricCreate,
    AnalyticsMetricFilters,
    AnalyticsMetricRead,
    AnalyticsMetricUpdate,
    DashboardSort,
    DashboardWidgetCreate,
    DashboardWidgetFilters,
    DashboardWidgetRead,
    DashboardWidgetUpdate,
    MetricSort,
    WidgetSort,
)
from dreamery.core import crud
from dreamery.core.context import Caller
from dreamery.core.entities import EntitySpec, Input, Ownership
from dreamery.models import AnalyticsDashboard, AnalyticsMetric, DashboardWidget
from dreamery.models.enums import Resource

METRICS: EntitySpec[AnalyticsMetric, AnalyticsMetricRead] = EntitySpec(
    name="analytics_metric",
    model=AnalyticsMetric,
    resource=Resource.METRIC,
    create_schema=AnalyticsMetricCreate,
    update_schema=AnalyticsMetricUpdate,
    read_schema=AnalyticsMetricRead,
    filters=AnalyticsMetricFilters,
    sorts=frozenset(get_args(MetricSort)),
    default_sort="timestamp",
    owner=Ownership("user_id"),
    group="Analytics",
    former_names=frozenset({"metric"}),  # its audit rows before 2026-12-01
)

DASHBOARDS: EntitySpec[AnalyticsDashboard, AnalyticsDashboardRead] = EntitySpec(
    name="dashboard",
    model=AnalyticsDashboard,
    resource=Resource.DASHBOARD,
    create_schema=AnalyticsDashboardCreate,
    update_schema=AnalyticsDashboardUpdate,
    read_schema=AnalyticsDashboardRead,
    filters=AnalyticsDashboardFilters,
    sorts=frozenset(get_args(DashboardSort)),
    owner=Ownership("role_id", "role_id"),
    group="Analytics",
)

DASHBOARD_WIDGETS: EntitySpec[DashboardWidget, DashboardWidgetRead] = EntitySpec(
    name="dashboard_widget",
    model=DashboardWidget,
    resource=Resource.DASHBOARD,
    create_schema=DashboardWidgetCreate,
    update_schema=DashboardWidgetUpdate,
    read_schema=DashboardWidgetRead,
    filters=DashboardWidgetFilters,
    sorts=frozenset(get_args(WidgetSort)),
    default_sort="position_y",
    descending=False,
    parent=(DASHBOARDS, "dashboard_id"),
    group="Analytics",
)


@DASHBOARDS.creates
async def create_dashboard(
    session: AsyncSession, caller: Caller, data: Input
) -> AnalyticsDashboard:
    """A dashboard with its widgets, in one transaction."""
    payload = crud.parse(AnalyticsDashboardCreate, data)
    dashboard: AnalyticsDashboard = await crud.create(session, caller, DASHBOARDS, payload)
    for widget in payload.widgets:
        await crud.create(
            session,
            caller,
            DASHBOARD_WIDGETS,
            {**widget.model_dump(), "dashboard_id": dashboard.id},
        )
    return dashboard
