"""What the parts share: the window of months, the young people, the communes, and
helpers for seeded randomness and Paris times. Every part draws from its own seeded
generator, so changing one part leaves the others' data as it was."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User, YoungPersonProfile
from backend.crypto.sealed import seal_after_bulk_create
from figures.periods import first_of_month, last_of_month, months_before, paris_midnight

SEED = "jalon-demo-activity"
MONTHS_BACK = 6  # closed months covered, before the current one
DOMAIN = "demo.jalon.fr"
CODES = ("93", "75")
MARKER_EMAIL = f"demo.jeune.93.01@{DOMAIN}"

# INSEE code: (postcode, latitude, longitude, weight); coordinates about 1 km precise.
COMMUNES = {
    "93": {
        "93066": ("93200", "48.94", "2.36", 8),  # Saint-Denis
        "93008": ("93000", "48.91", "2.44", 6),  # Bobigny
        "93048": ("93100", "48.86", "2.44", 6),  # Montreuil
        "93001": ("93300", "48.91", "2.38", 5),  # Aubervilliers
        "93055": ("93500", "48.89", "2.41", 4),  # Pantin
        "93010": ("93140", "48.90", "2.48", 3),  # Bondy
        "93005": ("93600", "48.94", "2.50", 4),  # Aulnay-sous-Bois
        "93070": ("93400", "48.91", "2.33", 3),  # Saint-Ouen-sur-Seine
        "93014": ("93390", "48.91", "2.55", 3),  # Clichy-sous-Bois
        "93071": ("93270", "48.94", "2.53", 3),  # Sevran
        "93029": ("93700", "48.93", "2.45", 4),  # Drancy
        "93027": ("93120", "48.93", "2.40", 3),  # La Courneuve
        "93051": ("93160", "48.85", "2.55", 3),  # Noisy-le-Grand
        "93031": ("93800", "48.95", "2.31", 3),  # Épinay-sur-Seine
    },
    "75": {
        "75110": ("75010", "48.88", "2.36", 3),
        "75111": ("75011", "48.86", "2.38", 3),
        "75113": ("75013", "48.83", "2.36", 3),
        "75118": ("75018", "48.89", "2.35", 4),
        "75119": ("75019", "48.89", "2.38", 5),
        "75120": ("75020", "48.86", "2.40", 4),
    },
}


def rng_for(part: str) -> random.Random:
    """A generator for each part: changing one part leaves the others as they were."""
    return random.Random(f"{SEED}:{part}")  # noqa: S311 - reproducible demo data, not secrets


def at_hour(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute``, Paris time (hours of the day: never a DST gap)."""
    return timezone.make_aware(
        datetime.combine(day, time(hour, minute)), timezone.get_default_timezone()
    )


def moment_in(rng: random.Random, day: date, first: int = 8, last: int = 21) -> datetime:
    return at_hour(day, rng.randint(first, last), rng.randrange(60))


def create_accounts(users: list[User]) -> list[User]:
    """``bulk_create`` the ``users``, each with their address verified."""
    users = User.objects.bulk_create(users)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users]
    )
    return users


def create_dated(model, objects: list, times: list[str], batch_size: int = 500) -> None:
    """``bulk_create``, then the ``times`` given back: ``auto_now(_add)`` replaced them,
    and the sealed values sealed under the new ids (``bulk_create`` bypasses ``save``)."""
    wanted = [[getattr(obj, name) for name in times] for obj in objects]
    model.objects.bulk_create(objects, batch_size=batch_size)
    seal_after_bulk_create(model, objects, batch_size=batch_size)
    for obj, values in zip(objects, wanted, strict=True):
        for name, value in zip(times, values, strict=True):
            setattr(obj, name, value)
    model.objects.bulk_update(objects, times, batch_size=batch_size)


@dataclass(frozen=True)
class Window:
    """The months the activity covers: six over, and the current one up to yesterday."""

    today: date
    months: tuple[date, ...]  # first days, oldest first; the last is the current month

    @classmethod
    def ending(cls, today: date) -> "Window":
        current = first_of_month(today)
        months = [months_before(current, back) for back in range(MONTHS_BACK, -1, -1)]
        return cls(today, tuple(months))

    @property
    def start(self) -> datetime:
        return paris_midnight(self.months[0])

    @property
    def end(self) -> datetime:
        """Nothing happens from today on."""
        return paris_midnight(self.today)

    @property
    def current(self) -> date:
        return self.months[-1]

    def days(self, month: date) -> list[date]:
        last = min(last_of_month(month), self.today - timedelta(days=1))
        return [month + timedelta(days=n) for n in range((last - month).days + 1)]

    def count(self, rng: random.Random, low: int, high: int, month: date) -> int:
        """``low`` to ``high`` in a whole month; in proportion for the current one."""
        count = rng.randint(low, high)
        if month == self.current:
            count = round(count * len(self.days(month)) / last_of_month(month).day)
        return count


@dataclass
class Person:
    user: User
    profile: YoungPersonProfile
    code: str
    active: dict[date, list[date]] = field(default_factory=dict)  # month -> days of use

    @property
    def joined(self) -> datetime:
        return self.user.date_joined

    def days_in(self, window: Window, month: date) -> list[date]:
        """The days of ``month`` this person could use the app (signed up by then)."""
        joined = timezone.localdate(self.joined)
        return [day for day in window.days(month) if day >= joined]
