"""Read files into raw records: detect each file's format, decode it, split it into records.

Public function: ``iter_records(path)``.  It never raises for bad input: a record (or a whole
file) that cannot be read is yielded as a ``Rejected`` with its file, position and reason, so
the caller logs it and goes on with the rest of the batch.

Files are streamed: per-line formats are read with a bounded ``readline``, so neither a huge
file nor a huge line is ever held in memory (a too-large record keeps only its first 64 KB).
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .charsets import Undecodable, bom_encoding, decode_as, decode_bytes
from .dump import INVALID, OK, TRUNCATED, is_dump_line, scan_dump_line

# Formats a record can have.
DUMP = "dump"  # crawl dump: text:'…' with a Python string literal
JSONL = "jsonl"  # one JSON object per line
WECHAT_HTML = "wechat_html"  # a page as mp.weixin.qq.com serves it
HTML = "html"  # any other article page


@dataclass
class RawRecord:
    """One record as read from a file, before any cleaning."""

    path: str  # the file, as given (inside a .gz: the .gz path)
    position: str  # human-readable place in the file: "line 3", "record 1", "file"
    format: str  # DUMP, JSONL, WECHAT_HTML or HTML
    raw: str  # the record's text exactly as read (decoded); what Article.raw keeps
    data: dict | None = field(default=None)  # the decoded JSON object for JSONL records


@dataclass
class Rejected:
    """A record or file that could not be read or made into an article."""

    path: str
    position: str
    reason: str  # short code: empty_file, binary_file, undecodable, invalid_json, ...
    message: str  # a sentence a curator understands
    raw: str = ""  # what there was of the record (the start of it when very large)
    raw_size: int = 0  # size in bytes


def shown_path(path: str | Path) -> str:
    """Return a path as a curator reads it: a name that is not UTF-8 with its bytes escaped (``\\xff``).

    The file system hands such a name over with surrogate escapes, which the database refuses.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def has_readable_name(path: str | Path) -> bool:
    """Return whether the path is UTF-8 throughout, so it can be stored as it is."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


KEEP_BYTES = 64 * 1024  # what a too-large record keeps of itself, for the curator to look at
SNIFF_BYTES = 64 * 1024  # enough of a file's start to tell its format and encoding
_DRAIN_BYTES = 1 << 20  # chunk size while skipping the rest of a too-large record
GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = codecs.BOM_UTF8
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)  # UTF-32 LE starts like UTF-16 LE
# Control bytes that never appear in text (tab, newlines, form feed and ESC do).
_CONTROL = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_HTML_START = re.compile(
    r"\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<title|<div|<p[\s>]|<section|<article|<table|<h[1-6]|<!--)",
    re.I,
)
_HTML_ANYWHERE = re.compile(r"<(?:html|body)[\s>]", re.I)
# A WeChat article page by its structure: its body container, its rich_media layout, its og:url, its
# publish time variable; or WeChat's notice page (a weui message box on WeChat's own resources).
# Never a script address alone: most Chinese news and government sites load WeChat's share SDK
# (res.wx.qq.com/open/js/jweixin…) and are ordinary article pages.
_WECHAT_MARKERS = re.compile(
    r"""id=["']js_content["']|class=["'][^"']*\brich_media_(?:content|title|area)"""
    r"""|<meta[^>]+(?:og:url["'][^>]+content=["']https?://mp\.weixin\.qq\.com"""
    r"""|content=["']https?://mp\.weixin\.qq\.com[^>]+og:url)|\bvar\s+ct\s*=\s*["']\d{9,}"""
)
_WECHAT_NOTICE = re.compile(r"""class=["'][^"']*\bweui-msg\b""")
_WECHAT_RESOURCES = re.compile(r"res\.wx\.qq\.com/mmbizwap/")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)


class _CorruptGzip(Exception):
    """Reading the decompressed stream failed (bad data, bad CRC, truncated)."""


class _InflatesTooMuch(Exception):
    """The gzip data inflated past the limit on decompressed bytes."""


