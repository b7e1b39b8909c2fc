"""`manage.py generate_bench_data --scale small|medium|large [--tenants 200]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from prm.bench.gen_tenants import small_tenants_generate
from prm.bench.generate import generate
from prm.bench.scales import SCALES


class Command(BaseCommand):
    help = "Fill a benchmark vendor with realistic, reproducible data at a scale (drops it first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=20261206)
        parser.add_argument("--slug", help="vendor slug (default bench-<scale>)")
        parser.add_argument(
            "--tenants", type=int, default=0, help="also provision this many small vendors"
        )

    def handle(self, *args: object, **opts: object) -> None:
        manifest = generate(
            str(opts["scale"]),
            seed=int(opts["seed"]),  # type: ignore[call-overload]
            slug=opts["slug"] or None,  # type: ignore[arg-type]
            say=self.stdout.write,
        )
        counts = ", ".join(f"{n:,} {what}" for what, n in manifest.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"{manifest.slug}: {counts} in {manifest.seconds['total']:.0f} s")
        )
        if opts["tenants"]:
            made = small_tenants_generate(int(opts["tenants"]), say=self.stdout.write)  # type: ignore[call-overload]
            self.stdout.write(self.style.SUCCESS(f"{len(made)} small vendors ready"))
