"""The embedded services' lifecycle: shared while anyone uses them, stopped by the last user."""

import os
import subprocess
import sys
import time
from pathlib import Path

from prm import embedded

REPO = Path(__file__).resolve().parents[2]


def _user(data_dir: Path, seconds: float) -> subprocess.Popen[bytes]:
    code = (
        "import sys, time, pathlib; from prm import embedded; "
        f"embedded.redis_url(pathlib.Path({str(data_dir)!r})); print('up', flush=True); "
        f"time.sleep({seconds})"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stdout.readline() == b"up\n"
    return process


def test_redis_stays_up_until_the_last_user_exits(tmp_path):
    socket = tmp_path / "redis" / "redis.sock"
    long_user = _user(tmp_path, 4)
    short_user = _user(tmp_path, 0)

    short_user.wait(10)
    assert embedded._redis_ping(socket) is True  # the long user still has it
    long_user.wait(10)
    for _ in range(50):
        if not embedded._redis_ping(socket):
            break
        time.sleep(0.1)
    assert embedded._redis_ping(socket) is False


def test_a_stale_pidfile_naming_another_program_is_removed(tmp_path):
    pgdata = tmp_path / "postgres"
    pgdata.mkdir()
    (pgdata / "postmaster.pid").write_text(f"{os.getpid()}\n{pgdata}\n")

    embedded._clear_stale_pidfile(pgdata)

    assert not (pgdata / "postmaster.pid").exists()


def test_url_helpers():
    assert embedded.celery_url("unix:///d/redis.sock?db=3") == (
        "redis+socket:///d/redis.sock?virtual_host=3"
    )
    assert embedded.celery_url("redis://h:6379/0") == "redis://h:6379/0"
    assert embedded.with_redis_db("unix:///d/redis.sock?db=0", 9) == "unix:///d/redis.sock?db=9"
    assert embedded.with_redis_db("redis://h:6379/0", 9) == "redis://h:6379/9"
