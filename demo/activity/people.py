"""The young people and the days they used the app: about 80 accounts in 93 and 20 in
75 (``demo.jeune.93.NN@demo.jalon.fr``, no usable password), with birth dates in every
age band, situations and communes, signed up over the window's months (some before).
Every other part is about them, and the figures of active accounts, sign-ups and
situations count them by age band: each band needs enough people in 93 every month."""

import random
from collections import defaultdict
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password

from accounts.dates import AGE_BANDS, age_band
from accounts.models import ActivityDay, User, YoungPersonProfile
from accounts.roles import Role
from figures.periods import last_of_month, paris_midnight

from .common import COMMUNES, DOMAIN, Person, Window, at_hour, create_accounts, moment_in, rng_for

OTHER = "other"  # no birth date, or outside 16-25: a cell of the figures like the bands

# Per age band (on today's date): how many, and how many signed up before the window.
# Every band, "other" included, has enough people from the first month on for 93's
# table of active accounts to show each band (a lone hidden cell hides a second one).
PEOPLE = {
    "93": {"16-17": (16, 7), "18-20": (32, 14), "21-25": (22, 10), OTHER: (10, 6)},
    "75": {"16-17": (4, 2), "18-20": (8, 4), "21-25": (6, 3), OTHER: (2, 1)},
}
# Ages today, in years: far enough from the bands' edges to stay in them all window long.
AGES = {"16-17": (16.7, 17.9), "18-20": (18.6, 20.9), "21-25": (21.6, 24.5), OTHER: (26.8, 28.0)}
FLAG_ODDS = {
    "16-17": {"in_care": 0.85, "unaccompanied_minor": 0.3, "student": 0.6, "apprentice": 0.25},
    "18-20": {
        "in_care": 0.1,
        "care_leaver": 0.7,
        "jeune_majeur_contract": 0.5,
        "unaccompanied_minor": 0.25,
        "student": 0.35,
        "apprentice": 0.25,
        "job_seeker": 0.25,
        "employed": 0.15,
        "parent": 0.04,
        "disability_recognition": 0.06,
    },
    "21-25": {
        "care_leaver": 0.8,
        "unaccompanied_minor": 0.2,
        "student": 0.15,
        "job_seeker": 0.35,
        "employed": 0.45,
        "parent": 0.15,
        "disability_recognition": 0.08,
    },
    OTHER: {"care_leaver": 0.5, "job_seeker": 0.3, "employed": 0.3, "student": 0.2},
}
FIRST_NAMES = (
    "Aminata",
    "Moussa",
    "Inès",
    "Yanis",
    "Fatoumata",
    "Karim",
    "Sofia",
    "Mamadou",
    "Lina",
    "Ibrahim",
    "Chloé",
    "Ousmane",
    "Sarah",
    "Abdoulaye",
    "Nour",
    "Kevin",
    "Awa",
    "Rayan",
    "Maïmouna",
    "Lucas",
    "Aïcha",
    "Samba",
    "Jade",
    "Hamza",
    "Kadiatou",
    "Enzo",
    "Mariam",
    "Bilal",
    "Emma",
    "Souleymane",
    "Yasmine",
    "Ali",
    "Léa",
    "Adama",
    "Naïma",
    "Tom",
    "Djeneba",
    "Mohamed",
    "Manon",
    "Sékou",
    "Ahmad",
    "Zahra",
    "Habib",
    "Senait",
    "Yonas",
    "Farid",
    "Dylan",
    "Océane",
    "Mehdi",
    "Binta",
)
# Languages besides French: of the countries unaccompanied minors come from, and others.
EXILE_LANGUAGES = ("ps", "prs", "ti", "so", "bm", "ff", "snk", "bn", "ar", "ur")
OTHER_LANGUAGES = ("ar", "en", "bm", "wo", "pt", "ro", "tr", "ln", "es")
DAYS_OF_USE = (1, 1, 2, 2, 3, 3, 4, 5, 6, 8)  # days of use in a month when active
MIN_ACTIVE_PER_BAND = 7  # in 93, each band, each closed month


