"""Scanning logs: every error found with its line and time, streamed, bounded, timed."""

from __future__ import annotations

import io
import json
from pathlib import Path

from engine.errortext import MAX_TEXT_CHARS, reader_for
from engine.kbmodel import KnowledgeBase
from engine.loader import load_kb
from engine.logs import BLOCK_BYTES, MAX_LINE_BYTES, MAX_LINE_CHARS, LogScan, LogScanner
from engine.logtime import parse_timestamp
from engine.logtiming import majority_facts, timing_facts

RESET = "read tcp 10.0.0.1:41234->10.0.0.2:80: read: connection reset by peer"


def scan(knowledge: KnowledgeBase, text: str | bytes, max_bytes: int = 10**9) -> LogScan:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return LogScanner(reader_for(knowledge)).scan(io.BytesIO(raw), max_bytes)


def test_finds_each_error_line_with_number_and_time(knowledge: KnowledgeBase) -> None:
    """Error lines are found among ordinary ones, numbered from 1, with their timestamp."""
    log = "\n".join([
        "2026-11-21T10:00:00Z GET /health 200",
        f"2026-11-21T10:00:01Z ERROR {RESET}",
        "2026-11-21T10:00:02Z GET /health 200",
        "2026/11/21 10:00:03 [error] 7#7: *1 connect() failed (111: Connection refused) "
        "while connecting to upstream, client: 10.0.0.9",
    ]) + "\n"
    result = scan(knowledge, log)
    assert [(e.number, e.reading.facts["error_kind"][0]) for e in result.kept] == [
        (2, "reset"), (4, "refused")]
    assert result.kept[0].timestamp == parse_timestamp("2026-11-21T10:00:01Z")
    assert result.lines_read == 4


def test_stack_trace_lines_join_the_timestamped_line_as_one_event(
    knowledge: KnowledgeBase,
) -> None:
    """A traceback under a log line is one failure, not three."""
    log = (
        "2026-11-21 10:00:00,123 ERROR request failed\n"
        "2026-11-21 10:00:00,124 ERROR requests.exceptions.ConnectionError: ('Connection aborted.',"
        " ConnectionResetError(104, 'Connection reset by peer'))\n"
        "Traceback (most recent call last):\n"
        "ConnectionResetError: [Errno 104] Connection reset by peer\n"
        "urllib3.exceptions.ProtocolError: ('Connection aborted.', ConnectionResetError(104))\n"
    )
    result = scan(knowledge, log)
    assert result.matched_lines == 3
    assert len(result.events) == 1
    assert timing_facts(result)["frequency"] == "once"


def test_many_failures_in_one_second_set_many_at_once(knowledge: KnowledgeBase) -> None:
    """Five resets stamped in the same second: many_at_once is true."""
    log = "".join(f"2026-11-21T10:00:00.{i}00Z {RESET}\n" for i in range(5))
    facts = timing_facts(scan(knowledge, log))
    assert facts["many_at_once"] is True
    assert facts["error_count"] == 5


def test_failures_spread_out_set_many_at_once_false(knowledge: KnowledgeBase) -> None:
    """Resets minutes apart: many_at_once is false, frequency intermittent."""
    log = "".join(f"2026-11-21T10:{i * 7:02d}:00Z {RESET}\n" for i in range(5))
    facts = timing_facts(scan(knowledge, log))
    assert facts["many_at_once"] is False
    assert facts["frequency"] == "intermittent"


def test_fixed_period_is_found(knowledge: KnowledgeBase) -> None:
    """Failures every 300 s (give or take a second) give error_period_seconds 300."""
    lines = []
    for i in range(6):
        minute, second = divmod(i * 300 + (i % 2), 60)
        lines.append(f"2026-11-21T{10 + minute // 60:02d}:{minute % 60:02d}:{second:02d}Z {RESET}")
    facts = timing_facts(scan(knowledge, "\n".join(lines) + "\n"))
    assert abs(facts["error_period_seconds"] - 300) <= 1


def test_irregular_failures_have_no_period(knowledge: KnowledgeBase) -> None:
    """Failures at irregular times set no period."""
    stamps = ["10:00:00", "10:00:07", "10:03:00", "10:03:02", "10:31:00", "11:00:00"]
    log = "".join(f"2026-11-21T{s}Z {RESET}\n" for s in stamps)
    assert "error_period_seconds" not in timing_facts(scan(knowledge, log))


def test_same_quiet_time_before_each_failure_means_after_idle(knowledge: KnowledgeBase) -> None:
    """Each reset comes 65 s after the previous request: after_idle, idle_seconds 65."""
    lines = []
    for hour in range(10, 14):
        lines.append(f"2026-11-21T{hour}:00:00Z GET /api 200")
        lines.append(f"2026-11-21T{hour}:01:05Z {RESET}")
    facts = timing_facts(scan(knowledge, "\n".join(lines) + "\n"))
    assert facts["after_idle"] is True
    assert facts["idle_seconds"] == 65


