"""Guesses from plain words (kb/errors/fallback.yaml): pasted errors only, below every family."""

from __future__ import annotations

import gc
import io

import pytest

from engine.errortext import ErrorReader, reader_for
from engine.kbmodel import KnowledgeBase
from engine.loader import load_kb
from engine.logs import LogScanner

# Messages of software the catalogue has no family for, in the words people see.
UNKNOWN_STACKS = [
    ("frobnicator: link to the relay was reset while syncing", "reset"),
    ("broker session ended: channel was closed while awaiting the reply", "eof"),
    ("sync agent: HubReadTimeout while fetching the manifest", "timeout"),
    ("widgetd: socket to the hub refused", "refused"),
    ("relay client: TLS negotiation error with the relay", "tls_error"),
    ("updater: could not verify the server's certificate", "tls_error"),
    ("relay agent: the broker unexpectedly disconnected", "eof"),
    ("exporter: write to closed pipe while flushing", "broken_pipe"),
    ("frobnicator: connection to relay.example.net was reset while syncing", "reset"),
    ("widgetd: com.example.hub.HubConnectionRefusedException", "refused"),
    ("relay client: request time-out while syncing", "timeout"),
    ("widgetd: hub session closed due to idle timeout", "timeout"),
    ("relay agent: missed heartbeats from the hub", "timeout"),
    ("relay agent: ERR_HUB_TIMED_OUT", "timeout"),
]


# The same in other languages: an application's own words, not the OS texts.
OTHER_LANGUAGES = [
    ("同步服务: 客户端请求超时", "timeout"),
    ("同步服务: 与服务器的连接被拒绝", "refused"),
    ("同步服务: 服务器已断开连接", "eof"),
    ("同期サービス: 要求がタイムアウトしました", "timeout"),
    ("동기화 서비스: 연결이 거부되었습니다", "refused"),
    ("Синхронизация: соединение сброшено сервером", "reset"),
    ("Sync-Dienst: Verbindung wurde vom Server zurückgesetzt", "reset"),
    ("service de synchro : connexion au relais refusée", "refused"),
    ("servicio de sincronización: tiempo de espera agotado", "timeout"),
    ("serviço de sincronização: a conexão com o relé foi recusada", "refused"),
    ("同步服务: 服务器关闭了连接", "eof"),
    ("同步服务: SSL握手失败", "tls_error"),
    ("Sync-Dienst: Die Verbindung wurde vom Server geschlossen", "eof"),
    ("eşitleme hizmeti: bağlantı zaman aşımına uğradı", "timeout"),
    ("synchronisatie: de verbinding met de relay werd geweigerd", "refused"),
    ("dịch vụ đồng bộ: kết nối bị từ chối", "refused"),
]


@pytest.mark.parametrize(("line", "kind"), UNKNOWN_STACKS + OTHER_LANGUAGES)
def test_a_pasted_message_of_an_unknown_stack_is_read_by_its_words(
    knowledge: KnowledgeBase, line: str, kind: str
) -> None:
    """An error no family knows still gets the kind its plain words say, in any of 17 languages."""
    value, pattern = reader_for(knowledge).read(line)["error_kind"]
    assert value == kind
    assert pattern.startswith("guess-")


# Everyday uses of the same words: a password reset, access denied, a request refused.
NOT_CONNECTION_WORDS = ["重置密码", "拒绝访问", "アクセスが拒否されました", "비밀번호 재설정",
                        "Passwort zurückgesetzt", "Demande refusée", "Доступ отклонен",
                        "用户关闭了连接", "Toegang geweigerd", "Şifreniz sıfırlandı",
                        "Conexión reiniciada correctamente"]


@pytest.mark.parametrize("line", NOT_CONNECTION_WORDS)
def test_the_same_words_about_something_else_are_not_guessed(
    knowledge: KnowledgeBase, line: str
) -> None:
    """A reset password or a refused request is no connection error."""
    assert "error_kind" not in reader_for(knowledge).read(line)


