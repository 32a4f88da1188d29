"""The page a share link opens in a browser: the professional's way to the document.

The link is ``/partage/#<token>``: the token sits in the fragment, which browsers never
send, so no server, proxy or log sees it. The page's script reads it and asks the API
with the ``X-Share-Token`` (and ``X-Share-Code``) headers.
"""

from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Only the page's own script, talking to its own origin; no inline code, no framing;
# images from the page's own blob: URLs (the preview of a shared image).
_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@require_GET
@cache_control(no_store=True)
def shared_link_page(request):
    """The share link's page: the same for every link, the token never reaches it."""
    response = render(
        request,
        "vault/shared_link.html",
        {"details_url": reverse("vault-shared"), "content_url": reverse("vault-shared-content")},
    )
    response["Content-Security-Policy"] = _PAGE_POLICY
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [path("", shared_link_page, name="vault-shared-page")]
