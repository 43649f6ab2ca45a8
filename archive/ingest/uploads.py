"""Files of records a curator uploads in the admin: kept under ``DATA_DIR/uploads``, then ingested.

Public function: ``ingest_upload(uploaded, *, user)``.  The file is kept as uploaded, because it
is the raw file its articles came from (their ``source_file`` names it).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.text import get_valid_filename

from archive.models import IngestRun

from .pipeline import Summary, ingest_paths

# What the upload form accepts: the formats ``iter_records`` reads, plain or gzipped.
UPLOAD_EXTENSIONS = ["jsonl", "json", "txt", "html", "htm", "gz"]


def ingest_upload(uploaded: UploadedFile, *, user) -> Summary:
    """Keep the uploaded file and ingest its records in a new run started by ``user``."""
    path = store_upload(uploaded)
    return ingest_paths([path], origin=IngestRun.Origin.UPLOAD, started_by=user)


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
        return get_valid_filename(base)
    except SuspiciousFileOperation:  # nothing usable left ("..", only punctuation)
        return "upload"
