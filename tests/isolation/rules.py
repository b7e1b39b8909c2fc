"""Access rules: what each actor must get from a URL, derived from what its view declares.

An `Expect` checks one response; a `Rule` says which `Expect` each actor gets. The rules follow
prm/accounts/access.py (vendor_required, partner_required, login_required) and the role sets and
visibility selectors each view calls (prm/accounts/visibility.py: a channel manager sees the
partners he manages, the other vendor roles all, a partner user its own company):

- PUBLIC: everyone, signed in or not.
- SIGNED_IN: anyone this vendor knows; the others go to the login page.
- PARTNER(...): partner users only; vendor staff 403. `own=True`: the object is P1's, so P2
  gets 404. `admin_only=True`: P1's plain user gets 403.
- VENDOR(roles, scoped=...): vendor staff of `roles` (all vendor roles by default); another
  vendor role 403, partner users 403. `scoped=True`: the object is P1's, so the channel manager
  who does not manage P1 gets 404 (or 403: a role that may not act and may not see either way
  gets DENIED, either answer).

Everyone without a session here (anonymous, another vendor's cookie) is sent to the login page
with `next`; vendor alpha's admin asking on alpha's own host for this vendor's ids gets 404 from
vendor pages (alpha has no such row) and 403 from partner pages (alpha's admin is no partner).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from prm.accounts.roles import VENDOR_ROLES, Role

from .actors import PARTNER_ACTORS, SIGNED_OUT, VENDOR_ROLE_OF, Actor

LOGIN_PATH = "/accounts/login/"


@dataclass(frozen=True)
class Expect:
    """What one response must be. `statuses`: the allowed codes; `location`: where a redirect
    must go ("{next}" stands for the requested path, quoted as Django's login redirect does;
    "{deal}" and the like for the world's ids)."""

    label: str
    statuses: frozenset[int]
    location: str | None = None
    # A refusal: the request must leave nothing behind (checked for POSTs).
    refused: bool = False

    def problem(self, response: Any, path: str, ids: Mapping[str, Any]) -> str | None:
        """None when the response is what was expected, else what it was instead."""
        got = response.status_code
        where = response.get("Location", "")
        if got not in self.statuses:
            return f"{got}{' → ' + where if where else ''}"
        if self.location is not None:
            wanted = self.location.format(next=quote(path, safe="/"), **ids)
            if where != wanted:
                return f"{got} → {where} (wanted → {wanted})"
        elif self is DONE and got in (301, 302, 303) and where.startswith(LOGIN_PATH):
            return f"{got} → {where}"
        return None


OK = Expect("200", frozenset({200}))
FORBIDDEN = Expect("403", frozenset({403}), refused=True)
NOT_FOUND = Expect("404", frozenset({404}), refused=True)
# Neither allowed to act nor to see the row: refusing either way leaks nothing.
DENIED = Expect("403/404", frozenset({403, 404}), refused=True)
LOGIN = Expect("login", frozenset({302}), f"{LOGIN_PATH}?next={{next}}", refused=True)
# An allowed POST: done (a redirect), or the form again (200); never refused, never an error.
DONE = Expect("done", frozenset({200, 301, 302, 303}))


def redirect(to: str, *, status: int = 302, refused: bool | None = None) -> Expect:
    """Sent on to `to`: a refusal when `to` is the login page, unless said otherwise."""
    if refused is None:
        refused = to.startswith(LOGIN_PATH)
    return Expect(f"→{to}", frozenset({status}), to, refused=refused)


def status(code: int) -> Expect:
    return Expect(str(code), frozenset({code}))


class Rule:
    """Maps an actor to what it must get; None: the actor is not asked (nothing to ask)."""

    label = ""

    def expect(self, actor: Actor, *, post: bool, has_ids: bool) -> Expect | None:
        raise NotImplementedError


def _allowed(post: bool) -> Expect:
    return DONE if post else OK


@dataclass(frozen=True)
class Public(Rule):
    label = "PUBLIC"

    def expect(self, actor: Actor, *, post: bool, has_ids: bool) -> Expect | None:
        return None if actor is Actor.ALPHA_HOST else _allowed(post)


@dataclass(frozen=True)
class SignedIn(Rule):
    label = "SIGNED_IN"

    def expect(self, actor: Actor, *, post: bool, has_ids: bool) -> Expect | None:
        if actor in SIGNED_OUT:
            return LOGIN
        if actor is Actor.ALPHA_HOST:
            return None
        return _allowed(post)


@dataclass(frozen=True)
class Partner(Rule):
    own: bool = False
    admin_only: bool = False

    @property
    def label(self) -> str:  # type: ignore[override]
        return "PARTNER_OWN" if self.own else "PARTNER_ANY"

    def expect(self, actor: Actor, *, post: bool, has_ids: bool) -> Expect | None:
        if actor in SIGNED_OUT:
            return LOGIN
        if actor is Actor.ALPHA_HOST:
            return FORBIDDEN if has_ids else None
        if actor in VENDOR_ROLE_OF:
            return FORBIDDEN
        if actor is Actor.P1_USER and self.admin_only:
            return FORBIDDEN
        if actor is Actor.P2 and self.own:
            return NOT_FOUND
        return _allowed(post)


@dataclass(frozen=True)
class Vendor(Rule):
    roles: frozenset[Role] = VENDOR_ROLES
    scoped: bool = False

    @property
    def label(self) -> str:  # type: ignore[override]
        name = "VENDOR_OBJ" if self.scoped else "VENDOR"
        if self.roles == VENDOR_ROLES:
            return name
        return f"{name}({', '.join(sorted(r.value for r in self.roles))})"

    def expect(self, actor: Actor, *, post: bool, has_ids: bool) -> Expect | None:
        if actor in SIGNED_OUT:
            return LOGIN
        if actor is Actor.ALPHA_HOST:
            return NOT_FOUND if has_ids else None
        if actor in PARTNER_ACTORS:
            return FORBIDDEN
        sees = not (self.scoped and actor is Actor.CM_OTHER)
        if VENDOR_ROLE_OF[actor] not in self.roles:
            return FORBIDDEN if sees else DENIED
        return _allowed(post) if sees else NOT_FOUND


@dataclass(frozen=True)
class Custom(Rule):
    """A rule of its own, spelled out actor by actor (actors left out are not asked)."""

    label: str = "CUSTOM"
    outcomes: Mapping[Actor, Expect] = field(default_factory=dict)

    def expect(self, actor: Actor, *, post: bool, has_ids: bool) -> Expect | None:
        return self.outcomes.get(actor)


PUBLIC = Public()
SIGNED_IN = SignedIn()
PARTNER_ANY = Partner()
PARTNER_OWN = Partner(own=True)
VENDOR = Vendor()
VENDOR_OBJ = Vendor(scoped=True)


def vendor(*roles: Role, scoped: bool = False) -> Vendor:
    return Vendor(roles=frozenset(roles or VENDOR_ROLES), scoped=scoped)


def vendor_obj(*roles: Role) -> Vendor:
    return vendor(*roles, scoped=True)


def partner(*, own: bool = False, admin_only: bool = False) -> Partner:
    return Partner(own=own, admin_only=admin_only)


def frozen(outcomes: Mapping[Actor, Expect] | None) -> Mapping[Actor, Expect]:
    return MappingProxyType(dict(outcomes or {}))


def all_of(actors: Collection[Actor], outcome: Expect) -> dict[Actor, Expect]:
    return dict.fromkeys(actors, outcome)
