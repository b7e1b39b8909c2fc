"""The isolation world, seeded once per session and committed, and one signed-in client per actor.

Sessions are committed too (each test rolls back, and a session saved inside it would vanish
with it). Everything is removed when the session ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from .actors import ACTORS, Actor
from .world import ALPHA, SLUG, World, world_remove, world_seed


@pytest.fixture(scope="session")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        seeded = world_seed()
    yield seeded
    with django_db_blocker.unblock():
        world_remove()


class Clients:
    """A client per actor for this vendor's host, and the same cookies on the platform host."""

    def __init__(self, world: World, sessions: dict[Actor, str]) -> None:
        self.world = world
        self.sessions = sessions

    def client(self, actor: Actor, *, platform: bool = False) -> Client:
        if platform:
            host = self.world.platform_host
        elif actor is Actor.ALPHA_HOST:
            host = self.world.alpha_host
        else:
            host = self.world.host
        client = Client(HTTP_HOST=host)
        if actor in self.sessions:
            client.cookies["sessionid"] = self.sessions[actor]
        return client


def _session(schema: str, user_pk: int) -> str:
    """A signed-in session as Django's login would make it, saved in `schema`'s table."""
    from prm.accounts.models import User

    with schema_context(schema):
        client = Client()
        client.force_login(User.objects.get(pk=user_pk))
        return client.cookies["sessionid"].value


@pytest.fixture(scope="session")
def clients(world: World, django_db_blocker: Any) -> Iterator[Clients]:
    with django_db_blocker.unblock():
        sessions = {
            actor: _session(ALPHA if actor.name.startswith("ALPHA") else SLUG, world.users[actor])
            for actor in ACTORS
            if actor is not Actor.ANON
        }
        connection.set_schema_to_public()
    yield Clients(world, sessions)
    with django_db_blocker.unblock(), schema_context(ALPHA):
        SessionStore(session_key=sessions[Actor.ALPHA_COOKIE]).delete()
        SessionStore(session_key=sessions[Actor.ALPHA_HOST]).delete()
    connection.set_schema_to_public()
