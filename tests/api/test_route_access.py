"""Access control, generated from the routes: no route lets a stranger use someone's record.

For every route of `/api/v1` that names one record, three strangers try it on records that
belong to someone else: professionals of other organizations (of another role, and of the
same role), on none of the owner's cases, and a member of the owner's own organization who
is not on the owner's case either. A new route with no record here fails the test until one
is added.

What the permission catalogue makes public is excluded by name and reason, nothing else: the
directory of professionals (users and profiles are `read:any` for everyone), the catalogue,
and the playbooks of a role (workflows, templates, requirements, dashboards and their parts),
which that role's members read; and, to a member, their own organization.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dreamery import DatabaseService
from dreamery.api.app import create_app
from dreamery.models import Invitation, Membership, User, UserProfile
from tests import factories
from tests.hub import Person, SignUp, settings

pytestmark = pytest.mark.usefixtures("backend")

OWNER_ROLE = factories.ROLE  # acquisition-specialist
# A role with no rights over other people's records. Roles that supervise others' work by
# design (property managers dispatch the tasks of their jobs, brokers oversee their firm's
# compliance) hold `:case` and `:org` grants; tests/rbac/test_access_matrix.py checks those
# grant by grant.
OTHER_ROLE = "real-estate-agent"
DIRECTORY = {"users", "profiles"}  # read:any for every professional
CATALOGUE = {"categories", "roles"}  # public, even without signing in
PLAYBOOKS = {
    "workflows",
    "workflow-steps",
    "validation-rules",
    "document-templates",
    "document-variables",
    "compliance-requirements",
    "dashboards",
    "dashboard-widgets",
}  # read by the members of the role they belong to
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/tasks/{entity_id}/status"): {"status": "in_progress"},
    ("POST", "/api/v1/notifications/{entity_id}/read"): {"read": True},
    ("POST", "/api/v1/document-instances/{entity_id}/approve"): {"note": "Looks right."},
    ("POST", "/api/v1/document-instances/{entity_id}/return"): {"note": "Sign page 2."},
    ("POST", "/api/v1/compliance-records/{entity_id}/verify"): {"note": "Checked."},
    ("POST", "/api/v1/compliance-records/{entity_id}/fail"): {"note": "Expired scan."},
    ("POST", "/api/v1/members/{entity_id}/role"): {"org_role": "admin"},
    ("POST", "/api/v1/cases/{entity_id}/status"): {"status": "closed"},
    ("PUT", "/api/v1/cases/{case_id}/key-dates/{name}"): {"falls_on": "2027-03-01"},
    ("POST", "/api/v1/step-runs/{entity_id}/skip"): {"reason": "Not needed."},
    ("POST", "/api/v1/step-runs/{entity_id}/assign"): {"assignee_id": str(uuid.uuid4())},
    ("POST", "/api/v1/runs/{run_id}/steps/{step}/skip"): {"reason": "Not needed."},
    ("POST", "/api/v1/runs/{run_id}/steps/{step}/assign"): {"assignee_id": str(uuid.uuid4())},
    ("POST", "/api/v1/cases/{case_id}/runs"): {"workflow_id": str(uuid.uuid4())},
}


async def _records(api_db: DatabaseService, owner: Person) -> dict[str, str]:
    """One record of every kind, belonging to `owner` (or to their role)."""
    async with AsyncSession(api_db.engine, expire_on_commit=False) as session:
        user_id = owner.id
        # Made with the account.
        profile = (
            await session.scalars(select(UserProfile).where(UserProfile.user_id == user_id))
        ).one()
        category = await factories.category(session)
        role = await factories.role(session, category_id=category.id)
        permission = await factories.permission(session, name=f"test:{uuid.uuid4().hex[:8]}")
        grant = await factories.role_permission(
            session, role_id=role.id, permission_id=permission.id
        )
        workflow = await factories.workflow(session, role_id=OWNER_ROLE)
        step = await factories.step(session, workflow_id=workflow.id)
        rule = await factories.rule(session, step_id=step.id)
        template = await factories.template(session, role_id=OWNER_ROLE)
        variable = await factories.variable(session, template_id=template.id)
        instance = await factories.instance(session, template_id=template.id, user_id=user_id)
        requirement = await factories.requirement(session, role_id=OWNER_ROLE)
        record = await factories.record(session, requirement_id=requirement.id, user_id=user_id)
        evidence = await factories.evidence(session, record_id=record.id)
        metric = await factories.metric(session, user_id=user_id, role_id=OWNER_ROLE)
        dashboard = await factories.dashboard(session, role_id=OWNER_ROLE)
        widget = await factories.widget(session, dashboard_id=dashboard.id)
        task = await factories.task(session, user_id=user_id, role_id=OWNER_ROLE)
        reminder = await factories.reminder(session, task_id=task.id, user_id=user_id)
        notification = await factories.notification(session, user_id=user_id)
        owner_row = await session.get(User, user_id)
        assert owner_row is not None
        organization_id = owner_row.organization_id
        membership = await session.scalar(select(Membership).where(Membership.user_id == user_id))
        assert membership is not None
        invitation = Invitation(
            organization_id=organization_id,
            email="invitee@example.com",
            token_hash=uuid.uuid4().hex,
            expires_at=factories.now() + timedelta(days=7),
        )
        session.add(invitation)
        case = await factories.case(session, organization_id=organization_id, created_by=user_id)
        participant = await factories.participant(session, case_id=case.id, user_id=user_id)
        run, step_run, event, key_date = await factories.run_on(session, case, workflow, step)
        await session.commit()
    return {
        "users": str(user_id),
        "profiles": str(profile.id),
        "categories": category.id,
        "roles": role.id,
        "permissions": str(permission.id),
        "role-permissions": str(grant.id),
        "workflows": str(workflow.id),
        "workflow-steps": str(step.id),
        "validation-rules": str(rule.id),
        "document-templates": str(template.id),
        "document-variables": str(variable.id),
        "document-instances": str(instance.id),
        "compliance-requirements": str(requirement.id),
        "compliance-records": str(record.id),
        "compliance-evidence": str(evidence.id),
        "analytics-metrics": str(metric.id),
        "dashboards": str(dashboard.id),
        "dashboard-widgets": str(widget.id),
        "tasks": str(task.id),
        "reminders": str(reminder.id),
        "notifications": str(notification.id),
        "organizations": str(organization_id),
        "members": str(membership.id),
        "invitations": str(invitation.id),
        "cases": str(case.id),
        "case-participants": str(participant.id),
        "case-key-dates": str(key_date.id),
        "runs": str(run.id),
        "workflow-runs": str(run.id),
        "step-runs": str(step_run.id),
        "run-events": str(event.id),
    }


def _record_routes(app: Any) -> list[tuple[str, str, str]]:
    """(method, path template, collection) for every /api/v1 route naming one record, read
    off the app's own route table (as its OpenAPI document lists it)."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/api/v1/") or "{" not in path:
            continue
        collection = path.removeprefix("/api/v1/").split("/")[0]
        found += [(method.upper(), path, collection) for method in sorted(operations)]
    return found


