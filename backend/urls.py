from importlib import import_module

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import health, metrics
from .api.exceptions import page_not_found
from .api.vocabulary import VocabularyView
from .converters import register_converters

# The admin login goes through allauth: rate limits and two-factor authentication apply.
admin.site.login = secure_admin_login(admin.site.login)

# Before the apps' URLs are included: they use <id:...> and <departement:...>.
register_converters()


def patterns_of(*modules: str) -> list:
    """The URL patterns of several modules, named by dotted path as ``include()`` names
    one: one prefix served by apps of several layers (``/pro/``)."""
    return [pattern for module in modules for pattern in import_module(module).urlpatterns]


api_v1 = [
    path("", include("accounts.urls")),
    path("", include("services_catalog.urls")),
    path("", include("vault.urls")),
    path("", include("mentoring.urls")),
    path("", include("referents.urls")),
    path("", include("autonomy.urls")),
    path("", include("figures.urls")),
    path("vocabulary/", VocabularyView.as_view(), name="vocabulary"),
]

urlpatterns = [
    # The API's domain has no page of its own: a browser that opens it (or comes back
    # after signing out) reaches the sign-in, which sends each professional onwards.
    path("", RedirectView.as_view(pattern_name="account_login"), name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Before allauth's: a staff account's TOTP activation needs an enrolment code.
    path("_allauth/", include("accounts.allauth_urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/v1/", include(api_v1)),
    # What providers post to (SMS delivery receipts), authenticated by a secret in the path.
    path("hooks/", include("mentoring.hook_urls")),
    # What a share link opens in a browser (the token after "#", never sent).
    path("partage/", include("vault.pages")),
    # The professional space of référents (server-rendered pages).
    # One /pro/ space: the référents' pages, and the path to autonomy's (an app above).
    path("pro/", include(patterns_of("referents.page_urls", "autonomy.page_urls"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    # Anything else under /api/ is a JSON 404, even with DEBUG on and without a final
    # slash (no HTML page, no redirect that would turn a PATCH into a GET).
    re_path(r"^api/", page_not_found),
]

handler400 = "backend.api.exceptions.bad_request"
handler403 = "backend.api.exceptions.permission_denied"
handler404 = "backend.api.exceptions.page_not_found"
handler500 = "backend.api.exceptions.server_error"
