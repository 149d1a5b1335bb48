"""The small core every domain stands on: settings, database access, errors and ids."""
