"""Socket errors in other languages (glibc and Winsock texts) are read with their kinds."""

from __future__ import annotations

import pytest

from engine.errortext import reader_for
from engine.kbmodel import KnowledgeBase

# One line per family as the software prints it under a non-English locale,
# with the kind a person would give it. Each read with its kind by
# test_each_family_is_read_with_its_kind (test_error_stacks.py).
FAMILIES = [
    # glibc's strerror() (libc.mo), after the words curl, ssh, Go and Python put before it
    ("curl: (56) Recv failure: Połączenie zerwane przez drugą stronę", "reset"),
    ("ssh: connect to host 10.0.0.5 port 22: Połączenie odrzucone", "refused"),
    ("dial tcp 10.0.0.5:5432: connect: Przekroczony czas oczekiwania na połączenie", "timeout"),
    ("read: Connessione interrotta dal corrispondente", "reset"),
    ("ssh: connect to host 10.0.0.5 port 22: Connessione rifiutata", "refused"),
    ("ssh: connect to host 10.0.0.5 port 22: Connessione scaduta", "timeout"),
    ("write: Pipe interrotta", "broken_pipe"),
    ("curl: (56) Recv failure: Conexão fechada pela outra ponta", "reset"),
    ("ssh: connect to host 10.0.0.5 port 22: Conexão recusada", "refused"),
    ("ssh: connect to host 10.0.0.5 port 22: Tempo esgotado para conexão", "timeout"),
    ("ConnectionResetError: [Errno 104] Ligação reposta pelo peer", "reset"),
    ("[Errno 110] Expiró el tiempo de conexión", "timeout"),
    ("write: Tubería rota", "broken_pipe"),
    ("BrokenPipeError: [Errno 32] Relais brisé (pipe)", "broken_pipe"),
    ("read: Verbinding is weggevallen", "reset"),
    ("ssh: connect to host 10.0.0.5 port 22: Verbinding is geweigerd", "refused"),
    ("ssh: connect to host 10.0.0.5 port 22: Verbinding is verlopen", "timeout"),
    ("curl: (56) Recv failure: Bağlantı karşıdan kesildi", "reset"),
    ("ssh: connect to host 10.0.0.5 port 22: Bağlantı reddedildi", "refused"),
    ("ssh: connect to host 10.0.0.5 port 22: Bağlantıda zaman aşımı", "timeout"),
    ("curl: (56) Recv failure: 상대편이 연결을 끊음", "reset"),
    ("ssh: connect to host 10.0.0.5 port 22: 연결이 거부됨", "refused"),
    ("dial tcp 10.0.0.5:443: connect: 연결 시간 초과", "timeout"),
    ("write: 断开的管道", "broken_pipe"),
    ("Время ожидания соединения истекло", "timeout"),
    ("連線超過時間", "timeout"),
    ("connect: Keine Route zum Zielrechner", "unknown"),
    ("read: Das Programm verursachte den Abbruch der Verbindung", "unknown"),
    # Windows' Winsock texts (FormatMessage) as Java, .NET, Python, Go and ODBC print them
    ("requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(10054, "
     "'Istniejące połączenie zostało gwałtownie zamknięte przez zdalnego hosta', None, 10054, "
     "None))", "reset"),
    ("WSARecv tcp 127.0.0.1:1049: Istniejące połączenie zostało gwałtownie zamknięte przez "
     "zdalnego hosta.", "reset"),
    ("Nie można nawiązać połączenia, ponieważ komputer docelowy aktywnie go odmawia. "
     "(localhost:5004)", "refused"),
    ("[Microsoft][ODBC Driver 18 for SQL Server]TCP Provider: Próba połączenia nie powiodła się, "
     "ponieważ połączona strona nie odpowiedziała poprawnie po ustalonym okresie czasu", "timeout"),
    ("Een bestaande verbinding is verbroken door de externe host.", "reset"),
    ("URLError <urlopen error [WinError 10061] Kan geen verbinding maken omdat de doelcomputer de "
     "verbinding actief heeft geweigerd>", "refused"),
    ("Een verbindingspoging is mislukt omdat de verbonden partij niet correct heeft gereageerd na "
     "een bepaalde periode (api.bimsync.com:443)", "timeout"),
    ("Varolan bir bağlantı uzaktaki bir ana bilgisayar tarafından zorla kapatıldı", "reset"),
    ("cannot connect to 127.0.0.1:5555: Hedef makine etkin olarak reddettiğinden bağlantı "
     "kurulamadı. (10061)", "refused"),
    ("java.io.IOException: Eine bestehende Verbindung wurde softwaregesteuert durch den "
     "Hostcomputer abgebrochen", "unknown"),
    ("java.io.IOException: Se ha anulado una conexión establecida por el software en su equipo "
     "host.", "unknown"),
    ("System.Net.Sockets.SocketException: Connessione interrotta dal software del computer host",
     "unknown"),
    ("cannot connect to 192.168.0.5:5555: 연결된 구성원으로부터 응답이 없어 연결하지 못했거나, "
     "호스트로부터 응답이 없어 연결이 끊어졌습니다. (10060)", "timeout"),
    ("連線嘗試失敗，因為連線對象有一段時間並未正確回應，或是連線建立失敗，因為連線的主機無法回應。",
     "timeout"),
    ("Попытка установить соединение была безуспешной, т.к. от другого компьютера за требуемое "
     "время не получен нужный отклик", "timeout"),
]

# Look-alikes: the same words saying something else, read with no kind.
NOT_THESE = [
    "Kullanıcı tarafından zorla kapatıldı (Konsol Ekranı kapatılıyor).",
    "Połączenie zostało zamknięte przez użytkownika",
    "Connessione interrotta dall'utente",
    "Verbinding is hersteld",
    "De verbinding is weggevallen. Probeer het opnieuw.",
    "Hedef makine etkin",
    "the rota for the on-call pipe",
]


@pytest.mark.parametrize("line", NOT_THESE)
def test_look_alikes_get_no_kind(knowledge: KnowledgeBase, line: str) -> None:
    """A user's own closing, a restored link or a half sentence sets no error_kind."""
    assert "error_kind" not in reader_for(knowledge).read(line)
