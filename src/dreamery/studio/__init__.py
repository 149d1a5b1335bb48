"""The studio: a browser GUI over every table of the hub, for administrators.

Built on starlette-admin, it reads and writes through `DatabaseService` as the signed-in
administrator, so validation, access control and the audit trail apply to every click. It is
mounted at `/studio` by `dreamery serve` and served on its own by `dreamery db studio`.
"""

from __future__ import annotations

from dreamery.studio.app import STUDIO_PATH, create_studio, mount_studio

__all__ = ["STUDIO_PATH", "create_studio", "mount_studio"]
