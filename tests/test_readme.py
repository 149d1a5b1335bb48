"""The README's Python example runs as printed, against a seeded database of its own."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from dreamery.core.config import get_settings

pytestmark = pytest.mark.usefixtures("backend")

README = Path(__file__).resolve().parents[1] / "README.md"


def _example() -> str:
    section = README.read_text().split("## Using the data layer from Python", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, "the README lost its Python example"
    return found.group(1)


async def test_the_python_example_runs(
    fresh_seeded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", fresh_seeded_url)
    get_settings.cache_clear()
    namespace: dict[str, object] = {}
    try:
        # The example as a reader would paste it into an async function.
        body = textwrap.indent(_example(), "    ")
        exec(f"async def example():\n{body}    return locals()\n", namespace)
        done = await namespace["example"]()  # type: ignore[operator]
    finally:
        get_settings.cache_clear()
    assert done["task"].status == "pending"
    assert [u.id for u in done["hits"]] == [done["john"].id]
