"""``diagnose --log FILE`` and ``--error``: statements, sources and the lines read."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
from collections.abc import Callable
from pathlib import Path

import pytest

from cli.environment import Environment
from cli.main import main
from tests.conftest import run_cli

RESET = "read tcp 10.0.0.1:41234->10.0.0.2:80: read: connection reset by peer"


def test_log_file_gives_log_statements_and_error_lines(tmp_path: Path) -> None:
    """Facts from a log are source 'log' with the pattern id; error_lines says what was read."""
    log = tmp_path / "app.log"
    log.write_text("".join(
        f"2026-11-21T10:00:00.{i}Z worker {i}: {RESET}\n" for i in range(4)
    ) + "2026-11-21T10:00:05Z GET / 200\n", encoding="utf-8")
    result = run_cli("diagnose", "--no-input", "--format", "json", "--log", str(log))
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["facts"]["error_kind"] == "reset"
    assert report["facts"]["many_at_once"] is True
    sources = {(s["fact"], s["source"], s["detail"]) for s in report["fact_sources"]}
    assert ("error_kind", "log", "go-read-tcp-reset") in sources
    assert ("many_at_once", "log", "log timing") in sources
    first = report["error_lines"][0]
    assert first["line"] == 1 and first["pattern"] == "go-read-tcp-reset"
    assert first["facts"]["error_kind"] == "reset"
    assert first["timestamp"].startswith("2026-11-21T10:00:00")


def test_log_from_stdin(tmp_path: Path) -> None:
    """'--log -' reads standard input."""
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdout=out, stderr=err, stdin=io.StringIO(f"x\n{RESET}\n"))
    code = main(["diagnose", "--no-input", "--format", "json", "--log", "-"], env)
    assert code == 0, err.getvalue()
    assert json.loads(out.getvalue())["error_lines"][0]["line"] == 2


def test_unreadable_log_is_a_one_line_error(tmp_path: Path) -> None:
    """A missing file exits 1 with one line naming it."""
    missing = tmp_path / "nope.log"
    result = run_cli("diagnose", "--no-input", "--log", str(missing))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0] and "cannot read" in lines[0]


def test_log_without_errors_says_so_and_still_diagnoses(tmp_path: Path) -> None:
    """A log with no connection error: exit 0, a note on stderr, no error_lines."""
    log = tmp_path / "quiet.log"
    log.write_text("all good\n" * 10, encoding="utf-8")
    result = run_cli("diagnose", "--no-input", "--format", "json", "--log", str(log))
    assert result.code == 0
    assert "no connection error found in 10 line(s)" in result.err
    assert json.loads(result.out)["error_lines"] == []


def test_error_flag_reports_the_pattern_and_facts() -> None:
    """--error records source 'error' statements and one error_lines entry."""
    result = run_cli("diagnose", "--no-input", "--format", "json",
                     "--error", "Error: connect ECONNREFUSED 127.0.0.1:5432")
    report = json.loads(result.out)
    assert report["facts"]["error_kind"] == "refused"
    assert report["facts"]["phase"] == "connect"
    entry = report["error_lines"][0]
    assert entry["source"] == "error" and entry["pattern"] == "econnrefused"
    sources = {(s["fact"], s["source"], s["detail"]) for s in report["fact_sources"]}
    assert ("error_kind", "error", "econnrefused") in sources


def test_text_report_says_which_log_lines_were_read_as_what(tmp_path: Path) -> None:
    """The plain report lists each line read with its number, time, facts and pattern."""
    log = tmp_path / "app.log"
    log.write_text(f"2026-11-21T10:00:00Z boot\n2026-11-21T10:00:07Z worker: {RESET}\n",
                   encoding="utf-8")
    result = run_cli("diagnose", "--no-input", "--log", str(log))
    assert result.code == 0, result.err
    section = result.out.split("Read from the log\n", 1)[1]
    assert section.startswith(f"  log line 2 (2026-11-21T10:00:07Z): 2026-11-21T10:00:07Z "
                              f"worker: {RESET}\n")
    assert "-> error_kind=reset" in section.splitlines()[1]
    assert "(go-read-tcp-reset)" in section.splitlines()[1]


def test_text_report_says_when_the_error_text_matched_nothing() -> None:
    """Pasted text no pattern knows is shown as read as nothing, not silently dropped."""
    result = run_cli("diagnose", "--no-input", "--error", "the frobnicator is sad\nsecond line")
    assert result.code == 0, result.err
    section = result.out.split("Read from the error text\n", 1)[1].splitlines()
    assert section[0] == "  error text: the frobnicator is sad (+1 more line)"
    assert section[1] == "      -> nothing (no known error pattern matched)"


def test_a_fact_another_pattern_gave_is_credited_to_it() -> None:
    """nginx's handshake line is read by its own pattern, and OpenSSL's 'http request' inside
    it by another: the JSON says which gave each fact, the text marks that one 'via'."""
    line = ("2024/05/01 10:00:00 [crit] 12#12: *1 SSL_do_handshake() failed (SSL: error:1408F09C:"
            "SSL routines:ssl3_get_record:http request) while SSL handshaking, client: 10.0.0.5")
    report = json.loads(run_cli("diagnose", "--no-input", "--format", "json", "--error", line).out)
    entry = report["error_lines"][0]
    assert entry["fact_patterns"]["peer_spoke_other_protocol"] == "openssl-http-request"
    assert entry["fact_patterns"]["error_kind"] == entry["pattern"] != "openssl-http-request"
    text = run_cli("diagnose", "--no-input", "--error", line).out
    read_as = text.split("Read from the error text\n", 1)[1].splitlines()[1]
    assert "peer_spoke_other_protocol=true via openssl-http-request" in read_as
    assert "error_kind=tls_error," in read_as


def test_long_log_shows_the_first_lines_and_points_to_the_json(tmp_path: Path) -> None:
    """Beyond the first lines shown, the text report says how many more the JSON holds."""
    log = tmp_path / "app.log"
    log.write_text("".join(f"2026-11-21T10:00:{i:02d}Z {RESET}\n" for i in range(12)),
                   encoding="utf-8")
    text = run_cli("diagnose", "--no-input", "--log", str(log)).out
    shown = [line for line in text.splitlines() if line.startswith("  log line ")]
    assert len(shown) == 8
    assert "  ... and 4 more in --format json (error_lines)" in text.splitlines()
    markdown = run_cli("diagnose", "--no-input", "--format", "markdown", "--log", str(log)).out
    assert "| log line 1 (2026-11-21T10:00:00Z) |" in markdown


def test_informational_lines_set_aside_are_counted_in_a_note(tmp_path: Path) -> None:
    """nginx out of descriptors: the crit line decides, the info lines of clients giving up
    are set aside and a note on stderr says how many."""
    log = tmp_path / "error.log"
    log.write_text(
        "2026/11/22 15:18:28 [crit] 6042#6042: accept4() failed (24: Too many open files)\n"
        + "2026/11/22 15:18:29 [info] 6042#6042: *1 epoll_wait() reported that client"
        " prematurely closed connection, so upstream connection is closed too\n" * 5,
        encoding="utf-8")
    result = run_cli("diagnose", "--no-input", "--format", "json", "--log", str(log))
    assert result.code == 0, result.err
    assert f"--log {log}: 5 informational failure(s) (info, notice, debug) set aside" in result.err
    report = json.loads(result.out)
    assert report["facts"]["limit_hit"] == "file_descriptors"
    assert "side" not in report["facts"]
    assert report["diagnoses"][0]["cause"] == "resource-exhaustion"


def _app_log(lines: int) -> bytes:
    return "".join(f"2026-11-21T10:00:{i % 60:02d}.0Z worker {i}: {RESET}\n"
                   for i in range(lines)).encode()


@pytest.mark.parametrize(("suffix", "compress"), [
    (".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress),
])
def test_rotated_compressed_logs_are_read_as_the_log_they_hold(
        tmp_path: Path, suffix: str, compress: Callable[[bytes], bytes]) -> None:
    """logrotate's gzip (or bzip2, xz): the same statements and lines as the plain log.
    Before, the compressed bytes were scanned as text and nothing was found."""
    plain, packed = tmp_path / "app.log", tmp_path / f"app.log.1{suffix}"
    plain.write_bytes(_app_log(4))
    packed.write_bytes(compress(_app_log(4)))
    want = run_cli("diagnose", "--no-input", "--format", "json", "--log", str(plain))
    got = run_cli("diagnose", "--no-input", "--format", "json", "--log", str(packed))
    assert got.code == 0 and got.err == "", got.err
    assert json.loads(got.out)["facts"] == json.loads(want.out)["facts"]
    assert json.loads(got.out)["error_lines"] == json.loads(want.out)["error_lines"]


def test_a_compressed_log_on_stdin_is_read() -> None:
    """``zcat`` forgotten: '--log -' given the .gz bytes reads the log inside."""
    stdin = io.TextIOWrapper(io.BytesIO(gzip.compress(_app_log(2))), encoding="latin-1")
    out, err = io.StringIO(), io.StringIO()
    code = main(["diagnose", "--no-input", "--format", "json", "--log", "-"],
                Environment(stdout=out, stderr=err, stdin=stdin))
    assert code == 0, err.getvalue()
    assert json.loads(out.getvalue())["facts"]["error_kind"] == "reset"


def test_a_damaged_compressed_log_is_read_up_to_the_damage(tmp_path: Path) -> None:
    """A .gz cut in half (copied while still written): the lines before the cut count,
    and one line on stderr says where reading stopped."""
    packed = gzip.compress(_app_log(20_000))
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(packed[:len(packed) // 2])
    result = run_cli("diagnose", "--no-input", "--format", "json", "--log", str(cut))
    assert result.code == 0
    assert json.loads(result.out)["facts"]["error_count"] > 1000
    assert f"--log {cut}: the gzip data is damaged or ends early after " in result.err
    assert "read up to there" in result.err


def test_a_zstd_log_says_how_to_read_it(tmp_path: Path) -> None:
    """zstd is not in Python's standard library: one line with the command to use."""
    log = tmp_path / "app.log.zst"
    log.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 16)
    result = run_cli("diagnose", "--no-input", "--log", str(log))
    assert result.code == 1
    assert result.err == (f"conndoctor: error: --log {log}: zstd-compressed, which this Python "
                          f"cannot read; decompress it first: zstdcat {log} | conndoctor "
                          "diagnose --log -\n")


