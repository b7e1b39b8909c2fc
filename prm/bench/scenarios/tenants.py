"""Platform operations that grow with the number of vendors: provisioning a vendor (schema,
domain, first admin), and `migrate_schemas` with nothing to apply over every vendor, with
django-tenants' multiprocessing executor (the standard one measured as its baseline).
Baseline of provisioning: copying the template schema alone, the SQL floor of a new vendor."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from functools import partial

from django.db import connection

from prm.tenancy.models import Tenant
from prm.tenancy.services import vendor_create, vendor_remove
from prm.tenancy.template import TEMPLATE_SCHEMA, schema_clone, template_usable

from ..gen_tenants import PREFIX, small_tenants_generate
from ..generate import Manifest
from ..measure import Result, p95, timed_ms

TARGET_PROVISION_MS = 3000.0
PROVISIONS = 5
VENDORS = {"tiny": 5, "small": 50, "medium": 100, "large": 200}


def _provisioning(manifest: Manifest) -> Result:
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    assert template_usable(), f"run `manage.py bootstrap` first: no current {TEMPLATE_SCHEMA}"
    samples, baseline = [], []
    for i in range(PROVISIONS):
        connection.close()  # a fresh session, as a web request's would be (see gen_tenants)
        slug = f"bench-prov-{i}"
        old = Tenant.objects.filter(schema_name=slug.replace("-", "_")).first()
        if old is not None:
            vendor_remove(old)
        elapsed, vendor = timed_ms(
            partial(
                vendor_create, slug=slug, name=f"开通测试 {slug}", admin_email=f"admin@{slug}.test"
            )
        )
        samples.append(elapsed)
        vendor_remove(vendor.tenant)
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS bench_floor CASCADE")
        baseline.append(timed_ms(partial(schema_clone, "bench_floor"))[0])
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA bench_floor CASCADE")
    return Result(
        scenario="provision a vendor (schema, domain, admin)",
        scale=manifest.scale,
        samples_ms=samples,
        target=f"≤ {TARGET_PROVISION_MS / 1000:.0f} s",
        met=p95(samples) <= TARGET_PROVISION_MS,
        baseline="clone_schema of the template alone",
        baseline_ms=baseline,
    )


def _migrate(executor: str) -> float:
    command = [sys.executable, "manage.py", "migrate_schemas", f"--executor={executor}",
               "--noinput", "-v", "0"]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, env=dict(os.environ))
    return (time.perf_counter() - started) * 1000


def _migrations(manifest: Manifest) -> Result:
    wanted = VENDORS[manifest.scale]
    have = Tenant.objects.filter(schema_name__startswith=PREFIX.replace("-", "_")).count()
    if have < wanted:
        small_tenants_generate(wanted, keep=True, say=lambda _text: None)
    vendors = Tenant.objects.exclude(schema_name="public").count()
    multi = [_migrate("multiprocessing")]
    standard = [_migrate("standard")]
    return Result(
        scenario=f"migrate_schemas, nothing to apply, {vendors} vendors (multiprocessing)",
        scale=manifest.scale,
        samples_ms=multi,
        target="reported (grows with vendors)",
        met=None,
        baseline="the standard executor",
        baseline_ms=standard,
        notes={"vendors": vendors, "ms per vendor": round(min(multi) / vendors, 1)},
    )


def run(manifest: Manifest) -> list[Result]:
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    results = [_provisioning(manifest), _migrations(manifest)]
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    return results
