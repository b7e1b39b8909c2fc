"""Small real images for tests: uploads are opened and verified with Pillow (prm.core.files), so
a signature followed by zeros is refused as a damaged image."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind)
    return out.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
