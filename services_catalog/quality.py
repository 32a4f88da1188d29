"""How complete a catalogue entry is: a score from 0 to 100 the app's visibility uses.

Imported records vary a lot: some have a real description, a phone, hours and a place,
others a name and five words. The app shows an imported entry only when its score reaches
``CATALOGUE_MIN_QUALITY`` (``selectors.entries_visible``); the admin shows them all, so
staff can complete the poor ones. Jalon's own entries (sources ``jalon`` and ``jalon-…``,
written by curators) are not scored: they always get the maximum.

The criteria follow data·inclusion's own quality score (``data_inclusion.schema.v1.
score_qualite``) where it applies, without its age of the record, so that a score does not
change by itself from one day to the next.
"""

from .vocabulary import JALON_SOURCE

MAX_SCORE = 100

# (points, what earns them), 100 in all.
DESCRIPTION_IDEAL = 30  # data·inclusion's ideal: 200 characters or more
DESCRIPTION_SHORT = 15  # 50 to 199 characters
CONTACT = 20  # a phone, an e-mail or a link to apply
ADDRESS = 10
HOURS = 10
THEME = 20
POSITION = 10  # latitude and longitude, or reached at a distance only


def is_curated_source(source: str) -> bool:
    """Whether ``source`` is Jalon's own (curated in the admin, not imported)."""
    return source == JALON_SOURCE or source.startswith(f"{JALON_SOURCE}-")


def entry_quality_score(entry, theme_codes: list[str]) -> int:
    """The quality score of ``entry`` (an ``Entry``, saved or not) with ``theme_codes``."""
    if is_curated_source(entry.source):
        return MAX_SCORE
    score = 0
    length = len((entry.body or "").strip())
    if length >= 200:
        score += DESCRIPTION_IDEAL
    elif length >= 50:
        score += DESCRIPTION_SHORT
    if entry.telephone or entry.courriel or entry.lien_mobilisation:
        score += CONTACT
    if entry.adresse:
        score += ADDRESS
    if entry.horaires_accueil:
        score += HOURS
    if theme_codes:
        score += THEME
    remote_only = bool(entry.modes_accueil) and set(entry.modes_accueil) == {"a-distance"}
    if (entry.latitude is not None and entry.longitude is not None) or remote_only:
        score += POSITION
    return score