def test_every_log_given_is_read(tmp_path: Path) -> None:
    """--log twice reads both files: the error lines of each are in the report."""
    first, second = tmp_path / "app.log", tmp_path / "proxy.log"
    first.write_text(f"2026-11-21T10:00:00Z worker 1: {RESET}\n", encoding="utf-8")
    second.write_text("2026/11/21 10:00:01 [error] 7#7: *3 upstream prematurely closed "
                      "connection while reading response header from upstream\n",
                      encoding="utf-8")
    result = run_cli("diagnose", "--no-input", "--format", "json",
                     "--log", str(first), "--log", str(second))
    assert result.code == 0, result.err
    patterns = {line["pattern"] for line in json.loads(result.out)["error_lines"]}
    assert "go-read-tcp-reset" in patterns
    assert any(p and "upstream-prematurely-closed" in p for p in patterns), patterns


def test_every_error_given_is_read_as_one_paste() -> None:
    """--error twice: both texts are read (a second line is not silently dropped)."""
    result = run_cli("diagnose", "--no-input", "--format", "json",
                     "--error", "java.net.SocketException: Connection reset",
                     "--error", "kex_exchange_identification: read: Connection reset by peer")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["facts"]["reported_by"] == "ssh"
    assert "java.net.SocketException" in report["facts"]["error"]


