"""Workflow buttons on an object's admin page, from the bulk actions it already has.

A ``ModelAdmin`` lists in ``object_actions`` some of its actions by name, each with the
button's label and a sentence saying what happens next ("The entry appears in the
app."). Its change page
then shows one button per action the user may take on that object; pressing it runs the
same action function as the "Action" menu, on that object alone, and comes back to the
page with the action's own messages. The bulk actions stay as they were.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import Promise


class ObjectActionsMixin:
    """Mixed into a ``ModelAdmin`` before it:
    ``object_actions = {"publish": (_("Publish"), _("It appears in the app."))}``."""

    object_actions: dict[str, tuple[Promise | str, Promise | str]] = {}
    change_form_template = "admin/jalon/change_form.html"

    def object_actions_for(self, request, obj) -> list[str]:
        """The names of ``object_actions`` that make sense for ``obj`` in its present state
        (all of them unless overridden); the user's permissions are checked apart."""
        return list(self.object_actions)

    def _object_buttons(self, request, obj) -> list[dict]:
        allowed = self.get_actions(request)  # already filtered by the actions' permissions
        if not self.has_change_permission(request, obj):
            return []
        return [
            {
                "name": name,
                "label": self.object_actions[name][0],
                "next": self.object_actions[name][1],
                "url": reverse(
                    f"{self.admin_site.name}:{self._object_action_url_name()}",
                    args=[obj.pk, name],
                ),
            }
            for name in self.object_actions_for(request, obj)
            if name in allowed and name in self.object_actions
        ]

    def _object_action_url_name(self) -> str:
        meta = self.model._meta
        return f"{meta.app_label}_{meta.model_name}_object_action"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/action/<str:name>/",
                self.admin_site.admin_view(self.object_action_view),
                name=self._object_action_url_name(),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if obj is not None:
            extra_context["object_buttons"] = self._object_buttons(request, obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def object_action_view(self, request, object_id, name):
        """POST only: run action ``name`` on this one object, then back to its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        # get_object reads through get_queryset: an object outside the user's scope is
        # not found, as on its change page.
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if obj is None:
            raise Http404
        names = [button["name"] for button in self._object_buttons(request, obj)]
        if name not in names:
            raise PermissionDenied
        function = self.get_actions(request)[name][0]
        function(self, request, self.get_queryset(request).filter(pk=obj.pk))
        meta = self.model._meta
        return redirect(
            f"{self.admin_site.name}:{meta.app_label}_{meta.model_name}_change",
            admin.utils.quote(obj.pk),
        )
