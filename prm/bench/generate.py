"""Fill one vendor with benchmark data at a scale (see scales.py): reproducible for a seed, bulk
loaded (COPY and INSERT … SELECT), in the order later parts need (catalog → partners → orders →
deals → rebates → MDF → rollups). Returns a manifest the scenarios read back."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from prm.tenancy.db import tenant_connection
from prm.tenancy.models import Tenant
from prm.tenancy.services import vendor_create, vendor_remove
from reports.rollups import rollups_rebuild

from .gen_catalog import catalog_generate, partner_price_lists
from .gen_deals import deals_generate
from .gen_mdf import mdf_generate
from .gen_orders import orders_generate
from .gen_partners import PASSWORD, partners_generate
from .gen_rebates import programs_generate
from .scales import SCALES, Scale

ADMIN_PASSWORD = "bench-admin-2026"


@dataclass
class Manifest:
    slug: str
    scale: str
    seed: int
    admin_email: str
    dealer_logins: list[str]
    password: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def path(cls, slug: str) -> Path:
        return Path(settings.DATA_DIR) / "bench" / f"{slug}.json"

    def save(self) -> None:
        path = self.path(self.slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2))

    @classmethod
    def load(cls, slug: str) -> Manifest | None:
        path = cls.path(slug)
        if not path.exists() or not Tenant.objects.filter(schema_name=_schema(slug)).exists():
            return None
        return cls(**json.loads(path.read_text()))


def _schema(slug: str) -> str:
    return slug.replace("-", "_")


def bench_slug(scale: str) -> str:
    return f"bench-{scale}"


def generate(
    scale_name: str,
    *,
    seed: int = 20261206,
    slug: str | None = None,
    say: Callable[[str], Any] = print,
) -> Manifest:
    """(Re)create the vendor `slug` and fill it. Existing data of that vendor is dropped."""
    if scale_name not in SCALES:
        raise ValueError(f"unknown scale {scale_name!r}; one of {', '.join(SCALES)}")
    slug = slug or bench_slug(scale_name)
    connection = tenant_connection()
    connection.set_schema_to_public()
    old = Tenant.objects.filter(schema_name=_schema(slug)).first()
    if old is not None:
        say(f"dropping the earlier {slug} vendor")
        vendor_remove(old)
    admin_email = f"admin@{slug}.test"
    started = time.perf_counter()
    vendor = vendor_create(
        slug=slug, name=f"基准测试 {scale_name}", admin_email=admin_email,
        admin_password=ADMIN_PASSWORD,
    )  # fmt: skip
    manifest = Manifest(slug, scale_name, seed, admin_email, [], PASSWORD)
    manifest.seconds["provision vendor"] = round(time.perf_counter() - started, 1)
    connection.set_tenant(vendor.tenant)
    say(f"generating {scale_name} data into {slug} (seed {seed})")
    fill(manifest, say=say)
    manifest.seconds["total"] = round(time.perf_counter() - started, 1)
    connection.set_schema_to_public()
    manifest.save()
    return manifest


def fill(manifest: Manifest, *, say: Callable[[str], Any] = print) -> Manifest:
    """Fill the current vendor's schema at the manifest's scale and seed; counts and step
    times are recorded on the manifest."""
    scale: Scale = SCALES[manifest.scale]
    seed = manifest.seed
    rng = random.Random(seed)

    def step(name: str, fn: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        with transaction.atomic():
            result = fn()
        manifest.seconds[name] = round(time.perf_counter() - t0, 1)
        say(f"  {name}: {manifest.seconds[name]:.1f} s")
        return result

    catalog = step("catalog", lambda: catalog_generate(scale, rng))
    partners = step("partners", lambda: partners_generate(scale, rng, catalog.lines))
    step(
        "partner prices",
        lambda: partner_price_lists(partners.ids[: scale.partner_price_lists], rng),
    )
    manifest.dealer_logins = partners.dealer_logins
    manifest.counts.update(
        {
            "partners": scale.partners,
            "skus": len(catalog.products),
            "product lines": len(catalog.lines),
        }
    )
    manifest.counts.update(
        step("orders", lambda: orders_generate(scale, seed, partners.ids, catalog.products))
    )
    manifest.counts.update(
        step(
            "deals",
            lambda: deals_generate(scale, rng, partners.ids, catalog.products, partners.lines),
        )
    )
    programs = step(
        "rebate programs",
        lambda: programs_generate(
            scale, partners.ids, partners.lines, catalog.products, partners.tiers
        ),
    )
    manifest.counts["rebate programs"] = len(programs)
    manifest.counts.update(step("mdf", lambda: mdf_generate(scale, seed, partners.ids)))
    rows = step("rollups", rollups_rebuild)
    manifest.counts["rollup rows"] = sum(rows)
    if not transaction.get_connection().in_atomic_block:
        # As a live database is: visibility maps set (index-only scans) and statistics fresh,
        # instead of autovacuum catching up during the first scenarios.
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        manifest.seconds["vacuum"] = round(time.perf_counter() - t0, 1)
    return manifest