def test_a_known_family_wins_over_a_guess(knowledge: KnowledgeBase) -> None:
    """A family's reading outranks the words in it ("timeout" in a reset, "closed" in a refusal)."""
    reader = reader_for(knowledge)
    reset = "read tcp 10.0.0.1:5->10.0.0.2:80: read: connection reset by peer (timeout 30s)"
    value, pattern = reader.read(reset)["error_kind"]
    assert (value, pattern.startswith("guess-")) == ("reset", False)
    unsaid = "curl: (7) Failed to connect to h port 1 after 0 ms: Couldn't connect to server"
    assert reader.read(unsaid)["error_kind"][0] == "unknown"


def test_words_out_of_a_connection_context_are_not_guessed(knowledge: KnowledgeBase) -> None:
    """"reset your password", "Refused to connect ... Content Security Policy" claim nothing."""
    reader = reader_for(knowledge)
    for line in ("Please reset your password to continue",
                 "Refused to connect to 'wss://x/' because it violates the Content Security Policy",
                 "closed issue #12 as completed", "TLS 1.3 negotiated with the server"):
        assert "error_kind" not in reader.read(line), line


def test_a_log_scan_never_reads_guesses(knowledge: KnowledgeBase) -> None:
    """In a log, "connection closed" and "timed out" lines are ordinary: no error is found."""
    log = (
        b"2026-11-21T10:00:00Z sshd: Connection closed by 10.0.0.9 port 51234\n"
        b"2026-11-21T10:00:01Z worker: job 7 timed out waiting for the lock, retrying\n"
        b"2026-11-21T10:00:02Z relay: link to the relay was reset while syncing\n"
    )
    scan = LogScanner(reader_for(knowledge)).scan(io.BytesIO(log), 10**6)
    assert [line.reading.pattern_ids for line in scan.kept] == []
    assert all(not compiled.pattern.pasted_only
               for compiled in reader_for(knowledge).log_reader.patterns)


def test_a_reader_scans_logs_after_its_kb_is_gone() -> None:
    """A reader needs nothing of the KB once built: scanning a log with it still works."""
    reader = ErrorReader(load_kb())
    gc.collect()
    log = b"2026-11-21T10:00:00Z read tcp 1.2.3.4:5->6.7.8.9:80: read: connection reset by peer\n"
    scan = LogScanner(reader).scan(io.BytesIO(log), 10**6)
    assert [line.reading.facts["error_kind"][0] for line in scan.kept] == ["reset"]


def test_a_pasted_only_family_is_no_guess(knowledge: KnowledgeBase) -> None:
    """A family read in pasted text only (no ASCII to key logs on) still outranks a TLS wrapper."""
    line = "SSL/TLS handshake failure: Error: 远程主机强迫关闭了一个现有的连接。 (2746)"
    assert reader_for(knowledge).read(line)["error_kind"] == ("reset",
                                                               "windows-10054-chinese-text")


def test_a_vague_wrappers_unknown_yields_to_a_guess_elsewhere(knowledge: KnowledgeBase) -> None:
    """"UNAVAILABLE: connection closed": the wrapper says failed, the words say how."""
    value, pattern = reader_for(knowledge).read("UNAVAILABLE: connection closed")["error_kind"]
    assert (value, pattern) == ("eof", "guess-closed")


def test_a_guess_on_a_familys_own_words_stays_quiet(knowledge: KnowledgeBase) -> None:
    """.NET's "The underlying connection was closed:" prefix is no peer close: its suffix tells."""
    reader = reader_for(knowledge)
    wrapped = "The underlying connection was closed: Unable to connect to the remote server."
    assert reader.read(wrapped)["error_kind"][0] == "unknown"
    keepalive = ("The underlying connection was closed: A connection that was expected to be "
                 "kept alive was closed by the server.")
    assert reader.read(keepalive)["error_kind"][0] == "eof"
