"""Realistic demo professionals, generated in bulk: `dreamery db seed --demo N`.

Each demo user gets a profile fitting their profession, a handful of tasks (some done, some
overdue, some upcoming) with reminders, notifications, metric points over the last 90 days
drawn from their category's metric definitions, and a compliance record per requirement of
their role. Rows are generated in memory and written with COPY / executemany per batch.

Like the catalogue seeder, this writes rows directly (hundreds of thousands, in seconds), and
records the batch as one audited `seed` change rather than one audit row per demo row.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery.audit import service as audit
from dreamery.catalog.data import Catalog, default_catalog
from dreamery.core.bulk import copy_rows
from dreamery.core.context import SYSTEM_ACTOR, RequestContext
from dreamery.core.ids import new_id
from dreamery.models import (
    AnalyticsMetric,
    ComplianceRecord,
    ComplianceRequirement,
    Notification,
    Reminder,
    Task,
    User,
    UserProfile,
)
from dreamery.models.enums import (
    AuditAction,
    ComplianceStatus,
    NotificationType,
    Priority,
    ReminderChannel,
    TaskStatus,
)
from dreamery.models.users import search_text

DEMO_EMAIL_DOMAIN = "demo.example.com"
BATCH_SIZE = 2_000
HISTORY_DAYS = 90
METRIC_POINTS = 6

# Work that professionals of any role track, phrased as a to-do.
TASK_TITLES = [
    "Follow up with {client} about next steps",
    "Send revised estimate to {client}",
    "Review documents for {address}",
    "Schedule site visit at {address}",
    "Call {client} back",
    "Renew professional liability insurance",
    "Prepare monthly report for {client}",
    "Upload signed paperwork for {address}",
    "Confirm appointment with {client}",
    "Update portfolio with recent work at {address}",
]
NOTIFICATIONS = [
    (NotificationType.INFO, "tasks", "New task assigned", "You have a new task: {task}."),
    (NotificationType.REMINDER, "tasks", "Task due soon", "\u201c{task}\u201d is due in 2 days."),
    (
        NotificationType.WARNING,
        "compliance",
        "Compliance check pending",
        "Your record for {requirement} is waiting for evidence.",
    ),
    (
        NotificationType.SUCCESS,
        "compliance",
        "Compliance verified",
        "{requirement} was verified. Thank you.",
    ),
    (
        NotificationType.INFO,
        "analytics",
        "Weekly summary ready",
        "Your weekly performance summary is ready to view.",
    ),
]
PRIORITY_WEIGHTS = [
    (Priority.LOW, 2),
    (Priority.MEDIUM, 5),
    (Priority.HIGH, 2),
    (Priority.URGENT, 1),
]


@dataclass
class _Pools:
    """Pre-generated fake values: Faker is thorough but slow, so draw from pools."""

    first_names: list[str]
    last_names: list[str]
    companies: list[str]
    addresses: list[str]
    phones: list[str]

    @classmethod
    def build(cls, seed: int, size: int = 600) -> _Pools:
        fake = Faker("en_US")
        fake.seed_instance(seed)
        return cls(
            first_names=[fake.first_name() for _ in range(size)],
            last_names=[fake.last_name() for _ in range(size)],
            companies=[fake.company() for _ in range(size)],
            addresses=[fake.street_address() + ", " + fake.city() for _ in range(size)],
            phones=[fake.numerify("+1 (###) ###-####") for _ in range(size)],
        )


@dataclass
class DemoReport:
    users: int = 0
    rows: dict[str, int] = field(default_factory=dict)


@dataclass
class _Batch:
    users: list[tuple[Any, ...]] = field(default_factory=list)
    profiles: list[tuple[Any, ...]] = field(default_factory=list)
    tasks: list[tuple[Any, ...]] = field(default_factory=list)
    reminders: list[tuple[Any, ...]] = field(default_factory=list)
    notifications: list[tuple[Any, ...]] = field(default_factory=list)
    metrics: list[tuple[Any, ...]] = field(default_factory=list)
    records: list[tuple[Any, ...]] = field(default_factory=list)


USER_COLUMNS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "role_id",
    "is_active",
    "is_admin",
    "search_text",
    "created_at",
    "updated_at",
    "version",
)
PROFILE_COLUMNS = (
    "id",
    "user_id",
    "phone",
    "company",
    "license_number",
    "specialties",
    "experience",
    "bio",
    "created_at",
    "updated_at",
    "version",
)
TASK_COLUMNS = (
    "id",
    "title",
    "description",
    "role_id",
    "user_id",
    "status",
    "priority",
    "due_date",
    "completed_at",
    "tags",
    "created_at",
    "updated_at",
    "version",
)
REMINDER_COLUMNS = (
    "id",
    "task_id",
    "user_id",
    "channel",
    "message",
    "scheduled_at",
    "is_active",
    "created_at",
    "updated_at",
    "version",
)
NOTIFICATION_COLUMNS = (
    "id",
    "user_id",
    "title",
    "message",
    "type",
    "category",
    "is_read",
    "read_at",
    "created_at",
    "updated_at",
    "version",
)
METRIC_COLUMNS = (
    "id",
    "role_id",
    "user_id",
    "metric",
    "value",
    "unit",
    "category",
    "timestamp",
    "created_at",
    "updated_at",
)
RECORD_COLUMNS = (
    "id",
    "requirement_id",
    "user_id",
    "status",
    "verified_at",
    "expires_at",
    "notes",
    "created_at",
    "updated_at",
    "version",
)


class DemoGenerator:
    def __init__(
        self,
        catalog: Catalog,
        requirements: dict[str, list[tuple[uuid.UUID, str]]],
        seed: int | None = None,
    ) -> None:
        self.random = random.Random(seed)
        self.pools = _Pools.build(self.random.randrange(1 << 30))
        # Always random, so that repeating a --demo-seed run adds people instead of colliding.
        self.token = secrets.token_hex(3)
        self.now = datetime.now(UTC)
        self.roles = [(category.id, role.id, role.name) for category, role in catalog.roles]
        self.metrics = {cid: starter.metrics for cid, starter in catalog.starter.items()}
        self.specialties = {
            cid: [w.name for w in starter.workflows] + [t.name for t in starter.document_templates]
            for cid, starter in catalog.starter.items()
        }
        self.requirements = requirements
        self.counter = 0

    def _ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def batch(self, size: int) -> _Batch:
        batch = _Batch()
        rnd = self.random
        pools = self.pools
        for _ in range(size):
            self.counter += 1
            category_id, role_id, role_name = rnd.choice(self.roles)
            first = rnd.choice(pools.first_names)
            last = rnd.choice(pools.last_names)
            user_id = new_id()
            joined = self._ago(rnd.uniform(HISTORY_DAYS, 3 * 365))
            email = f"{first}.{last}.{self.token}{self.counter}@{DEMO_EMAIL_DOMAIN}".lower()
            experience = rnd.randint(0, 35)
            company = rnd.choice(pools.companies)
            specialties = rnd.sample(
                self.specialties[category_id], k=min(2, len(self.specialties[category_id]))
            )
            batch.users.append(
                (
                    user_id,
                    email,
                    first,
                    last,
                    role_id,
                    rnd.random() > 0.03,
                    False,
                    search_text(first, last, email, company, specialties),
                    joined,
                    joined,
                    1,
                )
            )
            bio = (
                f"{role_name} with {experience} years of experience"
                f"{' at ' + company if rnd.random() < 0.7 else ''}."
            )
            license_number = f"{role_id[:3].upper()}-{rnd.randrange(10**6, 10**7)}"
            batch.profiles.append(
                (
                    new_id(),
                    user_id,
                    rnd.choice(pools.phones),
                    company,
                    license_number,
                    specialties,
                    experience,
                    bio,
                    joined,
                    joined,
                    1,
                )
            )
            self._tasks(batch, user_id, role_id)
            self._metrics(batch, user_id, role_id, category_id)
            self._records(batch, user_id, role_id)
        return batch

    def _tasks(self, batch: _Batch, user_id: uuid.UUID, role_id: str) -> None:
        rnd = self.random
        titles: list[str] = []
        for _ in range(3):
            template = rnd.choice(TASK_TITLES)
            title = template.format(
                client=f"{rnd.choice(self.pools.first_names)} {rnd.choice(self.pools.last_names)}",
                address=rnd.choice(self.pools.addresses),
            )
            titles.append(title)
            status = rnd.choices(list(TaskStatus), weights=[4, 3, 4, 1])[0]
            created = self._ago(rnd.uniform(1, HISTORY_DAYS))
            due = created + timedelta(days=rnd.uniform(2, 30))
            completed = min(due, self.now) if status is TaskStatus.COMPLETED else None
            priority = rnd.choices(
                [p for p, _ in PRIORITY_WEIGHTS], weights=[w for _, w in PRIORITY_WEIGHTS]
            )[0]
            task_id = new_id()
            batch.tasks.append(
                (
                    task_id,
                    title,
                    None,
                    role_id,
                    user_id,
                    status,
                    priority,
                    due,
                    completed,
                    [role_id.split("-")[0]],
                    created,
                    created,
                    1,
                )
            )
            if status in (TaskStatus.PENDING, TaskStatus.IN_PROGRESS):
                remind_at = due - timedelta(days=1)
                batch.reminders.append(
                    (
                        new_id(),
                        task_id,
                        user_id,
                        rnd.choice(list(ReminderChannel)),
                        f"Due tomorrow: {title}"[:500],
                        remind_at,
                        True,
                        created,
                        created,
                        1,
                    )
                )
        for kind, category, title, message in rnd.sample(NOTIFICATIONS, k=3):
            created = self._ago(rnd.uniform(0, 30))
            read = rnd.random() < 0.5
            text = message.format(task=rnd.choice(titles), requirement="your license")
            batch.notifications.append(
                (
                    new_id(),
                    user_id,
                    title,
                    text,
                    kind,
                    category,
                    read,
                    created + timedelta(hours=2) if read else None,
                    created,
                    created,
                    1,
                )
            )

    def _metrics(self, batch: _Batch, user_id: uuid.UUID, role_id: str, category_id: str) -> None:
        rnd = self.random
        definitions = self.metrics[category_id]
        for point in range(METRIC_POINTS):
            definition = definitions[point % len(definitions)]
            when = self._ago(rnd.uniform(0, HISTORY_DAYS))
            value = round(rnd.uniform(definition.min, definition.max), 2)
            batch.metrics.append(
                (
                    new_id(),
                    role_id,
                    user_id,
                    definition.name,
                    value,
                    definition.unit,
                    definition.category,
                    when,
                    when,
                    when,
                )
            )

    def _records(self, batch: _Batch, user_id: uuid.UUID, role_id: str) -> None:
        rnd = self.random
        for requirement_id, _name in self.requirements.get(role_id, []):
            status = rnd.choices(list(ComplianceStatus), weights=[3, 6, 1, 1])[0]
            created = self._ago(rnd.uniform(0, HISTORY_DAYS))
            verified = created + timedelta(days=2) if status is ComplianceStatus.VERIFIED else None
            expires = created + timedelta(days=365)
            batch.records.append(
                (
                    new_id(),
                    requirement_id,
                    user_id,
                    status,
                    verified,
                    expires,
                    None,
                    created,
                    created,
                    1,
                )
            )


async def seed_demo(
    session: AsyncSession,
    count: int,
    *,
    catalog: Catalog | None = None,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoReport:
    """Add `count` demo professionals with their data; flushes through the session's
    connection, commits nothing."""
    catalog = catalog or default_catalog()
    requirements: dict[str, list[tuple[uuid.UUID, str]]] = {}
    for row in await session.execute(
        select(
            ComplianceRequirement.id, ComplianceRequirement.role_id, ComplianceRequirement.name
        ).where(ComplianceRequirement.is_active.is_(True))
    ):
        requirements.setdefault(row.role_id, []).append((row.id, row.name))
    generator = DemoGenerator(catalog, requirements, seed)
    connection = await session.connection()
    report = DemoReport()
    targets = [
        ("users", User, USER_COLUMNS),
        ("profiles", UserProfile, PROFILE_COLUMNS),
        ("tasks", Task, TASK_COLUMNS),
        ("reminders", Reminder, REMINDER_COLUMNS),
        ("notifications", Notification, NOTIFICATION_COLUMNS),
        ("metrics", AnalyticsMetric, METRIC_COLUMNS),
        ("records", ComplianceRecord, RECORD_COLUMNS),
    ]
    for start in range(0, count, BATCH_SIZE):
        size = min(BATCH_SIZE, count - start)
        batch = generator.batch(size)
        for attribute, model, columns in targets:
            rows = getattr(batch, attribute)
            await copy_rows(connection, model.__table__, columns, rows)  # type: ignore[arg-type]
            report.rows[model.__tablename__] = report.rows.get(model.__tablename__, 0) + len(rows)
        report.users += size
        if progress:
            progress(size)
    await audit.record(
        session,
        actor=SYSTEM_ACTOR,
        request=RequestContext(),
        action=AuditAction.SEED,
        resource="user",
        resource_id="demo",
        changes={"demo_users": count, "rows": report.rows},
    )
    return report
