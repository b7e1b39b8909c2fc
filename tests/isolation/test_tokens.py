"""Links that carry their own key: a wrong, expired, used or other vendor's key opens nothing.

The vendor's links of this kind are the certificate check (`/certificates/verify/<code>/`) and
the set-password link of invitations and password resets (`/accounts/password/reset/<uid>/
<token>/`). Agreements are signed in the portal, by a signed-in partner admin: no e-sign link
exists to test.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from partners.services import partner_user_invite
from prm.accounts.invitations import set_password_url
from prm.accounts.models import User

from .actors import Actor
from .runner import rolled_back
from .world import SLUG, World

pytestmark = pytest.mark.django_db

# Django sends a valid link on to the same page with this marker, the token kept in the session.
SET_PASSWORD = "set-password"


def _get(host: str, path: str) -> Any:
    return Client(HTTP_HOST=host).get(path, REMOTE_ADDR="10.254.0.1")


def _link_page(host: str, path: str) -> tuple[int, bool | None]:
    """(status, whether the page offers the new-password form); a valid link redirects first."""
    response = _get(host, path)
    if response.status_code == 302 and response["Location"].endswith(f"/{SET_PASSWORD}/"):
        client = response.client
        page = client.get(response["Location"], HTTP_HOST=host)
        return page.status_code, page.context["validlink"]
    return response.status_code, response.context["validlink"] if response.context else None


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_certificate_code_is_checked_only_on_its_vendors_host(world: World) -> None:
    code = world["certificate_code"]

    own = _get(world.host, f"/certificates/verify/{code}/")
    other_vendor = _get(world.alpha_host, f"/certificates/verify/{code}/")
    wrong = _get(world.host, "/certificates/verify/XXXX-XXXX-XXXX/")
    by_query = _get(world.alpha_host, f"/certificates/verify/?code={code}")

    assert (own.status_code, own.context["certificate"].display_code) == (200, code)
    assert (other_vendor.status_code, other_vendor.context.get("certificate")) == (404, None)
    assert (wrong.status_code, wrong.context.get("certificate")) == (404, None)
    assert (by_query.status_code, by_query.context.get("certificate")) == (404, None)


def test_a_set_password_link_works_once_on_its_vendors_host_only(world: World) -> None:
    with schema_context(SLUG):
        user = User.objects.get(pk=world["p1_member"])
        path = _path(set_password_url(user=user, base_url=f"http://{world.host}"))
    assert _link_page(world.host, path) == (200, True)  # the real link works (sanity)

    # The same link on another vendor's host, and on the platform's: uid and token mean nothing.
    assert _link_page(world.alpha_host, path) == (200, False)
    assert _link_page(world.platform_host, path) == (200, False)
    # A changed token, and an expired one.
    assert _link_page(world.host, path.rstrip("/") + "x/") == (200, False)
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        assert _link_page(world.host, path) == (200, False)


def test_a_used_set_password_link_is_refused(world: World) -> None:
    with rolled_back(), schema_context(SLUG):
        user = User.objects.get(pk=world["p1_member"])
        token = default_token_generator.make_token(user)
        path = _path(set_password_url(user=user, base_url=f"http://{world.host}"))
        assert default_token_generator.check_token(user, token)
        user.set_password("a-new-pass-2027!")
        user.save(update_fields=["password"])

        assert _link_page(world.host, path) == (200, False)


def test_an_invitation_link_opens_only_on_the_inviting_vendors_host(world: World) -> None:
    with rolled_back(), schema_context(SLUG):
        owner = User.objects.get(pk=world.users[Actor.OWNER])
        invited = partner_user_invite(
            partner=owner.partner,
            email="new.buyer@huadong.example.cn",
            full_name="新采购",
            role="partner_user",
            inviter=owner,
            base_url=f"http://{world.host}",
        )
        path = _path(set_password_url(user=invited, base_url=f"http://{world.host}"))

        assert _link_page(world.host, path) == (200, True)
        assert _link_page(world.alpha_host, path) == (200, False)
