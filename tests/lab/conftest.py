"""The lab fixture: a client -- router -- server namespace lab, always torn down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import require_lab_tools
from tests.lab.netlab import Lab


@pytest.fixture
def lab() -> Iterator[Lab]:
    """Three fresh namespaces (``cdp-*``); removed with their servers even on failure."""
    require_lab_tools("ip", "iptables", "sysctl")
    made = Lab()
    try:
        made.up()
        yield made
    finally:
        made.close()
