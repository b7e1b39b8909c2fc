"""End-to-end journeys in a real browser (docs/e2e.md).

Once per run: the demo vendor seeded into the test database and committed, a gunicorn server and
a Celery worker on it (processes of their own, as in production), one headless chromium from the
system (never downloaded). Each test is one journey; its last page is kept as
docs/screenshots/e2e_<journey>.png, and a failing one leaves every open page (screenshot and
HTML) in .data/e2e/failures/. The demo vendor is dropped at the end, and a vendor a killed run
left behind is dropped first, so every run starts from the same data.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Browser, sync_playwright

from prm.celery import app as celery_app
from reports.demo import SLUG, seed_demo
from tests.faults.servers import Gunicorn
from tests.vendors import vendor_drop
from tests.workers import BASE_DIR, Worker, queue_forget, worker_env

from .journey import Journey

ARTIFACTS = BASE_DIR / ".data" / "e2e"
FAILURES = ARTIFACTS / "failures"
SCREENSHOTS = BASE_DIR / "docs" / "screenshots"
CHROMIUM = os.environ.get("PRM_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
OUTCOMES = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    """Keep each phase's outcome on the test, for the journey fixture to know it failed."""
    report = yield
    item.stash.setdefault(OUTCOMES, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def demo_vendor(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo vendor, committed (the server has its own database sessions)."""
    with django_db_blocker.unblock():
        vendor_drop(SLUG)
        try:
            seed_demo()
            connection.set_schema_to_public()
            yield
        finally:
            vendor_drop(SLUG)


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """http://demo.localhost:<port>: gunicorn, and a worker taking the tasks it queues. Their
    output is kept in .data/e2e/web.log and worker.log.

    PRM_E2E_BASE_URL runs the journeys against a server already running instead (`make demo`:
    they change its data, so each journey runs once on a fresh seed)."""
    external = os.environ.get("PRM_E2E_BASE_URL")
    if external:
        yield external.rstrip("/")
        return
    request.getfixturevalue("django_db_setup")  # the test database's name, for the processes
    queue = f"e2e-{os.getpid()}"
    env = worker_env(
        DJANGO_SETTINGS_MODULE="tests.e2e.server_settings",
        # The seed's files (the agreement PDFs) are in this process's media folder.
        PRM_E2E_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PRM_E2E_QUEUE=queue,
    )
    with contextlib.ExitStack() as cleanup:  # undone last to first
        cleanup.callback(queue_forget, queue)
        cleanup.callback(
            setattr, celery_app.conf, "task_default_queue", celery_app.conf.task_default_queue
        )
        # The jobs the seed queues go to this run's worker too, not to the shared default queue.
        celery_app.conf.task_default_queue = queue
        # Both boot while the demo vendor is seeded.
        web = Gunicorn(env)
        cleanup.callback(_stop, web, "web")
        worker = Worker(queue, queue=queue, env=env)
        cleanup.callback(_stop, worker, "worker")
        request.getfixturevalue("demo_vendor")
        web.wait_ready()
        worker.wait_ready()
        yield f"http://{SLUG}.localhost:{web.port}"


def _stop(process: Gunicorn | Worker, name: str) -> None:
    """Keep what it printed (its log is a temporary file), then stop it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):  # gone if it failed to start: that says why
        (ARTIFACTS / f"{name}.log").write_text(process.output())
    process.stop()


@pytest.fixture(scope="session")
def browser(base_url: str) -> Iterator[Browser]:
    # Playwright's synchronous API keeps an asyncio loop on this thread, which Django takes for
    # an async context and then refuses the tests' own (synchronous) database calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    shutil.rmtree(FAILURES, ignore_errors=True)  # what is there is this run's
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def journey(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Journey]:
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    trip = Journey(browser, base_url)
    yield trip
    outcome = request.node.stash.get(OUTCOMES, {}).get("call")
    failed = outcome is None or outcome.failed
    try:
        if not failed:
            trip.settle()  # what the last pages did after the test's last check
    except AssertionError:
        failed = True
        raise
    finally:
        trip.save_last(SCREENSHOTS / f"e2e_{name}.png")
        if failed:
            trip.save_failure(FAILURES, request.node.name)
        for warning in trip.warnings:
            print(warning)  # shown with -rP or on failure: worth a look, not a failure
        trip.close()
