"""The benchmark table, as markdown for people and JSON for comparing runs."""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import connection

from .measure import Result


def machine() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "postgresql": server,
        "platform": platform.platform(),
    }


def _cell(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def markdown(results: list[Result], scale: str, when: datetime) -> str:
    info = machine()
    lines = [
        f"## Benchmarks, {scale} scale, {when:%Y-%m-%d %H:%M} UTC",
        "",
        f"{info['cpus']} cores, PostgreSQL {info['postgresql']}, Python {info['python']}.",
        "",
        "| Scenario | Runs | Median ms | p95 ms | Queries | Baseline (same run) | Baseline ms "
        "| Ratio | Target | Met |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        met = {True: "yes", False: "**no**", None: "–"}[r.met]
        lines.append(
            f"| {r.scenario} | {len(r.samples_ms)} | {_cell(r.median)} | {_cell(r.p95)} | "
            f"{_cell(r.queries)} | {r.baseline or '–'} | {_cell(r.baseline_median, 2)} | "
            f"{_cell(r.ratio, 2)}{'×' if r.ratio is not None else ''} | {r.target} | {met} |"
        )
    notes = [(r.scenario, r.notes) for r in results if r.notes]
    if notes:
        lines += ["", "Notes:"]
        for name, note in notes:
            text = "; ".join(f"{k}: {_cell(v)}" for k, v in note.items())
            lines.append(f"- **{name}**: {text}")
    return "\n".join(lines) + "\n"


def write(results: list[Result], scale: str, folder: Path) -> tuple[Path, Path]:
    when = datetime.utcnow()
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"bench-{scale}-{when:%Y%m%d-%H%M%S}"
    md, js = stem.with_suffix(".md"), stem.with_suffix(".json")
    md.write_text(markdown(results, scale, when))
    js.write_text(
        json.dumps(
            {
                "scale": scale,
                "at": when.isoformat(),
                "machine": machine(),
                "results": [r.as_dict() for r in results],
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return md, js
