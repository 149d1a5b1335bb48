"""The `dreamery` command."""

from __future__ import annotations

from dreamery.cli.app import app, main

__all__ = ["app", "main"]
