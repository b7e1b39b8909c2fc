"""Uploaded files: checked by what they are, not what they claim to be.

`validate_upload` is the one gate every upload passes: size, kind by content (the first bytes),
a name that agrees with the content, images opened and verified by Pillow within a pixel limit,
workbooks opened as ZIP archives and looked through before anyone unpacks them. It also gives
the upload a safe name (no folders, control or bidirectional characters, bounded length), so a
name can neither leave the vendor's media folder nor disguise what the file is."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "xlsx": (b"PK\x03\x04",),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The names a file of each kind may have: "invoice.pdf" holding a PNG is refused, not guessed at.
EXTENSIONS = {"pdf": (".pdf",), "png": (".png",), "jpeg": (".jpg", ".jpeg"), "xlsx": (".xlsx",)}
PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG"}
# Deliberately below Pillow's own bomb limit (89 MP, an error only past twice that): a 40 MP
# phone photo passes; a few hundred bytes declaring 30000 x 30000 pixels never gets decoded.
MAX_IMAGE_PIXELS = 40_000_000
# What a workbook may unpack to: a 20 MB upload of real data unpacks to well under this.
MAX_WORKBOOK_UNPACKED = 200 * 1024 * 1024
RUNNABLE = (".exe", ".dll", ".com", ".scr", ".msi", ".bat", ".cmd", ".js", ".vbs", ".jar",
            ".ps1", ".sh", ".bin")  # fmt: skip
MAX_NAME_CHARS = 100
_UNSAFE_IN_NAMES = re.compile(r'[<>:"|?*]')


def sniff(upload: File) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for kind, prefixes in SIGNATURES.items():
        if head.startswith(prefixes):
            return kind
    return None


def safe_filename(name: str, *, default: str = "file") -> str:
    """The last part of `name`, without control or formatting characters (NUL, the right-to-left
    override that turns "invoice‮fdp.exe" into "invoiceexe.pdf" on screen), without characters
    Windows refuses, at most MAX_NAME_CHARS long with its extension kept."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if not unicodedata.category(ch).startswith("C"))
    base = _UNSAFE_IN_NAMES.sub("_", base).strip(" .")
    if not base:
        return default
    suffix = PurePosixPath(base).suffix if "." in base else ""
    suffix = suffix if len(suffix) <= 10 else ""
    stem = base[: len(base) - len(suffix)] if suffix else base
    stem = stem[: MAX_NAME_CHARS - len(suffix)].rstrip(" .") or default
    return stem + suffix


def _refuse(message: str, code: str = "invalid_file") -> ValidationError:
    return ValidationError(message, code=code)


def _jpeg_complete(upload: UploadedFile) -> bool:
    """An end-of-image marker after the last start-of-scan. Pillow cannot say: weasyprint sets
    ImageFile.LOAD_TRUNCATED_IMAGES for the whole process, and Pillow then pads a cut-off JPEG
    instead of failing. Scan data never holds FF D9 (FF bytes in it are stuffed as FF 00)."""
    upload.seek(0)
    data = upload.read()
    last_scan = data.rfind(b"\xff\xda")
    return last_scan != -1 and data.find(b"\xff\xd9", last_scan) != -1


def _check_image(upload: UploadedFile, kind: str, name: str) -> None:
    """Open the image with Pillow as the format its bytes claim, refuse more than
    MAX_IMAGE_PIXELS before decoding a pixel, then verify it (PNG: every chunk's checksum;
    JPEG: complete, and a reduced decode of the whole stream)."""
    from PIL import Image

    too_big = _("%(name)s has too many pixels (at most %(mp)d million).") % {
        "name": name,
        "mp": MAX_IMAGE_PIXELS // 1_000_000,
    }
    damaged = _refuse(_("%(name)s is damaged or not a complete image.") % {"name": name})
    upload.seek(0)
    try:
        with Image.open(upload, formats=[PILLOW_FORMATS[kind]]) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _refuse(too_big)
            if kind == "jpeg":
                if not _jpeg_complete(upload):
                    raise damaged
                upload.seek(0)
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
            else:
                image.verify()
    except Image.DecompressionBombError:
        raise _refuse(too_big) from None
    except ValidationError:
        raise
    except Exception:  # Pillow reports broken images with many exception types
        raise damaged from None
    finally:
        upload.seek(0)


