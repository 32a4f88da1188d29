"""The catalogue in the admin panel, scoped by département, with its publication workflow."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from accounts.scoping import (
    DepartementScopedAdminMixin,
    DepartementScopedModelAdmin,
    departements_for_user,
    scope_queryset,
    user_sees_all_departements,
)
from backend.admin_actions import ObjectActionsMixin
from backend.admin_history import ReadableHistoryAdmin
from backend.forms import codes_field, formfield_https_urls

from . import data_inclusion, selectors, services, spreadsheet, vocabulary
from .models import Entry, EntryClosure, EntryErrorReport, EntryStep, Structure
from .widgets import (
    CommunesWidget,
    OpeningHoursWidget,
    TranslatedField,
    TranslationsField,
    TranslationsWidget,
    communes_error,
    merge_translations,
    resolve_communes,
)


def _is_partner(user) -> bool:
    return not user.is_superuser and user.role == Role.PARTNER


class ScopedHistoryAdmin(DepartementScopedAdminMixin, ReadableHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # Only national roles may leave the département empty (a national record).
        if "departement" in form.base_fields and not user_sees_all_departements(request.user):
            form.base_fields["departement"].required = True
        return form


COMMUNES_URL = reverse_lazy("admin:services_catalog_entry_communes")


def _commune_field() -> forms.CharField:
    """``commune_code``, chosen by name (``CommunesWidget``), next to the ``commune`` and
    ``code_postal`` inputs the script fills."""
    # A name typed without the script is longer than a code: the model checks the code.
    return forms.CharField(
        label=capfirst(_("commune")),
        max_length=150,
        required=False,
        help_text=_(
            "Type the first letters of its name and choose it: its name and postcode are "
            "filled in, its INSEE code is kept."
        ),
        widget=CommunesWidget(
            url=COMMUNES_URL,
            multiple=False,
            name_field="id_commune",
            postcode_field="id_code_postal",
        ),
    )


class CommunesFormMixin:
    """A model form whose ``commune_code`` (``_commune_field``) and communes' lists are
    chosen by name and saved as INSEE codes. Without the script, codes or names may be
    typed: a name is looked up among the user's départements' communes."""

    # Set by the admin's get_form for the signed-in user.
    user_sees_all = False
    user_departements: frozenset[str] = frozenset()

    def _typed_communes(self, text: str, stored: str) -> list[str]:
        """``text``'s communes as INSEE codes; a code already ``stored`` is kept even if
        it is no longer current (a commune merged since)."""
        chosen = resolve_communes(
            text,
            departements=None if self.user_sees_all else self.user_departements,
            known=set(vocabulary.split_communes(stored or "")) if self.instance.pk else set(),
        )
        error = communes_error(chosen)
        if error is not None:
            raise error
        return chosen.codes

    def clean_commune_code(self):
        codes = self._typed_communes(self.cleaned_data["commune_code"], self.instance.commune_code)
        if len(codes) > 1:
            raise ValidationError(_("Choose one commune only."), code="several_communes")
        return codes[0] if codes else ""

    def _name_the_commune(self, cleaned) -> None:
        """The commune's name from its code when none was typed, or when the code changed
        alone: the script does it in the page, this without the script."""
        commune = selectors.commune_named(cleaned.get("commune_code") or "")
        if commune is not None and (
            not cleaned.get("commune")
            or ("commune_code" in self.changed_data and "commune" not in self.changed_data)
        ):
            cleaned["commune"] = commune.name


class StructureAdminForm(CommunesFormMixin, forms.ModelForm):
    commune_code = _commune_field()

    class Meta:
        model = Structure
        fields = "__all__"  # noqa: DJ007 - StructureAdmin.fields lists them
        formfield_callback = formfield_https_urls
        widgets = {"horaires_accueil": OpeningHoursWidget()}
        labels = {"commune": _("Name of the commune, as the app shows it")}
        help_texts = {
            "horaires_accueil": _(
                "Tick the open days and give their hours; the text field below follows "
                "(OpenStreetMap format), and may be typed directly."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        self._name_the_commune(cleaned)
        return cleaned


@admin.register(Structure)
class StructureAdmin(ScopedHistoryAdmin):
    form = StructureAdminForm
    fields = [
        "departement",
        "name",
        "description",
        "siret",
        "adresse",
        "complement_adresse",
        "commune_code",
        "commune",
        "code_postal",
        "latitude",
        "longitude",
        "telephone",
        "courriel",
        "site_web",
        "horaires_accueil",
        "source",
        "source_id",
        "created_at",
        "updated_at",
    ]
    list_display = ["name", "commune", "departement", "updated_at"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user_sees_all = user_sees_all_departements(request.user)
        form.user_departements = frozenset(
            departements_for_user(request.user).values_list("code", flat=True)
        )
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.structure_touch_entries(structure=obj)

    list_filter = [("departement", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "commune"]
    list_select_related = ["departement"]
    readonly_fields = ["source", "source_id", "created_at", "updated_at"]


def _translations_field(*fields: TranslatedField, layout: str) -> TranslationsField:
    return TranslationsField(
        languages_=vocabulary.TRANSLATED_LANGUAGES,
        fields=fields,
        layout=layout,
        label=capfirst(_("translations")),
        help_text=_("Leave a language empty: the app shows the French text."),
    )


class TranslationsFormMixin:
    """A model form whose ``translations`` (a ``TranslationsField``) keeps what it does
    not edit: languages and keys of the stored JSON the form does not show."""

    def clean_translations(self):
        field = self.fields["translations"]
        return merge_translations(
            self.instance.translations,
            self.cleaned_data["translations"],
            languages_=field.languages,
            keys=[translated.key for translated in field.translated_fields],
        )


class LabelledInlineFormSet(forms.BaseInlineFormSet):
    """A tabular inline whose every input is named by its column: Django's table heads
    label none of them, and a screen reader would read "edit text" alone."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            # The translations' inputs have labels of their own.
            widget = field.widget
            if field.label and not widget.is_hidden and not isinstance(widget, TranslationsWidget):
                widget.attrs.setdefault("aria-label", str(field.label))


