"""How an input's bytes are stored, and reading them as UTF-8: gzip, bz2 and xz archives (also
concatenated, or cut short: what was decompressed still counts), and UTF-16/32 text."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from collections.abc import Callable
from typing import BinaryIO, cast

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
)
COMPRESSED = frozenset(codec for _, codec in _MAGIC)
#: Bytes read from the start of an input to tell how it is encoded or compressed.
HEAD = 64
_ASCII_CHARS = 8  # characters of a log's start (a stamp) that tell UTF-16/32 without a BOM
_MIN_CHARS = 2  # ... at least: one NUL-padded byte could be binary by chance
_ASCII_END = 0x80


def text_codec(head: bytes) -> str | None:
    """The encoding of a log that is not UTF-8: UTF-32 or UTF-16 (PowerShell's `>`, Windows
    tools), told by a byte order mark or, without one, by the NUL bytes of the ASCII text a
    log starts with (its stamp). None for UTF-8 (or anything else)."""
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32")):
        if head.startswith(bom):
            return codec
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for width, codec_le, codec_be in ((4, "utf-32-le", "utf-32-be"), (2, "utf-16-le", "utf-16-be")):
        n = min(_ASCII_CHARS, len(head) // width)  # a growing log may have a few bytes yet
        if n < _MIN_CHARS:
            continue
        units = [head[i : i + width] for i in range(0, n * width, width)]
        zeros = bytes(width - 1)
        if all(0 < u[0] < _ASCII_END and u[1:] == zeros for u in units):
            return codec_le
        if all(0 < u[-1] < _ASCII_END and u[:-1] == zeros for u in units):
            return codec_be
    return None




def codec_of(head: bytes) -> str | None:
    """gzip, bz2 or xz by its magic bytes, else text_codec."""
    for magic, codec in _MAGIC:
        if head.startswith(magic):
            return codec
    return text_codec(head)



#: What reading a damaged archive raises.
READ_ERRORS = (EOFError, OSError, zlib.error, lzma.LZMAError, ValueError)
_Decompressor = lzma.LZMADecompressor | bz2.BZ2Decompressor


class _Salvaging:
    """A decompressing reader whose ``read(n)`` hands over what was decompressed before an
    error (a truncated or corrupt archive), and raises the error on the next call.

    ``GzipFile.read(n)`` would drop up to ``n`` decompressed bytes when the archive ends early;
    this reads in ``read1`` steps instead. ``close()`` also closes the file underneath, which
    the decompressors leave open when given a file object.
    """

    def __init__(self, inner: gzip.GzipFile | _Streams, raw: BinaryIO) -> None:
        self._inner = inner
        self._raw = raw
        self._error: BaseException | None = None

    def read(self, n: int = -1) -> bytes:
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if n < 0:
            n = _WHOLE
        parts: list[bytes] = []
        got = 0
        while got < n:
            try:
                piece = self._inner.read1(n - got)
            except READ_ERRORS as exc:
                if not parts:
                    raise
                self._error = exc
                break
            if not piece:
                break
            parts.append(piece)
            got += len(piece)
        return b"".join(parts)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._raw.close()


_RAW = 1 << 20  # compressed bytes read at a time
_WHOLE = 8 * 1024 * 1024  # what read() without a size hands over at a time (a chunk's worth)


class _Streams:
    """Concatenated xz or bz2 streams (`cat a.xz b.xz`), read with read1() like the file objects
    of lzma and bz2, which stop at the first thing that is not a stream, silently: xz stream
    padding (NUL bytes between streams) is read past here, and anything else after the last
    stream is an error, so what follows it is not lost without a word."""

    def __init__(self, raw: BinaryIO, new: Callable[[], _Decompressor], what: str) -> None:
        self._raw = raw
        self._new = new
        self._what = what
        self._dec: _Decompressor | None = new()
        self._input = b""
        self._fresh = False  # a stream begun after another one, nothing decompressed from it yet

    def _next_stream(self) -> bool:
        """After a stream's end: past the padding, start the next one; False at the end."""
        assert self._dec is not None
        pending = self._dec.unused_data + self._input
        self._input = b""
        self._dec = None
        while True:
            pending = pending.lstrip(b"\0")
            if pending:
                break
            pending = self._raw.read(_RAW)
            if not pending:
                return False
        self._dec, self._input, self._fresh = self._new(), pending, True
        return True

    def read1(self, n: int) -> bytes:
        while self._dec is not None:
            if self._dec.eof:
                if not self._next_stream():
                    return b""
                continue
            data = b""
            if self._dec.needs_input:
                data, self._input = self._input or self._raw.read(_RAW), b""
                if not data:
                    raise EOFError("Compressed file ended before the end-of-stream marker was reached")
            try:
                out = self._dec.decompress(data, max_length=n)
            except (lzma.LZMAError, OSError):
                if self._fresh:
                    what = self._what
                    raise ValueError(f"data after the last {what} stream is not another one") from None
                raise
            if out:
                self._fresh = False
                return out
        return b""

    def close(self) -> None:
        """The file underneath is _Salvaging's to close."""


class _Recoded:
    """UTF-16 or UTF-32 text (PowerShell 5's `>` writes UTF-16) re-encoded as UTF-8, streamed.

    ``read(n)`` returns at most ``n`` bytes, like a file's: re-encoded, n/2 characters can take
    1.5 n bytes (CJK), and blocks() reads into a buffer of a fixed size.
    """

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self._raw = raw
        self._text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        self._pending = b""

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            out, self._pending = self._pending + self._text.read().encode("utf-8", "replace"), b""
            return out
        while len(self._pending) < n:
            text = self._text.read(max(1, n // 2))
            if not text:
                break
            self._pending += text.encode("utf-8", "replace")
        out, self._pending = self._pending[:n], self._pending[n:]
        return out

    def close(self) -> None:
        self._raw.close()



def decoded(fh: BinaryIO, codec: str) -> BinaryIO:
    """Decode ``fh`` per ``codec`` (a text encoding, gzip, bz2, xz); closing the result closes
    ``fh``."""
    if codec not in COMPRESSED:
        return cast(BinaryIO, _Recoded(fh, codec))
    inner: gzip.GzipFile | _Streams
    if codec == "gzip":
        inner = gzip.GzipFile(fileobj=fh)  # reads past padding, and raises on other data
    elif codec == "bz2":
        inner = _Streams(fh, bz2.BZ2Decompressor, "bz2")
    else:
        inner = _Streams(fh, lzma.LZMADecompressor, "xz")
    return cast(BinaryIO, _Salvaging(inner, fh))


