"""Metric points, dashboards and their widgets."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.models import AnalyticsDashboard, AnalyticsMetric, DashboardWidget
from dreamery.models.enums import MetricCategory, WidgetType
from tests.factories.base import ROLE, add, now, organization_of


async def metric(session: AsyncSession, **fields: Any) -> AnalyticsMetric:
    if fields.get("user_id") is not None:
        fields.setdefault("organization_id", await organization_of(session, fields["user_id"]))
    values = {
        "role_id": ROLE,
        "metric": "deals_closed",
        "value": 3.0,
        "unit": "count",
        "category": MetricCategory.PERFORMANCE,
        "timestamp": now(),
    } | fields
    return await add(session, AnalyticsMetric(**values))


async def dashboard(session: AsyncSession, **fields: Any) -> AnalyticsDashboard:
    return await add(session, AnalyticsDashboard(**({"role_id": ROLE, "name": "Board"} | fields)))


async def widget(session: AsyncSession, **fields: Any) -> DashboardWidget:
    if "dashboard_id" not in fields:
        fields["dashboard_id"] = (await dashboard(session)).id
    values = {"widget_type": WidgetType.KPI, "title": "Deals", "metric": "deals_closed"} | fields
    return await add(session, DashboardWidget(**values))
