"""Accessibility in the browser: axe-core (bundled by axe-playwright-python) on a page.

Called from a visit's steps (in the browser's thread); fails with the rules broken and
the elements that break them, as a person fixing them needs.
"""

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.1 A and AA, what a public service owes its users (RGAA follows them).
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def accessibility_violations(page) -> list[str]:
    """The axe-core violations of the page as it is now: ``rule: element`` lines."""
    results = Axe().run(page, options=OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]
