from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .roles import Role


class Departement(models.Model):
    """One of the 101 French départements (reference data, loaded by a migration)."""

    code = models.CharField(_("INSEE code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    region_code = models.CharField(_("region code"), max_length=2)
    region_name = models.CharField(_("region"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")
        verbose_name_plural = _("départements")

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        """Used by ``createsuperuser``: the address is verified, so the admin can sign in."""
        from allauth.account.models import EmailAddress

        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.NATIONAL_EDITOR)
        user = self._create_user(email, password, **extra_fields)
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in, by e-mail. What they may do follows from ``role``.

    No last name is stored: nothing in Jalon needs it, so we do not keep it.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.YOUNG_PERSON
    )
    # For admin roles: the départements they work for (scoping of the admin panel).
    # A young person's département is on their profile instead.
    departements = models.ManyToManyField(
        Departement,
        verbose_name=_("départements"),
        blank=True,
        related_name="members",
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can sign in to the admin panel."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        # What staff see wherever the admin names a user (lists, selects, the admin log's
        # object_repr): never the e-mail address (see ``user_display``).
        return user_display(self)


# Changing the salt changes every display number shown to staff.
DISPLAY_NUMBER_SALT = "jalon.accounts.display-number"


def display_number(user_id: int) -> str:
    """A six-digit number that tells accounts apart in the admin without being their id.

    It is keyed with the server's secret, so the number cannot be turned back into the
    id (nor into an e-mail address) by whoever reads a screen or an admin log line.
    Two accounts may share a number (one in a million); the first name usually tells them
    apart, and nothing relies on it being unique.
    """
    digest = salted_hmac(DISPLAY_NUMBER_SALT, str(user_id), algorithm="sha256").hexdigest()
    return f"{int(digest[:12], 16) % 1_000_000:06d}"


def user_display(user) -> str:
    """How staff see a person: first name and a pseudonymous number ("Nour · n° 042817")."""
    name = user.first_name or _("user")
    if user.pk is None:
        return str(name)
    return f"{name} · n° {display_number(user.pk)}"


class Language(models.TextChoices):
    """Languages a young person may speak (ISO 639 codes), for matching and content."""

    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    PASHTO = "ps", _("Pashto")
    DARI = "prs", _("Dari")
    TIGRINYA = "ti", _("Tigrinya")
    SOMALI = "so", _("Somali")
    BENGALI = "bn", _("Bengali")
    SPANISH = "es", _("Spanish")
    PORTUGUESE = "pt", _("Portuguese")
    ROMANIAN = "ro", _("Romanian")
    RUSSIAN = "ru", _("Russian")
    UKRAINIAN = "uk", _("Ukrainian")
    TURKISH = "tr", _("Turkish")
    LINGALA = "ln", _("Lingala")
    WOLOF = "wo", _("Wolof")
    BAMBARA = "bm", _("Bambara")
    SONINKE = "snk", _("Soninke")
    FULA = "ff", _("Fula")
    URDU = "ur", _("Urdu")
    GEORGIAN = "ka", _("Georgian")
    ALBANIAN = "sq", _("Albanian")


# The situation flags of a profile, in the order the app shows them.
SITUATION_FLAGS = (
    "in_care",
    "care_leaver",
    "jeune_majeur_contract",
    "student",
    "apprentice",
    "job_seeker",
    "employed",
    "parent",
    "disability_recognition",
    "unaccompanied_minor",
)

postcode_validator = RegexValidator(
    r"^[0-9]{5}$", _("Enter a French postcode of five digits."), code="invalid_postcode"
)

commune_code_validator = RegexValidator(
    r"^([0-9]{5}|2[AB][0-9]{3})$", _("Enter an INSEE commune code."), code="invalid_commune"
)


class YoungPersonProfile(models.Model):
    """What a young person tells about themselves; it drives their personalised rights.

    Everything is optional at sign-up: the app fills it step by step.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("account"),
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="young_people",
    )
    postcode = models.CharField(
        _("postcode"), max_length=5, blank=True, validators=[postcode_validator]
    )
    commune_code = models.CharField(
        _("INSEE commune code"),
        max_length=5,
        blank=True,
        validators=[commune_code_validator],
        help_text=_("The app fills it from the postcode; it places local offers exactly."),
    )

    in_care = models.BooleanField(_("in care (ASE)"), default=False)
    care_leaver = models.BooleanField(_("care leaver"), default=False)
    jeune_majeur_contract = models.BooleanField(
        _("under an accompagnement jeune majeur contract"), default=False
    )
    student = models.BooleanField(_("student"), default=False)
    apprentice = models.BooleanField(_("apprentice"), default=False)
    job_seeker = models.BooleanField(_("job seeker"), default=False)
    employed = models.BooleanField(_("employed"), default=False)
    parent = models.BooleanField(_("parent"), default=False)
    disability_recognition = models.BooleanField(
        _("disability recognition (RQTH, MDPH)"), default=False
    )
    unaccompanied_minor = models.BooleanField(
        _("unaccompanied minor (MNA) or formerly one"), default=False
    )
    # The dates the law's milestones count from (CASF L.222-5-1 and L.222-5-2-1): entering
    # care after 17 brings the interview forward; leaving care starts the six months.
    care_started_on = models.DateField(_("in care since"), null=True, blank=True)
    care_ended_on = models.DateField(_("care ended on"), null=True, blank=True)

    languages = models.JSONField(_("languages spoken"), default=list, blank=True)

    notify_by_push = models.BooleanField(_("notifications on the phone"), default=True)
    notify_by_email = models.BooleanField(_("notifications by e-mail"), default=True)
    notify_by_sms = models.BooleanField(_("notifications by SMS"), default=False)
    # The monthly "Où en es-tu ?": at most one reminder a month, and none if switched off.
    notify_check_in = models.BooleanField(_("monthly check-in reminder"), default=True)

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("young person's profile")
        verbose_name_plural = _("young people's profiles")

    def __str__(self) -> str:
        return f"profile #{self.pk}"


class DepartementContact(models.Model):
    """A contact point of a département for young people: ASE service, referent, helpline.

    Curated by the département's staff in the admin; shown in the app.
    """

    class Kind(models.TextChoices):
        ASE_SERVICE = "ase_service", _("Child protection service (ASE)")
        CARE_LEAVER_REFERENT = "care_leaver_referent", _("Care leavers referent")
        HELPLINE = "helpline", _("Helpline")
        OTHER = "other", _("Other")

    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["departement", "kind", "name"]
        verbose_name = _("département contact")
        verbose_name_plural = _("département contacts")

    def __str__(self) -> str:
        return self.name


class ActivityDay(models.Model):
    """A day on which a young person used the app: "active accounts" in the figures.

    One row per person and day at most, nothing about what they did. Erased with the
    account.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activity_days",
        verbose_name=_("account"),
    )
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("day of activity")
        verbose_name_plural = _("days of activity")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="accounts_activity_once_a_day")
        ]
        indexes = [models.Index(fields=["day", "user"], name="accounts_activity_day_idx")]

    def __str__(self) -> str:
        return f"active on {self.day}"


class StaffEnrolment(models.Model):
    """A single-use code that lets one staff account set up its second factor (TOTP).

    A staff password alone must not be enough to enrol an authenticator: whoever holds
    the account's access (a superuser, or an operator on the server) issues a code and
    hands it over out of band. Only a hash of the code is kept.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_enrolments",
        verbose_name=_("staff account"),
    )
    code_hash = models.CharField(_("hash of the code"), max_length=256)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff enrolment code")
        verbose_name_plural = _("staff enrolment codes")

    def __str__(self) -> str:
        return f"enrolment #{self.pk}"
