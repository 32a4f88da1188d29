"""The catalogue's figures on a hand-built data set: consultations, unmet needs by
commune, saved procedures and entries to review, each in its own département."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from figures.models import MonthlyFigures
from figures.selectors import departement_report
from services_catalog import figures as catalogue
from services_catalog.models import Demarche, Entry, EntryConsultation, SearchEvent, Structure
from services_catalog.services import entry_create

from .conftest import OCTOBER, figures, paris

pytestmark = pytest.mark.django_db

IN_OCTOBER = paris(2026, 10, 14, 18)


def entry(title, code="93", **fields):
    return entry_create(
        title=title,
        kind=Entry.Kind.OFFER,
        summary=f"{title}.",
        body=f"{title} : pour les jeunes.",
        scope=Entry.Scope.DEPARTEMENTS,
        zone_departements=[code],
        departement_id=code,
        publish=True,
        **fields,
    )


def consultations(reached, code, people, *, moment=IN_OCTOBER, categorie="logement-hebergement"):
    EntryConsultation.objects.bulk_create(
        [
            EntryConsultation(
                created_at=moment,
                departement_id=code,
                entry=reached,
                categorie=categorie,
                visitor=f"c{reached.pk}{n}",
            )
            for n in range(people)
        ]
    )


def test_most_consulted_entries_and_categories():
    foyer, bus, rare = entry("Foyer jeunes travailleurs"), entry("Pass transport"), entry("Rare")
    consultations(foyer, "93", 6)
    consultations(foyer, "93", 6)  # the same six read it again: six readers
    consultations(bus, "93", 5, categorie="mobilite")
    consultations(rare, "93", 2)
    consultations(foyer, "75", 8)  # read from Paris: 75's figure
    consultations(foyer, "93", 3, moment=paris(2026, 11, 1, 0, 5))  # November

    by_entry = figures(catalogue.provider, "catalogue.consulted_entries")
    assert by_entry["93"] == {foyer.pk: (6, 6), bus.pk: (5, 5), rare.pk: (2, 2)}
    assert by_entry["75"] == {foyer.pk: (8, 8)}
    by_category = figures(catalogue.provider, "catalogue.consulted_categories")["93"]
    assert by_category == {"logement-hebergement": (14, 8), "mobilite": (5, 5), "total": (19, 13)}

    table = departement_report("93", OCTOBER).table("catalogue.consulted_entries")
    assert [(row.label, row.value) for row in table.rows] == [
        ("Foyer jeunes travailleurs", 6),
        ("Pass transport", 5),
    ]
    assert table.hidden_rows == 1


def test_entry_titles_are_read_in_one_query_however_many_are_shown():
    def queries_for_a_report_with(shown):
        for n in range(shown):
            consultations(entry(f"Fiche {shown}-{n}", "75"), "75", 5)
        departement_report("75", OCTOBER)  # the month is kept: only the reading is counted
        with CaptureQueriesContext(connection) as reading:
            departement_report("75", OCTOBER)
        EntryConsultation.objects.all().delete()
        return len(reading)

    few = queries_for_a_report_with(2)
    MonthlyFigures.objects.all().delete()
    assert queries_for_a_report_with(12) == few


def test_searches_that_found_nothing_by_commune():
    def unmet(commune_code, people, found=False):
        SearchEvent.objects.bulk_create(
            [
                SearchEvent(
                    created_at=IN_OCTOBER,
                    departement_id="93",
                    commune_code=commune_code,
                    found=found,
                    visitor=f"s{commune_code}{n}",
                )
                for n in range(people)
            ]
        )

    unmet("93066", 6)  # Saint-Denis
    unmet("", 5)
    unmet("93008", 2)  # Bobigny
    unmet("93048", 4)  # Montreuil
    unmet("93005", 5)  # Aulnay-sous-Bois
    unmet("93066", 9, found=True)  # found something: not an unmet need
    by_commune = figures(catalogue.provider, "catalogue.unmet_by_commune")["93"]
    assert by_commune == {
        "93066": (6, 6),
        "": (5, 5),
        "93008": (2, 2),
        "93048": (4, 4),
        "93005": (5, 5),
        "total": (22, 22),
    }
    # INSEE's list names each commune, whatever the catalogue spells it.
    Structure.objects.create(
        departement_id="93", name="Mission locale", commune="St Denis", commune_code="93066"
    )
    table = departement_report("93", OCTOBER).table("catalogue.unmet_by_commune")
    # Bobigny and Montreuil may be the same 4 people: the smallest shown cell (5 people,
    # the one without a commune here) is hidden with them.
    assert [(row.label, row.value) for row in table.rows] == [
        ("Saint-Denis (93066)", 6),
        ("Aulnay-sous-Bois (93005)", 5),
    ]
    assert table.hidden_rows == 3 and table.total == 22


def test_saved_procedures_started_completed_and_abandoned(make_user):
    saved = entry("Contrat jeune majeur")
    people = []
    for n in range(7):
        user = make_user(f"demarche{n}@example.org")
        user.profile.departement_id = "93" if n < 6 else "75"
        user.profile.save()
        people.append(user)
    demarches = [Demarche.objects.create(user=user, entry=saved) for user in people]
    Demarche.objects.filter(pk__in=[d.pk for d in demarches]).update(
        created_at=paris(2026, 10, 3, 9)
    )
    done = Demarche.objects.filter(pk__in=[d.pk for d in demarches[:5]])
    done.update(status=Demarche.Status.DONE, closed_at=paris(2026, 10, 31, 23, 30))
    Demarche.objects.filter(pk=demarches[5].pk).update(
        status=Demarche.Status.ABANDONED,
        closed_at=paris(2026, 11, 2, 10),  # November
    )
    by_state = figures(catalogue.provider, "catalogue.demarches")
    assert by_state["93"] == {"started": (6, 6), "done": (5, 5)}
    assert by_state["75"] == {"started": (1, 1)}


def test_published_entries_not_reviewed_for_six_months_are_counted_without_hiding():
    reviews = {
        entry("Revue il y a un an"): date(2025, 10, 1),
        entry("Jamais revue"): None,
        entry("Revue récemment"): date(2026, 9, 1),
        entry("Paris, jamais revue", "75"): None,
        entry("Dépubliée"): None,
    }
    for reviewed, on in reviews.items():  # publishing counts as a review: set it after
        Entry.objects.filter(pk=reviewed.pk).update(reviewed_at=on)
    Entry.objects.update(created_at=paris(2025, 1, 6, 10))
    entry("Publiée en novembre")  # not yet there at the end of October
    Entry.objects.filter(title="Dépubliée").update(status=Entry.Status.ARCHIVED)
    assert figures(catalogue.provider, "catalogue.stale_entries") == {
        "93": {"all": (2, 2)},
        "75": {"all": (1, 1)},
    }
    table = departement_report("93", OCTOBER).table("catalogue.stale_entries")
    assert [row.value for row in table.rows] == [2]  # about offers, not people: shown


def test_consultations_of_a_deleted_entry_read_as_such():
    gone = entry("Aide disparue")
    consultations(gone, "93", 5)
    EntryConsultation.objects.update(entry=None)  # what deleting the entry leaves
    gone.delete()
    table = departement_report("93", OCTOBER).table("catalogue.consulted_entries")
    assert [(row.label, row.value) for row in table.rows] == [("fiche supprimée", 5)]
