"""Pausing the cyclic garbage collector around bounded bursts of allocation."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bounded burst of allocations.

    Loading, compiling and running rules allocate many small objects but
    create no reference cycles; without the pause, CPython's collections walk
    the whole growing KB (tens of thousands of pydantic objects) again and
    again: loading the 10,000-rule synthetic KB from the cache measured 1.7
    times slower, compiling and running it 2-10 times. The pause does not
    make collections disappear: one may follow the burst. A long-running
    process that keeps one large KB can call ``gc.freeze()`` after loading so
    that those collections skip the KB.
    Reference counting still frees everything; the collector's state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_frozen_after_imports = False


@contextmanager
def imports_without_gc() -> Iterator[None]:
    """Import a command's modules with the collector off, then freeze what they built.

    Importing conndoctor's modules builds pydantic's models and validators:
    tens of thousands of objects that live until exit and hold no garbage,
    which CPython's collector walked again and again while they were being
    made (a ``diagnose --no-input`` run: 345 ms of CPU with it, 277 ms
    without). ``gc.freeze()`` then moves them to the permanent generation, so
    later collections skip them as well. Only the first use freezes: later
    ones import nothing new, and freezing again in a long-lived process (the
    test suite) would keep its cyclic garbage from being collected.
    """
    global _frozen_after_imports
    with paused_gc():
        try:
            yield
        finally:
            if not _frozen_after_imports:
                gc.freeze()
                _frozen_after_imports = True
