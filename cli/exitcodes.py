"""Named exit statuses (the contract's table)."""

from enum import IntEnum


class Exit(IntEnum):
    """What ``conndoctor`` returns to the shell."""

    DIAGNOSED = 0
    FAILED = 1
    USAGE = 2
    INTERRUPTED = 130
