"""Files of records a curator uploads in the admin: kept under ``DATA_DIR/uploads``, then ingested.

Public functions: ``store_upload(uploaded)`` (in the request), ``ingest_stored_upload(path, *, user)`` (in
the worker), and ``upload_size_problem`` for the form.
The file is kept as uploaded, because it is the raw file its articles came from (their
``source_file`` names it).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import get_valid_filename

from archive.models import IngestRun

from .pipeline import Summary, ingest_paths
from .records import GZIP_MAGIC, inflated_size

# What the upload form accepts: the formats ``iter_records`` reads, plain or gzipped.
UPLOAD_EXTENSIONS = ["jsonl", "json", "txt", "html", "htm", "gz"]
# A file name may have 255 bytes (ext4, XFS, Btrfs): room for "<timestamp>-<attempt>-" before it.
# 90 Chinese characters are 270 bytes of UTF-8.
MAX_NAME_BYTES = 200


def ingest_stored_upload(path: str | Path, *, user) -> Summary:
    """Ingest the records of an upload kept by :func:`store_upload`, in a new run started by ``user``.

    Run by the background worker (``archive.tasks.ingest_upload``), not in the request.
    """
    limit = settings.INGEST_UPLOAD_MAX_BYTES  # the form checked it; a gzip's inflated size counts
    return ingest_paths([path], origin=IngestRun.Origin.UPLOAD, started_by=user, max_decompressed_bytes=limit)


def upload_size_problem(uploaded: UploadedFile, *, limit: int) -> str:
    """Return why the upload is too large ("" when it is not): its size, or what its gzip data inflates to.

    A gzip is inflated only as far as the limit, so a few kilobytes that would inflate to
    gigabytes (a "gzip bomb") are refused at once.
    """
    advice = "请拆分文件，或用 manage.py ingest 导入。"
    if uploaded.size > limit:
        return (
            f"文件有 {uploaded.size:,} 字节（{filesizeformat(uploaded.size)}），上传最多 "
            f"{limit:,} 字节（{filesizeformat(limit)}）。{advice}"
        )
    uploaded.seek(0)
    is_gzip = uploaded.read(2) == GZIP_MAGIC
    uploaded.seek(0)
    if not is_gzip:
        return ""
    inflated = inflated_size(uploaded, limit=limit)
    uploaded.seek(0)
    if inflated > limit:
        return (
            f"gzip 文件解压后超过 {limit:,} 字节（{filesizeformat(limit)}）：上传最多 {limit:,} 字节，"
            f"按解压后的大小计算。{advice}"
        )
    return ""


def store_upload(uploaded: UploadedFile) -> Path:
    """Write the upload to ``DATA_DIR/uploads/<timestamp>-<safe name>`` (never over another) and return it."""
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = safe_name(uploaded.name)
    for attempt in range(1, 1000):
        path = folder / (f"{stamp}-{name}" if attempt == 1 else f"{stamp}-{attempt}-{name}")
        try:
            with open(path, "xb") as out:
                for chunk in uploaded.chunks():
                    out.write(chunk)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"No free name for {name} in {folder}")


def safe_name(name: str) -> str:
    """Return the file name without folders or characters a shell or URL trips on (Chinese is kept)."""
    base = Path(name.replace("\\", "/")).name
    try:
        valid = get_valid_filename(base)
    except SuspiciousFileOperation:  # nothing usable left ("..", only punctuation)
        return "upload"
    return shortened(valid, MAX_NAME_BYTES)


def shortened(name: str, limit: int) -> str:
    """Return the name cut to at most ``limit`` bytes of UTF-8: its extension kept whole (.jsonl.gz too),
    the start of the rest kept in whole characters.
    """
    if len(name.encode("utf-8")) <= limit:
        return name
    extension = _extension(name)
    stem = name[: len(name) - len(extension)].encode("utf-8")[: limit - len(extension.encode("utf-8"))]
    # "ignore" drops only the bytes of a character cut at the end: UTF-8 never splits elsewhere.
    return (stem.decode("utf-8", "ignore") or "upload") + extension


def _extension(name: str) -> str:
    """The extension a reader of the file goes by: ".jsonl.gz" for a gzipped one, else the last."""
    suffixes = Path(name).suffixes
    if not suffixes or len(suffixes[-1]) > 10:
        return ""
    if suffixes[-1].lower() == ".gz" and len(suffixes) > 1 and suffixes[-2][1:].lower() in UPLOAD_EXTENSIONS:
        return suffixes[-2] + suffixes[-1]
    return suffixes[-1]
