"""Alembic migrations of the hub's schema (run them with `dreamery db migrate`)."""
