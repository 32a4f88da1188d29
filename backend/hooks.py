"""Hooks by convention: an app takes part in a cross-cutting job by having a module of
a known name (``figures.py``, ``personal_data.py``), as Django's admin finds ``admin.py``.

Shared infrastructure: the registries that read these modules (``figures.registry``,
``backend.personal_data``) sit above or beside the apps, and no ``AppConfig.ready()``
has to remember to register anything.
"""

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps


def discover(module_name: str) -> list[tuple[str, ModuleType]]:
    """``[(app_label, module), ...]``: each installed app's ``<app>.<module_name>``, in
    the order of ``INSTALLED_APPS``. Apps without such a module are left out; an error
    inside one that exists is raised, not hidden."""
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.{module_name}"
        # find_spec tells "no such module" from "the module failed to import".
        if config.module.__spec__.submodule_search_locations and find_spec(name):
            found.append((config.label, import_module(name)))
    return found
