"""Who knocks on every URL of the matrix.

P1 is the partner whose objects the URLs name; P2 another partner of the same vendor. CM_OWN is
P1's channel manager, CM_OTHER a channel manager of the same vendor who manages P2, not P1. The
two ALPHA actors are vendor `alpha`'s admin: once with alpha's session cookie on this vendor's
host, once on alpha's own host asking for this vendor's ids.
"""

from __future__ import annotations

import enum

from prm.accounts.roles import Role


class Actor(enum.Enum):
    ANON = "anon"
    ALPHA_COOKIE = "alpha-cookie"
    ALPHA_HOST = "alpha-host"
    OWNER = "p1-admin"
    P1_USER = "p1-user"
    P2 = "p2-admin"
    ADMIN = "admin"
    CM_OWN = "cm-own"
    CM_OTHER = "cm-other"
    SALES = "sales"
    FINANCE = "finance"
    MARKETING = "marketing"
    ORDER_DESK = "order-desk"

    def __str__(self) -> str:
        return self.value


ACTORS = tuple(Actor)
PARTNER_ACTORS = (Actor.OWNER, Actor.P1_USER, Actor.P2)
VENDOR_ROLE_OF = {
    Actor.ADMIN: Role.ADMIN,
    Actor.CM_OWN: Role.CHANNEL_MANAGER,
    Actor.CM_OTHER: Role.CHANNEL_MANAGER,
    Actor.SALES: Role.SALES,
    Actor.FINANCE: Role.FINANCE,
    Actor.MARKETING: Role.MARKETING,
    Actor.ORDER_DESK: Role.ORDER_DESK,
}
VENDOR_ACTORS = tuple(VENDOR_ROLE_OF)
# Without a session this vendor knows: another vendor's cookie is no session here.
SIGNED_OUT = (Actor.ANON, Actor.ALPHA_COOKIE)
