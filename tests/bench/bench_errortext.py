"""Benchmark: how fast ``--log`` reads a large log, and whether its memory stays flat.

Generates a realistic log (mostly ordinary access and application lines, about
one line in a hundred a connection error from some stack, a few look-alikes
such as "password reset") of ``--megabytes`` (default 100), then measures:

- the log scanner (block trigger prefilter, then patterns on candidate lines);
- for comparison, on a ``--sample`` MB slice, per-line reading with each
  pattern's literal test, and on a ``--naive-sample`` MB slice the naive
  case-insensitive alternation of all patterns run on every line;
- peak Python memory (tracemalloc) of the scanner on the sample and on the
  whole file: flat memory means both peaks are about the same;
- the scanner on a second log of ``--json-megabytes`` (default 20) of long
  JSON lines (structured logs that embed a stack trace, 2 to 40 KB a line,
  one in ten with the error in its last field), and how many of the errors
  placed there it found.

Both wall-clock and CPU seconds are printed: on a shared machine wall time
says as much about the neighbours as about the scanner.

Run: ``python tests/bench/bench_errortext.py [--megabytes 100] [--sample 10]
[--json-megabytes 20]``.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.errortext import ErrorReader, reader_for
from engine.loader import load_kb
from engine.logs import LogScanner

ORDINARY = [
    '10.0.{a}.{b} - - [21/Nov/2026:10:{m:02d}:{s:02d} +0000] "GET /api/v1/items/{n} HTTP/1.1" '
    '200 {n} "-" "Mozilla/5.0 (X11; Linux x86_64)"',
    '10.0.{a}.{b} - - [21/Nov/2026:10:{m:02d}:{s:02d} +0000] "POST /api/v1/orders HTTP/1.1" '
    '201 {n} "https://shop.example.com/cart" "curl/8.5.0"',
    "2026-11-21T10:{m:02d}:{s:02d}.{n:03d}Z INFO  order-service request_id={n} user={a} "
    "status=200 duration_ms={b} connection=keep-alive",
    "2026-11-21 10:{m:02d}:{s:02d},{n:03d} DEBUG [pool-{a}-thread-{b}] c.e.OrderRepository - "
    "fetched {n} rows from orders in {b} ms",
    "Nov 21 10:{m:02d}:{s:02d} web{a} systemd[1]: Started Session {n} of user deploy.",
    "2026/11/21 10:{m:02d}:{s:02d} [notice] {a}#{a}: signal process started",
]
LOOKALIKES = [
    "2026-11-21T10:{m:02d}:{s:02d}Z INFO password reset link sent to user {n}",
    "2026-11-21T10:{m:02d}:{s:02d}Z INFO cache timed-out entries evicted: {n}",
]
ERRORS = [
    "2026-11-21T10:{m:02d}:{s:02d}Z ERROR read tcp 10.0.{a}.{b}:4123->10.0.9.9:80: read: "
    "connection reset by peer",
    "2026/11/21 10:{m:02d}:{s:02d} [error] 7#7: *{n} upstream prematurely closed connection while "
    "reading response header from upstream, client: 10.0.{a}.{b}",
    "2026-11-21 10:{m:02d}:{s:02d},{n:03d} ERROR [pool-{a}-thread-{b}] java.net.SocketException: "
    "Connection reset",
    "2026-11-21T10:{m:02d}:{s:02d}Z ERROR requests.exceptions.ConnectionError: ('Connection "
    "aborted.', RemoteDisconnected('Remote end closed connection without response'))",
    "2026-11-21T10:{m:02d}:{s:02d}Z error Error: socket hang up code: 'ECONNRESET'",
    "Nov 21 10:{m:02d}:{s:02d} lb1 haproxy[99]: 10.0.{a}.{b}:33317 [21/Nov/2026:10:{m:02d}:{s:02d}"
    '.655] http-in app/srv1 10/0/30/69/109 502 204 - - SH-- 1/1/1/1/0 0/0 "GET / HTTP/1.1"',
]

JSON_ERRORS = [
    "read tcp 10.0.{a}.{b}:4123->10.0.9.9:80: read: connection reset by peer",
    "java.net.SocketException: Connection reset",
    "Error: socket hang up code: 'ECONNRESET'",
    "requests.exceptions.ConnectionError: ('Connection aborted.', RemoteDisconnected('Remote "
    "end closed connection without response'))",
    "upstream prematurely closed connection while reading response header from upstream",
]
FRAME = "at com.example.orders.service{a}.OrderRepository{b}.fetch(OrderRepository.java:{n})"


def generate(path: Path, megabytes: int, seed: int = 7) -> int:
    """Write a log of about ``megabytes`` MB; return its line count."""
    rng = random.Random(seed)
    target = megabytes * 1_000_000
    written = lines = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < target:
            batch = []
            for _ in range(10_000):
                roll = rng.random()
                pool = ERRORS if roll < 0.01 else LOOKALIKES if roll < 0.012 else ORDINARY
                line = rng.choice(pool).format(a=rng.randrange(256), b=rng.randrange(256),
                                               m=rng.randrange(60), s=rng.randrange(60),
                                               n=rng.randrange(1000))
                batch.append(line)
            text = "\n".join(batch) + "\n"
            handle.write(text)
            written += len(text)
            lines += len(batch)
    return lines


def json_line(rng: random.Random, error: str | None) -> str:
    """One structured log record with a stack trace of 2 to 40 KB, the error (if any) last."""
    frames = []
    size = rng.randrange(2_000, 40_000)
    while sum(map(len, frames)) < size:
        frames.append(FRAME.format(a=rng.randrange(50), b=rng.randrange(50), n=rng.randrange(999)))
    record = {"ts": f"2026-11-21T10:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z",
              "level": "error" if error else "info", "logger": "order-service",
              "msg": "request failed" if error else "request slow", "stack": "\n\t".join(frames)}
    if error:
        record["error"] = error
    return json.dumps(record)


def generate_json_lines(path: Path, megabytes: int, seed: int = 7) -> tuple[int, int]:
    """Write a log of about ``megabytes`` MB of long JSON lines; return its lines and errors."""
    rng = random.Random(seed)
    target = megabytes * 1_000_000
    written = lines = errors = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < target:
            error = None
            if rng.random() < 0.1:
                error = rng.choice(JSON_ERRORS).format(a=rng.randrange(256), b=rng.randrange(256))
                errors += 1
            text = json_line(rng, error) + "\n"
            handle.write(text)
            written += len(text)
            lines += 1
    return lines, errors


Timing = tuple[float, float, int]


def scanner_run(reader: ErrorReader, path: Path, limit: int | None = None) -> Timing:
    """Wall and CPU seconds of the log scanner over the file (or its start); errors found."""
    with path.open("rb") as handle:
        wall, cpu = time.perf_counter(), time.process_time()
        scan = LogScanner(reader).scan(handle, limit or 2**62)
        return time.perf_counter() - wall, time.process_time() - cpu, scan.matched_lines


def per_line_run(reader: ErrorReader, lines: list[str]) -> Timing:
    """Wall and CPU seconds to read each line with the reader (literal test, then regex)."""
    wall, cpu = time.perf_counter(), time.process_time()
    found = sum(1 for line in lines if reader.matches(line))
    return time.perf_counter() - wall, time.process_time() - cpu, found


def naive_run(reader: ErrorReader, lines: list[str]) -> Timing:
    """Wall and CPU seconds for one case-insensitive alternation of every pattern, per line."""
    combined = re.compile("|".join(f"(?:{c.pattern.regex})" for c in reader.patterns),
                          re.IGNORECASE)
    wall, cpu = time.perf_counter(), time.process_time()
    found = sum(1 for line in lines if combined.search(line))
    return time.perf_counter() - wall, time.process_time() - cpu, found


def peak_memory(reader: ErrorReader, path: Path, limit: int) -> int:
    """Peak bytes Python allocated while scanning the first ``limit`` bytes."""
    tracemalloc.start()
    with path.open("rb") as handle:
        LogScanner(reader).scan(handle, limit)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--sample", type=int, default=10, help="MB for the per-line comparison")
    parser.add_argument("--naive-sample", type=int, default=1, help="MB for the naive one")
    parser.add_argument("--json-megabytes", type=int, default=20,
                        help="MB of long JSON lines (0: skip)")
    parser.add_argument("--only-json", action="store_true", help="skip the 100 MB log")
    args = parser.parse_args()
    reader = reader_for(load_kb())
    print(f"{len(reader.patterns)} patterns")
    if not args.only_json:
        plain_log(reader, args)
    if args.json_megabytes:
        json_log(reader, args.json_megabytes)


def json_log(reader: ErrorReader, megabytes: int) -> None:
    """The scanner on long JSON lines: speed, and how many of the placed errors it found."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "json.log"
        lines, errors = generate_json_lines(path, megabytes)
        size = path.stat().st_size
        wall, cpu, found = scanner_run(reader, path)
        peak = peak_memory(reader, path, size)
    print(f"long JSON lines, {size / 1e6:.0f} MB, {lines} lines ({size / lines / 1e3:.1f} KB "
          f"a line): wall {wall:.2f} s ({lines / wall:.0f} lines/s, {size / 1e6 / wall:.1f} MB/s),"
          f" cpu {cpu:.2f} s ({lines / cpu:.0f} lines/cpu-s, {size / 1e6 / cpu:.1f} MB/cpu-s); "
          f"errors found {found} of {errors}; peak Python memory {peak / 1e6:.1f} MB")


