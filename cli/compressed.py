"""Rotated logs come compressed: ``--log error.log.2.gz`` is read as the log it holds.

logrotate compresses with gzip by default (``compress``), and with bzip2 or
xz when told to; all three are in Python's standard library and are
recognised by their first bytes, not by the file name (``--log -`` may be
``zcat``'s input as well as its output). Decompression is streamed, so the
scanner's byte bound applies to the log itself and a small file that expands
without end costs no more than a large log. zstd is not in the standard
library: it is a one-line error that says how to decompress it first.

A compressed stream that ends early or is damaged (a file copied while
logrotate still wrote it) is read up to the damage; ``damage`` says where,
so the caller can tell the user that the rest was not read.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import zlib
from collections.abc import Callable
from typing import BinaryIO, cast

from engine.errors import InputError
from engine.logs import ByteSource

MAGIC_BYTES = 6
# The decompressors hold no file of their own (the caller's ``with`` closes the
# raw file), so there is nothing for a context manager to close here.
_OPENERS: dict[bytes, tuple[str, Callable[[BinaryIO], ByteSource]]] = {
    b"\x1f\x8b": ("gzip", lambda raw: gzip.GzipFile(fileobj=raw, mode="rb")),
    b"BZh": ("bzip2", lambda raw: bz2.BZ2File(raw, mode="rb")),
    b"\xfd7zXZ\x00": ("xz", lambda raw: lzma.LZMAFile(raw, mode="rb")),  # noqa: SIM115
}
PIECE_BYTES = 64 * 1024  # a damaged stream loses at most the piece being decompressed
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
DAMAGE = (OSError, EOFError, zlib.error, lzma.LZMAError)


class _Prefixed:
    """A stream whose first bytes were already read to look at them."""

    def __init__(self, head: bytes, rest: ByteSource) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        if not self._head:
            return self._rest.read(size)
        if size < 0:
            data, self._head = self._head + self._rest.read(), b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        if len(data) < size:
            data += self._rest.read(size - len(data))
        return data


class Decompressed:
    """The log inside a compressed stream; a damaged stream ends where the damage is."""

    def __init__(self, kind: str, stream: ByteSource) -> None:
        self.kind = kind
        self.damage: str | None = None
        self._stream = stream
        self._produced = 0

    def read(self, size: int = -1, /) -> bytes:
        wanted = size if size >= 0 else 1 << 62
        pieces: list[bytes] = []
        got = 0
        while got < wanted and self.damage is None:
            try:
                piece = self._stream.read(min(PIECE_BYTES, wanted - got))
            except DAMAGE as error:
                self.damage = (f"the {self.kind} data is damaged or ends early after "
                               f"{self._produced + got:,} bytes of log ({error}); "
                               "read up to there")
                break
            if not piece:
                break
            pieces.append(piece)
            got += len(piece)
        self._produced += got
        return b"".join(pieces)


def open_log_stream(raw: ByteSource, name: str, flag: str = "--log") -> ByteSource:
    """``raw`` itself, or the log decompressed from it (gzip, bzip2, xz)."""
    head = raw.read(MAGIC_BYTES)
    stream = _Prefixed(head, raw)
    if head.startswith(ZSTD_MAGIC):
        source = "FILE" if name == "-" else name
        raise InputError(f"{flag} {name}: zstd-compressed, which this Python cannot read; "
                         f"decompress it first: zstdcat {source} | conndoctor diagnose {flag} -")
    for magic, (kind, opener) in _OPENERS.items():
        if head.startswith(magic):
            return Decompressed(kind, opener(cast(BinaryIO, stream)))
    return stream
