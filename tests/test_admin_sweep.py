"""Every admin page an officer opens on the demo, read as they read it: no code, no JSON,
no English, no UTC timestamp.

Each demo staff account opens the home, each list it may view, the first object of each
list (its page and its history) and each add page. The English sentences looked for are
the project's own msgids whose French differs: one of them on a page is text that
escaped translation.
"""

import gettext
import html
import re
from functools import cache
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

STAFF = [
    "admin@demo.jalon.fr",
    "editeur.national@demo.jalon.fr",
    "agent.93@demo.jalon.fr",
    "agent.75@demo.jalon.fr",
    "coordination.93@demo.jalon.fr",
    "coordination.75@demo.jalon.fr",
    "partenaire.93@demo.jalon.fr",
]
CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.mo"

# What raw data looks like when it reaches a page.
RAW = {
    "a JSON list of codes": re.compile(r'\[\s*"[a-z0-9_]+"'),
    "a JSON object": re.compile(r'\{\s*"[a-z_]+"\s*:'),
    "a UTC offset": re.compile(r"\+00:00"),
    "microseconds": re.compile(r"\d{2}:\d{2}:\d{2}\.\d{3,6}"),
    "an ISO timestamp": re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"),
    "a Python value": re.compile(r"(?<![\w-])(None|True|False)(?![\w-])"),
    "a deleted account": re.compile(r"Deleted \w+"),
}


# English msgids that are French words as well ("mise en place", "l'item").
FRENCH_TOO = {"item", "place"}


@cache
def english_phrases() -> list[re.Pattern]:
    """The project's msgids (of four letters or more) whose French is something else."""
    phrases = []
    with CATALOGUE.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    for key, french in catalogue.items():
        if not isinstance(key, str) or "\x04" in key:  # plurals and contexts: left out
            continue
        if not key or "%" in key or "{" in key or len(key) < 4 or key in FRENCH_TOO:
            continue
        if french.strip().lower() != key.strip().lower():
            phrases.append(re.compile(rf"(?<![\w-]){re.escape(key)}(?![\w-])"))
    return phrases


def visible_text(page: str) -> str:
    """What a reader sees: the body without scripts, styles, tags or form values."""
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", body, flags=re.S | re.I)
    body = re.sub(r"<textarea\b.*?</textarea>", " ", body, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def problems_of(text: str) -> list[str]:
    found = [
        f"{what}: {match.group(0)!r}" for what, rx in RAW.items() if (match := rx.search(text))
    ]
    found += [f"English: {rx.pattern!r}" for rx in english_phrases() if rx.search(text)]
    return found


def _url(name: str, *args) -> list[str]:
    try:
        return [reverse(f"admin:{name}", args=args)]
    except NoReverseMatch:  # an admin without that page (the vault's has no change page)
        return []


def _pages_for(user) -> list[str]:
    pages = [reverse("admin:index")]
    request = type("Request", (), {"user": user, "GET": {}, "POST": {}, "method": "GET"})()
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}"
        if not model_admin.has_view_or_change_permission(request):
            continue
        pages += _url(f"{prefix}_changelist")
        if model_admin.has_add_permission(request):
            pages += _url(f"{prefix}_add")
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            pages += _url(f"{prefix}_change", first.pk)
            pages += _url(f"{prefix}_history", first.pk)
    return pages


@pytest.mark.parametrize("email", STAFF)
def test_no_page_an_officer_opens_shows_codes_json_or_english(demo_loaded, email):
    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user)
    report = []
    for url in _pages_for(user):
        response = client.get(url)
        if response.status_code != 200:
            report.append(f"{url}: HTTP {response.status_code}")
            continue
        report += [f"{url}: {problem}" for problem in problems_of(visible_text(response.text))]
    assert not report, "\n".join(report)
