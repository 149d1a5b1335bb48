"""The hub's schema over time: Alembic revisions (`versions/`), and running them.

`dreamery db migrate` and the tests use `runner` (upgrade, downgrade, generate, drift);
`maintenance` holds the rest of the database life cycle (status, push, reset).
"""
