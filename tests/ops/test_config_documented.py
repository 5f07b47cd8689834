"""Every setting has a row in the README's configuration table, and every row is a setting.

A row's first cell names one variable or several (`` `A` / `B` ``); the variables are the
upper-cased names of :class:`threadline.config.Settings`' fields, as pydantic-settings reads
them from the environment.
"""

from __future__ import annotations

import re
from pathlib import Path

from threadline.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
VARIABLE = re.compile(r"`([A-Z][A-Z0-9_]*)`")


def documented_variables() -> set[str]:
    text = README.read_text(encoding="utf-8")
    _, found, rest = text.partition("\n## Configuration\n")
    assert found, "README.md has no '## Configuration' section"
    section = rest.split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert len(rows) > 2, "the configuration section has no table"
    header, separator, *body = rows
    assert "variable" in header.lower()
    assert set(separator) <= set("|-: ")
    names: set[str] = set()
    for row in body:
        first_cell = row.split("|")[1]
        found_here = VARIABLE.findall(first_cell)
        assert found_here, f"a configuration row names no variable: {row}"
        names.update(found_here)
    return names


def test_every_setting_has_a_row_in_the_readme_configuration_table() -> None:
    settings = {name.upper() for name in Settings.model_fields}
    missing = sorted(settings - documented_variables())
    assert not missing, f"settings missing from README.md's configuration table: {missing}"


def test_every_variable_in_the_table_is_still_a_setting() -> None:
    settings = {name.upper() for name in Settings.model_fields}
    stale = sorted(documented_variables() - settings)
    assert not stale, f"README.md's configuration table names settings that do not exist: {stale}"