def _public(method: str, template: str, collection: str, who: str, stranger_role: str) -> bool:
    if method == "POST" and template.endswith("/copy"):
        # Copying a playbook one may read writes only into one's own organization.
        return collection in PLAYBOOKS and stranger_role == OWNER_ROLE
    if method != "GET":
        return False
    if collection in DIRECTORY | CATALOGUE:
        return True
    if who == "colleague" and collection == "organizations":
        return True  # one's own organization
    return collection in PLAYBOOKS and stranger_role == OWNER_ROLE


async def test_no_route_lets_a_stranger_use_someone_elses_record(
    api_db: DatabaseService, sign_up: SignUp
) -> None:
    owner = await sign_up(OWNER_ROLE)
    strangers = {
        "another role": await sign_up(OTHER_ROLE),
        "same role": await sign_up(OWNER_ROLE),
        # A member of the owner's own organization, on none of the owner's cases.
        "colleague": await sign_up(OTHER_ROLE, given=True),
    }
    invitation = await api_db.acting_as(owner.id).create_invitation(
        {"email": strangers["colleague"].email}
    )
    assert invitation.token is not None
    await api_db.acting_as(strangers["colleague"].id).accept_invitation(invitation.token)
    records = await _records(api_db, owner)
    app = create_app(api_db, settings())
    routes = _record_routes(app)
    assert len(routes) > 60, "the generated routes are all here"

    checked = 0
    failures = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub"
    ) as http:
        for method, template, collection in routes:
            assert collection in records, f"no record for {method} {template}: add one above"
            name = template.split("{")[1].split("}")[0]
            url = template.replace(f"{{{name}}}", records[collection])
            body = BODIES.get((method, template), {} if method in ("PATCH", "POST") else None)
            for who, stranger in strangers.items():
                if _public(method, template, collection, who, stranger.role_id):
                    continue
                # Based on the version the owner's records are at, as a real change would be.
                based = {"If-Match": '"1"'} if method in ("PATCH", "DELETE") else {}
                answer = await http.request(
                    method, url, json=body, headers=stranger.headers | based
                )
                checked += 1
                if answer.status_code < 400 or answer.status_code >= 500:
                    failures.append(f"{who}: {method} {template} -> {answer.status_code}")
                elif collection not in CATALOGUE | {"permissions", "role-permissions"}:
                    assert answer.status_code in (403, 404), (who, method, template)
    assert not failures, failures
    assert checked > 150

    # Nothing was changed along the way: the owner's task is as it was.
    task = await http_get(app, f"/api/v1/tasks/{records['tasks']}", owner)
    assert (task["version"], task["status"], task["deleted_at"]) == (1, "pending", None)


async def http_get(app: Any, url: str, person: Person) -> Any:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub"
    ) as http:
        answer = await http.get(url, headers=person.headers)
        assert answer.status_code == 200, answer.text
        return answer.json()
