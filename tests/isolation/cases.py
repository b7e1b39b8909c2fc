"""One matrix entry: a URL name, its rule, and how to fill it from the world.

Entries are data: `get("orders:detail", VENDOR_OBJ, pk("order"))` reads "GET the vendor's order
page of P1's order; vendor staff who see P1 get it". A URL may have several entries (`note` tells
them apart), e.g. a file that P2 may read and one it may not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .actors import ACTORS, Actor
from .rules import Expect, Rule, frozen

PLATFORM = "platform:"

World = Any  # tests.isolation.world.World; kept loose so the matrix imports nothing heavy
Resolver = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    name: str  # the URL name ("orders:detail"); "platform:..." for the base domain's URLs
    rule: Rule
    kwargs: Resolver | None = None
    method: str = "get"
    data: Resolver | None = None
    query: str = ""
    overrides: Mapping[Actor, Expect] = field(default_factory=dict)
    # Whether the URL's arguments are this vendor's row ids (a code or a month is not).
    ids: bool = True
    # Only these actors (an xfail entry names the ones the finding is about).
    only: tuple[Actor, ...] = ()
    xfail: str = ""
    note: str = ""
    # Text naming P1's row: actors who do not see P1 must not find it on a 200 page; the owner
    # and the admin must (so its absence elsewhere means something).
    shows: Callable[[World], str] | None = None
    # Text no actor may find on the page at all (another partner's name on a conflict notice).
    hides: Callable[[World], list[str]] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.name

    @property
    def platform(self) -> bool:
        return self.name.startswith(PLATFORM)

    @property
    def url_name(self) -> str:
        return self.name.removeprefix(PLATFORM)

    @property
    def post(self) -> bool:
        return self.method == "post"

    @property
    def has_ids(self) -> bool:
        return self.kwargs is not None and self.ids

    @property
    def id(self) -> str:
        return f"{self.name}[{self.note}]" if self.note else self.name

    def expect(self, actor: Actor) -> Expect | None:
        if self.only and actor not in self.only:
            return None
        if actor in self.overrides:
            return self.overrides[actor]
        return self.rule.expect(actor, post=self.post, has_ids=self.has_ids)

    def outcomes(self) -> dict[Actor, Expect]:
        return {a: e for a in ACTORS if (e := self.expect(a)) is not None}


def get(name: str, rule: Rule, kwargs: Resolver | None = None, **extra: Any) -> Case:
    extra["overrides"] = frozen(extra.get("overrides"))
    return Case(name=name, rule=rule, kwargs=kwargs, **extra)


def post(
    name: str,
    rule: Rule,
    kwargs: Resolver | None = None,
    data: Resolver | None = None,
    **extra: Any,
) -> Case:
    extra["overrides"] = frozen(extra.get("overrides"))
    return Case(name=name, rule=rule, kwargs=kwargs, method="post", data=data, **extra)


def pk(key: str, arg: str = "pk") -> Resolver:
    """{arg: the id the world keeps under `key`}."""
    return lambda world: {arg: world[key]}


def args(**keys: str) -> Resolver:
    """{arg: world[key] for each arg=key}."""
    return lambda world: {arg: world[key] for arg, key in keys.items()}


def fixed(**values: Any) -> Resolver:
    """Arguments that are not ids of the world: a code, a kind, a month."""
    return lambda world: dict(values)
