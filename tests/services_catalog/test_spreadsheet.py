"""The catalogue as a spreadsheet: officers export a département's entries, change them
in Excel and import them back, each row checked as the admin's form checks it."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from services_catalog import vocabulary
from services_catalog.models import Entry, Structure

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/services_catalog/entry/"
EXPORT = f"{ENTRIES}spreadsheet/export/"
IMPORT = f"{ENTRIES}spreadsheet/import/"
ID = "N° (vide pour une nouvelle fiche)"
THEME = vocabulary.thematique_rows()[0]


@pytest.fixture
def catalogue(make_entry):
    structure = Structure.objects.create(name="Mission locale de Bobigny", departement_id="93")
    full = make_entry(
        "Atelier budget",
        kind=Entry.Kind.OFFER,
        departement_id="93",
        structure=structure,
        # A browser sends line breaks as CRLF; a spreadsheet gives LF back.
        body="Un atelier chaque mois.\r\nGratuit, sans inscription.",
        thematiques=[THEME["code"]],
        type="atelier",
        frais="gratuit",
        publics=["jeunes", "etudiants"],
        modes_accueil=["en-presentiel"],
        situations=["care_leaver", "student"],
        documents=["identity_card", "residence_permit"],
        horaires_accueil="Mo-Fr 09:00-12:30",
        code_postal="93000",
        commune="Bobigny",
        commune_code="93008",
        latitude=48.9086,
        longitude=2.4397,
        scope=Entry.Scope.COMMUNES,
        zone_communes="93008,93066",
        min_age=16,
        max_age=25,
        valid_from=date(2026, 1, 5),
        internal_note="=ne pas calculer",  # text, not a formula
        translations={"en": {"title": "Youth welcome", "summary": "Help", "body": "Every day"}},
    )
    plain = make_entry(
        "Permanence logement",
        kind=Entry.Kind.OFFER,
        departement_id="93",
        scope=Entry.Scope.DEPARTEMENTS,
        zone_departements=["93"],
        publish=False,
    )
    paris = make_entry(
        "Mission locale de Paris",
        kind=Entry.Kind.OFFER,
        departement_id="75",
        scope=Entry.Scope.DEPARTEMENTS,
        zone_departements=["75"],
    )
    return {"full": full, "plain": plain, "paris": paris}


def _export(client, query: str = ""):
    response = client.get(EXPORT + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _sheet_rows(workbook) -> list[dict]:
    header, *rows = workbook.worksheets[0].iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _xlsx(workbook) -> io.BytesIO:
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    output.name = "fiches.xlsx"
    return output


def _import(client, upload, departement="93"):
    """Post the file as the import page does; the messages the entries list then shows."""
    response = client.post(IMPORT, {"departement": departement, "file": upload}, follow=True)
    assert response.redirect_chain == [(ENTRIES, 302)], response.context["form"].errors
    return [str(message) for message in response.context["messages"]]


def _set_cell(workbook, entry_id, header: str, value) -> None:
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    column = headers.index(header) + 1
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == entry_id:
            sheet.cell(row=row[0].row, column=column, value=value)
            return
    raise AssertionError(f"no row for entry {entry_id}")


def _new_workbook(rows: list[dict]) -> Workbook:
    """A workbook typed from scratch (not an export): the headers an officer would type."""
    workbook = Workbook()
    headers = list(dict.fromkeys(key for row in rows for key in row))
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append([row.get(header) for header in headers])
    return workbook


def _new_row(**cells) -> dict:
    return {
        "Type": "Offre",
        "Titre": "Atelier CV",
        "Résumé": "Écrire son CV avec un conseiller.",
        "Description": "Chaque mardi à la mission locale.",
        "Périmètre territorial": "Départements",
        "Départements concernés": "93",
        **cells,
    }


def test_the_export_is_readable_and_scoped(client, staff_93, catalogue):
    client.force_login(staff_93)
    list_page = client.get(ENTRIES).content.decode()
    assert "Exporter (tableur)" in list_page and "Importer un tableur" in list_page
    import_page = client.get(IMPORT).content.decode()
    assert "Une ligne avec un numéro met à jour cette fiche" in import_page

    workbook = _export(client)
    rows = {row[ID]: row for row in _sheet_rows(workbook)}
    assert set(rows) == {catalogue["full"].pk, catalogue["plain"].pk}  # not 75's
    row = rows[catalogue["full"].pk]
    assert row["Type"] == "Offre"
    assert row["Statut"] == "Publiée"
    assert row["Département gestionnaire"] == "Seine-Saint-Denis (93)"
    assert row["Structure"] == "Mission locale de Bobigny"
    assert row["Thématiques"] == f"{THEME['categorie_label']} / {THEME['label']}"
    assert row["Publics"] == "Jeunes; Étudiants"
    assert row["Documents à fournir"] == "Carte d'identité; Titre de séjour"
    assert row["Périmètre territorial"] == "Communes"
    assert row["Communes concernées"] == "93008, 93066"
    assert row["Code commune INSEE"] == "93008"
    assert row["Valable à partir du"].date() == date(2026, 1, 5)
    assert row["Note pour l'équipe éditoriale"] == "=ne pas calculer"
    (note,) = [
        cell
        for line in workbook.worksheets[0].iter_rows()
        for cell in line
        if cell.value == "=ne pas calculer"
    ]
    assert note.data_type == "s"  # a text cell: Excel shows it and never computes it
    assert "_" not in row["Publics"] + row["Situations"]  # labels, not codes

    # The list as filtered: the drafts only.
    drafts = _sheet_rows(_export(client, "?status__exact=draft"))
    assert [row[ID] for row in drafts] == [catalogue["plain"].pk]


def test_export_then_import_of_the_same_file_changes_nothing(client, staff_93, catalogue):
    client.force_login(staff_93)
    before = {entry.pk: (entry.updated_at, entry.history.count()) for entry in Entry.objects.all()}
    messages = _import(client, _xlsx(_export(client)))
    assert messages == ["0 créée(s), 0 mise(s) à jour, 2 inchangée(s), 0 refusée(s)."]
    after = {entry.pk: (entry.updated_at, entry.history.count()) for entry in Entry.objects.all()}
    assert after == before


def test_a_changed_cell_updates_its_entry(client, staff_93, catalogue):
    client.force_login(staff_93)
    workbook = _export(client)
    full, plain = catalogue["full"], catalogue["plain"]
    _set_cell(workbook, full.pk, "Titre", "Atelier budget et logement")
    _set_cell(workbook, full.pk, "Publics", "Étudiants ; jeunes")  # a code is read too
    _set_cell(workbook, full.pk, "Situations", "")
    _set_cell(workbook, full.pk, "Communes concernées", "93008; 93066; 93071")
    messages = _import(client, _xlsx(workbook))
    assert messages == ["0 créée(s), 1 mise(s) à jour, 1 inchangée(s), 0 refusée(s)."]
    full.refresh_from_db()
    assert full.title == "Atelier budget et logement"
    assert full.publics == ["etudiants", "jeunes"]
    assert full.situations == []
    assert full.zone_communes == "93008,93066,93071"
    assert full.documents == ["identity_card", "residence_permit"]  # untouched
    assert full.translations["en"]["title"] == "Youth welcome"  # not in the sheet: kept
    assert full.status == Entry.Status.PUBLISHED  # the workflow is not the file's
    assert full.history.first().history_change_reason == "Import d'un tableur"
    assert "budget et logement" in full.search_text  # reindexed, as the admin does
    assert plain.updated_at == Entry.objects.get(pk=plain.pk).updated_at


def test_a_row_without_number_creates_a_draft_from_a_typed_workbook(client, staff_93):
    """The officer's own workbook, written with openpyxl: the library reads the format."""
    client.force_login(staff_93)
    workbook = _new_workbook(
        [_new_row(Publics="Étudiants", **{"Âge minimum": 16, "Code postal": 1000})]
    )
    messages = _import(client, _xlsx(workbook))
    assert messages == ["1 créée(s), 0 mise(s) à jour, 0 inchangée(s), 0 refusée(s)."]
    entry = Entry.objects.get(title="Atelier CV")
    assert entry.status == Entry.Status.DRAFT
    assert entry.departement_id == "93"
    assert entry.proposed_by == staff_93
    assert entry.publics == ["etudiants"]
    assert entry.min_age == 16
    assert entry.code_postal == "01000"  # Excel's number keeps its leading zero back
    assert list(entry.zone_departements.values_list("code", flat=True)) == ["93"]
    # Imported again, the same row creates a second entry: it has no number.
    assert _import(client, _xlsx(workbook))[0].startswith("1 créée(s)")


