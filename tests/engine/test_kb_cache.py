"""The parse cache: same KB warm or cold, edits seen at once, tampering never trusted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.errors import KBError
from engine.kbcache import default_cache_dir
from engine.loader import load_kb


def _summary(knowledge) -> tuple:
    return (sorted(knowledge.causes), sorted(knowledge.evidence_rules),
            [c.model_dump() for c in knowledge.causes.values()],
            [str(o) for o in knowledge.origins.values()])


def _cache_file(cache: Path) -> Path:
    (found,) = cache.glob("kb-*.json")
    return found


def test_warm_load_gives_the_same_kb_as_a_cold_one(kb_dir: Path, tmp_path: Path) -> None:
    """Loading from the cache yields the same items, values and origins as parsing YAML."""
    cache = tmp_path / "cache"
    cold = load_kb([kb_dir], include_builtin=False)
    first = load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    warm = load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    assert _summary(cold) == _summary(first) == _summary(warm)
    entries = json.loads(_cache_file(cache).read_text())
    assert "causes/keepalive-race.yaml" in entries


def test_an_edited_file_is_read_again(kb_dir: Path, tmp_path: Path) -> None:
    """A changed file's new content is used at once (entries are keyed by content hash)."""
    cache = tmp_path / "cache"
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    cause = kb_dir / "causes" / "keepalive-race.yaml"
    cause.write_text(cause.read_text().replace("title: Keep-alive race", "title: Edited"))
    warm = load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    assert warm.causes["keepalive-race"].title == "Edited"


def test_an_edit_that_breaks_a_file_reports_the_yaml_line(kb_dir: Path, tmp_path: Path) -> None:
    """Errors always come from the file itself with its exact line, never from the cache."""
    cache = tmp_path / "cache"
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    cause = kb_dir / "causes" / "keepalive-race.yaml"
    cause.write_text(cause.read_text().replace("    lr: 8\n", "    lr: 8\n    lr: 9\n", 1))
    with pytest.raises(KBError) as raised:
        load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    assert str(raised.value.issues[0]).endswith(
        "causes/keepalive-race.yaml:9: error: duplicate key 'lr' (first at line 8); "
        "YAML would silently keep only the last one")


def test_tampered_cache_data_is_validated_like_yaml(kb_dir: Path, tmp_path: Path) -> None:
    """Data slipped into the cache under a valid hash still goes through the schema."""
    cache = tmp_path / "cache"
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    cache_file = _cache_file(cache)
    entries = json.loads(cache_file.read_text())
    entries["causes/keepalive-race.yaml"]["data"]["rules"][0]["lr"] = "__import__('os')"
    cache_file.write_text(json.dumps(entries))
    with pytest.raises(KBError) as raised:
        load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    assert "'lr' must be a number" in str(raised.value)


@pytest.mark.parametrize("garbage", [b"not json", b"[1, 2]", b'{"causes/keepalive-race.yaml": 7}'])
def test_an_unreadable_cache_is_ignored_and_rewritten(
    kb_dir: Path, tmp_path: Path, garbage: bytes
) -> None:
    """A corrupt cache file never breaks loading; the next load repairs it."""
    cache = tmp_path / "cache"
    load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    cache_file = _cache_file(cache)
    cache_file.write_bytes(garbage)
    knowledge = load_kb([kb_dir], include_builtin=False, cache_dir=cache)
    assert "keepalive-race" in knowledge.causes
    assert "causes/keepalive-race.yaml" in json.loads(cache_file.read_text())


def test_cache_location_follows_xdg_and_can_be_disabled(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """$XDG_CACHE_HOME/conndoctor, else ~/.cache/conndoctor; none with CONNDOCTOR_NO_CACHE=1."""
    monkeypatch.delenv("CONNDOCTOR_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "conndoctor"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "conndoctor"
    monkeypatch.setenv("CONNDOCTOR_NO_CACHE", "1")
    assert default_cache_dir() is None


def test_the_cli_fills_the_cache_under_xdg_cache_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``kb validate`` stores the parsed built-in KB under $XDG_CACHE_HOME/conndoctor."""
    from tests.conftest import run_cli

    monkeypatch.delenv("CONNDOCTOR_NO_CACHE", raising=False)
    monkeypatch.delenv("CONNDOCTOR_KB_PATH", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert run_cli("kb", "validate").code == 0
    entries = json.loads(_cache_file(tmp_path / "conndoctor").read_text())
    assert "manifest.yaml" in entries


def test_the_cache_keeps_a_bounded_number_of_directories(
    monkeypatch: pytest.MonkeyPatch, kb_dir: Path, tmp_path: Path
) -> None:
    """Loading many different KB directories leaves at most MAX_ENTRIES cache files."""
    import engine.kbcache

    monkeypatch.setattr(engine.kbcache, "MAX_ENTRIES", 3)
    cache = tmp_path / "cache"
    for index in range(5):
        copy = tmp_path / f"kb{index}"
        shutil.copytree(kb_dir, copy)
        load_kb([copy], include_builtin=False, cache_dir=cache)
    assert len(list(cache.glob("kb-*.json"))) == 3