def test_majority_of_events_decides_the_error_kind(knowledge: KnowledgeBase) -> None:
    """Three resets and one refusal: the log says reset."""
    log = "".join(f"2026-11-21T10:0{i}:00Z {RESET}\n" for i in range(3))
    log += "2026-11-21T10:05:00Z dial tcp 10.0.0.2:80: connect: connection refused\n"
    assert majority_facts(scan(knowledge, log).events)["error_kind"][0] == "reset"


def test_reading_stops_at_the_byte_bound(knowledge: KnowledgeBase) -> None:
    """Past max_bytes nothing is read and the scan says it was truncated."""
    log = "ok line\n" * 1000 + RESET + "\n"
    result = scan(knowledge, log, max_bytes=4000)
    assert result.truncated is True
    assert result.matched_lines == 0


def test_a_line_longer_than_a_block_is_cut_not_held(knowledge: KnowledgeBase) -> None:
    """A 3-block line without newline is cut, and noted; the numbering of later lines stays
    right."""
    log = RESET + "x" * (3 * BLOCK_BYTES) + "\nplain\n" + RESET + "\n"
    result = scan(knowledge, log)
    assert [e.number for e in result.kept] == [1, 3]
    assert len(result.kept[0].text) == MAX_LINE_CHARS
    assert (result.long_lines, result.first_long_line) == (1, 1)


def json_record(error_at: int) -> str:
    """A 16 KB structured log record (a Go service's, with a stack trace) whose ``error``
    field, the last, starts at ``error_at``."""
    record = {"ts": "2026-11-21T10:00:01Z", "level": "error", "msg": "upstream call failed",
              "stack": ""}
    record["stack"] = "x" * (error_at - len(json.dumps(record)[:-1] + ', "error": "'))
    record["error"] = RESET
    line = json.dumps(record) + " " * 1000
    assert line.index(RESET) == error_at and len(line) > 16_000
    return line


def test_an_error_at_the_end_of_a_long_json_line_is_found(knowledge: KnowledgeBase) -> None:
    """The error field at offset 15,000 of a 16 KB JSON line is read (it was cut at 10,000
    characters: "no connection error found"), with the line's own time."""
    result = scan(knowledge, "ok\n" + json_record(15_000) + "\nok\n")
    assert [(e.number, e.reading.best_pattern) for e in result.kept] == [(2, "go-read-tcp-reset")]
    assert result.kept[0].timestamp == parse_timestamp("2026-11-21T10:00:01Z")
    assert result.events[0].informational is False
    assert result.long_lines == 0


def test_a_line_is_read_up_to_the_hard_bound_and_the_rest_noted(knowledge: KnowledgeBase) -> None:
    """A line of 1 MiB and more is read to its first MAX_LINE_BYTES: an error just inside is
    found, one past it is not, the cut is noted with the line's number; a line of exactly
    MAX_LINE_BYTES is whole."""
    inside = "x" * (MAX_LINE_BYTES - 200) + " " + RESET + " "
    past = inside + "y" * 500 + " " + RESET
    exact = "z" * (MAX_LINE_BYTES - len(RESET) - 1) + " " + RESET
    assert len(inside) < MAX_LINE_BYTES < len(past) and len(exact) == MAX_LINE_BYTES
    log = "\n".join(["ok", past, RESET, exact, "y" * MAX_LINE_BYTES + RESET]) + "\n"
    result = scan(knowledge, log)
    assert [e.number for e in result.kept] == [2, 3, 4]
    assert (result.long_lines, result.first_long_line, result.lines_read) == (2, 2, 5)


