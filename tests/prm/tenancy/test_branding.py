import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


def test_each_host_serves_only_its_own_logo(tenant_a, tenant_b, client_a, client_b):
    tenant_a.logo.save("alpha.png", ContentFile(PNG), save=True)
    try:
        own = client_a.get("/branding/logo")
        other = client_b.get("/branding/logo")

        assert own.status_code == 200
        assert b"".join(own.streaming_content) == PNG
        assert other.status_code == 404
        assert Client(HTTP_HOST="nobody.localhost").get("/branding/logo").status_code == 404
    finally:
        tenant_a.logo.delete(save=True)
