"""The warm cache skips recompiling unchanged patterns, never a broken one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.errors import KBError
from engine.errortext import ErrorReader
from engine.loader import load_kb

MANIFEST = 'name: acme\ncontent_version: "1"\nformat_version: 1\n'
PATTERN = """\
patterns:
  - id: acme-reset
    stack: acme
    regex: '{regex}'
    literal: acme link
    sets: {{error_kind: reset}}
    examples:
      match: ["ACME link reset"]
"""


def _kb(root: Path, regex: str) -> Path:
    (root / "errors").mkdir(parents=True)
    (root / "manifest.yaml").write_text(MANIFEST)
    (root / "errors" / "acme.yaml").write_text(PATTERN.format(regex=regex))
    return root


def test_a_broken_regex_fails_on_every_load_even_with_a_cache(tmp_path: Path) -> None:
    """A KB that failed is never cached, so its bad regex is reported again."""
    kb_dir = _kb(tmp_path / "kb", "acme link (reset")
    for _ in range(2):
        with pytest.raises(KBError, match="acme-reset: regex does not compile"):
            load_kb([kb_dir], cache_dir=tmp_path / "cache")


def test_an_unchanged_pattern_file_comes_from_the_cache_and_still_reads(tmp_path: Path) -> None:
    """The second load takes the file from the cache, and its pattern still matches."""
    kb_dir = _kb(tmp_path / "kb", r"acme link reset")
    first = load_kb([kb_dir], cache_dir=tmp_path / "cache")
    second = load_kb([kb_dir], cache_dir=tmp_path / "cache")
    pattern_file = kb_dir / "errors" / "acme.yaml"
    assert pattern_file not in first.cached_files
    assert pattern_file in second.cached_files
    assert ErrorReader(second).read("ACME link reset by switch")["error_kind"][0] == "reset"


def test_an_unchanged_pattern_file_is_not_timed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Timing a nested repeat for backtracking costs a process: once, not on every load."""
    import subprocess

    from engine import backtracking

    started = []
    real = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(backtracking.subprocess, "Popen", popen)
    kb_dir = _kb(tmp_path / "kb", r"acme link (?:\w{1,20}\.){1,3}reset")
    load_kb([kb_dir], cache_dir=tmp_path / "cache")
    assert len(started) == 1
    for marker in (tmp_path / "cache").glob("checked-*"):
        marker.unlink()  # so the cross-file checks run again, as after an upgrade
    second = load_kb([kb_dir], cache_dir=tmp_path / "cache")
    assert kb_dir / "errors" / "acme.yaml" in second.cached_files
    assert len(started) == 1
