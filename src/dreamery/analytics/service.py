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
    value_problem,
)
from dreamery.core import crud
from dreamery.core.context import Caller, PermissionAction, PermissionScope
from dreamery.core.entities import EntityId, EntitySpec, Input, Ownership, Tenancy
from dreamery.core.errors import FieldError, ValidationError
from dreamery.models import AnalyticsDashboard, AnalyticsMetric, DashboardWidget
from dreamery.models.enums import Resource
from dreamery.users import service as users

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
    tenancy=Tenancy(from_user="user_id", shared=True),
    group="Analytics",
    former_names=frozenset({"metric"}),  # its audit rows before 2026-12-01
    row_label=lambda point: point.metric,
    list_columns=(
        "metric",
        "value",
        "unit",
        "category",
        "user_id",
        "timestamp",
    ),
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
    owner=Ownership("role_id", "role_id", per_organization=True),
    tenancy=Tenancy(shared=True),
    group="Analytics",
    row_label=lambda dashboard: dashboard.name,
    list_columns=(
        "name",
        "slug",
        "role_id",
        "is_default",
    ),
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
    default_sort="position",  # row by row, left to right
    descending=False,
    parent=(DASHBOARDS, "dashboard_id"),
    group="Analytics",
    row_label=lambda widget: widget.title,
    list_columns=(
        "dashboard_id",
        "title",
        "widget_type",
        "metric",
        "position_y",
        "position_x",
        "width",
        "height",
    ),
)


@METRICS.creates
async def create_metric(session: AsyncSession, caller: Caller, data: Input) -> AnalyticsMetric:
    """A metric point about the caller unless it names someone (or `null`: nobody). Tagged
    with the role of the one it is about (by default theirs, or the caller's when it is about
    nobody): a professional records metrics for their own role only
    (`metric:create:any` may tag any)."""
    payload = crud.parse(AnalyticsMetricCreate, data)
    if "user_id" not in payload.model_fields_set and caller.actor.user_id is not None:
        payload = payload.model_copy(update={"user_id": caller.actor.user_id})
    if payload.role_id is None:
        about = payload.user_id or caller.actor.user_id
        if about is None:
            raise ValidationError([FieldError("role_id", "name the role", "missing")])
        decided = await users.for_the_caller(session, caller, {"user_id": about})
        payload = payload.model_copy(update={"role_id": decided["role_id"]})
    actor = caller.actor
    scope = actor.scope(METRICS.resource, PermissionAction.CREATE)
    if scope is not PermissionScope.ANY and payload.role_id != actor.role_id:
        raise ValidationError(
            [FieldError("role_id", f"must be your own role ({actor.role_id})", "not_your_role")]
        )
    metric: AnalyticsMetric = await crud.create(session, caller, METRICS, payload)
    return metric


@METRICS.updates
async def update_metric(
    session: AsyncSession,
    caller: Caller,
    entity_id: EntityId,
    data: Input,
    *,
    expected_version: int | None = None,
) -> AnalyticsMetric:
    """A corrected value or unit, held to the same range as a new point."""
    payload = crud.parse(AnalyticsMetricUpdate, data)
    current: AnalyticsMetric = await crud.load(session, caller, METRICS, entity_id)
    changes = payload.model_dump(exclude_unset=True)
    unit, value = changes.get("unit") or current.unit, changes.get("value", current.value)
    if value is not None and ("unit" in changes or "value" in changes):
        problem = value_problem(unit, value)
        if problem:
            raise ValidationError([FieldError("value", problem, "value_range")])
    metric: AnalyticsMetric = await crud.update(
        session, caller, METRICS, entity_id, payload, expected_version=expected_version
    )
    return metric


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
