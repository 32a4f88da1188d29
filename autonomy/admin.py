"""Staff choose which catalogue entries say what to do before each milestone, and adapt
the assessment's référentiel.

Interviews, projets, assessments and check-ins have no admin page: they are the young
person's, and the référents they linked read them in /pro/ (the département sees counts
in the figures).

The référentiel: national editors write the national items; a département's staff hide a
national item there or validate it (*Départements' choices for the items*), and write
their own items, asked only in their département. An answered item is never rewritten
(its wording and domain are read-only, it cannot be deleted): retire it in a version and
write a new one that replaces it, so that past answers keep their meaning.
"""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import (
    DepartementScopedModelAdmin,
    departements_for_user,
    user_sees_all_departements,
)
from services_catalog.models import Entry

from . import selectors
from .models import AssessmentItem, DepartementItemChoice, MilestoneEntry


class MilestoneEntryForm(forms.ModelForm):
    class Meta:
        model = MilestoneEntry
        fields = ["milestone", "entry", "position"]

    def clean_entry(self):
        entry = self.cleaned_data["entry"]
        # The law's path is the same everywhere: a local offer would show to young people
        # of every département.
        if entry is not None and entry.scope != Entry.Scope.NATIONAL:
            raise forms.ValidationError(
                _("Choose an entry that applies everywhere: the milestones are national.")
            )
        return entry


@admin.register(MilestoneEntry)
class MilestoneEntryAdmin(admin.ModelAdmin):
    form = MilestoneEntryForm
    list_display = ["milestone", "entry", "position"]
    list_filter = ["milestone"]
    autocomplete_fields = ["entry"]
    ordering = ["milestone", "position"]


ITEM_FIELDS = [
    "key",
    "domain",
    "text",
    "position",
    "departement",
    "version",
    "retired_in",
    "replaces",
    "to_validate",
]


class AssessmentItemForm(forms.ModelForm):
    """An item's key (its name in the answers) is made from its words when left empty:
    staff write an item, not an identifier."""

    class Meta:
        model = AssessmentItem
        fields = ITEM_FIELDS
        help_texts = {"key": _("Left empty, it is made from the item's words.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "key" in self.fields:
            self.fields["key"].required = False

    def clean(self):
        cleaned = super().clean()
        if "key" in self.fields and not cleaned.get("key") and cleaned.get("text"):
            cleaned["key"] = selectors.free_item_key(cleaned["text"])
            self.instance.key = cleaned["key"]
        return cleaned


@admin.register(AssessmentItem)
class AssessmentItemAdmin(admin.ModelAdmin):
    form = AssessmentItemForm
    list_display = ["text", "domain", "departement", "version", "retired_in", "to_validate"]
    list_filter = ["domain", "to_validate", ("departement", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text", "key"]
    ordering = ["domain", "position", "id"]
    fields = ITEM_FIELDS
    autocomplete_fields = ["replaces"]  # an item found by its words, not its number

    def get_queryset(self, request):
        items = super().get_queryset(request).select_related("departement")
        if user_sees_all_departements(request.user):
            return items
        return items.filter(
            Q(departement__isnull=True) | Q(departement__in=departements_for_user(request.user))
        )

    def _writable(self, request, obj) -> bool:
        """National items are the national editors'; a département's, its staff's."""
        if obj is None or user_sees_all_departements(request.user):
            return True
        return obj.departement_id is not None and (
            departements_for_user(request.user).filter(pk=obj.departement_id).exists()
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._writable(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.answers.exists():
            return False  # answered: retire it instead
        return super().has_delete_permission(request, obj) and self._writable(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = []
        if not user_sees_all_departements(request.user):
            # The versions are the national référentiel's; a département's own item takes
            # the current one, and is hidden there rather than retired.
            readonly += ["version", "retired_in", "replaces", "to_validate"]
        if obj is not None and obj.answers.exists():
            readonly += ["key", "domain", "text", "departement", "version"]
        return list(dict.fromkeys(readonly))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "departement" and not user_sees_all_departements(request.user):
            kwargs["queryset"] = departements_for_user(request.user)
            kwargs["required"] = True  # a département's staff write their own items only
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not user_sees_all_departements(request.user) and not change:
            obj.version = selectors.referentiel_version()
        if obj.departement_id is not None and not change:
            obj.to_validate = False  # written by the département itself
        super().save_model(request, obj, form, change)


@admin.register(DepartementItemChoice)
class DepartementItemChoiceAdmin(DepartementScopedModelAdmin):
    list_display = ["item", "departement", "hidden", "validated"]
    list_filter = ["hidden", "validated", ("departement", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["item", "departement"]
    search_fields = ["item__text"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "item":
            # National items, and the département's own (hidden there when no longer asked).
            kwargs["queryset"] = AssessmentItem.objects.filter(
                Q(departement__isnull=True) | Q(departement__in=departements_for_user(request.user))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