def workbook_check(upload: Any, *, name: str, max_unpacked: int = MAX_WORKBOOK_UNPACKED) -> None:
    """A ZIP is not yet a spreadsheet: it must hold an Excel workbook, without macros, nothing
    that runs, no path that climbs out of it, and unpack to at most `max_unpacked` bytes (a zip
    bomb is refused from its directory, before anything is unpacked)."""
    refused = _refuse(_("%(name)s is not an Excel workbook without macros.") % {"name": name})
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refused from None
    finally:
        upload.seek(0)
    names = {info.filename.replace("\\", "/").lower() for info in members}
    if not {"[content_types].xml", "xl/workbook.xml"} <= names:
        raise refused
    if any(n.endswith(RUNNABLE) or "vbaproject" in n for n in names):
        raise refused
    if any(n.startswith("/") or ".." in n.split("/") for n in names):
        raise refused
    if sum(info.file_size for info in members) > max_unpacked:
        raise _refuse(
            _("%(name)s unpacks to more than %(mb)d MB.")
            % {"name": name, "mb": max_unpacked >> 20},
            code="too_big",
        )


def validate_upload(
    upload: UploadedFile,
    *,
    allowed: tuple[str, ...] = ("pdf", "png", "jpeg"),
    max_bytes: int = 10 * 1024 * 1024,
    match_name: bool = True,
) -> str:
    """Return the detected kind, or raise a ValidationError the form shows at the field.

    The name's extension must agree with the content, unless `match_name` is False for a caller
    that stores the file under the detected type's extension and serves it through
    private_file_response (which names the download for its type). On success the upload's name
    is its safe_filename: what callers store and show."""
    name = safe_filename(str(upload.name or ""))
    if upload.size is not None and upload.size > max_bytes:
        raise _refuse(
            _("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": max_bytes >> 20}
        )
    kind = sniff(upload)
    if kind not in allowed:
        raise _refuse(
            _("%(name)s is not an allowed file type (%(allowed)s).")
            % {"name": name, "allowed": ", ".join(a.upper() for a in allowed)}
        )
    suffix = PurePosixPath(name).suffix.lower()
    if match_name and suffix not in EXTENSIONS[kind]:
        raise _refuse(
            _("%(name)s is a %(kind)s file but is named %(suffix)s.")
            % {"name": name, "kind": kind.upper(), "suffix": suffix or "—"}
        )
    if kind in PILLOW_FORMATS:
        _check_image(upload, kind, name)
    elif kind == "xlsx":
        workbook_check(upload, name=name)
    upload.name = name
    return kind


def download_name(name: str, content_type: str) -> str:
    """safe_filename(name) with an extension of the type the file was stored as: "photo.html"
    holding a PNG downloads as "photo.png", so no program opens it as a web page."""
    safe = safe_filename(name)
    kind = next((k for k, t in CONTENT_TYPES.items() if t == content_type), None)
    path = PurePosixPath(safe)
    if kind is None or path.suffix.lower() in EXTENSIONS[kind]:
        return safe
    return safe_filename((path.stem if path.suffix else safe) + EXTENSIONS[kind][0])


def private_file_response(row: Any | None, *, inline_images: bool = False) -> FileResponse:
    """Serve an uploaded file row (`file`, `original_name`, `content_type`) that the caller found
    through its visibility check; None (not found for this reader) or a missing file is a 404.
    Never kept by a shared cache, never sniffed into another type by the browser."""
    if row is None or not row.file:
        raise Http404
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=not (inline_images and row.content_type.startswith("image/")),
        filename=download_name(row.original_name or row.file.name, row.content_type),
        content_type=row.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
