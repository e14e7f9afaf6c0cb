"""Fixtures shared by the engine tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO

CLEAN_KB = REPO / "tests" / "kb" / "lint" / "clean"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A private copy of the small clean KB fixture, free to edit."""
    copy = tmp_path / "kb"
    shutil.copytree(CLEAN_KB, copy)
    return copy
