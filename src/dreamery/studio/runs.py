"""A workflow run in the studio: its detail page shows the checklist, with the run's
progress, each step's status, assignee and due date (overdue ones marked), and a link to
each step, whose page has the step's operations (start, submit, complete, skip, reopen,
approve, return, assign) as buttons, run through the service layer like every operation.

The checklist is read with `DatabaseService.find_run_by_id`, as the caller may see it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette_admin.types import RequestAction

from dreamery.studio import labels
from dreamery.studio.views import EntityView, Surface
from dreamery.workflows.runs import STEP_RUNS
from dreamery.workflows.schemas import RunRead

BADGES = {
    "blocked": "bg-secondary-lt",
    "ready": "bg-blue-lt",
    "in_progress": "bg-azure-lt",
    "returned": "bg-orange-lt",
    "done": "bg-green-lt",
    "skipped": "bg-muted-lt",
}


class RunView(EntityView):
    """Runs: the generic list, and a detail page with the checklist."""

    async def find_by_pk(self, request: Request, pk: Any) -> Any:
        found = await super().find_by_pk(request, pk)
        if found is not None and request.state.action == RequestAction.DETAIL:
            with self._errors(request, Surface.PAGE):
                run = await self.db(request).find_run_by_id(pk)
            request.state.studio_run = run
            wanted = [("users", str(step.assignee_id)) for step in run.steps if step.assignee_id]
            await labels.resolve(request, self.db(request), self.studio.views, wanted)
        return found

    def detail_panel(self, request: Request, obj: Any) -> Markup | None:
        run: RunRead | None = getattr(request.state, "studio_run", None)
        if run is None:
            return None
        return checklist(run, self.studio.views[STEP_RUNS.path], request)


def checklist(run: RunRead, steps_view: EntityView, request: Request) -> Markup:
    """The run's progress and its steps, as a card."""
    progress = run.progress
    parts = [
        f"{progress.finished} of {progress.total} steps finished",
        f"{progress.required_left} required left",
        f"about {_duration(progress.minutes_left)} of work left",
    ]
    if progress.next_due is not None:
        parts.append(
            f"next due: {progress.next_due.number}. {progress.next_due.name} "
            f"on {progress.next_due.due_on.isoformat()}"
        )
    overdue = (
        Markup('<div class="text-danger mt-1" data-studio-overdue>Overdue: {}</div>').format(
            ", ".join(f"{o.number}. {o.name} ({o.due_on.isoformat()})" for o in progress.overdue)
        )
        if progress.overdue
        else Markup("")
    )
    detail = str(request.url_for(request.app.state.ROUTE_NAME + ":detail", key=steps_view.key))
    rows = []
    for step in run.steps:
        assignee = labels.studio_label(request, "users", step.assignee_id) or (
            str(step.assignee_id) if step.assignee_id else "—"
        )
        due = step.due_on.isoformat() if step.due_on else "—"
        rows.append(
            Markup(
                '<tr data-studio-step="{number}" data-studio-status="{status}">'
                "<td>{number}</td>"
                '<td><a href="{href}">{name}</a>{optional}'
                '<div class="text-secondary small">{rule}</div></td>'
                "<td>{kind}</td>"
                '<td><span class="badge {badge}">{status_text}</span></td>'
                "<td>{assignee}</td>"
                '<td class="{due_class}">{due}</td>'
                "</tr>"
            ).format(
                number=step.number,
                status=step.status,
                href=f"{detail}?{urlencode({'pk': str(step.id)})}",
                name=step.name,
                optional=Markup(' <span class="text-secondary">(optional)</span>')
                if not step.required
                else "",
                rule=step.due_rule or "",
                kind=step.kind,
                badge=BADGES.get(step.status, "bg-secondary-lt"),
                status_text=step.status.replace("_", " "),
                assignee=assignee,
                due_class="text-danger fw-bold" if step.overdue else "",
                due=due,
            )
        )
    return Markup(
        '<div class="card" data-studio-checklist>'
        '<div class="card-header"><h3 class="card-title">Checklist · {name} (version {version})'
        "</h3></div>"
        '<div class="card-body">'
        '<div class="progress mb-2" role="progressbar" aria-valuenow="{percent}" '
        'aria-valuemin="0" aria-valuemax="100" aria-label="Progress">'
        '<div class="progress-bar" style="width: {percent}%"></div></div>'
        "<div data-studio-progress>{summary}</div>{overdue}</div>"
        '<div class="table-responsive"><table class="table table-vcenter card-table">'
        "<thead><tr><th>#</th><th>Step</th><th>Kind</th><th>Status</th><th>Assignee</th>"
        "<th>Due</th></tr></thead><tbody>{rows}</tbody></table></div></div>"
    ).format(
        name=run.workflow_name,
        version=run.definition_version,
        percent=progress.percent,
        summary=" · ".join(parts),
        overdue=overdue,
        rows=Markup("").join(rows),
    )


def _duration(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
