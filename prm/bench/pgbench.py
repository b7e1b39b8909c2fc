"""The raw-SQL limit of a transaction: the statements the application sent, replayed by pgbench
(PostgreSQL's own load driver, shipped with the embedded server) in BEGIN … ROLLBACK, so nothing
they write stays and every replay finds the same rows."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from prm.core.pgtools import pg_tool

_TPS = re.compile(r"tps = ([\d.]+) \(without initial connection time\)")


def pgbench_binary() -> str:
    return pg_tool("pgbench")


def script(statements: list[str]) -> str:
    body = "\n".join(s.strip().rstrip(";") + ";" for s in statements)
    schema = connection.schema_name  # type: ignore[attr-defined]
    return f"BEGIN;\nSET LOCAL search_path = {schema}, public;\n{body}\nROLLBACK;\n"


@dataclass
class Replay:
    latencies_ms: list[float]
    tps: float


def replay(scripts: list[str], *, clients: int, seconds: int = 0, transactions: int = 0) -> Replay:
    """Run the scripts (one chosen at random per transaction) with `clients` connections."""
    settings = connection.settings_dict
    with tempfile.TemporaryDirectory(prefix="prm-pgbench-") as folder:
        files = []
        for i, text in enumerate(scripts):
            path = Path(folder) / f"s{i}.sql"
            path.write_text(text)
            files += ["-f", str(path)]
        how = ["-T", str(seconds)] if seconds else ["-t", str(transactions)]
        command = [
            pgbench_binary(), "-n", "-c", str(clients), "-j", str(min(clients, 2)), *how,
            "-l", "--log-prefix", str(Path(folder) / "log"), *files,
            "-h", settings["HOST"] or "localhost", "-p", str(settings["PORT"] or 5432),
            "-U", settings["USER"] or "postgres", settings["NAME"],
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=folder)
        if done.returncode != 0:
            raise RuntimeError(f"pgbench failed: {done.stderr[-2000:]}")
        latencies = []
        for log in Path(folder).glob("log*"):
            for line in log.read_text().splitlines():
                fields = line.split()
                latencies.append(int(fields[2]) / 1000)  # microseconds
        match = _TPS.search(done.stdout)
        return Replay(latencies, float(match.group(1)) if match else 0.0)
