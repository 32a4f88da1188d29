"""Young people's figures for October 2026: active accounts by age, sign-ups, situations."""

from datetime import date

import pytest

from accounts.figures import provider
from accounts.models import SITUATION_FLAGS, ActivityDay, User

from .conftest import figures, paris

pytestmark = pytest.mark.django_db


def active(user, *days) -> None:
    ActivityDay.objects.bulk_create([ActivityDay(user=user, day=day) for day in days])


def test_active_accounts_by_age_band_on_the_last_day(person):
    october = date(2026, 10, 3)
    for name, born in (
        ("sixteen", date(2010, 10, 31)),  # 16 on 31 October
        ("seventeen", date(2009, 6, 1)),
        ("almost", date(2008, 11, 1)),  # 18 on 1 November: still 17
        ("eighteen", date(2008, 10, 31)),
        ("adult", date(2001, 1, 1)),
        ("too_old", date(2000, 10, 31)),  # 26 on 31 October
        ("too_young", date(2011, 1, 1)),
        ("unknown", None),
    ):
        active(person(name, birth_date=born), october)
    active(person("busy", birth_date=date(2009, 6, 1)), october, date(2026, 10, 4))  # once
    active(person("away", birth_date=date(2007, 1, 1)), date(2026, 9, 30), date(2026, 11, 1))
    active(person("yanis", "75", birth_date=date(2007, 1, 1)), october)

    assert figures(provider, "young_people.active_by_age") == {
        "93": {
            "16-17": (4, 4),
            "18-20": (1, 1),
            "21-25": (1, 1),
            "other": (3, 3),
            "total": (9, 9),
        },
        "75": {"18-20": (1, 1), "total": (1, 1)},
    }


def test_sign_ups_in_the_window(person, mentor):
    def joined(user, at):
        User.objects.filter(pk=user.pk).update(date_joined=at)

    joined(person("a"), paris(2026, 10, 1, 0, 10))
    joined(person("b"), paris(2026, 10, 15))
    joined(person("c"), paris(2026, 10, 31, 23, 30))  # 22:30 UTC, still October
    joined(person("d"), paris(2026, 11, 1, 0, 30))
    joined(person("e"), paris(2026, 9, 30, 23, 50))
    joined(mentor, paris(2026, 10, 15))  # not a young person
    joined(person("yanis", "75"), paris(2026, 10, 20))

    assert figures(provider, "young_people.signups") == {
        "93": {"all": (3, 3)},
        "75": {"all": (1, 1)},
    }


def test_situations_of_the_young_people_active_in_the_window(person):
    def declared(name, code="93", days=(date(2026, 10, 12),), **flags):
        user = person(name, code)
        for flag, value in flags.items():
            setattr(user.profile, flag, value)
        user.profile.save()
        active(user, *days)

    declared("a", care_leaver=True, parent=True)
    declared("b", care_leaver=True, days=(date(2026, 10, 1), date(2026, 10, 31)))
    declared("c", care_leaver=True, student=True)
    declared("d")
    declared("e", care_leaver=True, days=(date(2026, 9, 30), date(2026, 11, 1)))  # not in it
    declared("f", care_leaver=True, days=())  # an account, never used
    declared("yanis", "75", in_care=True)

    nobody = {flag: (0, 0) for flag in SITUATION_FLAGS}
    assert figures(provider, "young_people.situations") == {
        "93": {
            **nobody,
            "care_leaver": (3, 3),
            "parent": (1, 1),
            "student": (1, 1),
            "total": (4, 4),
        },
        "75": {**nobody, "in_care": (1, 1), "total": (1, 1)},
    }