def test_bad_rows_are_reported_with_their_line_and_the_others_import(client, staff_93, catalogue):
    client.force_login(staff_93)
    paris = catalogue["paris"]
    workbook = _new_workbook(
        [
            _new_row(Titre="Bon 1"),
            _new_row(Titre="Label inconnu", Publics="Ados; Étudiants"),
            _new_row(
                Titre="Commune invalide",
                **{"Périmètre territorial": "Communes", "Communes concernées": "9300"},
            ),
            _new_row(
                Titre="Commune de Paris",
                **{"Périmètre territorial": "Communes", "Communes concernées": "75056"},
            ),
            _new_row(Titre="National", **{"Périmètre territorial": "National"}),
            _new_row(**{ID: paris.pk, "Titre": "Piraté"}),
            _new_row(**{ID: 999999, "Titre": "Inconnue"}),
            _new_row(Titre="Bon 2", **{"Valable à partir du": "31/02/2026"}),
            _new_row(Titre="Bon 3"),
        ]
    )
    messages = _import(client, _xlsx(workbook))
    assert messages[0] == "2 créée(s), 0 mise(s) à jour, 0 inchangée(s), 7 refusée(s)."
    assert messages[1:] == [
        "Ligne 3 : Publics : valeur inconnue : Ados (valeurs acceptées : "
        + ", ".join(str(label) for _code, label in vocabulary.PUBLIC_CHOICES)
        + ").",
        "Ligne 4 : Communes concernées : Aucune commune actuelle ne porte ce nom ou ce code : "
        "9300. Indiquez les communes concernées.",
        "Ligne 5 : Communes concernées : Ces communes sont hors de vos départements : "
        "Paris (75056). Indiquez les communes concernées.",
        "Ligne 6 : Périmètre territorial : Seule la rédaction nationale gère les fiches valables "
        "partout.",
        f"Ligne 7 : La fiche {paris.pk} n'est pas une fiche de Seine-Saint-Denis que vous gérez.",
        "Ligne 8 : La fiche 999999 n'est pas une fiche de Seine-Saint-Denis que vous gérez.",
        "Ligne 9 : Valable à partir du : « 31/02/2026 » n'est pas une date (JJ/MM/AAAA).",
    ]
    assert set(Entry.objects.filter(departement="93").values_list("title", flat=True)) == {
        "Atelier budget",
        "Permanence logement",
        "Bon 1",
        "Bon 3",
    }
    paris.refresh_from_db()
    assert paris.title == "Mission locale de Paris"


