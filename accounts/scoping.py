"""Département scoping: who may see which département's rows.

Everything that belongs to a département (offers, contacts, mentors, figures...) is
filtered here, in querysets, so that no view or admin page can forget it.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404

from .models import Departement
from .roles import DEPARTEMENT_SCOPED_ROLES, NATIONAL_ROLES


def user_sees_all_departements(user) -> bool:
    """Superusers and national roles work on every département."""
    return bool(user.is_active and (user.is_superuser or user.role in NATIONAL_ROLES))


def departements_for_user(user) -> QuerySet[Departement]:
    """The départements whose rows ``user`` may see and edit in the admin panel."""
    if not user.is_authenticated or not user.is_active:
        return Departement.objects.none()
    if user_sees_all_departements(user):
        return Departement.objects.all()
    if user.role in DEPARTEMENT_SCOPED_ROLES:
        return user.departements.all()
    return Departement.objects.none()


def scope_queryset(queryset: QuerySet, user, departement_lookup: str) -> QuerySet:
    """Keep the rows of ``queryset`` whose département (at ``departement_lookup``) ``user`` sees."""
    if user_sees_all_departements(user):
        return queryset
    codes = departements_for_user(user).values("code")
    return queryset.filter(**{f"{departement_lookup}__in": codes}).distinct()


class DepartementScopedAdminMixin:
    """Mixin for a ``ModelAdmin`` whose rows belong to a département.

    Set ``departement_lookup`` to the path from the model to its ``Departement``
    (``"departement"``, ``"structure__departement"``...). The list, the change and delete
    views, bulk actions (they act on ``get_queryset``), the choices of foreign keys to
    départements and to other scoped models, and saves are all limited to the
    départements of the signed-in user.
    """

    departement_lookup = "departement"

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user, self.departement_lookup)

    def _scoped_choices(self, db_field, request):
        related_model = db_field.remote_field.model
        if related_model is Departement:
            return departements_for_user(request.user)
        related_admin = self.admin_site._registry.get(related_model)
        if isinstance(related_admin, DepartementScopedAdminMixin):
            return related_admin.get_queryset(request)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self._scoped_choices(db_field, request)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = self._scoped_choices(db_field, request)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _check_in_scope(self, request, object_id) -> None:
        object_id = _primary_key_or_404(self.model, object_id)
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        # Django's and django-simple-history's history pages fall back to the history
        # rows when the object is out of the queryset: refuse before they look.
        self._check_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history's page of one past version: read-only, and scoped too.
        self._check_in_scope(request, object_id)
        if request.method != "GET":
            raise PermissionDenied
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        _primary_key_or_404(history.model, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        # The form already limits the choices; this guards hand-built forms, before and
        # after the save. The admin's change view runs in a transaction, so refusing
        # here rolls the save back.
        if change and obj.pk is not None:
            self._check_in_scope(request, obj.pk)
        super().save_model(request, obj, form, change)
        if not scope_queryset(
            type(obj)._default_manager.filter(pk=obj.pk), request.user, self.departement_lookup
        ).exists():
            raise PermissionDenied


def _primary_key_or_404(model, value):
    """``value`` from a URL as ``model``'s primary key; one that cannot be (``abc`` for a
    number) is a missing page, where the database would otherwise raise (a 500)."""
    try:
        return model._meta.pk.to_python(unquote(str(value)))
    except ValidationError:
        raise Http404 from None


class DepartementScopedModelAdmin(DepartementScopedAdminMixin, admin.ModelAdmin):
    """A ``ModelAdmin`` scoped by département (see the mixin)."""
