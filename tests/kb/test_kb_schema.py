"""``kb schema``: the JSON Schema and reference come from the models and are committed current."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.kbdocs import schema_documents
from engine.schema import FILE_MODELS
from tests.conftest import REPO, run_cli

DOCS = REPO / "docs"


def test_kb_schema_prints_one_json_schema_per_file_kind() -> None:
    """The printed document has a schema for every KB file kind, with unknown keys forbidden."""
    result = run_cli("kb", "schema")
    schemas = json.loads(result.out)
    assert result.code == 0
    assert sorted(schemas) == sorted(FILE_MODELS)
    assert schemas["cause"]["additionalProperties"] is False
    assert "mechanism" in schemas["cause"]["required"]


@pytest.mark.parametrize("relative", sorted(schema_documents()))
def test_committed_docs_are_what_the_models_generate(relative: str) -> None:
    """docs/schema/*.json and docs/kb-reference.md match the models (kb schema --write docs)."""
    committed = DOCS / relative
    assert committed.is_file(), f"missing {committed}; run 'conndoctor kb schema --write docs'"
    assert committed.read_text(encoding="utf-8") == schema_documents()[relative], (
        f"{committed} is stale; run 'conndoctor kb schema --write docs'"
    )


def test_kb_schema_write_creates_the_files(tmp_path) -> None:
    """``--write DIR`` writes DIR/schema/<kind>.json and DIR/kb-reference.md."""
    result = run_cli("kb", "schema", "--write", str(tmp_path))
    assert result.code == 0, result.err
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(schema_documents())


@pytest.mark.parametrize("root", ["kb", "docs/examples/extra-kb"])
def test_every_kb_file_modeline_points_at_an_existing_schema_of_its_kind(root: str) -> None:
    """Each KB file (built-in and the example) starts with a modeline for its own kind."""
    for file in sorted((REPO / root).rglob("*.yaml")):
        first = file.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, f"{file}: first line is not a $schema modeline"
        target = (file.parent / match.group(1)).resolve()
        kind = {"causes": "cause", "errors": "errors"}.get(file.parent.name, file.stem)
        assert target == (DOCS / "schema" / f"{kind}.json").resolve(), file
        assert target.is_file(), f"{file}: {target} does not exist"


def test_kb_schema_kind_prints_the_file_the_modelines_point_to() -> None:
    """``kb schema --kind cause`` prints exactly docs/schema/cause.json; the kinds match."""
    from cli.kb_cmd import KINDS

    assert sorted(KINDS) == sorted(FILE_MODELS)
    result = run_cli("kb", "schema", "--kind", "cause")
    assert result.code == 0
    assert result.out == (DOCS / "schema" / "cause.json").read_text(encoding="utf-8")


def test_schema_write_refuses_a_file_or_a_missing_parent(tmp_path: Path) -> None:
    """--write names a directory: a file given instead, or a directory in a directory that
    does not exist, is a one-line error (before: an internal error, or a tree created)."""
    afile = tmp_path / "f1.yaml"
    afile.write_text("x: 1\n")
    result = run_cli("kb", "schema", "--write", str(afile))
    assert result.code == 1 and "is not a directory" in result.err
    assert "internal error" not in result.err and afile.read_text() == "x: 1\n"
    deep = tmp_path / "missing" / "docs"
    result = run_cli("kb", "schema", "--write", str(deep))
    assert result.code == 1 and "does not exist" in result.err
    assert not (tmp_path / "missing").exists()
