"""What the vault needs to know from apps above it, filled in by them at start-up.

The vault sits below mentoring and referents and never imports them: each registers
here, in its ``AppConfig.ready()``, the one thing the vault asks of it (as mentoring
registers its rewrapper with the keyring). Unfilled (the app not installed), nobody is
anyone's mentor or référent, so no share reaches one.
"""

from collections.abc import Callable, Collection, Mapping
from datetime import datetime

# young person ids -> {young person id: id of their active mentor}, in one query; a young
# person without an active match (none, proposed, paused or ended) is left out.
ActiveMentors = Callable[[Collection[int]], dict[int, int]]

_active_mentors: ActiveMentors | None = None


def register_active_mentors(lookup: ActiveMentors) -> None:
    """Say how to find the active mentors of young people (mentoring does, at start-up)."""
    global _active_mentors
    _active_mentors = lookup


def active_mentors(young_person_ids: Collection[int]) -> dict[int, int]:
    """The active mentor's id of each of these young people who has one."""
    if _active_mentors is None or not young_person_ids:
        return {}
    return _active_mentors(young_person_ids)


def active_mentor_id(young_person_id: int) -> int | None:
    """The id of the young person's active mentor, or None."""
    return active_mentors([young_person_id]).get(young_person_id)


# young person id -> {référent id: when their active link began} (referents registers
# it). A share made before the link began belongs to an earlier consent and shows no
# more. Unfilled, nobody is anyone's référent.
LinkedReferents = Callable[[int], Mapping[int, datetime]]

_linked_referents: LinkedReferents | None = None


def register_linked_referents(lookup: LinkedReferents) -> None:
    """Say how to find the référents a young person linked (referents does, at start-up)."""
    global _linked_referents
    _linked_referents = lookup


def linked_referents(young_person_id: int) -> dict[int, datetime]:
    """The référents that ``young_person_id`` linked whose link is active, each with
    the time their link began."""
    if _linked_referents is None:
        return {}
    return dict(_linked_referents(young_person_id))
