"""Ages and birthdays: one rule for 29 February, whoever counts."""

from datetime import date, timedelta

import pytest

from accounts.dates import age_on, birthday


@pytest.mark.parametrize(
    ("born", "age", "expected"),
    [
        (date(2008, 5, 1), 18, date(2026, 5, 1)),
        (date(2008, 2, 29), 18, date(2026, 3, 1)),  # no 29 February in 2026
        (date(2008, 2, 29), 20, date(2028, 2, 29)),
    ],
)
def test_a_birthday_is_the_day_the_age_is_reached(born, age, expected):
    assert birthday(born, age) == expected
    assert age_on(born, expected) == age
    assert age_on(born, expected - timedelta(days=1)) == age - 1
