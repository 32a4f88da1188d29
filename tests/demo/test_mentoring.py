"""The demo mentors and the pair of ``jeune.93`` that ``make run`` loads."""

import pytest

from accounts.models import User
from demo.accounts import load_demo_accounts
from demo.mentoring import load_demo_mentoring
from mentoring import selectors
from mentoring.models import Appointment, MentorProfile, Message

pytestmark = pytest.mark.django_db


def test_demo_mentors_after_make_run():
    for _ in range(2):  # idempotent
        load_demo_accounts()
        load_demo_mentoring()
    approved = selectors.matchable_mentors()
    assert [p.user.email for p in approved] == ["mentor.93@demo.jalon.fr"]
    assert MentorProfile.objects.get(user__email="mentor.75@demo.jalon.fr").status == "pending"
    # Aminata (93) has a mentor, two messages, a meeting and an appointment to show.
    aminata = User.objects.get(email="jeune.93@demo.jalon.fr")
    assert selectors.active_mentor_for(aminata).email == "mentor.93@demo.jalon.fr"
    assert Message.objects.count() == 2
    assert Appointment.objects.filter(owner=aminata).count() == 1