class EntryStepForm(TranslationsFormMixin, forms.ModelForm):
    translations = _translations_field(
        TranslatedField("text", capfirst(_("step")), max_length=500), layout="details"
    )

    class Meta:
        model = EntryStep
        fields = ["position", "text", "translations"]


class EntryStepInline(admin.TabularInline):
    model = EntryStep
    form = EntryStepForm
    formset = LabelledInlineFormSet
    extra = 1
    fields = ["position", "text", "translations"]


class EntryClosureForm(TranslationsFormMixin, forms.ModelForm):
    translations = _translations_field(
        TranslatedField("message", capfirst(_("message")), max_length=300), layout="details"
    )

    class Meta:
        model = EntryClosure
        fields = ["starts_on", "ends_on", "message", "hours", "translations"]
        # The hours of the closure's days as a week, like the entry's own.
        widgets = {"hours": OpeningHoursWidget()}


class EntryClosureFormSet(LabelledInlineFormSet):
    def clean(self):
        """Two closures of the entry cannot share a day (the model checks each alone)."""
        super().clean()
        periods = [
            (form.cleaned_data.get("starts_on"), form.cleaned_data.get("ends_on"))
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        try:
            EntryClosure.check_no_overlap(periods)
        except ValidationError as error:
            raise ValidationError(error.messages, code="overlap") from None


class EntryClosureInline(admin.StackedInline):
    """Closures and exceptional hours, edited with their entry: whoever may change the
    entry (a partner, its proposals) may change them, nobody else."""

    model = EntryClosure
    form = EntryClosureForm
    formset = EntryClosureFormSet
    extra = 0
    fields = ["starts_on", "ends_on", "message", "hours", "translations"]

    def _entry_changeable(self, request, obj) -> bool:
        entry_admin = self.admin_site._registry[Entry]
        return obj is None or entry_admin.has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._entry_changeable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._entry_changeable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._entry_changeable(request, obj)


class StaleFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", _("Not reviewed for six months")), ("no", _("Reviewed recently"))]

    def queryset(self, request, queryset):
        stale = selectors.needs_review()
        if self.value() == "yes":
            return queryset.filter(stale)
        if self.value() == "no":
            return queryset.exclude(stale)
        return queryset


class ProposedByFilter(admin.SimpleListFilter):
    """Entries proposed by a partner organisation: the proposals curators review."""

    title = _("proposed by")
    parameter_name = "proposed_by"
    PARTNER = "partner"

    def lookups(self, request, model_admin):
        return [(self.PARTNER, _("A partner organisation"))]

    def queryset(self, request, queryset):
        if self.value() == self.PARTNER:
            return queryset.filter(selectors.proposed_by_partner())
        return queryset


def _translation_state_field(language: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=get_language_info(language)["name_translated"],
        choices=vocabulary.TRANSLATION_STATES,
        initial="to_translate",
        required=False,  # not sent: the state stays as it was
    )


class TranslationStateFilter(admin.SimpleListFilter):
    """Entries whose translation into a language is still to do (or only machine-made)."""

    title = _("translation to review")
    parameter_name = "to_translate"

    def lookups(self, request, model_admin):
        return [
            (language, get_language_info(language)["name_translated"])
            for language in vocabulary.TRANSLATED_LANGUAGES
        ]

    def queryset(self, request, queryset):
        language = self.value()
        if language in vocabulary.TRANSLATED_LANGUAGES:
            # No state yet is "to translate": a missing key compares as NULL, not unequal.
            return queryset.filter(
                Q(**{f"translation_states__{language}__isnull": True})
                | ~Q(**{f"translation_states__{language}": "reviewed"})
            )
        return queryset


def _entry_codes_field(name: str, choices) -> forms.MultipleChoiceField:
    """The JSON list of codes ``Entry.<name>`` as labelled checkboxes (the model's
    validators still check what is saved)."""
    model_field = Entry._meta.get_field(name)
    return codes_field(
        choices, label=capfirst(model_field.verbose_name), help_text=model_field.help_text
    )


class EntryAdminForm(CommunesFormMixin, TranslationsFormMixin, forms.ModelForm):
    # Set by EntryAdmin.get_form for the signed-in user (and user_departements, user_sees_all).
    user_is_partner = False

    publics = _entry_codes_field("publics", vocabulary.PUBLIC_CHOICES)
    modes_accueil = _entry_codes_field("modes_accueil", vocabulary.MODE_ACCUEIL_CHOICES)
    modes_mobilisation = _entry_codes_field(
        "modes_mobilisation", vocabulary.MODE_MOBILISATION_CHOICES
    )
    mobilisable_par = _entry_codes_field(
        "mobilisable_par", vocabulary.PERSONNE_MOBILISATRICE_CHOICES
    )
    situations = _entry_codes_field("situations", vocabulary.SITUATION_CHOICES)
    documents = _entry_codes_field("documents", vocabulary.DOCUMENT_CHOICES)

    translations = _translations_field(
        TranslatedField("title", capfirst(_("title")), max_length=150),
        TranslatedField("summary", capfirst(_("summary")), max_length=300),
        TranslatedField("body", capfirst(_("description")), multiline=True),
        layout="tabs",
    )
    commune_code = _commune_field()

    # How far each translation is, one choice per language (stored in translation_states).
    translation_state_en = _translation_state_field("en")
    translation_state_ar = _translation_state_field("ar")
    translation_state_ps = _translation_state_field("ps")
    translation_state_prs = _translation_state_field("prs")
    translation_state_ti = _translation_state_field("ti")

    class Meta:
        model = Entry
        exclude = ["search_text", "search_vector", "theme_codes", "translation_states"]  # noqa: DJ006 - fieldsets list the fields
        formfield_callback = formfield_https_urls
        widgets = {
            "zone_communes": CommunesWidget(url=COMMUNES_URL),
            "horaires_accueil": OpeningHoursWidget(),
        }
        labels = {"commune": _("Name of the commune, as the app shows it")}
        help_texts = {
            "zone_communes": _(
                "Type the first letters of a commune's name and choose it, as many times as "
                "needed. Without JavaScript: INSEE codes or names, separated by commas."
            ),
            "horaires_accueil": _(
                "Tick the open days and give their hours; the text field below follows "
                "(OpenStreetMap format), and may be typed directly."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        states = self.instance.translation_states or {}
        for language in vocabulary.TRANSLATED_LANGUAGES:
            field = self.fields[f"translation_state_{language}"]
            field.initial = states.get(language, "to_translate")
            # Whether a translation was reviewed is for the curators to say, not for
            # the partner who proposes the entry.
            field.disabled = self.user_is_partner

    def save(self, commit=True):
        states = dict(self.instance.translation_states or {})
        for language in vocabulary.TRANSLATED_LANGUAGES:
            chosen = self.cleaned_data.get(f"translation_state_{language}")
            if chosen and not self.user_is_partner:
                states[language] = chosen
        self.instance.translation_states = states
        return super().save(commit=commit)

    def clean_zone_communes(self):
        codes = self._typed_communes(
            self.cleaned_data["zone_communes"], self.instance.zone_communes
        )
        return ",".join(codes)

    def clean(self):
        # The entry's own invariants are Entry.clean's (run after this, by the model form)
        # and Entry.check_zone_departements': the services and imports enforce the same.
        cleaned = super().clean()
        if "scope" in cleaned and "zone_departements" in cleaned:
            try:
                Entry.check_zone_departements(cleaned["scope"], cleaned["zone_departements"])
            except ValidationError as error:
                self.add_error(None, error)
        if not self.user_sees_all:
            self._check_local_reach(cleaned)
        self._name_the_commune(cleaned)
        return cleaned

    def _check_local_reach(self, cleaned) -> None:
        """Département staff and partners reach their own départements, not the country."""
        if cleaned.get("scope") == Entry.Scope.NATIONAL:
            self.add_error(
                "scope", _("Only national editors curate entries that apply everywhere.")
            )
        foreign = [
            code
            for code in vocabulary.split_communes(cleaned.get("zone_communes") or "")
            if vocabulary.departement_of_commune(code) not in self.user_departements
        ]
        if foreign:
            self.add_error(
                "zone_communes",
                _("These communes are outside your départements: %(codes)s.")
                % {"codes": ", ".join(selectors.commune_label(code) for code in foreign)},
            )


class DataInclusionImportForm(forms.Form):
    departement = forms.ModelChoiceField(queryset=None, label=_("Département"))
    file = forms.FileField(label=_("data·inclusion JSON file"))
    publish = forms.BooleanField(
        required=False, label=_("Publish new entries at once (otherwise they are drafts)")
    )

    def __init__(self, *args, departements, can_publish: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].queryset = departements
        if not can_publish:
            del self.fields["publish"]


class SpreadsheetImportForm(forms.Form):
    departement = forms.ModelChoiceField(queryset=None, label=_("Département"))
    file = forms.FileField(
        label=_("Spreadsheet"), help_text=_("An .xlsx file, or CSV separated by ; or ,.")
    )

    def __init__(self, *args, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].queryset = departements
        if len(codes := list(departements.values_list("code", flat=True)[:2])) == 1:
            self.fields["departement"].initial = codes[0]  # theirs, chosen already

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Told before the upload is read into memory.
        if upload.size > spreadsheet.MAX_FILE_BYTES:
            raise ValidationError(_("The file is too large (10 MB at most)."))
        return upload


@admin.register(Entry)
class EntryAdmin(ObjectActionsMixin, ScopedHistoryAdmin):
    form = EntryAdminForm
    # The workflow's buttons on an entry's page (the same actions as the bulk menu), each
    # saying what happens next; which are shown is entry_next_steps' rule.
    object_actions = {
        "submit_for_review": (
            _("Submit for review"),
            _("A curator of the département reviews it before it is published."),
        ),
        "publish": (
            _("Publish"),
            _(
                "The entry appears in the app for the young people it concerns, "
                "within its validity dates."
            ),
        ),
        "archive": (
            _("Archive"),
            _("The entry leaves the app but stays here; it can be published again."),
        ),
        "return_to_draft": (
            _("Return to draft"),
            _("The entry is no longer in the app; its authors can change it and submit it again."),
        ),
        "mark_reviewed": (
            _("Mark as reviewed today"),
            _("You checked it is still right: it is no longer due for review for six months."),
        ),
    }
    change_list_template = "admin/services_catalog/entry/change_list.html"
    inlines = [EntryStepInline, EntryClosureInline]
    list_display = [
        "title",
        "kind",
        "status",
        "departement",
        "needs_review",
        "reviewed_at",
        "translations_done",
        "open_reports",
        "updated_at",
    ]
    list_filter = [
        "status",
        "kind",
        StaleFilter,
        ProposedByFilter,
        TranslationStateFilter,
        ("departement", admin.RelatedOnlyFieldListFilter),
        "scope",
    ]
    search_fields = ["title", "summary"]
    list_select_related = ["departement"]
    filter_horizontal = ["thematiques", "zone_departements"]
    readonly_fields = [
        "waiting_reports",
        "status",
        "proposed_by",
        "published_at",
        "reviewed_at",
        "source",
        "source_id",
        "quality_score",
        "created_at",
        "updated_at",
    ]
    actions = [
        "submit_for_review",
        "publish",
        "archive",
        "return_to_draft",
        "mark_reviewed",
    ]
    fieldsets = [
        (None, {"fields": ["kind", "status", "departement", "structure", "proposed_by"]}),
        (_("Errors reported in the app"), {"fields": ["waiting_reports"]}),
        (_("Text (French)"), {"fields": ["title", "summary", "body"]}),
        (_("Translations"), {"fields": ["translations"]}),
        (
            _("State of the translations"),
            {"fields": [f"translation_state_{code}" for code in vocabulary.TRANSLATED_LANGUAGES]},
        ),
        (
            _("data·inclusion"),
            {
                "fields": [
                    "thematiques",
                    "type",
                    "frais",
                    "frais_precisions",
                    "publics",
                    "modes_accueil",
                    "modes_mobilisation",
                    "mobilisable_par",
                ]
            },
        ),
        (
            _("Contact and place"),
            {
                "fields": [
                    "lien_mobilisation",
                    "telephone",
                    "courriel",
                    "horaires_accueil",
                    "adresse",
                    "commune_code",
                    "commune",
                    "code_postal",
                    "latitude",
                    "longitude",
                ]
            },
        ),
        (
            _("Where it applies"),
            {"fields": ["scope", "zone_departements", "zone_communes", "radius_km"]},
        ),
        (
            _("Who can claim it"),
            {
                "fields": [
                    "min_age",
                    "max_age",
                    "situations",
                    "deadline_kind",
                    "deadline_age",
                    "deadline_years",
                    "documents",
                ]
            },
        ),
        (
            _("Source and dates"),
            {
                "fields": [
                    "source_url",
                    "internal_note",
                    "valid_from",
                    "valid_until",
                    "reviewed_at",
                    "published_at",
                    "source",
                    "source_id",
                    "quality_score",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    @admin.display(description=_("translations reviewed"))
    def translations_done(self, entry: Entry) -> str:
        """ "2 / 5": how many of the app's languages have a reviewed translation."""
        states = entry.translation_states or {}
        reviewed = sum(
            states.get(language) == "reviewed" for language in vocabulary.TRANSLATED_LANGUAGES
        )
        return f"{reviewed} / {len(vocabulary.TRANSLATED_LANGUAGES)}"

    @admin.display(boolean=True, description=_("needs review"))
    def needs_review(self, entry: Entry) -> bool:
        return entry.reviewed_at is None or entry.reviewed_at < selectors.reviewed_before()

    @admin.display(description=_("open reports"), ordering="open_reports_count")
    def open_reports(self, entry: Entry) -> str:
        """How many error reports wait on the entry, linking to them."""
        count = getattr(entry, "open_reports_count", 0)
        if not count:
            return "0"
        url = reverse("admin:services_catalog_entryerrorreport_changelist")
        return format_html('<a href="{}?entry__id__exact={}">{}</a>', url, entry.pk, count)

    @admin.display(description=_("reports to look at"))
    def waiting_reports(self, entry: Entry) -> str:
        """The entry's open error reports, linking to them (and to all of them)."""
        url = reverse("admin:services_catalog_entryerrorreport_changelist")
        count = getattr(entry, "open_reports_count", 0)
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            f"{url}?entry__id__exact={entry.pk}&state=new",
            ngettext("%d report to look at", "%d reports to look at", count) % count,
            f"{url}?entry__id__exact={entry.pk}&state=all",
            _("all reports"),
        )

    def _sees_reports(self, request) -> bool:
        return request.user.has_perm("services_catalog.view_entryerrorreport")

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if not self._sees_reports(request):
            shown = [name for name in shown if name != "open_reports"]
        return shown

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self._sees_reports(request):
            # A partner does not see what the app's users report; a new entry has none.
            fieldsets = [fs for fs in fieldsets if "waiting_reports" not in fs[1]["fields"]]
        return fieldsets

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if _is_partner(request.user):
            # A partner organisation sees its own proposals only.
            queryset = queryset.filter(proposed_by=request.user)
        # A subquery, not a join: no GROUP BY over the scoping's DISTINCT and filters.
        waiting = (
            scope_queryset(EntryErrorReport.objects.all(), request.user, "departement")
            .filter(selectors.open_error_reports(), entry=OuterRef("pk"))
            .order_by()
            .values("entry")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return queryset.annotate(open_reports_count=Coalesce(Subquery(waiting), 0))

    def object_actions_for(self, request, obj) -> list[str]:
        steps = services.entry_next_steps(entry=obj, by=request.user)
        if _is_partner(request.user):
            # A partner proposes; what becomes of the proposal is the curators' call.
            return [step for step in steps if step == "submit_for_review"]
        return steps

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and _is_partner(request.user):
            return obj.status in (Entry.Status.DRAFT, Entry.Status.SUBMITTED)
        return allowed

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user_sees_all = user_sees_all_departements(request.user)
        form.user_departements = frozenset(
            departements_for_user(request.user).values_list("code", flat=True)
        )
        form.user_is_partner = _is_partner(request.user)
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.proposed_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        entry = form.instance
        # The form only offers the user's départements: keep the others the entry had.
        hidden = (
            list(
                entry.zone_departements.exclude(
                    code__in=departements_for_user(request.user).values("code")
                )
            )
            if change
            else []
        )
        super().save_related(request, form, formsets, change)
        if hidden:
            entry.zone_departements.add(*hidden)
        services.entry_reindex(entry=entry)

    def save_formset(self, request, form, formset, change):
        if formset.model is not EntryClosure:
            return super().save_formset(request, form, formset, change)
        # Through the services: the entry counts as changed (ETags, offline copies).
        closures = formset.save(commit=False)
        if closures or formset.deleted_objects:
            services.entry_closures_apply(
                entry=form.instance, save=closures, delete=formset.deleted_objects
            )
        return None

    def delete_model(self, request, obj):
        services.entry_delete(entry=obj)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            services.entry_delete(entry=entry)

    def _apply(self, request, queryset, service, done_message):
        done = 0
        for entry in queryset:
            try:
                service(entry=entry, by=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                message = error.messages[0] if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"{entry}: {message}", messages.WARNING)
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Submit for review"))
    def submit_for_review(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.entry_submit,
            lambda n: ngettext("%d entry submitted.", "%d entries submitted.", n) % n,
        )

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.entry_publish,
            lambda n: ngettext("%d entry published.", "%d entries published.", n) % n,
        )

    @admin.action(description=_("Archive"), permissions=["publish"])
    def archive(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.entry_archive,
            lambda n: ngettext("%d entry archived.", "%d entries archived.", n) % n,
        )

    @admin.action(description=_("Return to draft"))
    def return_to_draft(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.entry_return_to_draft,
            lambda n: ngettext("%d entry back to draft.", "%d entries back to draft.", n) % n,
        )

    @admin.action(description=_("Mark as reviewed today"), permissions=["publish"])
    def mark_reviewed(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.entry_mark_reviewed,
            lambda n: (
                ngettext("%d entry marked as reviewed.", "%d entries marked as reviewed.", n) % n
            ),
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if _is_partner(request.user):
            # Once submitted, a partner's proposal is the curators' to send back, as its
            # page says (entry_next_steps): the bulk menu must not say otherwise.
            actions.pop("return_to_draft", None)
        return actions

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    def get_urls(self):
        urls = super().get_urls()
        return [
            path(
                "import-data-inclusion/",
                self.admin_site.admin_view(self.import_view),
                name="services_catalog_entry_import",
            ),
            path(
                "spreadsheet/export/",
                self.admin_site.admin_view(self.spreadsheet_export_view),
                name="services_catalog_entry_spreadsheet_export",
            ),
            path(
                "spreadsheet/import/",
                self.admin_site.admin_view(self.spreadsheet_import_view),
                name="services_catalog_entry_spreadsheet_import",
            ),
            path(
                "communes/",
                self.admin_site.admin_view(self.communes_view),
                name="services_catalog_entry_communes",
            ),
            *urls,
        ]

    def communes_view(self, request):
        """``?q=st denis``: the communes of the user's départements (every one for the
        national roles) whose name starts so, as JSON: the entry form's autocomplete."""
        if not (self.has_add_permission(request) or self.has_view_permission(request)):
            raise PermissionDenied
        departements = (
            None
            if user_sees_all_departements(request.user)
            else set(departements_for_user(request.user).values_list("code", flat=True))
        )
        found = selectors.communes_matching(
            request.GET.get("q", "")[:100], departements=departements, limit=15
        )
        return JsonResponse(
            {
                "results": [
                    {
                        "code": commune.code,
                        "name": commune.name,
                        "label": commune.label,
                        "departement": commune.departement,
                        "postcodes": list(commune.postcodes),
                    }
                    for commune in found
                ]
            }
        )

    def import_view(self, request):
        """Upload a data·inclusion file into one of the user's départements."""
        if not self.has_add_permission(request) or _is_partner(request.user):
            raise PermissionDenied
        can_publish = self.has_publish_permission(request)
        form = DataInclusionImportForm(
            request.POST or None,
            request.FILES or None,
            departements=departements_for_user(request.user),
            can_publish=can_publish,
        )
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8")
            except UnicodeDecodeError:
                form.add_error("file", _("The file must be UTF-8 JSON."))
            else:
                report = data_inclusion.import_file(
                    text=text,
                    departement=form.cleaned_data["departement"],
                    publish=can_publish and form.cleaned_data.get("publish", False),
                )
                self._message_import_report(request, report)
                return redirect("admin:services_catalog_entry_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a data·inclusion file"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/services_catalog/entry/import.html", context)

    def _message_import_report(self, request, report) -> None:
        """An import's counts, then each refused line with its reason."""
        self.message_user(
            request,
            _(
                "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(refused)d refused."
            )
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "refused": len(report.errors),
            },
            messages.WARNING if report.errors else messages.SUCCESS,
        )
        for line, reason in report.errors[:50]:
            self.message_user(
                request,
                _("Line %(line)d: %(reason)s") % {"line": line, "reason": reason},
                messages.ERROR,
            )

    def spreadsheet_export_view(self, request):
        """The entries of the list as it is filtered (and scoped), as an .xlsx file."""
        if not self.has_view_permission(request) or _is_partner(request.user):
            raise PermissionDenied
        try:
            entries = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            return redirect("admin:services_catalog_entry_changelist")
        response = HttpResponse(
            spreadsheet.export_workbook(entries), content_type=spreadsheet.XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{spreadsheet.export_filename()}"'
        return response

    def spreadsheet_import_view(self, request):
        """Upload a spreadsheet (an export, changed) into one of the user's départements."""
        may_write = self.has_add_permission(request) and self.has_change_permission(request)
        if not may_write or _is_partner(request.user):
            raise PermissionDenied
        form = SpreadsheetImportForm(
            request.POST or None,
            request.FILES or None,
            departements=departements_for_user(request.user),
        )
        if request.method == "POST" and form.is_valid():
            try:
                report = spreadsheet.import_file(
                    content=form.cleaned_data["file"].read(),
                    departement=form.cleaned_data["departement"],
                    user=request.user,
                    form_class=self.get_form(request),
                )
            except spreadsheet.UnreadableFile as error:
                form.add_error("file", str(error))
            else:
                self._message_import_report(request, report)
                if report.ignored_columns:
                    self.message_user(
                        request,
                        _("Columns left aside: %(columns)s.")
                        % {"columns": ", ".join(report.ignored_columns)},
                        messages.WARNING,
                    )
                return redirect("admin:services_catalog_entry_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a spreadsheet"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/services_catalog/entry/spreadsheet_import.html", context
        )


class ReportStateFilter(admin.SimpleListFilter):
    """The reports' state, opening on the new ones: the curators' queue."""

    title = _("state")
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*EntryErrorReport.State.choices, (self.ALL, _("All"))]

    def _chosen(self) -> str:
        return self.value() or EntryErrorReport.State.NEW

    def queryset(self, request, queryset):
        chosen = self._chosen()
        if chosen in EntryErrorReport.State.values:
            return queryset.filter(state=chosen)
        return queryset

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self._chosen() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


@admin.register(EntryErrorReport)
class EntryErrorReportAdmin(DepartementScopedModelAdmin):
    """What the app's users report as wrong, for the curators of the entry's département
    (national entries: the national editors). Who sent a report is never shown."""

    list_display = ["kind", "entry_link", "departement", "created_at", "state", "handled_at"]
    list_filter = [
        ReportStateFilter,
        "kind",
        ("departement", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["entry__title", "message"]
    list_select_related = ["entry", "departement"]
    date_hierarchy = "created_at"
    fields = [
        "entry_link",
        "departement",
        "kind",
        "message",
        "created_at",
        "state",
        "handled_by",
        "handled_at",
        "note",
    ]
    readonly_fields = [
        "entry_link",
        "departement",
        "kind",
        "message",
        "created_at",
        "handled_by",
        "handled_at",
    ]
    actions = ["mark_handled", "dismiss"]

    @admin.display(description=_("catalogue entry"), ordering="entry__title")
    def entry_link(self, report: EntryErrorReport) -> str:
        url = reverse("admin:services_catalog_entry_change", args=[report.entry_id])
        return format_html('<a href="{}">{}</a>', url, report.entry.title)

    def has_add_permission(self, request) -> bool:
        return False  # reports come from the app

    def save_model(self, request, obj, form, change):
        # The state goes through the service, which says who handled it and when; the
        # row is first saved as it was (the note), then moved.
        wanted = obj.state
        if change and "state" in form.changed_data:
            obj.state = form.initial["state"]
        super().save_model(request, obj, form, change)
        services.entry_error_report_set_state(report=obj, state=wanted, by=request.user)

    def _set_state(self, request, queryset, state: str, done_message) -> None:
        done = 0
        for report in queryset.exclude(state=state):
            services.entry_error_report_set_state(report=report, state=state, by=request.user)
            done += 1
        self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Mark as handled"), permissions=["change"])
    def mark_handled(self, request, queryset):
        self._set_state(
            request,
            queryset,
            EntryErrorReport.State.HANDLED,
            lambda n: ngettext("%d report handled.", "%d reports handled.", n) % n,
        )

    @admin.action(description=_("Dismiss"), permissions=["change"])
    def dismiss(self, request, queryset):
        self._set_state(
            request,
            queryset,
            EntryErrorReport.State.DISMISSED,
            lambda n: ngettext("%d report dismissed.", "%d reports dismissed.", n) % n,
        )
