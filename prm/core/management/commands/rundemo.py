"""`make demo`: one process that owns the embedded services and runs web, worker and beat."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signum)


class Command(BaseCommand):
    help = "Migrate, seed the demo vendor, then run web, worker and beat until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("PRM_BIND", "127.0.0.1:8000"))
        parser.add_argument("--no-serve", action="store_true", help="prepare only")

    def handle(self, *args: object, **opts: object) -> None:
        # Ctrl-C, kill and a closed terminal all end here, so exit hooks stop the services.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _raise_stop)
        if not (settings.NODE_MODULES / "bootstrap" / "dist").exists():
            raise CommandError("front-end assets missing: run `npm ci` (make does this for you)")
        try:
            call_command("bootstrap")
            call_command("seed_demo")
            if not opts["no_serve"]:
                self._serve(str(opts["bind"]))
        except Stop:
            self.stdout.write("Stopped.")

    def _serve(self, bind: str) -> None:
        bin_dir = os.path.dirname(sys.executable)
        # gunicorn's control socket defaults to ~/.gunicorn/gunicorn.ctl, one per user, so a
        # second checkout's demo would take over (or unlink) the first one's; nothing here uses it.
        commands = {
            "web": [os.path.join(bin_dir, "gunicorn"), "prm.wsgi:application", "--bind", bind,
                    "--workers", "2", "--access-logfile", "-", "--graceful-timeout", "5",
                    "--no-control-socket"],
            "worker": [os.path.join(bin_dir, "celery"), "-A", "prm", "worker", "--loglevel=INFO",
                       "--concurrency=2"],
            "beat": [os.path.join(bin_dir, "celery"), "-A", "prm", "beat", "--loglevel=INFO",
                     "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
        }  # fmt: skip
        children: dict[str, subprocess.Popen[bytes]] = {}
        crashed = ""
        try:
            for name, cmd in commands.items():
                # Own process group: a terminal's Ctrl-C reaches us only, and we stop them in order.
                children[name] = subprocess.Popen(cmd, start_new_session=True)
            port = bind.rsplit(":", 1)[-1]
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nRunning. Vendor portal: http://demo.{settings.PRM_BASE_DOMAIN}:{port}/  "
                    "(partner portal at /portal/, admin at /admin/)\n"
                    "Press Ctrl-C to stop everything.\n"
                )
            )
            while not crashed:
                for name, child in children.items():
                    if child.poll() is not None:
                        crashed = f"{name} exited with {child.returncode}"
                time.sleep(0.5)
        finally:
            self._stop(children)
        raise CommandError(f"{crashed}; stopped the rest")

    def _stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not abort the cleanup
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("Stopped web, worker and beat; embedded services stop as this exits.")
