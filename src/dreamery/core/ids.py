"""Primary keys: time-ordered UUIDs (version 7), so new rows land at the end of the index."""

from __future__ import annotations

import uuid

# uuid-utils (Rust) makes a standard-library UUID in under a microsecond; bulk seeding makes
# hundreds of thousands of them.
from uuid_utils.compat import uuid7

# Namespace for the deterministic ids of catalogue rows (uuid5 of their slug path).
CATALOG_NAMESPACE = uuid.UUID("6f1c1d3e-8a51-4bd2-9a3f-1f5d7c2b9e40")


def new_id() -> uuid.UUID:
    """A fresh UUIDv7: millisecond timestamp first, then randomness."""
    return uuid7()


def catalog_id(*path: str) -> uuid.UUID:
    """The stable id of a catalogue row, e.g. catalog_id("workflow", "acquisition-workflow")."""
    return uuid.uuid5(CATALOG_NAMESPACE, "/".join(path))
