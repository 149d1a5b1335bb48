"""The facade's analytics: metric points, role dashboards and their widgets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Unpack

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
from dreamery.analytics.service import DASHBOARD_WIDGETS, DASHBOARDS, METRICS
from dreamery.core.entities import EntityId
from dreamery.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from dreamery.facade.base import FacadeBase
from dreamery.models.enums import MetricCategory


class AnalyticsFacade(FacadeBase):
    async def create_analytics_metric(
        self, data: AnalyticsMetricCreate | Mapping[str, object]
    ) -> AnalyticsMetricRead:
        return await self.create(METRICS, data)

    async def find_analytics_metric_by_id(self, metric_id: EntityId) -> AnalyticsMetricRead:
        return await self.get(METRICS, metric_id)

    async def find_analytics_metrics(
        self,
        *,
        sort: MetricSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[AnalyticsMetricFilters],
    ) -> Page[AnalyticsMetricRead]:
        return await self.find(
            METRICS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def find_metrics_by_role(
        self,
        role_id: str,
        category: MetricCategory | str | None = None,
        *,
        limit: int = MAX_LIMIT,
    ) -> list[AnalyticsMetricRead]:
        filters: AnalyticsMetricFilters = {"role_id": role_id}
        if category is not None:
            filters["category"] = MetricCategory(category)
        return (await self.find_analytics_metrics(limit=limit, **filters)).items

    async def update_analytics_metric(
        self,
        metric_id: EntityId,
        data: AnalyticsMetricUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> AnalyticsMetricRead:
        return await self.update(METRICS, metric_id, data, expected_version=expected_version)

    async def delete_analytics_metric(
        self, metric_id: EntityId, *, expected_version: int | None = None
    ) -> AnalyticsMetricRead:
        return await self.delete(METRICS, metric_id, expected_version=expected_version)

    async def create_dashboard(
        self, data: AnalyticsDashboardCreate | Mapping[str, object]
    ) -> AnalyticsDashboardRead:
        """A dashboard with its widgets, in one transaction."""
        return await self.create(DASHBOARDS, data)

    async def find_dashboard_by_id(self, dashboard_id: EntityId) -> AnalyticsDashboardRead:
        return await self.get(DASHBOARDS, dashboard_id)

    async def find_dashboards(
        self,
        *,
        sort: DashboardSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[AnalyticsDashboardFilters],
    ) -> Page[AnalyticsDashboardRead]:
        return await self.find(
            DASHBOARDS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def update_dashboard(
        self,
        dashboard_id: EntityId,
        data: AnalyticsDashboardUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> AnalyticsDashboardRead:
        return await self.update(DASHBOARDS, dashboard_id, data, expected_version=expected_version)

    async def delete_dashboard(
        self, dashboard_id: EntityId, *, expected_version: int | None = None
    ) -> AnalyticsDashboardRead:
        return await self.delete(DASHBOARDS, dashboard_id, expected_version=expected_version)

    async def create_dashboard_widget(
        self, data: DashboardWidgetCreate | Mapping[str, object]
    ) -> DashboardWidgetRead:
        return await self.create(DASHBOARD_WIDGETS, data)

    async def find_dashboard_widget_by_id(self, widget_id: EntityId) -> DashboardWidgetRead:
        return await self.get(DASHBOARD_WIDGETS, widget_id)

    async def find_dashboard_widgets(
        self,
        *,
        sort: WidgetSort | None = None,
        descending: bool | None = None,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
        with_total: bool = False,
        **filters: Unpack[DashboardWidgetFilters],
    ) -> Page[DashboardWidgetRead]:
        return await self.find(
            DASHBOARD_WIDGETS,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            with_total=with_total,
        )

    async def update_dashboard_widget(
        self,
        widget_id: EntityId,
        data: DashboardWidgetUpdate | Mapping[str, object],
        *,
        expected_version: int | None = None,
    ) -> DashboardWidgetRead:
        return await self.update(
            DASHBOARD_WIDGETS, widget_id, data, expected_version=expected_version
        )

    async def delete_dashboard_widget(
        self, widget_id: EntityId, *, expected_version: int | None = None
    ) -> DashboardWidgetRead:
        return await self.delete(DASHBOARD_WIDGETS, widget_id, expected_version=expected_version)
