import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["alpha.localhost", "localhost"])
def test_favicon_ico_redirects_to_the_static_svg_on_vendor_and_platform_hosts(tenant_a, host):
    response = Client(HTTP_HOST=host).get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"


def test_the_svg_exists_is_well_formed_and_pages_link_it(client_a):
    svg = Path(finders.find("favicon.svg"))
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"

    page = client_a.get("/accounts/login/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
