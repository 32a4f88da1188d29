"""Page tests in a real browser: Debian's Chromium, driven by Playwright, against
pytest-django's live server (a real HTTP server on a transactional test database).

Without Chromium the tests are skipped with a message saying what to install; with
``JALON_BROWSER_TESTS=required`` (CI) they fail instead, so that CI never skips them.
Playwright's own browser downloads are never used: the system Chromium is launched.
"""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

MISSING = "Chromium not found: install Debian's chromium and chromium-driver to run the page tests"


def chromium_path() -> str | None:
    """The system Chromium: ``CHROMIUM_PATH`` if set, else ``chromium`` on the PATH."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("chromium")


def _browser_tests_required() -> bool:
    return os.environ.get("JALON_BROWSER_TESTS", "").strip().lower() == "required"


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = chromium_path()
    if path is None:
        if _browser_tests_required():
            pytest.fail(f"{MISSING} (JALON_BROWSER_TESTS=required).", pytrace=False)
        pytest.skip(MISSING)
    return path


class PageLog:
    """What a page did that a user never sees: its requests and its errors."""

    def __init__(self, page):
        self.requests = []
        self.errors = []
        self.refusals = []
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _request(self, request):
        self.requests.append(request)

    def _console(self, message):
        # Chromium reports a Content-Security-Policy violation as a console error too.
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and (
            # The API's refusals (403 wrong code, 410 gone) are answers the page shows;
            # the browser's own favicon request is no part of the page.
            "/api/v1/vault/shared/" in url or url.endswith("/favicon.ico")
        ):
            self.refusals.append(url)
            return
        self.errors.append(f"console: {message.text} ({url})")


class Browser:
    """A headless Chromium driven from a thread of its own.

    Playwright's synchronous API keeps an asyncio loop marked as running in the thread
    that drives it; in that thread Django would then keep its database connections apart
    from the test's (they are per thread, and per task under a running loop) and refuse
    ORM calls. So the test's thread never runs Playwright: every visit is handed to the
    browser's thread, and what it returns (or raises) comes back.
    """

    def __init__(self, executable: str):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._thread.submit(self._start, executable).result()

    def _start(self, executable):
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._chromium = self._playwright.chromium.launch(executable_path=executable, headless=True)

    def _stop(self):
        self._chromium.close()
        self._playwright.stop()

    def close(self):
        self._thread.submit(self._stop).result()
        self._thread.shutdown()

    def visit(self, url, steps, *, width, height, locale):
        return self._thread.submit(self._visit, url, steps, width, height, locale).result(
            timeout=120
        )

    def _visit(self, url, steps, width, height, locale):
        # A fresh context per visit: no cookie, cache or storage from another test.
        context = self._chromium.new_context(
            locale=locale, viewport={"width": width, "height": height}, accept_downloads=True
        )
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            log = PageLog(page)
            page.goto(url)
            return steps(page, log)
        finally:
            context.close()


@pytest.fixture(scope="session")
def browser(chromium_executable):
    launched = Browser(chromium_executable)
    yield launched
    launched.close()


@pytest.fixture
def visit(browser, live_server):
    """``visit(path, steps, width=1280, height=800, locale="fr-FR")``: open ``path`` of the
    live server in a browser (French unless told) and run ``steps(page, log)`` there (in
    the browser's thread, see ``Browser``); returns what ``steps`` returns, raises what it
    raises."""

    def _visit(path, steps, *, width=1280, height=800, locale="fr-FR"):
        return browser.visit(
            live_server.url + path, steps, width=width, height=height, locale=locale
        )

    return _visit


def phone_codes(user):
    """What ``user``'s authenticator app shows, as a function: TOTP is set up for them
    now (the secret read here, in the test's thread), and each call gives the code of the
    moment, computed without the ORM, so the browser's thread may call it. A code may be
    given twice here: sign-ins in a test stand for sign-ins further apart."""
    from django.core.cache import cache

    from tests.conftest import totp_code_for_secret, totp_enrol

    secret = totp_enrol(user)

    def code():
        shown = totp_code_for_secret(secret)
        cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={shown}")
        return shown

    return code
