"""Integrations, accounts, notifications, settings, and the platform's own host.

On the platform host (the base domain) nobody of any vendor is signed in: every vendor's session
lives in its own schema.
"""

from __future__ import annotations

from prm.accounts.roles import Role as R

from ..actors import ACTORS, PARTNER_ACTORS, SIGNED_OUT, VENDOR_ACTORS
from ..actors import Actor as A
from ..cases import get, pk, post
from ..rules import (
    DONE,
    LOGIN,
    NOT_FOUND,
    OK,
    PUBLIC,
    SIGNED_IN,
    Custom,
    Expect,
    all_of,
    redirect,
    vendor,
)

ADMIN = vendor(R.ADMIN)  # prm/integrations/access.py: integrations are the vendor admin's
SIGNED_IN_HERE = (*PARTNER_ACTORS, *VENDOR_ACTORS)
ON_PLATFORM = tuple(a for a in ACTORS if a is not A.ALPHA_HOST)
LOGIN_PAGE = "/accounts/login/"
TWO_FACTOR = "/accounts/two-factor/"


def everyone_here(outcome: Expect, *, signed_in: Expect | None = None) -> Custom:
    """This vendor's host: `outcome` for the signed-out, `signed_in` (or the same) for others."""
    return Custom(
        "ANYONE", {**all_of(SIGNED_OUT, outcome), **all_of(SIGNED_IN_HERE, signed_in or outcome)}
    )


def on_platform(outcome: Expect) -> Custom:
    return Custom("PLATFORM", all_of(ON_PLATFORM, outcome))


def _bad_token(world: object) -> dict[str, str]:
    return {"uidb64": "MQ", "token": "bogus-token"}  # user 1, a token nobody made


CASES = [
    # --- integrations (vendor admin only) -------------------------------------------------------
    get("api_keys:list", ADMIN),
    get("api_keys:new", ADMIN),
    post("api_keys:revoke", ADMIN, pk("api_key")),
    get("outbox:webhooks", ADMIN),
    get("outbox:webhook_new", ADMIN),
    get("outbox:webhook_edit", ADMIN, pk("webhook")),
    post("outbox:webhook_deactivate", ADMIN, pk("webhook")),
    post("outbox:webhook_activate", ADMIN, pk("webhook")),
    post("outbox:webhook_test", ADMIN, pk("webhook")),
    get("outbox:channels", ADMIN),
    get("outbox:channel_new", ADMIN),
    get("outbox:channel_edit", ADMIN, pk("channel")),
    post("outbox:channel_deactivate", ADMIN, pk("channel")),
    post("outbox:channel_activate", ADMIN, pk("channel")),
    post("outbox:channel_test", ADMIN, pk("channel")),
    get("outbox:deliveries", ADMIN),
    post("outbox:delivery_replay", ADMIN, pk("delivery")),
    get("outbox:event", ADMIN, pk("event")),
    # --- the vendor's settings and logo ---------------------------------------------------------
    get("vendor_settings", ADMIN),
    get("tenant_logo", PUBLIC),
    get("/favicon.ico", everyone_here(redirect("/static/favicon.svg", status=301))),
    # --- notifications: one's own ---------------------------------------------------------------
    get("notifications:list", SIGNED_IN),
    post(
        "notifications:open",
        Custom(
            "OWNER_ONLY",
            {
                **all_of(SIGNED_OUT, LOGIN),
                **all_of((*SIGNED_IN_HERE, A.ALPHA_HOST), NOT_FOUND),
                A.OWNER: DONE,
            },
        ),
        pk("notification"),
    ),
    post("notifications:read_all", SIGNED_IN),
    # --- accounts -------------------------------------------------------------------------------
    get("accounts:login", everyone_here(OK, signed_in=redirect("/"))),
    # Signing out is done, not refused: the session row goes.
    post(
        "accounts:logout",
        everyone_here(redirect(LOGIN_PAGE), signed_in=redirect(LOGIN_PAGE, refused=False)),
    ),
    get("accounts:password_change", SIGNED_IN),
    get("accounts:password_reset", PUBLIC),
    get("accounts:password_reset_done", PUBLIC),
    # A made-up token is refused on the page itself (tests/isolation/test_tokens.py has the rest).
    get("accounts:password_reset_confirm", PUBLIC, _bad_token, ids=False),
    get("accounts:password_reset_complete", PUBLIC),
    post("accounts:set_language", everyone_here(redirect("/")), data=lambda w: {"language": "en"}),
    get("accounts:two_factor", SIGNED_IN),
    get("accounts:two_factor_setup", SIGNED_IN),
    # Not enrolled: nothing to verify, each goes home.
    get(
        "accounts:two_factor_verify",
        Custom(
            "SIGNED_IN",
            {
                **all_of(SIGNED_OUT, LOGIN),
                **all_of(PARTNER_ACTORS, redirect("/portal/")),
                **all_of(VENDOR_ACTORS, redirect("/")),
            },
        ),
    ),
    get(
        "accounts:two_factor_backup_codes",
        everyone_here(LOGIN, signed_in=redirect(TWO_FACTOR)),
    ),
    post("accounts:two_factor_backup_renew", everyone_here(LOGIN, signed_in=redirect(TWO_FACTOR))),
    post("accounts:two_factor_disable", everyone_here(LOGIN, signed_in=redirect(TWO_FACTOR))),
    # --- the platform host ----------------------------------------------------------------------
    get("platform:home", on_platform(OK)),
    get("platform:/favicon.ico", on_platform(redirect("/static/favicon.svg", status=301))),
    get("platform:accounts:login", on_platform(OK)),
    post("platform:accounts:logout", on_platform(redirect(LOGIN_PAGE))),
    get("platform:accounts:password_change", on_platform(LOGIN)),
    get("platform:accounts:password_reset", on_platform(OK)),
    get("platform:accounts:password_reset_done", on_platform(OK)),
    get("platform:accounts:password_reset_confirm", on_platform(OK), _bad_token, ids=False),
    get("platform:accounts:password_reset_complete", on_platform(OK)),
    post(
        "platform:accounts:set_language",
        on_platform(redirect("/")),
        data=lambda w: {"language": "en"},
    ),
    get("platform:accounts:two_factor", on_platform(LOGIN)),
    get("platform:accounts:two_factor_setup", on_platform(LOGIN)),
    get("platform:accounts:two_factor_verify", on_platform(LOGIN)),
    get("platform:accounts:two_factor_backup_codes", on_platform(LOGIN)),
    post("platform:accounts:two_factor_backup_renew", on_platform(LOGIN)),
    post("platform:accounts:two_factor_disable", on_platform(LOGIN)),
]