def iter_records(
    path: str | Path, *, max_record_bytes: int, max_decompressed_bytes: int | None = None
) -> Iterator[RawRecord | Rejected]:
    """Yield the records of one file (not a directory) in order, or a Rejected for each bad one.

    A gzip file is read until it has inflated to ``max_decompressed_bytes`` (no limit when None):
    past that, the rest of it is one ``too_large`` rejection, so that a few kilobytes inflating to
    gigabytes (a "gzip bomb") cost no more than a file of the limit's size.
    """
    reader = _FileReader(Path(path), str(path), max_record_bytes, max_decompressed_bytes)
    try:
        yield from reader.records()
    except _CorruptGzip as exc:
        yield reader.reject(reader.position, "corrupt_gzip", f"The gzip data is corrupt at {reader.position}: {exc}.")
    except _InflatesTooMuch:
        yield reader.reject(reader.position, "too_large", reader.inflated_too_much())
    except OSError as exc:
        yield reader.reject(reader.position, "unreadable", f"The file could not be read: {exc}.")


def inflated_size(stream: BinaryIO, *, limit: int) -> int:
    """Return how many bytes gzip data inflates to, counting no further than ``limit + 1``.

    Corrupt data counts as far as it goes (reading it as records reports it).
    """
    size = 0
    with gzip.GzipFile(fileobj=stream, mode="rb") as inflated:
        try:
            while size <= limit and (piece := inflated.read(min(_DRAIN_BYTES, limit + 1 - size))):
                size += len(piece)
        except (OSError, EOFError, zlib.error):
            pass
    return size