def plain_log(reader: ErrorReader, args: argparse.Namespace) -> None:
    """The scanner and the per-line and naive readers on the generated ordinary log."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.log"
        total_lines = generate(path, args.megabytes)
        size = path.stat().st_size
        sample_bytes = args.sample * 1_000_000
        with path.open(encoding="utf-8") as handle:
            sample = io.StringIO(handle.read(sample_bytes)).read().splitlines()
        rows = [
            (f"log scanner, {size / 1e6:.0f} MB", total_lines, *scanner_run(reader, path)),
            (f"log scanner, {args.sample} MB", len(sample),
             *scanner_run(reader, path, sample_bytes)),
            (f"per line, literal per pattern, {args.sample} MB", len(sample),
             *per_line_run(reader, sample)),
        ]
        naive = sample[:len(sample) * args.naive_sample // max(args.sample, 1)]
        rows.append((f"naive alternation, {args.naive_sample} MB", len(naive),
                     *naive_run(reader, naive)))
        small_peak = peak_memory(reader, path, sample_bytes)
        full_peak = peak_memory(reader, path, size)
    print(f"{'method':<38} {'lines':>8} {'wall s':>7} {'lines/s':>9} {'cpu s':>7} "
          f"{'lines/cpu-s':>11} {'errors':>6}")
    for name, lines, wall, cpu, found in rows:
        print(f"{name:<38} {lines:>8} {wall:>7.2f} {lines / wall:>9.0f} {cpu:>7.2f} "
              f"{lines / cpu:>11.0f} {found:>6}")
    print("(wall time depends on what else the machine runs; CPU time is this process's own)")
    print(f"peak Python memory: {small_peak / 1e6:.1f} MB scanning {args.sample} MB, "
          f"{full_peak / 1e6:.1f} MB scanning {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