def test_staff_of_75_never_export_nor_update_93s_entries(client, staff_75, catalogue):
    client.force_login(staff_75)
    full = catalogue["full"]
    exported = _sheet_rows(_export(client, "?departement__code__exact=93"))
    assert exported == []
    assert [row[ID] for row in _sheet_rows(_export(client))] == [catalogue["paris"].pk]

    workbook = _new_workbook([_new_row(**{ID: full.pk, "Titre": "Piraté"})])
    messages = _import(client, _xlsx(workbook), departement="75")
    assert messages[0].endswith("1 refusée(s).")
    assert "n'est pas une fiche de Paris" in messages[1]
    # 93 is no choice of theirs.
    form = client.get(IMPORT).context["form"]
    assert {d.code for d in form.fields["departement"].queryset} == {"75"}
    assert form["departement"].value() == "75"
    response = client.post(IMPORT, {"departement": "93", "file": _xlsx(workbook)})
    assert response.status_code == 200
    assert "departement" in response.context["form"].errors
    full.refresh_from_db()
    assert full.title == "Atelier budget"


def test_a_partner_cannot_export_nor_import(client, partner_93, catalogue):
    client.force_login(partner_93)
    page = client.get(ENTRIES).content.decode()
    assert "Exporter (tableur)" not in page and "Importer un tableur" not in page
    assert client.get(EXPORT).status_code == 403
    assert client.get(IMPORT).status_code == 403
    workbook = _new_workbook([_new_row()])
    assert client.post(IMPORT, {"departement": "93", "file": _xlsx(workbook)}).status_code == 403
    assert not Entry.objects.filter(title="Atelier CV").exists()


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(";", "cp1252"), (";", "utf-8-sig"), (",", "utf-8")]
)
def test_a_csv_file_from_excel_imports(client, staff_93, delimiter, encoding):
    client.force_login(staff_93)
    row = _new_row(Titre="Aide à l'été", Latitude="48,9086", Longitude="2,4397")
    text = "\r\n".join(
        delimiter.join(f'"{value}"' for value in values) for values in (row.keys(), row.values())
    )
    upload = io.BytesIO(text.encode(encoding))
    upload.name = "fiches.csv"
    assert _import(client, upload)[0].startswith("1 créée(s)")
    entry = Entry.objects.get(title="Aide à l'été")
    assert (entry.latitude, entry.longitude) == (48.9086, 2.4397)