class _FileReader:
    """One file's format detection and record splitting (plain or gzip)."""

    def __init__(self, path: Path, name: str, max_record_bytes: int, max_decompressed_bytes: int | None = None):
        self.path = path
        self.name = name
        self.limit = max_record_bytes
        self.inflate_limit = max_decompressed_bytes
        self.position = "file"
        self.is_gzip = False
        self.encoding = "utf-8"
        self.utf8_copy: bytes | None = None  # a UTF-16/32 file (BOM) is read as this UTF-8 copy

    def reject(self, position: str, reason: str, message: str, raw: str = "", raw_size: int = 0) -> Rejected:
        return Rejected(self.name, position, reason, message, raw, raw_size)

    # -- opening -------------------------------------------------------------------------

    def inflated_too_much(self) -> str:
        where = (
            "这个文件没有导入" if self.position == "file" else f"从 {self.position} 起的内容没有读，之前的记录照常导入"
        )
        return (
            f"gzip 文件解压后超过 {self.inflate_limit:,} 字节的上限（可能是“压缩炸弹”）：{where}。"
            "如确需导入，请解压后拆分成较小的文件。"
        )

    def _open(self) -> BinaryIO:
        if self.utf8_copy is not None:
            return io.BytesIO(self.utf8_copy)
        handle = open(self.path, "rb")  # closed by the caller's with-block
        if self.is_gzip:
            return _GuardedGzip(handle, self.inflate_limit)
        return handle

    def records(self) -> Iterator[RawRecord | Rejected]:
        if not self.path.is_file():
            yield self.reject("file", "unreadable", "This is not a regular file.")
            return
        if self.path.stat().st_size == 0:
            yield self.reject("file", "empty_file", "The file is empty.")
            return
        with open(self.path, "rb") as handle:
            magic = handle.read(2)
        self.is_gzip = magic == GZIP_MAGIC
        if self.name.lower().endswith(".gz") and not self.is_gzip:
            yield self.reject("file", "corrupt_gzip", "The file is named .gz but does not hold gzip data.")
            return
        with self._open() as stream:
            head = stream.read(SNIFF_BYTES)
            whole = len(head) < SNIFF_BYTES
        if head.startswith(_WIDE_BOMS):
            head, whole = self._read_as_utf8()
        problem = self._sniff_problem(head, whole)
        if problem:
            reason, message = problem
            yield self.reject("file", reason, message, raw=_preview(head, reason), raw_size=len(head))
            return
        text_head = self._decode_head(head, whole)
        stripped = text_head.lstrip()
        if not stripped:
            if whole:
                yield self.reject("file", "empty_file", "The file holds only whitespace.", raw_size=len(head))
                return
        first_line = stripped.split("\n", 1)[0].strip()
        if is_dump_line(first_line):
            yield from self._single_as_file(self._lines(DUMP))
        elif stripped.startswith(("{", "[")):
            # A first line that is a whole object means JSON Lines; otherwise try one JSON document.
            lines = stripped.startswith("{") and _is_json(first_line)
            yield from self._lines(JSONL) if lines else self._json_document()
        elif _HTML_START.match(stripped) or _HTML_ANYWHERE.search(text_head):
            yield from self._html()
        else:
            yield self.reject(
                "file",
                "unknown_format",
                "The content is none of the known formats (text:'…' dump, JSON Lines, HTML page).",
                raw=text_head[:KEEP_BYTES],
                raw_size=len(head),
            )

    def _sniff_problem(self, head: bytes, whole: bool) -> tuple[str, str] | None:
        """Return (reason, message) when the file is empty, binary or not decodable at all."""
        if not head:
            return "empty_file", "The file is empty (the gzip stream holds nothing)."
        if b"\x00" in head:
            return "binary_file", "The file holds NUL bytes: it is binary, not text."
        if len(_CONTROL.findall(head)) > max(8, len(head) // 20):
            return "binary_file", "The file is mostly control bytes: it is binary, not text."
        body = head[len(_UTF8_BOM) :] if head.startswith(_UTF8_BOM) else head
        declared = _META_CHARSET.search(body[:4096])
        declared_name = declared.group(1).decode("ascii", "replace") if declared else ""
        # The whole start first; failing that the first line, so one bad line later in a
        # line-per-record file costs that line only.
        for sample, final in ((body, whole), (body.split(b"\n", 1)[0], True)):
            try:
                self.encoding = decode_bytes(sample, declared=declared_name, final=final).encoding
            except Undecodable:
                continue
            return None
        return "undecodable", "The file is text in no encoding the detector (charset-normalizer) recognises."

    def _read_as_utf8(self) -> tuple[bytes, bool]:
        """Decode a UTF-16/32 file (it starts with a byte-order mark) once; its records are read from a UTF-8 copy."""
        with self._open() as stream:
            data = stream.read()
        self.utf8_copy = data.decode(bom_encoding(data) or "utf-16", "replace").encode("utf-8")
        return self.utf8_copy[:SNIFF_BYTES], len(self.utf8_copy) < SNIFF_BYTES

    def _decode_head(self, head: bytes, whole: bool) -> str:
        if head.startswith(_UTF8_BOM):
            head = head[len(_UTF8_BOM) :]
        return codecs.getincrementaldecoder(self.encoding)(errors="replace").decode(head, final=whole)

    # -- per-line formats ----------------------------------------------------------------

    def _lines(self, file_format: str) -> Iterator[RawRecord | Rejected]:
        """Yield one record or Rejected per non-blank line (dump and JSON lines may be mixed)."""
        with self._open() as stream:
            number = 0
            while True:
                # Set before reading, so a gzip error is reported at the line being read.
                self.position = f"line {number + 1}"
                chunk = stream.readline(self.limit + 2)  # the record, its line break, and one more byte
                if not chunk:
                    return
                number += 1
                if number == 1 and chunk.startswith(_UTF8_BOM):
                    chunk = chunk[len(_UTF8_BOM) :]
                line = chunk.rstrip(b"\r\n")
                if len(line) > self.limit:
                    size = len(line) + (0 if chunk.endswith(b"\n") else self._drain(stream))
                    yield self.reject(
                        self.position,
                        "too_large",
                        f"The record is {size:,} bytes, more than the {self.limit:,} allowed; it was skipped.",
                        raw=self._decode_lossy(line[:KEEP_BYTES]),
                        raw_size=size,
                    )
                    continue
                if not line.strip():
                    continue
                yield self._line_record(line, file_format)

    def _drain(self, stream: BinaryIO) -> int:
        """Skip the rest of an over-long line; return how many bytes of it there were."""
        size = 0
        while True:
            piece = stream.readline(_DRAIN_BYTES)
            if not piece:
                return size
            size += len(piece.rstrip(b"\r\n"))
            if piece.endswith(b"\n"):
                return size

    def _line_record(self, line: bytes, file_format: str) -> RawRecord | Rejected:
        position = self.position
        if b"\x00" in line:
            return self.reject(
                position, "binary_file", f"{position} holds NUL bytes (binary data).", raw_size=len(line)
            )
        text = self._decode_line(line)
        if text is None:
            return self.reject(
                position,
                "undecodable",
                f"{position} is neither UTF-8 nor GB18030 text.",
                raw=self._decode_lossy(line[:KEEP_BYTES]),
                raw_size=len(line),
            )
        stripped = text.strip()
        if stripped.startswith("{"):
            return self._json_line(text, position, len(line))
        status, _ = scan_dump_line(text)
        if status == OK:
            return RawRecord(self.name, position, DUMP, text)
        if status == TRUNCATED:
            message = f"{position}: the text:'…' literal has no closing quote (the record is cut off)."
            return self.reject(position, "truncated_literal", message, raw=text, raw_size=len(line))
        if status == INVALID:
            message = f"{position}: after the text:'…' literal comes something else; only one literal is allowed."
            return self.reject(position, "invalid_literal", message, raw=text, raw_size=len(line))
        if file_format == JSONL:  # in a JSON Lines file, any other line is broken JSON
            return self._json_line(text, position, len(line))
        message = f"{position} is neither a text:'…' record nor a JSON object."
        return self.reject(position, "unknown_format", message, raw=text, raw_size=len(line))

    def _json_line(self, text: str, position: str, size: int) -> RawRecord | Rejected:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            message = f"{position} is not valid JSON: {exc}."
            return self.reject(position, "invalid_json", message, raw=text, raw_size=size)
        if not isinstance(data, dict):
            message = f"{position} is JSON but not an object (a {type(data).__name__})."
            return self.reject(position, "not_an_object", message, raw=text, raw_size=size)
        return RawRecord(self.name, position, JSONL, text, data)

    def _decode_line(self, line: bytes) -> str | None:
        """The line in the file's encoding; a line that is not in it is detected on its own."""
        text = decode_as(line, self.encoding)
        if text is not None:
            return text
        try:
            return decode_bytes(line).text
        except Undecodable:
            return None

    def _decode_lossy(self, data: bytes) -> str:
        # Incremental and not final: a multi-byte character cut at the end is dropped, not garbled.
        return codecs.getincrementaldecoder(self.encoding)(errors="replace").decode(data, final=False)

    def _single_as_file(self, items: Iterator[RawRecord | Rejected]) -> Iterator[RawRecord | Rejected]:
        """Pass records on; when the file turns out to hold just one, its position is "file"."""
        pending = next(items, None)
        if pending is None:
            yield self.reject("file", "empty_file", "The file holds only whitespace.")
            return
        second = next(items, None)
        if second is None:
            pending.position = "file"
            yield pending
            return
        yield pending
        yield second
        yield from items

    # -- one record per file -------------------------------------------------------------

    def _read_whole(self) -> tuple[bytes, int]:
        """Return the file's content (at most limit + 1 bytes) and its full decompressed size."""
        with self._open() as stream:
            data = stream.read(self.limit + 1)
            size = len(data)
            if size > self.limit:
                data = data[:KEEP_BYTES]
                while piece := stream.read(_DRAIN_BYTES):
                    size += len(piece)
        if data.startswith(_UTF8_BOM):
            data = data[len(_UTF8_BOM) :]
        return data, size

    def _too_large(self, data: bytes, size: int) -> Rejected:
        message = f"The file is one record of {size:,} bytes, more than the {self.limit:,} allowed; it was skipped."
        return self.reject("file", "too_large", message, raw=self._decode_lossy(data[:KEEP_BYTES]), raw_size=size)

    def _html(self) -> Iterator[RawRecord | Rejected]:
        data, size = self._read_whole()
        if size > self.limit:
            yield self._too_large(data, size)
            return
        text = self._decode_html(data)
        if text is None:
            message = "The page is neither UTF-8 nor in the charset it declares."
            yield self.reject("file", "undecodable", message, raw=self._decode_lossy(data[:KEEP_BYTES]), raw_size=size)
            return
        page_format = WECHAT_HTML if _is_wechat_page(text) else HTML
        yield RawRecord(self.name, "file", page_format, text)

    def _decode_html(self, data: bytes) -> str | None:
        """The page in its byte-order mark's or its reliable declared charset, else UTF-8, else detected."""
        declared = _META_CHARSET.search(data[:4096])
        name = declared.group(1).decode("ascii", "replace") if declared else ""
        try:
            return decode_bytes(data, declared=name).text
        except Undecodable:
            return None

    def _json_document(self) -> Iterator[RawRecord | Rejected]:
        """Read a file that is one JSON document (an object, or an array of objects).

        When it is not (too big, or not valid as a whole), it is JSON Lines with a broken first
        line: read it line by line, so only that line is rejected.
        """
        with self._open() as stream:
            data = stream.read(self.limit + 1)
        if data.startswith(_UTF8_BOM):
            data = data[len(_UTF8_BOM) :]
        text = self._decode_line(data) if len(data) <= self.limit else None
        try:
            document = json.loads(text) if text is not None else None
        except (ValueError, RecursionError):
            document = None
        if not isinstance(document, dict | list):
            yield from self._lines(JSONL)
            return
        size = len(data)
        if isinstance(document, dict):
            yield RawRecord(self.name, "file", JSONL, text, document)
            return
        if not document:
            yield self.reject("file", "no_content", "The file is an empty JSON array.", raw=text, raw_size=size)
        for number, item in enumerate(document, 1):
            position = f"record {number}"
            raw = json.dumps(item, ensure_ascii=False)
            if isinstance(item, dict):
                yield RawRecord(self.name, position, JSONL, raw, item)
            else:
                message = f"{position} is not a JSON object (a {type(item).__name__})."
                yield self.reject(position, "not_an_object", message, raw=raw, raw_size=len(raw.encode()))


def _is_wechat_page(text: str) -> bool:
    """Whether a page is a WeChat article (or WeChat's notice page) by its markup."""
    if _WECHAT_MARKERS.search(text):
        return True
    return bool(_WECHAT_NOTICE.search(text) and _WECHAT_RESOURCES.search(text))


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


class _GuardedGzip(gzip.GzipFile):
    """A GzipFile whose decompression errors surface as _CorruptGzip (told apart from I/O errors),
    and which raises _InflatesTooMuch once it has inflated to more than ``limit`` bytes.
    """

    def __init__(self, handle: BinaryIO, limit: int | None = None):
        super().__init__(fileobj=handle, mode="rb")
        self._handle = handle
        self._limit = limit
        self._inflated = 0

    def read(self, size: int = -1) -> bytes:
        try:
            return self._counted(super().read(self._bounded(size)))
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise _CorruptGzip(_gzip_problem(exc)) from exc

    def readline(self, size: int | None = -1) -> bytes:
        try:
            return self._counted(super().readline(self._bounded(size)))
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise _CorruptGzip(_gzip_problem(exc)) from exc

    def _bounded(self, size: int | None) -> int:
        """A read of "everything" reads only one byte past the limit (never the whole inflated stream)."""
        if self._limit is None:
            return -1 if size is None else size
        most = self._limit + 1 - self._inflated
        return most if size is None or size < 0 else min(size, most)

    def _counted(self, data: bytes) -> bytes:
        self._inflated += len(data)
        if self._limit is not None and self._inflated > self._limit:
            raise _InflatesTooMuch
        return data

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._handle.close()


def _gzip_problem(exc: Exception) -> str:
    if isinstance(exc, EOFError):
        return "the stream ends early (the file is truncated)"
    return str(exc) or type(exc).__name__


def _preview(head: bytes, reason: str) -> str:
    """Return what a curator may look at of a file that is not text (no NUL reaches the database)."""
    if reason == "binary_file":
        return repr(head[:256])
    return head[:KEEP_BYTES].decode("utf-8", "replace").replace("\x00", "\ufffd")