def test_a_utf16_line_longer_than_the_bound_once_re_encoded_is_cut_and_noted(
    knowledge: KnowledgeBase,
) -> None:
    """UTF-16 Chinese text grows by half as UTF-8: a 0.8 MiB line becomes 1.2 MiB, and is
    cut at the bound like any other (the reader's own bound is never reached)."""
    wide = "\u8fde\u63a5" * (BLOCK_BYTES * 2 // 5 // 2)
    raw = b"\xff\xfe" + f"{RESET}\n{wide}\n{RESET}\n".encode("utf-16-le")
    result = scan(knowledge, raw)
    assert [e.number for e in result.kept] == [1, 3]
    assert (result.long_lines, result.first_long_line) == (1, 2)
    assert MAX_LINE_BYTES <= MAX_TEXT_CHARS


def test_utf16_and_binary_junk_logs_are_read(knowledge: KnowledgeBase) -> None:
    """A UTF-16 log (by BOM) and a log full of binary junk still yield their errors."""
    utf16 = b"\xff\xfe" + f"junk\n{RESET}\n".encode("utf-16-le")
    junk = bytes(range(256)) * 50 + b"\n" + RESET.encode() + b"\n\x00\xff\xfe\n"
    assert scan(knowledge, utf16).kept[0].number == 2
    assert scan(knowledge, junk).kept[0].reading.facts["error_kind"][0] == "reset"


def test_kept_lines_are_bounded_but_all_events_counted(knowledge: KnowledgeBase) -> None:
    """Only the first lines are kept for the report; every failure is counted."""
    log = "".join(f"2026-11-21T10:{i // 60:02d}:{i % 60:02d}Z {RESET}\n" for i in range(120))
    result = LogScanner(reader_for(knowledge), keep=10).scan(io.BytesIO(log.encode()), 10**9)
    assert len(result.kept) == 10
    assert timing_facts(result)["error_count"] == 120


def test_timestamp_formats_logs_use() -> None:
    """ISO 8601, nginx, common log, syslog and klog stamps are parsed; others are None."""
    iso = parse_timestamp("2026-11-21T10:00:05.5+01:00 x")
    assert iso is not None
    assert parse_timestamp("2026/11/21 09:00:05 [error]") == iso - 0.5
    assert parse_timestamp('10.0.0.1 - - [21/Nov/2026:09:00:05 +0000] "GET /"') == iso - 0.5
    syslog = parse_timestamp("Nov 21 09:00:05 host haproxy[1]: x")
    klog = parse_timestamp("E1121 09:00:06.000000   1 portforward.go:1] x")
    assert syslog is not None and klog is not None and klog - syslog == 1
    assert parse_timestamp("no time here") is None


def test_a_pattern_without_literal_is_still_found_in_logs(tmp_path: Path) -> None:
    """An extension KB's pattern with no literal makes every line a candidate; it is found."""
    (tmp_path / "manifest.yaml").write_text("name: ext\ncontent_version: '1'\n", encoding="utf-8")
    (tmp_path / "errors").mkdir()
    (tmp_path / "errors" / "acme.yaml").write_text(
        "patterns:\n"
        "  - id: acme-link-down\n"
        "    stack: acme\n"
        "    regex: 'ACME-\\d+ link (?:down|lost)'\n"
        "    sets: {error_kind: reset}\n"
        "    examples:\n"
        "      match: ['ACME-42 link down']\n", encoding="utf-8")
    extended = load_kb([tmp_path])
    result = scan(extended, "ok\nfine\n2026-11-21T10:00:00Z ACME-7 link lost\n")
    assert [(e.number, e.reading.pattern_ids) for e in result.kept] == [(3, ["acme-link-down"])]


def test_syslog_time_is_reported_as_written(knowledge: KnowledgeBase) -> None:
    """A year-less syslog stamp is kept as the line wrote it, not as a made-up year."""
    result = scan(knowledge, f"Nov 21 10:00:05 web1 app[7]: {RESET}\n")
    assert result.kept[0].timestamp_text == "Nov 21 10:00:05"


def test_an_exception_under_a_log_line_takes_its_time(knowledge: KnowledgeBase) -> None:
    """Tracebacks printed under timestamped lines count as failures at those times."""
    block = (
        "2026-11-21 10:00:0{s},123 ERROR worker {s} failed\n"
        "Traceback (most recent call last):\n"
        '  File "app.py", line 3, in <module>\n'
        "ConnectionResetError: [Errno 104] Connection reset by peer\n"
    )
    result = scan(knowledge, "".join(block.format(s=0) for _ in range(3)))
    assert [e.timestamp for e in result.events] == [parse_timestamp("2026-11-21 10:00:00,123")] * 3
    assert timing_facts(result)["many_at_once"] is True


NGINX_OUT_OF_DESCRIPTORS = (
    "2026/11/22 15:18:28 [crit] 6042#6042: accept4() failed (24: Too many open files)\n"
    + "".join(f"2026/11/22 15:18:28 [alert] 6042#6042: *{i} socket() failed (24: Too many open"
              " files) while connecting to upstream, client: 10.77.1.2\n" for i in range(3))
    + "".join(f"2026/11/22 15:18:29 [info] 6042#6042: *{i} epoll_wait() reported that client"
              " prematurely closed connection, so upstream connection is closed too while"
              " sending request to upstream, client: 10.77.1.2\n" for i in range(8))
)


def test_warnings_and_errors_outvote_informational_lines(knowledge: KnowledgeBase) -> None:
    """nginx's crit/alert lines name the cause; its eight info lines (clients that gave up
    waiting) are set aside, so they decide neither the facts nor the count."""
    found = scan(knowledge, NGINX_OUT_OF_DESCRIPTORS)
    assert len(found.events) == 12
    facts = {fact: value for fact, (value, _) in majority_facts(found.events).items()}
    assert facts == {"limit_hit": "file_descriptors"}
    assert timing_facts(found)["error_count"] == 4


def test_a_log_of_informational_lines_alone_is_read_from_them(
        knowledge: KnowledgeBase) -> None:
    """With nothing more severe, nginx's info lines are the failures (clients going away)."""
    only_info = "".join(line + "\n" for line in NGINX_OUT_OF_DESCRIPTORS.splitlines()[4:])
    found = scan(knowledge, only_info)
    facts = {fact: value for fact, (value, _) in majority_facts(found.events).items()}
    assert facts["side"] == "server" and facts["error_kind"] == "eof"
    assert timing_facts(found)["error_count"] == 8
