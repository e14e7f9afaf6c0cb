"""Score the error reader on held-out sets of real error lines (issue 7).

Run ``python tests/bench/bench_heldout.py [--verbose] [FILE ...]`` (default:
every ``tests/data/heldout_errors*.yaml``). For each set it prints how many
lines got the labelled ``error_kind``, how many were left unread (no pattern
matched: the questionnaire then asks) and how many were misread (a wrong
``error_kind``: the worse failure). A line labelled ``unknown`` is read right
when no kind is claimed (see ``tests/heldout.py``). ``--verbose`` lists every miss;
``--as-collected`` scores the labels as the collector first wrote them
(``relabelled_from``), before any adjudication.

The score a set gets the first time it is run, before any pattern is written
for it, is its first-contact score: the README records those. Later runs of
the same set measure regressions, not generalisation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.errortext import reader_for  # noqa: E402
from engine.loader import load_kb  # noqa: E402
from tests.heldout import heldout_files, heldout_lines, kind_claimed_by, read_right  # noqa: E402


def main() -> int:
    """Print one row per set and a total; list the misses with --verbose."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument("--as-collected", action="store_true",
                        help="score the labels as first written (relabelled_from)")
    args = parser.parse_args()
    files = args.files or heldout_files()
    reader = reader_for(load_kb())
    print(f"{'set':28} {'lines':>5} {'right':>6} {'unread':>6} {'misread':>7}")
    totals = [0, 0, 0, 0]
    for file in files:
        lines = heldout_lines(file)
        right = unread = misread = 0
        for item in lines:
            want = item.get("relabelled_from", item["error_kind"]) if args.as_collected \
                else item["error_kind"]
            got = kind_claimed_by(reader, item["line"])
            if read_right(got, want):
                right += 1
                continue
            if got is None:
                unread += 1
            else:
                misread += 1
            if args.verbose:
                print(f"  {'UNREAD ' if got is None else 'MISREAD'} want={want} "
                      f"got={got} [{item.get('stack', '?')}] {item['line'][:150]}")
        for index, count in enumerate((len(lines), right, unread, misread)):
            totals[index] += count
        print(f"{file.name:28} {len(lines):5d} {right / len(lines):6.1%} {unread:6d} {misread:7d}")
    count, right, unread, misread = totals
    print(f"{'all':28} {count:5d} {right / max(1, count):6.1%} {unread:6d} {misread:7d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
