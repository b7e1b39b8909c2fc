"""Keys and a client that sends them, for the API tests."""

from __future__ import annotations

from typing import Any

from django.test import Client

from prm.integrations.keys import api_key_create


def key_for(user: Any, *scopes: str, actor: Any = None, rate: int = 600) -> str:
    _key, token = api_key_create(
        name="test", user=user, scopes=list(scopes), actor=actor or user, rate_per_minute=rate
    )
    return token


def bearer(client: Client, token: str) -> Client:
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