def test_save_to_stdout_is_refused() -> None:
    """--save - would write a file named '-': it is a usage error naming the way out."""
    result = run_cli("diagnose", "--no-input", "--error", "connection refused", "--save", "-")
    assert result.code == 2
    assert "--save -: give a file name" in result.err


def test_an_error_at_the_end_of_a_16_kb_json_line_is_found(tmp_path: Path) -> None:
    """A k8s JSON record of 16 KB whose error field sits at offset 15,000 is read: before,
    lines were cut at 10,000 characters ("no connection error found in 1 line(s)")."""
    record = {"ts": "2026-11-21T10:00:01Z", "level": "error", "msg": "call failed", "stack": ""}
    record["stack"] = "x" * (15_000 - len(json.dumps(record)[:-1] + ', "error": "'))
    record["error"] = RESET
    line = json.dumps(record) + " " * 1000
    assert line.index(RESET) == 15_000 and len(line) > 16_000
    log = tmp_path / "k8s.log"
    log.write_text(line + "\n", encoding="utf-8")
    result = run_cli("diagnose", "--no-input", "--format", "json", "--log", str(log))
    assert (result.code, result.err) == (0, "")
    report = json.loads(result.out)
    assert report["facts"]["error_kind"] == "reset"
    assert [(e["line"], e["pattern"]) for e in report["error_lines"]] == [(1, "go-read-tcp-reset")]