def make_people(window: Window) -> list[Person]:
    """The young people: their accounts and profiles."""
    rng = rng_for("people")
    password = make_password(None)  # unusable: nobody signs in with these accounts
    specs = []
    for code, bands in PEOPLE.items():
        plan = [(band, n < early) for band, (count, early) in bands.items() for n in range(count)]
        rng.shuffle(plan)
        months = [month for month in window.months if window.days(month)]
        late = 0
        for number, (band, early) in enumerate(plan, start=1):
            if code == "93" and number == 1:
                joined = at_hour(window.months[0], 9)  # the marker: which window this is
            elif early:
                joined = moment_in(rng, window.months[0] - timedelta(days=rng.randint(15, 540)))
            else:
                month = months[late % len(months)]
                late += 1
                joined = moment_in(rng, rng.choice(window.days(month)))
            specs.append((code, number, band, joined))

    users = create_accounts(
        [
            User(
                email=f"demo.jeune.{code}.{number:02d}@{DOMAIN}",
                first_name=rng.choice(FIRST_NAMES),
                role=Role.YOUNG_PERSON,
                password=password,
                date_joined=joined,
            )
            for code, number, _band_, joined in specs
        ]
    )
    people = []
    for user, (code, _number, band, _joined) in zip(users, specs, strict=True):
        profile = _profile(rng, window, user, code, band)
        user.profile = profile  # cached: matching reads it
        people.append(Person(user, profile, code))
    YoungPersonProfile.objects.bulk_create([person.profile for person in people])
    return people


def _profile(rng: random.Random, window: Window, user: User, code: str, band: str):
    low, high = AGES[band]
    birth_date = None
    if band != OTHER or rng.random() < 0.3:
        birth_date = window.today - timedelta(days=round(365.25 * rng.uniform(low, high)))
    flags = {flag: rng.random() < odds for flag, odds in FLAG_ODDS[band].items()}
    if flags.get("in_care") and flags.get("care_leaver"):
        flags["care_leaver"] = False
    communes = COMMUNES[code]
    commune = rng.choices(list(communes), [spec[3] for spec in communes.values()])[0]
    languages = ["fr"]
    if flags.get("unaccompanied_minor"):
        languages.insert(0, rng.choice(EXILE_LANGUAGES))
    elif rng.random() < 0.3:
        languages.append(rng.choice(OTHER_LANGUAGES))
    return YoungPersonProfile(
        user=user,
        birth_date=birth_date,
        departement_id=code,
        postcode=communes[commune][0],
        commune_code=commune,
        languages=languages,
        notify_by_push=rng.random() < 0.85,
        notify_by_email=rng.random() < 0.7,
        **flags,
    )


def _band(birth_date: date | None, day: date) -> str:
    band = age_band(birth_date, day)
    return band if band in {label for _low, _high, label in AGE_BANDS} else OTHER


def make_activity_days(window: Window, people: list[Person]) -> int:
    """The days each young person used the app, kept in ``Person.active``."""
    rng = rng_for("activity")
    for person in people:
        for month in window.months:
            days = person.days_in(window, month)
            if not days:
                continue
            just_joined = person.joined >= paris_midnight(month)
            if rng.random() < (0.95 if just_joined else 0.78):
                count = min(len(days), rng.choice(DAYS_OF_USE))
                person.active[month] = sorted(rng.sample(days, count))
    # In 93, enough active people in every age band of every closed month.
    for month in window.months[:-1]:
        last = last_of_month(month)
        by_band = defaultdict(list)
        for person in people:
            if person.code == "93" and person.days_in(window, month):
                by_band[_band(person.profile.birth_date, last)].append(person)
        for members in by_band.values():
            active = sum(1 for person in members if month in person.active)
            idle = [person for person in members if month not in person.active]
            rng.shuffle(idle)
            while active < MIN_ACTIVE_PER_BAND and idle:
                person = idle.pop()
                days = person.days_in(window, month)
                person.active[month] = sorted(rng.sample(days, min(len(days), 2)))
                active += 1
    rows = [
        ActivityDay(user=person.user, day=day)
        for person in people
        for days in person.active.values()
        for day in days
    ]
    ActivityDay.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
