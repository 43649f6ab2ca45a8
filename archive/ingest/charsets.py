"""Bytes to text: the one door to charset-normalizer (written for 3.x; another major version is refused).

``decode_bytes(data, declared=...)`` decides in this order, and says which rule decided:

1. a byte-order mark (UTF-8, UTF-16, UTF-32): the writer said so;
2. a declared charset (an HTML ``<meta charset>``) when it is reliable: the bytes decode with it
   strictly, and they are not valid UTF-8 holding non-ASCII text (a page re-saved as UTF-8 keeps
   its old ``gb2312`` meta tag; the chance that GBK or Big5 text is also valid UTF-8 is nil).
   GB2312/GBK are read as their superset GB18030;
3. strict UTF-8: almost never true of text in another encoding;
4. charset-normalizer's detection. Big5 bytes are nearly always valid GB18030 too, so a fixed
   "try GB18030" list stored Traditional Chinese as mojibake (繁體 → 羉砰); the detector weighs
   the decoded text instead. On a short input several Chinese decodings look equally clean to it;
   then the one with more of the commonly used characters (GB2312's level 1 and Big5's level 1
   hanzi) wins, and on a tie GB18030 (the archive's sources are mostly mainland ones). A decoding
   that is not mostly hanzi is not believed (see ``_MIN_HANZI_SHARE``).
"""

from __future__ import annotations

import codecs
import functools
import unicodedata
from dataclasses import dataclass

import charset_normalizer

SUPPORTED_MAJOR = 3
if not charset_normalizer.__version__.startswith(f"{SUPPORTED_MAJOR}."):
    raise ImportError(
        f"archive.ingest.charsets was written for charset-normalizer {SUPPORTED_MAJOR}.x, "
        f"not {charset_normalizer.__version__}; check its from_bytes() results before upgrading"
    )

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "euc-cn", "euccn"}
_CHAOS_MARGIN = 0.05
# Any byte string decodes in some single-byte code page (\xff\xff\xff is "яяя" in cp1251), so a
# detection is only believed when most of the non-ASCII letters it gives are hanzi: the archive
# holds Chinese text, and bytes that are Chinese in no encoding are refused, not stored as gibberish.
_MIN_HANZI_SHARE = 0.5  # decodings this close to the cleanest one count as equally clean
BOM, DECLARED, UTF8, DETECTED = "bom", "declared", "utf-8", "detected"


class Undecodable(ValueError):
    """The bytes are text in no encoding the detector knows."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # a Python codec name: "utf-8", "gb18030", "big5", "utf-16" ...
    rule: str  # BOM, DECLARED, UTF8 or DETECTED


def bom_encoding(data: bytes) -> str | None:
    """Return the codec a byte-order mark at the start of ``data`` names, or None."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return encoding
    return None


def codec_for(declared: str) -> str | None:
    """Return the Python codec for a declared charset name (GB2312/GBK as GB18030), or None if unknown."""
    name = declared.strip().strip("\"'").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, *, declared: str = "", final: bool = True) -> Decoded:
    """Return ``data`` as text and how its encoding was found; raise Undecodable when it is not text.

    With ``final=False`` the data is the start of a longer stream: a character cut at its end is
    not an error.
    """
    encoding = bom_encoding(data)
    if encoding:
        return Decoded(_decode(data, encoding, final=final, errors="replace"), encoding, BOM)
    try:
        as_utf8: str | None = _decode(data, "utf-8", final=final)
    except UnicodeDecodeError:
        as_utf8 = None
    codec = codec_for(declared) if declared else None
    if codec and not (as_utf8 is not None and not as_utf8.isascii() and codec != "utf-8"):
        try:
            return Decoded(_decode(data, codec, final=final), codec, DECLARED)
        except UnicodeDecodeError:
            pass  # a wrong declaration (common on old sites): detect instead
    if as_utf8 is not None:
        return Decoded(as_utf8, "utf-8", UTF8)
    encoding = detect(data if final else _whole_lines(data))
    if encoding is None:
        raise Undecodable("the bytes are text in no encoding the detector recognises")
    try:
        return Decoded(_decode(data, encoding, final=final), encoding, DETECTED)
    except UnicodeDecodeError as exc:
        raise Undecodable(f"the bytes do not decode as {encoding}: {exc.reason}") from exc


def decode_as(data: bytes, encoding: str) -> str | None:
    """Return ``data`` decoded strictly with ``encoding``, or None when it does not decode."""
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def detect(data: bytes) -> str | None:
    """Return the Python codec name charset-normalizer finds for ``data`` (see the module's rule 4)."""
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return None
    cleanest = min(match.chaos for match in matches)
    close = [m for m in matches if m.chaos <= cleanest + _CHAOS_MARGIN]
    chinese = [m for m in close if _hanzi_share(str(m)) >= _MIN_HANZI_SHARE]
    if not chinese:
        return None
    best = max(chinese, key=lambda m: (_common_share(str(m)), _codec_name(m.encoding) == "gb18030"))
    return _codec_name(best.encoding)


def _decode(data: bytes, encoding: str, *, final: bool, errors: str = "strict") -> str:
    return codecs.getincrementaldecoder(encoding)(errors=errors).decode(data, final=final)


def _whole_lines(data: bytes) -> bytes:
    cut = data.rfind(b"\n")
    return data[: cut + 1] if cut > 0 else data


def _codec_name(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return "gb18030" if name in _GB_FAMILY else name


def _is_hanzi(char: str) -> bool:
    return "CJK UNIFIED IDEOGRAPH" in unicodedata.name(char, "")


def _hanzi_share(text: str) -> float:
    letters = [c for c in text if c.isalpha() and ord(c) > 0x7F]
    return sum(map(_is_hanzi, letters)) / len(letters) if letters else 0.0


def _common_share(text: str) -> float:
    """The share of the non-ASCII characters that are commonly used hanzi (either script)."""
    common = _common_hanzi()
    wide = [c for c in text if ord(c) > 0x7F and not c.isspace()]
    return sum(c in common for c in wide) / len(wide) if wide else 0.0


@functools.cache
def _common_hanzi() -> frozenset[str]:
    """GB2312 level 1 (3,755 simplified) and Big5 level 1 (5,401 traditional): the commonly used hanzi."""
    chars: set[str] = set()
    for encoding, rows, cells in (("gb2312", (0xB0, 0xD7), (0xA1, 0xFE)), ("big5", (0xA4, 0xC6), (0x40, 0xFE))):
        for row in range(rows[0], rows[1] + 1):
            for cell in range(cells[0], cells[1] + 1):
                char = decode_as(bytes((row, cell)), encoding)
                if char and len(char) == 1 and _is_hanzi(char):
                    chars.add(char)
    return frozenset(chars)