def test_an_unreadable_file_is_refused_as_a_whole(client, staff_93):
    client.force_login(staff_93)
    for content, words in [
        (b"PK\x03\x04 not really a zip", "ne peut pas être lu"),
        (b"\xd0\xcf\x11\xe0 old excel", "(.xls)"),
        (b"Couleur;Taille\r\nbleu;3\r\n", "est-ce bien un export"),
    ]:
        upload = io.BytesIO(content)
        upload.name = "fiches.xlsx"
        response = client.post(IMPORT, {"departement": "93", "file": upload})
        assert response.status_code == 200
        assert words in str(response.context["form"].errors["file"])


def test_unknown_columns_are_left_aside_and_said(client, staff_93, catalogue):
    client.force_login(staff_93)
    workbook = _export(client)
    sheet = workbook.worksheets[0]
    sheet.cell(row=1, column=sheet.max_column + 1, value="Remarques de Fatou")
    messages = _import(client, _xlsx(workbook))
    assert messages == [
        "0 créée(s), 0 mise(s) à jour, 2 inchangée(s), 0 refusée(s).",
        "Colonnes ignorées : Remarques de Fatou.",
    ]


def test_a_national_editor_curates_any_departement(client, national_editor, catalogue):
    client.force_login(national_editor)
    workbook = _export(client, "?departement__code__exact=75")
    _set_cell(workbook, catalogue["paris"].pk, "Titre", "Mission locale de Paris centre")
    assert _import(client, _xlsx(workbook), departement="75")[0].startswith(
        "0 créée(s), 1 mise(s) à jour"
    )
    assert Entry.objects.get(pk=catalogue["paris"].pk).title == "Mission locale de Paris centre"


def test_a_hidden_zone_departement_is_kept(client, staff_93, make_entry):
    """An entry of 93 that also applies in 94: staff of 93 do not see 94 in the form, and
    their import keeps it, as the admin's save does."""
    entry = make_entry(
        "Bus de l'emploi",
        kind=Entry.Kind.OFFER,
        departement_id="93",
        scope=Entry.Scope.DEPARTEMENTS,
        zone_departements=["93", "94"],
    )
    client.force_login(staff_93)
    workbook = _export(client)
    assert _import(client, _xlsx(workbook))[0].startswith("0 créée(s), 0 mise(s) à jour, 1")
    _set_cell(workbook, entry.pk, "Titre", "Bus de l'emploi 93-94")
    assert _import(client, _xlsx(workbook))[0].startswith("0 créée(s), 1 mise(s) à jour")
    assert set(entry.zone_departements.values_list("code", flat=True)) == {"93", "94"}
