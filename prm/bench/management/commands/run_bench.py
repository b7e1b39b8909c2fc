"""`manage.py run_bench --scale small`: generate the scale's vendor if missing, run every
scenario, print the table and write it as markdown and JSON (see docs/performance.md)."""

from __future__ import annotations

import importlib
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from prm.bench.generate import Manifest, bench_slug, generate
from prm.bench.measure import Result
from prm.bench.report import markdown, write
from prm.bench.scales import SCALES

SCENARIOS = ["catalog", "checkout", "throughput", "conflicts", "rebates", "cockpit", "tenants"]


class Command(BaseCommand):
    help = "Run the benchmark scenarios at a scale and write the table (markdown and JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--regenerate", action="store_true", help="fresh data first")
        parser.add_argument("--only", nargs="*", choices=SCENARIOS, help="these scenarios only")
        parser.add_argument("--out", default=str(Path(settings.DATA_DIR) / "bench"))

    def handle(self, *args: object, **opts: object) -> None:
        scale = str(opts["scale"])
        manifest = None if opts["regenerate"] else Manifest.load(bench_slug(scale))
        if manifest is None:
            manifest = generate(scale, say=self.stdout.write)
        else:
            self.stdout.write(f"reusing {manifest.slug} (generated earlier; --regenerate to redo)")
        results: list[Result] = []
        for name in opts["only"] or SCENARIOS:  # type: ignore[attr-defined]
            started = time.perf_counter()
            module = importlib.import_module(f"prm.bench.scenarios.{name}")
            found = module.run(manifest)
            results += found
            for r in found:
                self.stdout.write(
                    f"  {r.scenario}: median {r.median:.1f} ms, p95 {r.p95:.1f} ms"
                    + (f", {r.queries} queries" if r.queries is not None else "")
                    + ("" if r.ratio is None else f", {r.ratio:.2f}× baseline")
                    + f" [{time.perf_counter() - started:.0f} s]"
                )
        self.stdout.write("\n" + markdown(results, scale, __import__("datetime").datetime.utcnow()))
        md, js = write(results, scale, Path(str(opts["out"])))
        self.stdout.write(f"written: {md} and {js}")
