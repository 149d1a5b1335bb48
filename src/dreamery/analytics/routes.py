"""Analytics over HTTP: `/api/v1/analytics-metrics`, `/api/v1/dashboards`,
`/api/v1/dashboard-widgets`."""

from __future__ import annotations

from fastapi import APIRouter

from dreamery.analytics.service import DASHBOARD_WIDGETS, DASHBOARDS, METRICS
from dreamery.core.http import mount_entity

router = APIRouter()
for spec in (METRICS, DASHBOARDS, DASHBOARD_WIDGETS):
    mount_entity(router, spec)
