"""Date arithmetic about people."""

from datetime import date


def age_on(birth_date: date, today: date) -> int:
    """Age in whole years on ``today`` (a 29 February birthday passes on 1 March)."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


# The bands used wherever an exact age would say too much (a mentor's view, figures).
AGE_BANDS = ((16, 17, "16-17"), (18, 20, "18-20"), (21, 25, "21-25"))


def latest_birth_date(age: int, on: date) -> date:
    """The latest birth date of someone at least ``age`` years old on ``on``.

    It bounds an age in a query: ``birth_date <= latest_birth_date(n, day)`` is "aged
    ``n`` or more on ``day``" and ``birth_date > latest_birth_date(n + 1, day)`` "under
    ``n + 1``", with the same 29 February rule as ``age_on`` (on a 28 February, someone
    born on a 29 February has not had their birthday yet).
    """
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # ``on`` is a 29 February; ``age`` years earlier has none
        return on.replace(year=on.year - age, day=28)


def age_band(birth_date: date | None, today: date) -> str | None:
    """ "16-17", "18-20", "21-25", "26+", "<16" or None when the birth date is unknown."""
    if birth_date is None:
        return None
    age = age_on(birth_date, today)
    if age < 16:
        return "<16"
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "26+"


def birthday(birth_date: date, age: int) -> date:
    """The day a person born on ``birth_date`` turns ``age`` (1 March for 29 February,
    as ``age_on`` counts it)."""
    year = birth_date.year + age
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return date(year, 3, 1)
