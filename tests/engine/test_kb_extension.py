"""Extra KBs from --kb, CONNDOCTOR_KB_PATH and installed packages' entry points."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from engine.errors import KBError
from engine.kbpaths import entry_point_dirs, extra_kb_dirs
from engine.lint import lint_kb
from engine.loader import load_kb
from tests.conftest import REPO, run_cli

EXAMPLE = REPO / "docs" / "examples" / "extra-kb"
BUILTIN_CAUSE = REPO / "kb" / "causes" / "port-not-listening.yaml"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("CONNDOCTOR_NO_CACHE", "1")
    monkeypatch.delenv("CONNDOCTOR_KB_PATH", raising=False)


def _listed_causes(*argv: str) -> list[str]:
    result = run_cli("kb", "list", "--format", "json", *argv)
    assert result.code == 0, result.err
    return [cause["id"] for cause in json.loads(result.out)["causes"]]


def _install_package(site: Path, name: str, target: str, kb: Path | None) -> None:
    """A real installed distribution: a .dist-info with entry_points.txt, plus the package."""
    if kb is not None:
        shutil.copytree(kb, site / target)
        (site / target / "__init__.py").write_text('"""A conndoctor KB."""\n')
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[conndoctor.kb]\n{name} = {target}\n")


def test_kb_flag_adds_the_example_cause() -> None:
    """``--kb DIR`` loads the extra KB on top of the built-in one."""
    causes = _listed_causes("--kb", "docs/examples/extra-kb")
    assert "tw-recycle-nat" in causes
    assert "port-not-listening" in causes


def test_kb_test_passes_on_the_worked_example() -> None:
    """``kb test --kb docs/examples/extra-kb`` runs the example's cases with the built-in ones."""
    result = run_cli("kb", "test", "--kb", "docs/examples/extra-kb")
    assert result.code == 0, result.out
    assert "ok   tw-recycle-nat.office-behind-nat\n" in result.out
    assert "ok   tw-recycle-nat.near-miss-firewall\n" in result.out


def test_the_worked_example_adds_no_lint_warning() -> None:
    """The example KB is lint clean: it adds no warning to the built-in KB's own."""
    builtin = {str(w) for w in lint_kb(load_kb())}
    combined = {str(w) for w in lint_kb(load_kb([EXAMPLE]))}
    assert combined - builtin == set()


def test_environment_variable_adds_directories_in_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """CONNDOCTOR_KB_PATH holds os.pathsep-separated directories, loaded before --kb ones."""
    second = tmp_path / "second"
    second.mkdir()
    (second / "manifest.yaml").write_text('name: second\ncontent_version: "2"\n')
    monkeypatch.setenv("CONNDOCTOR_KB_PATH", os.pathsep.join([str(EXAMPLE), str(second)]))
    assert extra_kb_dirs(["extra"]) == [EXAMPLE, second, Path("extra")]
    result = run_cli("kb", "validate")
    assert result.code == 0, result.out
    assert "example-tw-recycle 1.0.0 + second 2)" in result.out


def test_a_directory_named_twice_is_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same KB from the environment and a flag (or the built-in one) is no duplicate."""
    monkeypatch.setenv("CONNDOCTOR_KB_PATH", str(EXAMPLE))
    assert run_cli("kb", "validate", "--kb", "docs/examples/extra-kb", "--kb", "kb").code == 0


def test_entry_point_package_is_loaded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An installed package's ``conndoctor.kb`` entry point adds its directory as a KB."""
    site = tmp_path / "site"
    _install_package(site, "acme-kb", "acme_conndoctor_kb", EXAMPLE)
    monkeypatch.syspath_prepend(str(site))
    assert entry_point_dirs() == [site / "acme_conndoctor_kb"]
    assert "tw-recycle-nat" in _listed_causes()
    result = run_cli("kb", "test")
    assert result.code == 0
    assert "ok   tw-recycle-nat.office-behind-nat\n" in result.out


def test_entry_point_to_a_missing_package_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A broken entry point names itself, its distribution and the reason; exit 1."""
    site = tmp_path / "site"
    _install_package(site, "broken-kb", "no_such_kb_package", None)
    monkeypatch.syspath_prepend(str(site))
    reason = ("entry point 'broken-kb' (conndoctor.kb, distribution 'broken-kb') names "
              "'no_such_kb_package': no such package is installed")
    validated = run_cli("kb", "validate")
    assert (validated.code, validated.out) == (1, f"error: {reason}\n")
    listed = run_cli("kb", "list")
    assert (listed.code, listed.err) == (1, f"conndoctor: error: {reason}\n")


def test_replacing_a_builtin_cause_without_replaces_names_both_files(tmp_path: Path) -> None:
    """An extra KB that redefines a built-in id is an error naming both files."""
    extra = tmp_path / "extra"
    (extra / "causes").mkdir(parents=True)
    (extra / "manifest.yaml").write_text('name: extra\ncontent_version: "1"\n')
    shutil.copy(BUILTIN_CAUSE, extra / "causes" / "port-not-listening.yaml")
    with pytest.raises(KBError) as raised:
        load_kb([extra])
    first = raised.value.issues[0]
    assert first.file == extra / "causes" / "port-not-listening.yaml"
    assert "cause 'port-not-listening' is already defined at kb/causes/port-not-listening.yaml:" \
        in first.message
    assert "add 'replaces: true'" in first.message


def test_replaces_true_overrides_a_builtin_cause(tmp_path: Path) -> None:
    """With ``replaces: true`` the extra KB's cause takes the built-in one's place."""
    extra = tmp_path / "extra"
    (extra / "causes").mkdir(parents=True)
    (extra / "manifest.yaml").write_text('name: extra\ncontent_version: "1"\n')
    text = BUILTIN_CAUSE.read_text().replace("\nid: port-not-listening\n",
                                             "\nid: port-not-listening\nreplaces: true\n", 1)
    text = text.replace("\ntitle: ", "\ntitle: Replaced - ", 1)
    (extra / "causes" / "port-not-listening.yaml").write_text(text)
    knowledge = load_kb([extra])
    assert knowledge.causes["port-not-listening"].title.startswith("Replaced - ")
    assert knowledge.origin("cause", "port-not-listening").file == \
        extra / "causes" / "port-not-listening.yaml"


def test_an_empty_kb_flag_is_an_error_not_the_working_directory() -> None:
    """``--kb ''`` says a name is needed instead of loading the current directory."""
    result = run_cli("kb", "list", "--kb", "")
    assert (result.code, result.err) == (
        1, "conndoctor: error: --kb needs a directory name (got '')\n")


def test_a_directory_without_manifest_is_one_error(tmp_path: Path) -> None:
    """Pointing --kb at a directory that is not a KB gives one line, not one per file."""
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "src").mkdir()
    result = run_cli("kb", "validate", "--kb", str(tmp_path))
    assert result.code == 1
    assert result.out == (f"{tmp_path}: error: not a KB directory: it has no manifest.yaml "
                          "(name, content_version, format_version)\n")
