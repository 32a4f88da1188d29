"""Date arithmetic about people."""

from datetime import date


def age_on(birth_date: date, today: date) -> int:
    """Age in whole years on ``today`` (a 29 February birthday passes on 1 March)."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday
