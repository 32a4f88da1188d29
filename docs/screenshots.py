"""The README's pictures of the admin, taken from a running demo (``make run``).

    .venv/bin/python docs/screenshots.py [http://127.0.0.1:8000]

Drives the system Chromium (``CHROMIUM_PATH``, else ``chromium`` on the PATH) with
Playwright, signs in as the demo's officers (password only: the demo does not ask staff
for a second factor) and writes ``docs/admin-*.png``.
"""

import os
import re
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "jalon-demo-2026"  # noqa: S105 - the demo's documented password
HERE = Path(__file__).resolve().parent


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/admin/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Connexion|Se connecter")).click()
    page.wait_for_url(re.compile(r"/admin/$"))


def shoot(browser, base: str, email: str, shots: list[tuple[str, str, str | None]]) -> None:
    """Each shot: the page's address, the file, and a heading to scroll to (or None)."""
    context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    sign_in(page, base, email)
    for path, name, heading in shots:
        page.goto(base + path if path.startswith("/") else path)
        if heading:
            page.get_by_role("heading", name=heading).first.scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -60)")
        page.screenshot(path=str(HERE / name))
        print(f"docs/{name}: {page.url}")
    context.close()


def first_link(browser, base: str, email: str, list_path: str) -> str:
    """The address of the first object of a list in the admin."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    sign_in(page, base, email)
    page.goto(base + list_path)
    href = page.locator("#result_list tbody tr th a").first.get_attribute("href")
    context.close()
    return base + href


def main() -> None:
    base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--lang=fr-FR"]
        )
        entry = first_link(
            browser,
            base,
            "agent.93@demo.jalon.fr",
            "/admin/services_catalog/entry/?status__exact=published",
        )
        mentor = first_link(
            browser,
            base,
            "coordination.93@demo.jalon.fr",
            "/admin/mentoring/mentorprofile/?status__exact=pending",
        )
        shoot(
            browser,
            base,
            "agent.93@demo.jalon.fr",
            [
                ("/admin/", "admin-home.png", None),
                (entry, "admin-entry.png", "Contact et lieu"),
                (entry, "admin-entry-next.png", "Et maintenant ?"),
            ],
        )
        shoot(
            browser,
            base,
            "coordination.93@demo.jalon.fr",
            [
                (mentor, "admin-mentor.png", "Et maintenant ?"),
            ],
        )
        browser.close()


if __name__ == "__main__":
    main()
