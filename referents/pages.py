"""The professional web space, ``/pro/``: what a référent does, in server-rendered pages.

The views are thin: they check a form, call ``services`` and ``selectors`` (the same
functions as the API and the admin) and render a template. Every page of a référent
needs a session that passed the second factor, and answers with no cache, no referrer
and a Content-Security-Policy that allows only Jalon's own stylesheet.
"""

from functools import wraps

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.authentication import session_passed_second_factor
from accounts.models import User
from accounts.roles import Role
from services_catalog import selectors as catalog_selectors
from vault import selectors as vault_selectors
from vault import services as vault_services
from vault.api import file_response
from vault.models import AccessEvent

from . import selectors, services
from .exceptions import EntryNotFound, InvitationInvalid, LinkConflict, TooManyCodeAttempts
from .forms import (
    CatalogueSearchForm,
    InviteByCodeForm,
    InviteByEmailForm,
    NoteForm,
    ProfileForm,
    ProposeForm,
    WelcomeForm,
)
from .models import Link

# Only Jalon's stylesheet and images; no script, no framing, forms post to Jalon only.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# The session key holding the TOTP secret offered on the welcome page until it is used.
WELCOME_SECRET_KEY = "referents_welcome_totp_secret"  # noqa: S105 - a key name, no secret
SEARCH_RESULTS = 20
ALLAUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _harden(response):
    # A served document keeps its own, stricter policy (the vault's sandbox).
    response.setdefault("Content-Security-Policy", PAGE_POLICY)
    response["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with
    # a form's POST, and Django's CSRF check refuses it. Nothing leaves for another site.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _forbidden(request):
    return _harden(render(request, "referents/forbidden.html", status=403))


def _not_found(request):
    return _harden(render(request, "referents/not_found.html", status=404))


def referent_page(view):
    """A page of the professional space: a référent's session that passed TOTP only.

    Anonymous people are sent to sign in; other roles get a 403 page in French; a
    référent without TOTP is sent to their welcome page; a référent's session that did
    not pass the second factor is signed out and sent to sign in again.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.role != Role.REFERENT:
            return _forbidden(request)
        if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            logout(request)
            messages.warning(
                request,
                _("Set up your account first, with the code of your invitation."),
            )
            return redirect("pro-welcome")
        if not session_passed_second_factor(request.session, user):
            logout(request)
            messages.warning(request, _("Sign in again with your second factor."))
            return redirect_to_login(request.get_full_path())
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            # Not theirs, ended, or no such thing: the same French page for all three.
            return _not_found(request)
        return _harden(response)

    return wrapper


def _nav(request, current: str) -> dict:
    return {"nav_current": current}


# --- The first sign-in ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def welcome(request):
    """An invited référent chooses a password and sets up TOTP with their invitation code."""
    secret = request.session.get(WELCOME_SECRET_KEY)
    if not secret:
        secret = request.session[WELCOME_SECRET_KEY] = generate_totp_secret()
    form = WelcomeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                referent = services.referent_welcome(
                    email=form.cleaned_data["email"],
                    code=form.cleaned_data["invitation_code"],
                    password=form.cleaned_data["password1"],
                    totp_secret=secret,
                    totp_code=form.cleaned_data["totp_code"].strip(),
                    client_address=request.META.get("REMOTE_ADDR", ""),
                )
            except TooManyCodeAttempts as error:
                form.add_error(None, str(error))
                status = 429
            except InvitationInvalid as error:
                form.add_error(None, str(error))
            else:
                del request.session[WELCOME_SECRET_KEY]
                login(request, referent, backend=ALLAUTH_BACKEND)
                record_authentication(request, referent, method="password", email=referent.email)
                record_authentication(request, referent, method="mfa", type="totp")
                messages.success(request, _("Welcome to Jalon's professional space."))
                return redirect("pro-home")
    adapter = get_mfa_adapter()
    totp_url = adapter.build_totp_url(
        User(email=form.data.get("email") or _("your account")), secret
    )
    context = {
        "form": form,
        "secret": secret,
        "qr_svg": adapter.build_totp_svg(totp_url),
    }
    return _harden(render(request, "referents/welcome.html", context, status=status))


# --- "Mes jeunes" ---------------------------------------------------------------------------


@require_GET
@referent_page
def home(request):
    """The young people linked to me, what needs attention first."""
    files = services.young_people_overview_read(referent=request.user)
    others = selectors.ended_links_with_status(user=request.user, limit=50)
    return render(
        request,
        "referents/home.html",
        {"files": files, "others": others, **_nav(request, "home")},
    )


def _link(request, link_id: int) -> Link:
    return selectors.young_person_link_get_for_user(user=request.user, link_id=link_id)


@require_GET
@referent_page
def young_person(request, link_id: int):
    """One young person: what they shared, scope by scope (one line in their log)."""
    link = _link(request, link_id)
    file = services.young_person_file_read(link=link)
    return render(
        request,
        "referents/young_person.html",
        {"file": file, "link": link, "note_form": NoteForm(), **_nav(request, "home")},
    )


@require_POST
@referent_page
def note_add(request, link_id: int):
    """Write a note the young person reads in the app."""
    link = _link(request, link_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return render(request, "referents/note_form.html", {"form": form, "link": link}, status=400)
    services.note_add(link=link, body=form.cleaned_data["body"])
    messages.success(request, _("Your note was sent. The young person reads it in the app."))
    return redirect("pro-young-person", link_id=link.pk)


@require_http_methods(["GET", "POST"])
@referent_page
def propose(request, link_id: int):
    """Find a procedure in the catalogue and propose it; the young person accepts it."""
    link = _link(request, link_id)
    if request.method == "POST":
        form = ProposeForm(request.POST)
        if form.is_valid():
            try:
                services.demarche_propose(link=link, entry_id=form.cleaned_data["entry"])
            except (EntryNotFound, LinkConflict) as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("Proposed. The young person accepts it or not in the app.")
                )
                return redirect("pro-young-person", link_id=link.pk)
        search = CatalogueSearchForm()
        return render(
            request,
            "referents/propose.html",
            {"link": link, "search": search, "results": [], "errors": form.errors},
            status=400,
        )
    search = CatalogueSearchForm(request.GET or None)
    results = []
    if search.is_valid() and search.cleaned_data["q"]:
        results = list(
            catalog_selectors.search_text(
                catalog_selectors.entries_visible(), search.cleaned_data["q"], ranked=False
            ).order_by("title")[:SEARCH_RESULTS]
        )
    return render(
        request,
        "referents/propose.html",
        {"link": link, "search": search, "results": results, "searched": search.is_bound},
    )


@require_http_methods(["GET", "POST"])
@referent_page
def link_end(request, link_id: int):
    """End my link with a young person (after a confirmation step)."""
    link = _link(request, link_id)
    if request.method == "POST":
        services.link_end(link=link, reason=Link.EndReason.BY_REFERENT)
        messages.success(request, _("The link has ended. You no longer see this young person."))
        return redirect("pro-home")
    return render(request, "referents/link_end.html", {"link": link})


@require_GET
@referent_page
def document_open(request, link_id: int, share_id):
    """A document the young person shared with me: shown (images) or downloaded."""
    link = _link(request, link_id)
    share = vault_selectors.share_get_for_user(user=request.user, share_id=share_id)
    if share.document.owner_id != link.young_person_id:
        raise Http404
    document = vault_selectors.shared_document_view(share)
    pieces = vault_services.document_content(
        document=document,
        action=AccessEvent.Action.SHARE_ACCESS,
        actor=AccessEvent.Actor.REFERENT,
        share=share,
        actor_name=selectors.referent_display_name(request.user),
    )
    vault_services.share_used(share)
    return file_response(pieces, document, inline="download" not in request.GET, shared=True)


# --- Invitations and links ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@referent_page
def invite(request):
    """Invite a young person: a code to give in person, or an invitation to their account."""
    code_form = InviteByCodeForm(prefix="code")
    email_form = InviteByEmailForm(prefix="email")
    new_code = None
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind")
        if kind == "code":
            code_form = InviteByCodeForm(request.POST, prefix="code")
            if code_form.is_valid():
                invitation, code = services.invitation_code_create(
                    referent=request.user,
                    label=code_form.cleaned_data["label"],
                    suggested_scopes=code_form.cleaned_data["suggested_scopes"],
                )
                new_code = {"code": code, "expires_at": invitation.expires_at}
                code_form = InviteByCodeForm(prefix="code")
            else:
                status = 400
        elif kind == "email":
            email_form = InviteByEmailForm(request.POST, prefix="email")
            if email_form.is_valid():
                services.invitation_send(
                    referent=request.user,
                    email=email_form.cleaned_data["email"],
                    label=email_form.cleaned_data["label"],
                    suggested_scopes=email_form.cleaned_data["suggested_scopes"],
                )
                messages.success(
                    request,
                    _(
                        "Sent. If a young person has a Jalon account with this address, "
                        "they see your invitation in the app."
                    ),
                )
                return redirect("pro-invite")
            status = 400
        else:
            status = 400
            messages.error(request, _("Choose a way to invite."))
    invitations = selectors.invitations_sent_by_user(user=request.user)[:50]
    return render(
        request,
        "referents/invite.html",
        {
            "code_form": code_form,
            "email_form": email_form,
            "new_code": new_code,
            "invitations": invitations,
            **_nav(request, "invite"),
        },
        status=status,
    )


@require_POST
@referent_page
def invitation_withdraw(request, invitation_id: int):
    """Withdraw one of my invitations not yet answered."""
    invitation = selectors.invitation_sent_get_for_user(
        user=request.user, invitation_id=invitation_id
    )
    try:
        services.invitation_withdraw(invitation=invitation)
    except LinkConflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The invitation was withdrawn."))
    return redirect("pro-invite")


@require_GET
@referent_page
def links(request):
    """My links: active ones (to end) and those that ended or wait for confirmation."""
    active = selectors.young_people_links_for_user(user=request.user)
    others = selectors.ended_links_with_status(user=request.user, limit=100)
    return render(
        request,
        "referents/links.html",
        {"active": active, "others": others, **_nav(request, "links")},
    )


@require_http_methods(["GET", "POST"])
@referent_page
def profile(request):
    """How the young people who linked me may reach me."""
    referent_profile = selectors.referent_profile_get_for_user(user=request.user)
    form = ProfileForm(request.POST or None, instance=referent_profile)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.referent_profile_update(
                profile=selectors.referent_profile_get_for_user(user=request.user),
                data=form.cleaned_data,
            )
            messages.success(request, _("Saved."))
            return redirect("pro-profile")
        status = 400
    return render(
        request,
        "referents/profile.html",
        {"form": form, "referent_profile": referent_profile, **_nav(request, "profile")},
        status=status,
    )
