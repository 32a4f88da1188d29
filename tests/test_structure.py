"""The shape every app shares (README, "Layout and layers"), checked on the code itself.

- One name for the INSEE commune code: ``commune_code``, in every model; data·inclusion's
  own name (``code_insee``) appears only inside its adapter.
- Views reach a protected object only through an access helper of their app's
  ``selectors.py`` (``<resource>_get_for_user`` / ``<resources>_for_user``): no view
  filters on the signed-in user itself, nor picks an object with ``get_object_or_404``.
- Each job has its conventional file in every app; ``personal_data.py`` only where the
  app keeps rows about someone (the figures keep counts only).
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "vault", "services_catalog", "mentoring", "referents", "autonomy", "figures")
ORM_READS = {"filter", "get", "exclude", "get_or_create", "first"}


def _view_modules() -> list[Path]:
    """Every module of views: under /api/ (``api.py`` of an app or of a sub-package) and
    the server-rendered pages (``pages.py``)."""
    return sorted(
        path for app in APPS for name in ("api.py", "pages.py") for path in (ROOT / app).rglob(name)
    )


def _python_files() -> list[Path]:
    return sorted(
        path
        for app in (*APPS, "demo", "backend", "bench")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_every_model_calls_the_insee_commune_code_commune_code():
    named = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.name == "code_insee"
    ]
    assert named == []


def test_data_inclusions_name_for_the_commune_code_stays_inside_its_adapter():
    adapter = ROOT / "services_catalog" / "data_inclusion.py"
    outside = [
        str(path.relative_to(ROOT))
        for path in _python_files()
        if path != adapter and "code_insee" in path.read_text()
    ]
    assert outside == []


@pytest.mark.parametrize("module", _view_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_views_reach_protected_objects_only_through_access_helpers(module):
    inlined = []
    for node in ast.walk(ast.parse(module.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name == "get_object_or_404":
            inlined.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif name in ORM_READS and "objects" in ast.unparse(node.func):
            arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
            if any("request.user" in ast.unparse(argument) for argument in arguments):
                inlined.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert inlined == []


# Every app has these, one job each (README, "Layout and layers"): models, the admin, the
# API's views and routes, its serializers, reads, writes and periodic tasks.
EVERY_APP = {
    "models.py",
    "admin.py",
    "api.py",
    "urls.py",
    "serializers.py",
    "selectors.py",
    "services.py",
    "tasks.py",
}


@pytest.mark.parametrize("app", APPS)
def test_every_app_gives_each_job_its_conventional_file(app):
    files = {path.name for path in (ROOT / app).glob("*.py")}
    assert EVERY_APP - files == set()


@pytest.mark.parametrize("app", APPS)
def test_an_app_has_a_personal_data_module_if_and_only_if_it_keeps_rows_about_someone(app):
    user_model = apps.get_model(settings.AUTH_USER_MODEL)

    def about_someone(model) -> bool:
        return model is user_model or any(
            field.concrete and field.is_relation and field.related_model is user_model
            for field in model._meta.get_fields()
        )

    keeps = any(about_someone(model) for model in apps.get_app_config(app).get_models())
    assert (ROOT / app / "personal_data.py").exists() == keeps
