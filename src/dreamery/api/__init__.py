"""The HTTP API: a FastAPI application over `DatabaseService`."""
