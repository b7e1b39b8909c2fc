"""`manage.py run_bench --scale small`: generate the scale's vendor if missing, run every
scenario, print the table and write it as markdown and JSON (see docs/performance.md)."""

from __future__ import annotations

import importlib
import time
from datetime import datetime
from pathlib import Path
from typing import Any

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
        parser.add_argument(
            "--profile",
            action="store_true",
            help="profile each scenario with pyinstrument; the call trees go next to the table",
        )

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
            if opts["profile"]:
                found = self._profiled(module, manifest, Path(str(opts["out"])), f"{scale}-{name}")
            else:
                found = module.run(manifest)
            results += found
            for r in found:
                self.stdout.write(
                    f"  {r.scenario}: median {r.median:.1f} ms, p95 {r.p95:.1f} ms"
                    + (f", {r.queries} queries" if r.queries is not None else "")
                    + ("" if r.ratio is None else f", {r.ratio:.2f}× baseline")
                    + f" [{time.perf_counter() - started:.0f} s]"
                )
        self.stdout.write("\n" + markdown(results, scale, datetime.utcnow()))
        md, js = write(results, scale, Path(str(opts["out"])))
        self.stdout.write(f"written: {md} and {js}")

    def _profiled(self, module: Any, manifest: Manifest, folder: Path, stem: str) -> list[Result]:
        """The scenario under pyinstrument (statistical, so its timings stay close to real)."""
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        with profiler:
            found: list[Result] = module.run(manifest)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"profile-{stem}.txt"
        path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        self.stdout.write(f"  profile: {path}")
        return found
