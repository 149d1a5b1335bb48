"""Dreamery Hub: the data platform for real-estate professionals.

The public entry points are `dreamery.DatabaseService` and the error tree `dreamery.errors`.

Where code goes:

- Code that names a domain's table, field or status lives in that domain's package
  (`users`, `rbac`, `catalog`, `workflows`, `documents`, `compliance`, `analytics`, `tasks`,
  `notifications`, `audit`, `auth`), which reads top to bottom: `schemas.py` (what goes in
  and out), `service.py` (its specs and every operation, named for what it does; the only
  place that writes), `routes.py` (thin HTTP routes, mounted by the app factory).
- Code that works for any entity without naming one lives in `core/` (with the HTTP toolkit
  `core/http/`), or in the surfaces built on the domains: `api/`, `studio/`, `cli/`, and the
  facade (`service.py`, `facade/`). `models/` holds the tables, `migrations/` their history.
- A state change with rules (a status, a review's verdict, a read mark) is a named
  operation of its domain, never a field of a generic update.

The layers, each importing only those below it: the surfaces (`api`, `studio`, `cli`), the
facade, the domains, `models`, `core`. `make lint` checks it (import-linter contracts in
pyproject.toml): `core` imports nothing above it, and no domain imports a surface.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dreamery import errors
    from dreamery.service import DatabaseService

__all__ = ["DatabaseService", "errors"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `import dreamery.cli` stays light.
    if name == "DatabaseService":
        from dreamery.service import DatabaseService

        return DatabaseService
    if name == "errors":
        return importlib.import_module("dreamery.errors")
    raise AttributeError(f"module 'dreamery' has no attribute {name!r}")
