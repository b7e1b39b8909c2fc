"""One journey's people in the browser, and every problem their pages run into.

Each person signs in in a browser context of their own (own cookies, as on their own computer).
Every page is watched: a console error, an uncaught script error, a Content-Security-Policy
violation, a failed request to the app, an answer of 400 or more from it (a page, a static
file, an htmx partial) or an input that dropped the value the server gave it is a problem, and
the next step of the journey fails on it. Other console warnings are printed.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Response,
    expect,
)

PASSWORD = "demo12345"
VIEWPORT = {"width": 1280, "height": 900}
# Slow enough for two gunicorn workers and a Celery worker sharing two cores with the browser.
TIMEOUT_MS = 30_000

# A violation is reported as a console error the watcher below picks up, naming what was blocked
# (Chromium's own "Refused to ..." message does not always say which directive).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || document.location.href}:${e.lineNumber}`);
});
"""
# A file as the signed-in person's browser downloads it (their cookies, their host name: the
# test process itself cannot resolve demo.localhost).
FETCH = """async (url) => {
  const response = await fetch(url);
  const bytes = new Uint8Array(await response.arrayBuffer());
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return {status: response.status, type: response.headers.get("content-type"), body: btoa(binary)};
}"""
# Chromium's warning when an input drops the value the server rendered (a date in the locale's
# format in <input type="date">): the form silently loses data, so it counts as a problem.
DROPPED_VALUE = "does not conform to the required format"
# Navigations the journey replaces itself (a form posted while a link still loads).
IGNORED_FAILURES = ("net::ERR_ABORTED",)


def amount(text: str) -> Decimal:
    """¥86,092.00 as shown on a page, as an exact Decimal; discounts show a minus sign (U+2212)."""
    cleaned = re.sub(r"[^\d.\-−]", "", text).replace("−", "-")
    return Decimal(cleaned)


def yuan(value: Decimal) -> str:
    """An amount written the way the pages write it: ¥86,092.00."""
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


def zh(text: str) -> str:
    """What the (default) Chinese interface shows for the English source text `text`."""
    with translation.override("zh-hans"):
        return str(gettext(text))


@dataclass(frozen=True)
class Fetched:
    status: int
    content_type: str
    body: bytes


class Journey:
    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.host = urlsplit(base_url).netloc
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.contexts: list[BrowserContext] = []
        self.pages: list[Page] = []
        self.last: Page | None = None

    # --- people ---------------------------------------------------------------------------------

    def sign_in(self, email: str) -> Page:
        """A fresh browser context for `email`, signed in through the login form."""
        context = self.browser.new_context(
            base_url=self.base_url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport=VIEWPORT,
        )
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        self.contexts.append(context)
        page = context.new_page()
        self._watch(page, email)
        self.pages.append(page)
        self.open(page, "/accounts/login/")
        page.locator("input[name=username]").fill(email)
        page.locator("input[name=password]").fill(PASSWORD)
        self.submit(page, page.locator("main form button[type=submit]"))
        assert "/accounts/login/" not in page.url, f"{email} could not sign in"
        return page

    def _watch(self, page: Page, who: str) -> None:
        def console(message: ConsoleMessage) -> None:
            where = f"{who} on {page.url}"
            if message.type == "error" or DROPPED_VALUE in message.text:
                self.problems.append(f"{where}: console {message.type}: {message.text}")
            elif message.type == "warning":
                self.warnings.append(f"{where}: console warning: {message.text}")

        def response(answer: Response) -> None:
            if urlsplit(answer.url).netloc == self.host and answer.status >= 400:
                self.problems.append(f"{who}: HTTP {answer.status} from {answer.url}")

        def request_failed(request: Any) -> None:
            failure = request.failure or ""
            ours = urlsplit(request.url).netloc == self.host
            if ours and not failure.startswith(IGNORED_FAILURES):
                self.problems.append(f"{who}: request to {request.url} failed: {failure}")

        def loaded(_page: Page) -> None:
            self.last = page

        page.on("console", console)
        page.on("pageerror", lambda error: self.problems.append(f"{who}: script error: {error}"))
        page.on("response", response)
        page.on("requestfailed", request_failed)
        page.on("load", loaded)

    # --- steps ----------------------------------------------------------------------------------

    def open(self, page: Page, path: str) -> None:
        page.goto(path)
        self.check(page)

    def submit(self, page: Page, control: Locator) -> None:
        """Click a control that loads another page (a form's button, a link) and wait for it."""
        with page.expect_navigation():
            control.click()
        self.check(page)

    def follow(self, page: Page, href: str) -> None:
        """Click the link to `href` a person would: the first on the page, opening the menu
        it is in first."""
        link = page.locator(f'a[href="{href}"]').first
        if not link.is_visible():
            menu = page.locator(".dropdown", has=link).locator("[data-bs-toggle=dropdown]")
            menu.first.click()
        self.submit(page, link)

    def fetch(self, page: Page, href: str) -> Fetched:
        """Download what the link to `href` on the page points to (a PDF opened in a new tab)."""
        got = page.evaluate(FETCH, href)
        self.check(page)
        return Fetched(got["status"], got["type"], base64.b64decode(got["body"]))

    def check(self, page: Page) -> None:
        """Fail on any problem so far (the page has loaded: its deferred scripts have run)."""
        assert not self.problems, "\n".join(self.problems)

    def settle(self) -> None:
        """At the end: once no page has a request under way, fail on any problem left."""
        for page in self.pages:
            if not page.is_closed():
                page.wait_for_load_state("networkidle")
        assert not self.problems, "\n".join(self.problems)

    # --- evidence -------------------------------------------------------------------------------

    def save_last(self, png: Path) -> None:
        if self.last is not None and not self.last.is_closed():
            png.parent.mkdir(parents=True, exist_ok=True)
            self.last.screenshot(path=str(png), full_page=True)

    def save_failure(self, folder: Path, name: str) -> list[Path]:
        """Every open page: a full-page screenshot and its HTML."""
        folder.mkdir(parents=True, exist_ok=True)
        saved = []
        for n, page in enumerate(self.pages, start=1):
            if page.is_closed():
                continue
            stem = folder / f"{name}-{n}"
            page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
            saved.append(stem)
        return saved

    def close(self) -> None:
        for context in self.contexts:
            context.close()
