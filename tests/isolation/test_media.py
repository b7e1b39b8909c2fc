"""Private uploads are served only through the views that check who asks (the matrix): their
storage URL under MEDIA_URL answers nothing, on any host, signed in or not."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django_tenants.utils import schema_context

from .actors import Actor
from .world import SLUG, World

pytestmark = pytest.mark.django_db


def test_private_files_are_not_reachable_under_media_url(world: World, clients: Any) -> None:
    with schema_context(SLUG):
        files = [(name, default_storage.url(name)) for name in world.files]
        assert all(default_storage.exists(name) for name, _url in files)  # real files (sanity)
    assert len(files) == 5
    urls = {url for _name, url in files} | {f"/media/{SLUG}/{name}" for name, _url in files}
    askers = [
        Client(HTTP_HOST=world.host),
        Client(HTTP_HOST=world.alpha_host),
        Client(HTTP_HOST=world.platform_host),
        clients.client(Actor.ADMIN),
        clients.client(Actor.OWNER),
    ]

    answers = {(n, url): c.get(url).status_code for n, c in enumerate(askers) for url in urls}

    assert all(url.startswith(f"/media/{SLUG}/") for url in urls)
    assert set(answers.values()) == {404}, answers
