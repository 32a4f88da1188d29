"""Reads on mentoring that other apps rely on."""


def active_mentor_for(young_person):
    """The mentor of ``young_person``'s active match, or None.

    Matches arrive with the mentoring capability; until then nobody has an active mentor,
    and the vault's tests stand in for a match by replacing this function.
    """
    return None
