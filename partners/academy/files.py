"""Lesson files: what an upload is (a PDF document or an MP4 video, by its content, not its
name), and how a stored one is sent back, with byte ranges for videos so a player can seek.

prm.core.files knows PDF by its signature; MP4 is recognised here: an ISO base media file whose
first box is `ftyp` whose MAJOR brand is an MP4 video one. Compatible brands are not enough:
audio-only M4A/M4B, 3GP, QuickTime (.mov) and HEIC files list `isom`/`mp42` among them too, and
are refused, as is anything executable dressed up with a .mp4 name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from prm.core.files import sniff

from .models import FileKind, LessonFile

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_VIDEO_BYTES = 500 * 1024 * 1024
MP4_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso3",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"avc1",
        b"M4V ",
        b"M4VH",
        b"M4VP",
        b"dash",
        b"mmp4",
        b"MSNV",
        b"XAVC",
        b"f4v ",
    }
)
EXTENSIONS = {FileKind.DOCUMENT: {".pdf"}, FileKind.VIDEO: {".mp4", ".m4v"}}
CONTENT_TYPES = {FileKind.DOCUMENT: "application/pdf", FileKind.VIDEO: "video/mp4"}
CHUNK = 64 * 1024


def is_mp4(head: bytes) -> bool:
    """An `ftyp` box first, whose major brand is an MP4 video one."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    size = int.from_bytes(head[:4], "big")
    if size < 16 or size % 4:
        return False
    return head[8:12] in MP4_BRANDS


def _head(upload: Any, n: int = 64) -> bytes:
    upload.seek(0)
    head = bytes(upload.read(n))
    upload.seek(0)
    return head


def describe_upload(upload: Any) -> tuple[str, str]:
    """(kind, content type) of an uploaded lesson file, or a ValidationError for `file`."""
    name = str(getattr(upload, "name", "") or "")
    base = PurePath(name).name
    if is_mp4(_head(upload)):
        kind, limit = FileKind.VIDEO, MAX_VIDEO_BYTES
    elif sniff(upload) == "pdf":
        kind, limit = FileKind.DOCUMENT, MAX_DOCUMENT_BYTES
    else:
        raise ValidationError(
            {"file": _("%(name)s is neither a PDF document nor an MP4 video.") % {"name": base}}
        )
    size = getattr(upload, "size", None) or 0
    if size > limit:
        raise ValidationError(
            {"file": _("%(name)s is larger than %(mb)d MB.") % {"name": base, "mb": limit >> 20}}
        )
    suffix = PurePath(name).suffix.lower()
    if suffix not in EXTENSIONS[kind]:
        label = "PDF" if kind == FileKind.DOCUMENT else "MP4"
        raise ValidationError(
            {
                "file": _("%(name)s is a %(kind)s file but is named %(suffix)s.")
                % {"name": base, "kind": label, "suffix": suffix or "—"}
            }
        )
    return kind, CONTENT_TYPES[kind]


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single `bytes=` range, or None when it cannot be served."""
    match = _RANGE.match(header.strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if first == "":
        if last == "" or int(last) == 0:
            return None
        return max(size - int(last), 0), size - 1  # the last N bytes
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start > end:
        return None
    return start, end


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = length
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        handle.close()


def file_response(request: HttpRequest, lesson_file: LessonFile) -> HttpResponseBase:
    """The stored file: a document downloads; a video plays inline and answers a Range request
    with 206 and just those bytes (a player asks for pieces when it seeks)."""
    try:
        handle = lesson_file.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    size = lesson_file.file.size
    video = lesson_file.kind == FileKind.VIDEO
    response: HttpResponseBase
    header = request.META.get("HTTP_RANGE", "")
    if video and header:
        wanted = _byte_range(header, size)
        if wanted is None:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
        else:
            first, last = wanted
            length = last - first + 1
            response = StreamingHttpResponse(
                _chunks(handle, first, length), status=206, content_type=lesson_file.content_type
            )
            response["Content-Range"] = f"bytes {first}-{last}/{size}"
            response["Content-Length"] = str(length)
    else:
        response = FileResponse(
            handle,
            as_attachment=not video,
            filename=lesson_file.original_name or lesson_file.file.name.rsplit("/", 1)[-1],
            content_type=lesson_file.content_type,
        )
    if video:
        response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    return response
