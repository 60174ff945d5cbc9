"""Refuse workbooks that would expand beyond sane sizes (zip bombs) before openpyxl opens them.

An XLSX is a zip of XML parts. A shared-strings part of 300 MB of repeated text deflates to under
1 MB, and openpyxl keeps every shared string in memory, so the sizes each part declares are checked
first (total, compression ratio, parts read whole), then every part is inflated in 1 MB chunks and
refused as soon as it yields more than it declared: a zip that lies about its sizes is caught
without ever holding more than a chunk.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import current_app, has_app_context
from flask_babel import gettext as _

MB = 1024 * 1024
CHUNK = MB
DEFAULT_MAX_MB, DEFAULT_MAX_RATIO = 100, 100
# Tiny parts (styles, rels) can compress very well and are harmless; the ratio matters for big ones.
RATIO_FLOOR = MB
# openpyxl streams worksheets but reads every other XML part whole: shared strings take up to 7 times
# their XML size when short, so those parts get a 16th of the limit (6 MB by default, under 50 MB of growth).
WHOLE_PART_SHARE = 16
WHOLE_READ = (".xml", ".rels")
NOT_READ = ("xl/pivotCache/",)  # read-only openpyxl never opens pivot caches, which may be large
CONTENT_TYPES = "[Content_Types].xml"
OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*>")
PART_NAME = re.compile(rb'PartName\s*=\s*["\']/?([^"\']+)')
WORKSHEET = re.compile(rb'ContentType\s*=\s*["\'][^"\']*worksheet\+xml["\']')
LOCAL_HEADER = struct.Struct("<4s22xHH")
READABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class UnsafeWorkbookError(ValueError):
    """The workbook is unsafe to open; the message is for the user."""


def limits() -> tuple[int, int]:
    """Return the uncompressed size limit in bytes and the compression ratio limit."""
    config = current_app.config if has_app_context() else {}
    max_mb = int(config.get("IMPORT_XLSX_MAX_UNCOMPRESSED_MB", DEFAULT_MAX_MB))
    return max_mb * MB, int(config.get("IMPORT_XLSX_MAX_RATIO", DEFAULT_MAX_RATIO))


def unreadable() -> UnsafeWorkbookError:
    """Return the refusal for a damaged or foreign zip."""
    return UnsafeWorkbookError(_("This file is not an XLSX workbook we can read."))


def check_workbook(path: Path) -> None:
    """Refuse a workbook whose parts declare, or really have, unsafe uncompressed sizes."""
    try:
        with zipfile.ZipFile(path) as archive:
            check_declared(archive)
            members = archive.infolist()
        with open(path, "rb") as handle:
            for info in members:
                check_actual(handle, info)
    except (zipfile.BadZipFile, zlib.error, struct.error, OSError, EOFError, KeyError):
        raise unreadable() from None


def check_declared(archive: zipfile.ZipFile) -> None:
    """Refuse on the sizes the zip declares: total, each big part's ratio, parts openpyxl reads whole."""
    max_bytes, max_ratio = limits()
    members = archive.infolist()
    if sum(info.file_size for info in members) > max_bytes:
        raise UnsafeWorkbookError(too_large_message(max_bytes))
    for info in members:
        if info.file_size >= RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
            raise UnsafeWorkbookError(ratio_message(max_ratio))
    max_text = max(MB, max_bytes // WHOLE_PART_SHARE // MB * MB)
    streamed = worksheets(archive, max_text)
    for info in members:
        if read_whole(info.filename, streamed) and info.file_size > max_text:
            raise UnsafeWorkbookError(too_much_text_message(max_text))


def worksheets(archive: zipfile.ZipFile, max_text: int) -> set[str]:
    """Return the parts the content types declare as worksheets (the only ones openpyxl streams)."""
    info = archive.getinfo(CONTENT_TYPES)
    if info.file_size > max_text:
        raise UnsafeWorkbookError(too_much_text_message(max_text))
    declared = archive.read(info)  # zipfile never inflates more than the (checked) declared size
    overrides = [m.group(0) for m in OVERRIDE.finditer(declared) if WORKSHEET.search(m.group(0))]
    return {name.group(1).decode("utf-8", "replace") for o in overrides if (name := PART_NAME.search(o))}


def read_whole(name: str, streamed: set[str]) -> bool:
    """Return whether openpyxl would read this part whole into memory."""
    return name.lower().endswith(WHOLE_READ) and name not in streamed and not name.startswith(NOT_READ)


def too_large_message(max_bytes: int) -> str:
    """Return the refusal for a workbook too large once unzipped."""
    return _(
        "The workbook expands to more than %(mb)s MB when unzipped and cannot be read safely. "
        "Save it as CSV (UTF-8) or split it into smaller files.",
        mb=max_bytes // MB,
    )


def too_much_text_message(max_bytes: int) -> str:
    """Return the refusal for a workbook with too much shared text."""
    return _(
        "The workbook holds more than %(mb)s MB of text and cannot be read safely. "
        "Save it as CSV (UTF-8) or split it into smaller files.",
        mb=max_bytes // MB,
    )


def ratio_message(max_ratio: int) -> str:
    """Return the refusal for a part that compresses like a decompression bomb."""
    return _(
        "A part of the workbook compresses abnormally well (more than %(ratio)s to 1): "
        "it looks like a decompression bomb and was refused.",
        ratio=max_ratio,
    )


def check_actual(handle: BinaryIO, info: zipfile.ZipInfo) -> None:
    """Inflate one part chunk by chunk and refuse it as soon as it yields more than it declared."""
    if info.compress_type not in READABLE or info.flag_bits & 0x1:  # other methods, or encrypted
        raise unreadable()
    produced = 0
    for chunk in inflated(handle, info):
        produced += len(chunk)
        if produced > info.file_size:
            raise UnsafeWorkbookError(
                _(
                    "A part of the workbook declares a smaller size than its real one: the file is damaged "
                    "or forged and was refused."
                )  # fmt: skip
            )


def inflated(handle: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Yield the part's uncompressed bytes, at most one chunk at a time."""
    handle.seek(info.header_offset)
    magic, name_length, extra_length = LOCAL_HEADER.unpack(handle.read(LOCAL_HEADER.size))
    if magic != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    handle.seek(info.header_offset + LOCAL_HEADER.size + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    remaining = info.compress_size
    while remaining > 0:
        raw = handle.read(min(CHUNK, remaining))
        if not raw:
            raise EOFError("truncated part")
        remaining -= len(raw)
        if inflater is None:
            yield raw
            continue
        yield inflater.decompress(raw, CHUNK)
        while inflater.unconsumed_tail:
            yield inflater.decompress(inflater.unconsumed_tail, CHUNK)
    if inflater is not None:
        yield inflater.flush()  # at most zlib's window (32 KB) is still held back
