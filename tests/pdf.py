"""Reading generated PDFs back: their text and the fonts that carry it."""

from __future__ import annotations

import io

import pypdf


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_fonts(data: bytes) -> set[str]:
    """Base font names without the subset prefix, e.g. {"WenQuanYi-Micro-Hei"}."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names
