"""Workflow buttons on an object's admin page, from the bulk actions it already has.

A ``ModelAdmin`` lists in ``object_actions`` some of its actions by name, each with the
button's label and a sentence saying what happens next ("The entry appears in the
app."). Its change page then shows one button per action the user may take on that
object in its present state (``object_actions_for``); pressing it runs the same action
function as the "Action" menu, on that object alone, and comes back to the page with
the action's own messages. The bulk actions stay as they were.

The buttons are in the page's form, below its "Save" buttons: pressing one first saves
what was typed (a date just entered, a note), validated as "Save" does, and runs the
action only once that is saved; a form with errors comes back with them and nothing is
run. An action the object's state no longer allows (another coordinator acted
meanwhile) is not run, and the page says so.

``<object id>/action/<name>/`` runs an action with a POST and no form, for a client that
has nothing to save; there an action the state does not allow is refused (403).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import path
from django.utils.functional import Promise
from django.utils.translation import gettext as _

# The name of the buttons in the change form; their value is the action's name.
ACTION_FIELD = "_object_action"


class ObjectActionsMixin:
    """Mixed into a ``ModelAdmin`` before it:
    ``object_actions = {"publish": (_("Publish"), _("It appears in the app."))}``.

    A ``change_form_template`` of its own extends ``admin/jalon/change_form.html``."""

    object_actions: dict[str, tuple[Promise | str, Promise | str]] = {}
    # What to ask before an action that cannot be taken back in one click (a pair ends):
    # {"suspend": _("Suspend this mentor? ...")}; the browser asks, the page stays if not.
    object_actions_confirm: dict[str, Promise | str] = {}
    change_form_template = "admin/jalon/change_form.html"

    def object_actions_for(self, request, obj) -> list[str]:
        """The names of ``object_actions`` that make sense for ``obj`` in its present state
        (all of them unless overridden); the user's permissions are checked apart."""
        return list(self.object_actions)

    def object_action_next(self, request, obj, name: str) -> str:
        """What happens next when ``name`` is pressed on ``obj``: the sentence of
        ``object_actions`` unless overridden (to put a setting's value in it...)."""
        return self.object_actions[name][1]

    def _permitted_actions(self, request, obj) -> dict:
        """The object actions ``request.user`` may take on ``obj``, whatever its state:
        change permission on it, and the action's own permissions (``get_actions``)."""
        if not self.has_change_permission(request, obj):
            return {}
        allowed = self.get_actions(request)  # already filtered by the actions' permissions
        return {name: allowed[name] for name in self.object_actions if name in allowed}

    def _object_buttons(self, request, obj) -> list[dict]:
        permitted = self._permitted_actions(request, obj)
        return [
            {
                "name": name,
                "label": self.object_actions[name][0],
                "next": self.object_action_next(request, obj, name),
                "confirm": self.object_actions_confirm.get(name, ""),
            }
            for name in self.object_actions_for(request, obj)
            if name in permitted
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
            extra_context["object_action_field"] = ACTION_FIELD
            extra_context["nothing_to_save"] = self._nothing_to_save(request, obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def _nothing_to_save(self, request, obj) -> bool:
        """Every field is read-only and the object cannot be deleted: the page shows no
        "Save" buttons that would save nothing, only the workflow's."""
        shown = admin.utils.flatten_fieldsets(self.get_fieldsets(request, obj))
        return not self.has_delete_permission(request, obj) and set(shown) <= set(
            self.get_readonly_fields(request, obj)
        )

    # --- A button pressed in the change form: saved first, then the action ------------

    def _action_requested(self, request) -> str:
        return request.POST.get(ACTION_FIELD, "") if request.method == "POST" else ""

    def save_model(self, request, obj, form, change):
        if change and self._action_requested(request) and not form.has_changed():
            return  # only the button was pressed: no empty version of the object
        super().save_model(request, obj, form, change)

    def log_change(self, request, obj, message):
        if not message and self._action_requested(request):
            return None  # nothing was changed: the action logs what it does
        request._jalon_changes_saved = True
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        name = self._action_requested(request)
        if not name:
            return super().response_change(request, obj)
        if getattr(request, "_jalon_changes_saved", False):
            self.message_user(request, _("Your changes are saved."), messages.SUCCESS)
        # What was typed is saved by now: whatever happens, back to the page (a stale
        # button says so there rather than as a refusal).
        return self._run_object_action(request, obj, name, stale_refused=False)

    # --- The same, with a POST of its own -------------------------------------------------

    def object_action_view(self, request, object_id, name):
        """POST only: run action ``name`` on this one object, then back to its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        # get_object reads through get_queryset: an object outside the user's scope is
        # not found, as on its change page.
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if obj is None:
            raise Http404
        return self._run_object_action(request, obj, name, stale_refused=True)

    def _run_object_action(self, request, obj, name, *, stale_refused: bool):
        """Run ``name`` on ``obj`` if the user may; one the object's state does not allow
        is refused (403) or, with ``stale_refused=False``, said on the object's page."""
        permitted = self._permitted_actions(request, obj)
        if name not in permitted:
            raise PermissionDenied
        applies = name in self.object_actions_for(request, obj)
        if not applies and stale_refused:
            raise PermissionDenied
        if applies:
            function = permitted[name][0]
            response = function(self, request, self.get_queryset(request).filter(pk=obj.pk))
            if isinstance(response, HttpResponseBase):
                return response  # a page of the action's own (a code shown once...)
        else:
            # Someone else acted meanwhile, or the page was old: say so, show it as it is.
            self.message_user(
                request,
                _("%(action)s: no longer possible, the page changed meanwhile. Here it is now.")
                % {"action": self.object_actions[name][0]},
                messages.WARNING,
            )
        meta = self.model._meta
        return redirect(
            f"{self.admin_site.name}:{meta.app_label}_{meta.model_name}_change",
            admin.utils.quote(obj.pk),
        )
