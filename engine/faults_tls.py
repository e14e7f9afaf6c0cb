"""TLS servers that misbehave, for tests, ``demo`` and ``lab``: real handshakes on loopback.

A self-signed certificate is made once per process, with the ``cryptography``
package when it is installed and with the ``openssl`` command otherwise. The
behaviours plug into ``engine.faults.FaultServer``: a TLS-only HTTP server, one
that rejects the handshake with an ``unrecognized_name`` alert (SNI policy), and
one that half-opens TLS (reads the ClientHello and never answers).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import shutil
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path

from engine.faults import READ_CHUNK, FaultServer, read_request, sink

ALLOWED_SNI = "allowed.example"


@functools.cache
def self_signed_certificate() -> tuple[Path, Path]:
    """(certificate, key) files for CN=localhost, made once per process."""
    directory = Path(tempfile.mkdtemp(prefix="conndoctor-tls-"))
    atexit.register(shutil.rmtree, directory, True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    try:
        _with_cryptography(cert, key)
    except ImportError:
        openssl = shutil.which("openssl")
        if openssl is None:
            message = "a TLS test server needs the cryptography package or openssl"
            raise RuntimeError(message) from None
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", str(key),
             "-out", str(cert)],
            check=True, capture_output=True, timeout=30,
        )
    return cert, key


def _with_cryptography(cert: Path, key: Path) -> None:
    import datetime

    from cryptography import x509  # type: ignore[import-not-found, unused-ignore]
    from cryptography.hazmat.primitives import hashes, serialization  # type: ignore[import-not-found, unused-ignore]
    from cryptography.hazmat.primitives.asymmetric import ec  # type: ignore[import-not-found, unused-ignore]
    from cryptography.x509.oid import NameOID  # type: ignore[import-not-found, unused-ignore]

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(private.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=2))
                   .sign(private, hashes.SHA256()))
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))


@functools.cache
def server_context(reject_sni: bool = False) -> ssl.SSLContext:
    """A server context with the self-signed certificate (optionally rejecting SNI)."""
    cert, key = self_signed_certificate()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if reject_sni:
        def check(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> int | None:
            return None if name == ALLOWED_SNI else ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        context.sni_callback = check
    return context


def _handshake(conn: socket.socket, context: ssl.SSLContext) -> ssl.SSLSocket | None:
    conn.settimeout(5)
    try:
        return context.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        return None


def tls_http(conn: socket.socket, server: FaultServer) -> None:
    """HTTPS only: TLS handshake, then HTTP/1.1 with keep-alive (``seconds`` idle, then close)."""
    tls = _handshake(conn, server_context())
    if tls is None:
        return
    with contextlib.closing(tls):
        idle = server.seconds_before
        while (head := read_request(tls, server, idle)) is not None and b"HTTP/" in head:
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
            idle = server.seconds


def tls_reject_sni(conn: socket.socket, server: FaultServer) -> None:
    """Abort every handshake whose SNI is not ``allowed.example`` with a fatal alert."""
    tls = _handshake(conn, server_context(reject_sni=True))
    if tls is not None:
        tls.close()


def tls_half_open(conn: socket.socket, server: FaultServer) -> None:
    """Read the ClientHello (bounded) and never answer it."""
    conn.settimeout(1)
    with contextlib.suppress(OSError):
        conn.recv(READ_CHUNK)
    server.wait(3600)


def tls_sink(conn: socket.socket, server: FaultServer) -> None:
    """TLS, then read and discard everything (a healthy HTTPS upload target)."""
    tls = _handshake(conn, server_context())
    if tls is None:
        return
    with contextlib.closing(tls):
        sink(tls, server)
