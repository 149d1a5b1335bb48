"""Analytics: time-stamped metric points and the role dashboards that show them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from dreamery.core.types import utcnow
from dreamery.models.base import (
    SLUG_LENGTH,
    Base,
    Timestamps,
    UUIDPrimaryKey,
    Versioned,
    enum_column,
)
from dreamery.models.enums import MetricCategory, WidgetType
from dreamery.models.organizations import TenantOptional

if TYPE_CHECKING:
    from dreamery.models.catalog import UserRole

GRID_COLUMNS = 12  # a dashboard's grid is this many columns wide


class AnalyticsMetric(UUIDPrimaryKey, Timestamps, TenantOptional, Base):
    """One measurement; points are appended, never edited, so there is no version counter."""

    __tablename__ = "analytics_metrics"
    __table_args__ = (
        Index("ix_analytics_metrics_role_id_metric_timestamp", "role_id", "metric", "timestamp"),
        Index("ix_analytics_metrics_user_id_timestamp", "user_id", "timestamp"),
    )

    role_id: Mapped[str] = mapped_column(ForeignKey("user_roles.id", ondelete="RESTRICT"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    metric: Mapped[str] = mapped_column(String(100))
    value: Mapped[float] = mapped_column()
    unit: Mapped[str] = mapped_column(String(32))
    category: Mapped[MetricCategory] = mapped_column(enum_column(MetricCategory, "category"))
    # `metadata` is reserved by SQLAlchemy's declarative classes; the column keeps the name.
    meta: Mapped[dict[str, Any] | None] = mapped_column("metadata")
    timestamp: Mapped[datetime] = mapped_column(default=utcnow)

    role: Mapped[UserRole] = relationship(lazy="raise")


class AnalyticsDashboard(UUIDPrimaryKey, Timestamps, Versioned, TenantOptional, Base):
    __tablename__ = "analytics_dashboards"
    __table_args__ = (
        # At most one default dashboard per role.
        Index(
            "uq_analytics_dashboards_role_id_default",
            "role_id",
            unique=True,
            postgresql_where=text("is_default"),
            sqlite_where=text("is_default"),
        ),
    )

    slug: Mapped[str | None] = mapped_column(String(SLUG_LENGTH), unique=True)
    role_id: Mapped[str] = mapped_column(
        ForeignKey("user_roles.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    is_default: Mapped[bool] = mapped_column(default=False)

    role: Mapped[UserRole] = relationship(lazy="raise")
    widgets: Mapped[list[DashboardWidget]] = relationship(
        back_populates="dashboard",
        order_by="(DashboardWidget.position_y, DashboardWidget.position_x)",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )


class DashboardWidget(UUIDPrimaryKey, Timestamps, Versioned, Base):
    __tablename__ = "dashboard_widgets"
    __table_args__ = (
        CheckConstraint("position_x >= 0 AND position_y >= 0", name="position_non_negative"),
        CheckConstraint("width >= 1 AND height >= 1", name="size_positive"),
    )

    dashboard_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("analytics_dashboards.id", ondelete="CASCADE"), index=True
    )
    widget_type: Mapped[WidgetType] = mapped_column(enum_column(WidgetType, "widget_type"))
    title: Mapped[str] = mapped_column(String(100))
    metric: Mapped[str | None] = mapped_column(String(100))
    query: Mapped[dict[str, Any] | None] = mapped_column()
    position_x: Mapped[int] = mapped_column(default=0)
    position_y: Mapped[int] = mapped_column(default=0)
    width: Mapped[int] = mapped_column(default=1)
    height: Mapped[int] = mapped_column(default=1)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Where the widget sits, as one number: row by row, left to right (x < GRID_COLUMNS).
    position: Mapped[int] = column_property(position_y * GRID_COLUMNS + position_x)

    dashboard: Mapped[AnalyticsDashboard] = relationship(back_populates="widgets", lazy="raise")
