"""Remember which exact KBs passed the cross-file checks, so a warm load skips them.

The cross-file checks (``engine.kbcheck``) are a pure function of the files
loaded, in their order, and of conndoctor's code. A KB whose every file
came through the parse cache with a known hash therefore has a fingerprint:
the directory caches' names (which hold the directory, the conndoctor,
PyYAML and Python versions), the hash of each file in load order, and the
size and modification time of every module under ``engine/`` (so that editing
a check in a development checkout invalidates what it remembered). When a
load with that fingerprint passed the checks once, a later one cannot fail
them; on the 10,000-rule synthetic KB this saves ~0.1-0.15 s of every warm
load. Pydantic validation of each file still runs on every load.

Only clean passes are remembered (an empty marker file per fingerprint), so
any KB with an error is checked, and reported, every time.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from pathlib import Path

from engine.kbcache import MAX_ENTRIES, DirectoryCache

_ENGINE_DIR = Path(__file__).resolve().parent
_PREFIX = "checked-"


def fingerprint(caches: Sequence[DirectoryCache]) -> str | None:
    """The KB's fingerprint, or None when some file did not go through a cache."""
    if not caches:
        return None
    digest = hashlib.sha256()
    for cache in caches:
        digest.update(cache.file.name.encode() + b"\0")
        for key, file_hash in cache.digests.items():
            digest.update(f"{key}\0{file_hash}\0".encode())
    for module in sorted(_ENGINE_DIR.rglob("*.py")):
        stat = module.stat()
        name = module.relative_to(_ENGINE_DIR).as_posix()
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:32]


def passed_before(cache_dir: Path | None, stamp: str | None) -> bool:
    """True when a KB with this fingerprint passed the checks before."""
    if cache_dir is None or stamp is None:
        return False
    return (cache_dir / f"{_PREFIX}{stamp}").is_file()


def remember_passed(cache_dir: Path | None, stamp: str | None) -> None:
    """Note a clean pass (best effort: a cache we cannot write only costs time)."""
    if cache_dir is None or stamp is None:
        return
    marker = cache_dir / f"{_PREFIX}{stamp}"
    with contextlib.suppress(OSError):
        cache_dir.mkdir(parents=True, exist_ok=True)
        marker.touch()
        markers = sorted(cache_dir.glob(f"{_PREFIX}*"), key=lambda f: f.stat().st_mtime,
                         reverse=True)
        for stale in markers[MAX_ENTRIES:]:
            stale.unlink(missing_ok=True)