def test_lines_past_the_hard_bound_are_named_once_on_stderr(tmp_path: Path) -> None:
    """Two lines over 1 MiB: one note names the file, the first such line and the count."""
    from engine.logs import MAX_LINE_BYTES

    huge = "x" * (MAX_LINE_BYTES + 10)
    log = tmp_path / "dump.log"
    log.write_text("\n".join([RESET, "ok", huge, "ok", huge, "ok"]) + "\n", encoding="utf-8")
    result = run_cli("diagnose", "--no-input", "--format", "json", "--log", str(log))
    assert result.code == 0
    assert result.err.splitlines() == [
        f"--log {log}: line 3 is longer than 1 MiB (and 1 more line(s) as long): "
        "read its first 1 MiB, the rest skipped"]


def test_an_error_deep_in_pasted_text_is_read() -> None:
    """--error with the message 30,000 characters in (a whole stack trace pasted) reads it:
    before, text past 20,000 characters was dropped without a word."""
    trace = "\tat com.example.Pool.borrow(Pool.java:88)\n" * 750
    result = run_cli("diagnose", "--no-input", "--format", "json",
                     "--error", trace + "java.net.SocketException: Connection reset")
    assert (result.code, result.err) == (0, "")
    assert json.loads(result.out)["facts"]["error_kind"] == "reset"


def test_error_text_past_its_bound_is_cut_with_a_note(tmp_path: Path) -> None:
    """Pasted text past MAX_TEXT_CHARS is not read, and stderr says so (for --error and an
    error in a --facts file alike)."""
    from engine.errortext import MAX_TEXT_CHARS

    text = RESET + " " + "x" * MAX_TEXT_CHARS
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"error": text}), encoding="utf-8")
    for args, where in [(["--error", text], "--error"), (["--facts", str(facts)],
                                                         f"--facts {facts}")]:
        result = run_cli("diagnose", "--no-input", "--format", "json", *args)
        assert result.code == 0
        assert result.err.splitlines() == [
            f"{where}: the error text is {len(text):,} characters long: read its first "
            f"{MAX_TEXT_CHARS:,}, the rest skipped"]
        report = json.loads(result.out)
        assert report["facts"]["error_kind"] == "reset"
        assert len(report["facts"]["error"]) == MAX_TEXT_CHARS


def test_a_long_lines_entry_shows_the_part_around_the_error(tmp_path: Path) -> None:
    """error_lines[].text of a 15 KB JSON record is the part with the error in it, not the
    record's first 300 characters (which held everything but the error)."""
    log = tmp_path / "k8s.log"
    log.write_text(json.dumps({"level": "error", "ts": "2026-11-23T01:00:00Z",
                               "stack": "at com.example.Worker.run(Worker.java:42) " * 360,
                               "error": RESET}) + "\n", encoding="utf-8")
    result = run_cli("diagnose", "--no-input", "--format", "json", "--log", str(log))
    assert result.code == 0, result.err
    entry = json.loads(result.out)["error_lines"][0]
    assert "connection reset by peer" in entry["text"] and len(entry["text"]) <= 300
    assert entry["text"].startswith("...")
    text = run_cli("diagnose", "--no-input", "--log", str(log)).out
    assert "read tcp 10.0.0.1:41234" in text.split("Read from the log", 1)[1]


def test_stdin_given_twice_as_a_log_is_one_line() -> None:
    """--log - twice (or with --peer-log -): stdin is read once, so it is refused by name."""
    result = run_cli("diagnose", "--no-input", "--log", "-", "--log", "-")
    assert result.code == 1
    assert "'-' (stdin) is given more than once among --log and --peer-log" in result.err
