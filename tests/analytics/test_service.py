"""Metric points and dashboards: one name for a metric everywhere, widgets with their board."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dreamery import DatabaseService
from dreamery.audit import service as audit
from dreamery.core.context import SYSTEM_ACTOR, RequestContext
from dreamery.models.enums import AuditAction

pytestmark = pytest.mark.usefixtures("backend")


async def test_a_metric_is_an_analytics_metric_in_the_audit_trail(db: DatabaseService) -> None:
    user = await db.create_user(
        {
            "email": f"m.{uuid.uuid4().hex[:8]}@example.com",
            "first_name": "Mo",
            "last_name": "Metric",
            "role_id": "real-estate-attorney",
        }
    )
    metric = await db.create_analytics_metric(
        {
            "role_id": "real-estate-attorney",
            "user_id": str(user.id),
            "metric": "matters_closed",
            "value": 2,
            "unit": "count",
            "category": "performance",
        }
    )
    trail = await db.find_audit_logs(resource_id=str(metric.id))
    assert [(r.resource, r.action) for r in trail.items] == [("analytics_metric", "create")]
    assert (await db.find_analytics_metric_by_id(metric.id)).metric == "matters_closed"


async def test_a_dashboard_is_made_with_its_widgets_in_one_transaction(
    db: DatabaseService,
) -> None:
    board = await db.create_dashboard(
        {
            "role_id": "buyer",
            "name": "Offers",
            "widgets": [
                {"widget_type": "kpi", "title": "Open offers", "metric": "offers_open"},
                {
                    "widget_type": "chart",
                    "title": "Weekly",
                    "metric": "offers_made",
                    "position_y": 2,
                },
            ],
        }
    )
    widgets = await db.find_dashboard_widgets(dashboard_id=board.id)
    assert [w.title for w in widgets.items] == ["Open offers", "Weekly"]  # by position


async def test_rows_written_under_a_former_name_stay_in_the_trail(
    db: DatabaseService, session: Any
) -> None:
    """Metrics were audited as "metric" before; asking for "analytics_metric" finds both."""
    old = await audit.record(
        session,
        actor=SYSTEM_ACTOR,
        request=RequestContext(),
        action=AuditAction.UPDATE,
        resource="metric",
        resource_id="0195f2c4-0000-7000-8000-000000000001",
    )
    found = await db.find_audit_logs(resource="analytics_metric", resource_id=old.resource_id)
    assert [row.id for row in found.items] == [old.id]
