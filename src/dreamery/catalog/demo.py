"""Realistic demo professionals, generated in bulk: `dreamery db seed --demo N`.

Professionals work in organizations of their trade: brokerages with their agents and a
broker who owns the firm and a reviewer, title companies, lenders, contractor firms, and
so on; about a third are independents in a personal organization. Brokerages open cases
(purchases, sales, leases) whose participants come from the other organizations: a lender,
a title officer, an inspector; some of the agents' tasks belong to those cases.

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
    Case,
    CaseParticipant,
    ComplianceRecord,
    ComplianceRequirement,
    Membership,
    Notification,
    Organization,
    Reminder,
    Task,
    User,
    UserProfile,
)
from dreamery.models.enums import (
    AuditAction,
    CaseKind,
    CaseRole,
    CaseStatus,
    ComplianceStatus,
    MembershipStatus,
    NotificationType,
    OrganizationKind,
    OrgRole,
    Priority,
    ReminderChannel,
    TaskStatus,
)
from dreamery.models.users import search_text
from dreamery.notifications.service import WELCOME_CATEGORY, welcome_text
from dreamery.organizations.service import KIND_BY_CATEGORY, slugify

DEMO_EMAIL_DOMAIN = "demo.example.com"
BATCH_SIZE = 2_000
# How often a seeding reports where it is: every so many people generated (in each of the
# generator's three passes over a batch) and every so many rows written.
GENERATION_TICK = 50
WRITE_CHUNK = 1_000
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
# Firms of each kind, and what their people are to a case.
FIRM_NAMES = {
    OrganizationKind.BROKERAGE: "{last} Realty",
    OrganizationKind.TITLE_ESCROW: "{last} Title & Escrow",
    OrganizationKind.LENDER: "{last} Home Loans",
    OrganizationKind.LAW_FIRM: "{last} & Partners LLP",
    OrganizationKind.CONTRACTOR: "{last} Builders",
    OrganizationKind.PROPERTY_MANAGER: "{last} Property Management",
    OrganizationKind.APPRAISAL: "{last} Appraisal Group",
    OrganizationKind.OTHER: "{last} Advisors",
}
CASE_ROLE_BY_KIND = {
    OrganizationKind.LENDER: CaseRole.LENDER,
    OrganizationKind.TITLE_ESCROW: CaseRole.TITLE_OFFICER,
    OrganizationKind.APPRAISAL: CaseRole.INSPECTOR,
    OrganizationKind.LAW_FIRM: CaseRole.ATTORNEY,
    OrganizationKind.CONTRACTOR: CaseRole.CONTRACTOR,
    OrganizationKind.PROPERTY_MANAGER: CaseRole.PROPERTY_MANAGER,
}
INDEPENDENT_SHARE = 0.3
FIRM_SIZE = (3, 12)
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
    organizations: list[tuple[Any, ...]] = field(default_factory=list)
    memberships: list[tuple[Any, ...]] = field(default_factory=list)
    cases: list[tuple[Any, ...]] = field(default_factory=list)
    participants: list[tuple[Any, ...]] = field(default_factory=list)
    users: list[tuple[Any, ...]] = field(default_factory=list)
    profiles: list[tuple[Any, ...]] = field(default_factory=list)
    tasks: list[tuple[Any, ...]] = field(default_factory=list)
    reminders: list[tuple[Any, ...]] = field(default_factory=list)
    notifications: list[tuple[Any, ...]] = field(default_factory=list)
    metrics: list[tuple[Any, ...]] = field(default_factory=list)
    records: list[tuple[Any, ...]] = field(default_factory=list)


ORGANIZATION_COLUMNS = (
    "id",
    "name",
    "slug",
    "kind",
    "is_personal",
    "settings",
    "verified_at",
    "created_at",
    "updated_at",
    "version",
)
MEMBERSHIP_COLUMNS = (
    "id",
    "user_id",
    "organization_id",
    "org_role",
    "status",
    "joined_at",
    "created_at",
    "updated_at",
    "version",
)
CASE_COLUMNS = (
    "id",
    "organization_id",
    "title",
    "kind",
    "status",
    "reference",
    "address_line1",
    "details",
    "created_by",
    "created_at",
    "updated_at",
    "version",
)
PARTICIPANT_COLUMNS = (
    "id",
    "organization_id",
    "case_id",
    "user_id",
    "case_role",
    "added_by",
    "created_at",
    "updated_at",
    "version",
)
USER_COLUMNS = (
    "id",
    "organization_id",
    "role_verified_at",
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
    "organization_id",
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
    "organization_id",
    "title",
    "description",
    "role_id",
    "user_id",
    "status",
    "priority",
    "due_date",
    "completed_at",
    "tags",
    "case_id",
    "created_at",
    "updated_at",
    "version",
)
REMINDER_COLUMNS = (
    "id",
    "organization_id",
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
    "organization_id",
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
    "organization_id",
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
    "organization_id",
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
        self.workflows: dict[str, list[str]] = {}
        for starter in catalog.starter.values():
            for workflow in starter.workflows:
                self.workflows.setdefault(workflow.role, []).append(workflow.name)
        self.counter = 0

    def _ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def batch(self, size: int, tick: Callable[[float], None] | None = None) -> _Batch:
        """The rows of `size` new professionals. `tick` hears, every `GENERATION_TICK`
        people of each of the three passes, the share of the batch generated so far."""
        batch = _Batch()
        rnd = self.random
        passes = 3

        def ticking(done: int, finished_passes: int) -> None:
            if tick and (done % GENERATION_TICK == 0 or done == size):
                tick((finished_passes * size + done) / (passes * size))

        people: list[_Person] = []
        for done in range(1, size + 1):
            people.append(self._person())
            ticking(done, 0)
        firms = self._organize(batch, people)
        for done, person in enumerate(people, 1):
            self._user(batch, person)
            ticking(done, 1)
        self._cases(batch, firms)
        for done, person in enumerate(people, 1):
            self._tasks(batch, person)
            self._metrics(batch, person)
            self._records(batch, person)
            ticking(done, 2)
        rnd.shuffle(batch.notifications)  # no meaning in their order
        return batch

    def _person(self) -> _Person:
        rnd = self.random
        self.counter += 1
        category_id, role_id, role_name = rnd.choice(self.roles)
        return _Person(
            id=new_id(),
            category_id=category_id,
            role_id=role_id,
            role_name=role_name,
            first=rnd.choice(self.pools.first_names),
            last=rnd.choice(self.pools.last_names),
            joined=self._ago(rnd.uniform(HISTORY_DAYS, 3 * 365)),
        )

    def _organization(
        self,
        batch: _Batch,
        name: str,
        kind: OrganizationKind,
        *,
        personal: bool,
        since: datetime,
    ) -> uuid.UUID:
        organization_id = new_id()
        slug = f"{slugify(name)[:60]}-{self.token}{len(batch.organizations)}-{self.counter}"
        verified = None if personal else since + timedelta(days=3)
        batch.organizations.append(
            (organization_id, name, slug, kind, personal, {}, verified, since, since, 1)
        )
        return organization_id

    def _member(
        self, batch: _Batch, person: _Person, organization_id: uuid.UUID, role: OrgRole
    ) -> None:
        person.organization_id = organization_id
        batch.memberships.append(
            (
                new_id(),
                person.id,
                organization_id,
                role,
                MembershipStatus.ACTIVE,
                person.joined,
                person.joined,
                person.joined,
                1,
            )
        )

    def _organize(self, batch: _Batch, people: list[_Person]) -> list[_Firm]:
        """Put everyone in an organization: firms of their trade, or their own."""
        rnd = self.random
        by_kind: dict[OrganizationKind, list[_Person]] = {}
        for person in people:
            if rnd.random() < INDEPENDENT_SHARE:
                kind = KIND_BY_CATEGORY.get(person.category_id, OrganizationKind.OTHER)
                own = self._organization(
                    batch, f"{person.first} {person.last}", kind, personal=True, since=person.joined
                )
                self._member(batch, person, own, OrgRole.OWNER)
            else:
                kind = KIND_BY_CATEGORY.get(person.category_id, OrganizationKind.OTHER)
                by_kind.setdefault(kind, []).append(person)
        firms = []
        for kind, members in by_kind.items():
            while members:
                size = min(len(members), rnd.randint(*FIRM_SIZE))
                staff, members = members[:size], members[size:]
                # A brokerage is owned by its broker, when it has one.
                staff.sort(key=lambda p: p.role_id != "real-estate-broker")
                founded = min(p.joined for p in staff)
                name = FIRM_NAMES[kind].format(last=staff[0].last)
                firm_id = self._organization(batch, name, kind, personal=False, since=founded)
                for number, person in enumerate(staff):
                    role = (
                        OrgRole.OWNER
                        if number == 0
                        else OrgRole.REVIEWER
                        if number == 1 and size >= 5
                        else OrgRole.MEMBER
                    )
                    self._member(batch, person, firm_id, role)
                firms.append(_Firm(firm_id, kind, staff))
        return firms

    def _cases(self, batch: _Batch, firms: list[_Firm]) -> None:
        """Brokerages' deals, with a lender, a title officer, an inspector... from the firms
        of the batch (a renovation job for a contractor firm's client, likewise)."""
        rnd = self.random
        partners: dict[OrganizationKind, list[_Person]] = {}
        for firm in firms:
            partners.setdefault(firm.kind, []).extend(firm.staff)
        for firm in firms:
            if firm.kind not in (OrganizationKind.BROKERAGE, OrganizationKind.PROPERTY_MANAGER):
                continue
            openers = [agent for agent in firm.staff for _ in range(rnd.randint(1, 3))]
            for agent in openers:
                kind = rnd.choice(
                    [CaseKind.PURCHASE, CaseKind.SALE, CaseKind.LEASE]
                    if firm.kind is OrganizationKind.BROKERAGE
                    else [CaseKind.LEASE, CaseKind.RENOVATION, CaseKind.INSPECTION]
                )
                address = rnd.choice(self.pools.addresses)
                opened = self._ago(rnd.uniform(1, HISTORY_DAYS))
                case_id = new_id()
                status = rnd.choices(list(CaseStatus), weights=[6, 1, 2, 1])[0]
                batch.cases.append(
                    (
                        case_id,
                        firm.id,
                        f"{kind.value.capitalize()}: {address}"[:200],
                        kind,
                        status,
                        f"{self.token.upper()}-{len(batch.cases) + 1:05d}",
                        address.split(",")[0][:200],
                        {},
                        agent.id,
                        opened,
                        opened,
                        1,
                    )
                )
                role = (
                    CaseRole.PROPERTY_MANAGER
                    if firm.kind is OrganizationKind.PROPERTY_MANAGER
                    else rnd.choice([CaseRole.LISTING_AGENT, CaseRole.BUYERS_AGENT])
                )
                on_case = [(agent, role)]
                for partner_kind, case_role in CASE_ROLE_BY_KIND.items():
                    if partners.get(partner_kind) and rnd.random() < 0.6:
                        on_case.append((rnd.choice(partners[partner_kind]), case_role))
                seen: set[uuid.UUID] = set()
                for person, case_role in on_case:
                    if person.id in seen:
                        continue  # one place on a case each
                    seen.add(person.id)
                    batch.participants.append(
                        (
                            new_id(),
                            firm.id,
                            case_id,
                            person.id,
                            case_role,
                            agent.id,
                            opened,
                            opened,
                            1,
                        )
                    )
                    person.cases.append(case_id)

    def _user(self, batch: _Batch, person: _Person) -> None:
        rnd = self.random
        email = (
            f"{person.first}.{person.last}.{self.token}{self.counter}"
            f"{len(batch.users)}@{DEMO_EMAIL_DOMAIN}".lower()
        )
        experience = rnd.randint(0, 35)
        company = rnd.choice(self.pools.companies)
        specialties = rnd.sample(
            self.specialties[person.category_id],
            k=min(2, len(self.specialties[person.category_id])),
        )
        joined = person.joined
        batch.users.append(
            (
                person.id,
                person.organization_id,
                joined,
                email,
                person.first,
                person.last,
                person.role_id,
                rnd.random() > 0.03,
                False,
                search_text(person.first, person.last, email, company, specialties),
                joined,
                joined,
                1,
            )
        )
        bio = (
            f"{person.role_name} with {experience} years of experience"
            f"{' at ' + company if rnd.random() < 0.7 else ''}."
        )
        license_number = f"{person.role_id[:3].upper()}-{rnd.randrange(10**6, 10**7)}"
        batch.profiles.append(
            (
                new_id(),
                person.organization_id,
                person.id,
                rnd.choice(self.pools.phones),
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
        # The welcome every new account gets (read long since: they joined a while ago).
        title, message = welcome_text(
            person.first,
            person.role_name,
            sorted(name for _, name in self.requirements.get(person.role_id, [])),
            sorted(self.workflows.get(person.role_id, [])),
        )
        batch.notifications.append(
            (
                new_id(),
                person.organization_id,
                person.id,
                title,
                message,
                NotificationType.INFO,
                WELCOME_CATEGORY,
                True,
                joined + timedelta(hours=1),
                joined,
                joined,
                1,
            )
        )

    def _tasks(self, batch: _Batch, person: _Person) -> None:
        rnd = self.random
        user_id, role_id, organization_id = person.id, person.role_id, person.organization_id
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
            case_id = rnd.choice(person.cases) if person.cases and rnd.random() < 0.5 else None
            batch.tasks.append(
                (
                    task_id,
                    organization_id,
                    title,
                    None,
                    role_id,
                    user_id,
                    status,
                    priority,
                    due,
                    completed,
                    [role_id.split("-")[0]],
                    case_id,
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
                        organization_id,
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
                    organization_id,
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

    def _metrics(self, batch: _Batch, person: _Person) -> None:
        rnd = self.random
        definitions = self.metrics[person.category_id]
        for point in range(METRIC_POINTS):
            definition = definitions[point % len(definitions)]
            when = self._ago(rnd.uniform(0, HISTORY_DAYS))
            value = round(rnd.uniform(definition.min, definition.max), 2)
            batch.metrics.append(
                (
                    new_id(),
                    person.organization_id,
                    person.role_id,
                    person.id,
                    definition.name,
                    value,
                    definition.unit,
                    definition.category,
                    when,
                    when,
                    when,
                )
            )

    def _records(self, batch: _Batch, person: _Person) -> None:
        rnd = self.random
        for requirement_id, _name in self.requirements.get(person.role_id, []):
            status = rnd.choices(list(ComplianceStatus), weights=[3, 6, 1, 1])[0]
            created = self._ago(rnd.uniform(0, HISTORY_DAYS))
            verified = created + timedelta(days=2) if status is ComplianceStatus.VERIFIED else None
            expires = created + timedelta(days=365)
            batch.records.append(
                (
                    new_id(),
                    person.organization_id,
                    requirement_id,
                    person.id,
                    status,
                    verified,
                    expires,
                    None,
                    created,
                    created,
                    1,
                )
            )


@dataclass
class _Person:
    id: uuid.UUID
    category_id: str
    role_id: str
    role_name: str
    first: str
    last: str
    joined: datetime
    organization_id: uuid.UUID | None = None
    cases: list[uuid.UUID] = field(default_factory=list)


@dataclass
class _Firm:
    id: uuid.UUID
    kind: OrganizationKind
    staff: list[_Person]


@dataclass(frozen=True)
class DemoProgress:
    """How far a demo seeding of `total` professionals is: how many have been generated
    and how many written (whole or in part, pro rata to their batch's rows)."""

    total: int
    generated: int
    written: int


async def seed_demo(
    session: AsyncSession,
    count: int,
    *,
    catalog: Catalog | None = None,
    seed: int | None = None,
    progress: Callable[[DemoProgress], None] | None = None,
) -> DemoReport:
    """Add `count` demo professionals with their data; flushes through the session's
    connection, commits nothing. `progress` hears where it is while it generates and while
    it writes, not only at the end of a batch."""
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
        ("organizations", Organization, ORGANIZATION_COLUMNS),
        ("users", User, USER_COLUMNS),
        ("memberships", Membership, MEMBERSHIP_COLUMNS),
        ("cases", Case, CASE_COLUMNS),
        ("participants", CaseParticipant, PARTICIPANT_COLUMNS),
        ("profiles", UserProfile, PROFILE_COLUMNS),
        ("tasks", Task, TASK_COLUMNS),
        ("reminders", Reminder, REMINDER_COLUMNS),
        ("notifications", Notification, NOTIFICATION_COLUMNS),
        ("metrics", AnalyticsMetric, METRIC_COLUMNS),
        ("records", ComplianceRecord, RECORD_COLUMNS),
    ]
    for start in range(0, count, BATCH_SIZE):
        size = min(BATCH_SIZE, count - start)

        def generated(share: float, start: int = start, size: int = size) -> None:
            if progress:
                progress(DemoProgress(count, start + round(share * size), start))

        batch = generator.batch(size, generated)
        total_rows = sum(len(getattr(batch, attribute)) for attribute, _, _ in targets)
        written_rows = 0
        for attribute, model, columns in targets:
            rows = getattr(batch, attribute)
            for first in range(0, len(rows), WRITE_CHUNK):
                chunk = rows[first : first + WRITE_CHUNK]
                await copy_rows(connection, model.__table__, columns, chunk)  # type: ignore[arg-type]
                written_rows += len(chunk)
                if progress:
                    share = written_rows / total_rows
                    progress(DemoProgress(count, start + size, start + round(share * size)))
            report.rows[model.__tablename__] = report.rows.get(model.__tablename__, 0) + len(rows)
        report.users += size
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
