"""Dreamery Hub: the data platform for real-estate professionals.

The public entry point is `dreamery.DatabaseService`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dreamery.service import DatabaseService

__all__ = ["DatabaseService"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `import dreamery.cli` stays light.
    if name == "DatabaseService":
        from dreamery.service import DatabaseService

        return DatabaseService
    raise AttributeError(f"module 'dreamery' has no attribute {name!r}")
