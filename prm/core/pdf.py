"""PDFs from templates with weasyprint: the one place that knows how a document is printed.

Documents never fetch anything: there is no network on many vendors' intranets, and a template
must not be a way to read files. Fonts come from the system (WenQuanYi Micro Hei for Chinese,
installed by `make sysdeps`), named in templates/pdf/_base.html.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"PDF templates may not load external resources ({url})")


def pdf_render(template_name: str, context: dict[str, Any], *, language: str = "zh-hans") -> bytes:
    """Render `template_name` (HTML) to PDF bytes in `language`."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template_name, context)
    return bytes(HTML(string=html, url_fetcher=_no_fetch).write_pdf())


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(field_file: Any) -> str:
    """Hash a stored file in chunks (agreements may carry annexes of several MB)."""
    digest = hashlib.sha256()
    with field_file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()
