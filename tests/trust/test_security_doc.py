"""docs/security.md states the threat model in one table, and every row names a test that exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {"App", "App (triggers)", "App (heads)", "DB roles", "External checkpoint"}
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _threat_rows() -> list[list[str]]:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    section = text.split("## Threat model", 1)[1].split("\n## ", 1)[0]
    tables = re.findall(r"(?:^\|.*\|\n)+", section, flags=re.M)
    assert len(tables) == 1, "the threat model is one table"
    lines = tables[0].strip().splitlines()
    assert lines[0] == "| Threat | What holds | Held by | Test |"
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[2:]]


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_every_row_says_which_layer_holds_it_and_names_an_existing_test() -> None:
    rows = _threat_rows()
    assert {row[2] for row in rows} == LAYERS  # every layer has its rows
    for threat, _, _, tests in rows:
        references = REFERENCE.findall(tests)
        assert references, f"{threat!r} names no test"
        for file, name in references:
            assert name in _tests_in(ROOT / file), f"{threat!r}: {file}::{name} does not exist"
