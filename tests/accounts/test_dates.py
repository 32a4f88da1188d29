"""Ages and birthdays: one rule for 29 February, whoever counts."""

from datetime import date, timedelta

import pytest

from accounts.dates import age_on, birthday, latest_birth_date


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


@pytest.mark.parametrize(
    "on", [date(2026, 2, 28), date(2026, 3, 1), date(2028, 2, 28), date(2028, 2, 29)]
)
@pytest.mark.parametrize("age", [16, 18, 21, 26])
def test_the_latest_birth_date_bounds_an_age_as_age_on_counts_it(on, age):
    bound = latest_birth_date(age, on)
    around = [bound + timedelta(days=shift) for shift in range(-800, 800)]
    assert [born for born in around if age_on(born, on) >= age] == [
        born for born in around if born <= bound
    ]
