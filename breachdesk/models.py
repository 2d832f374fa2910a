import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from breachdesk.validators import validate_time_zone


class User(AbstractUser):
    """A person who signs in. Stakeholders outside the organisation never do."""

    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Times are stored in UTC and shown to you in this zone."),
    )

    calendar_token = models.UUIDField(
        _("calendar feed key"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("The secret in your calendar feed links; change it to revoke them."),
    )

    # Who this account is at the OpenID Connect provider (its ``sub`` claim).
    # Single sign-on finds accounts by this alone, never by email or name, so a
    # provider cannot take over a local (break-glass) account.
    oidc_subject = models.CharField(
        _("single sign-on subject"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The identity provider's id of this person; empty for local accounts."),
    )

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Heartbeat(models.Model):
    """The last time a periodic task ran: proof that beat and a worker are alive."""

    name = models.CharField(max_length=64, unique=True)
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """A form's one-time token, stored in the transaction of what the form created.

    A POST sent again after an error (the first was saved but its answer was
    lost) finds its token here and creates nothing a second time.
    """

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(
        "breachdesk.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.token)


class ApiToken(models.Model):
    """A personal API token: the secret is shown once, only its SHA-256 is kept.

    The token a client sends is ``bd_<prefix>_<secret>``; ``prefix`` (not
    secret) names the token on the preferences page, ``digest`` finds it.
    A token acts as its user, never as more: a read-only one only reads, a
    deactivated user's tokens stop working, and so do expired or revoked ones.
    """

    user = models.ForeignKey("breachdesk.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(_("read only"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} (bd_{self.prefix}…)"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and now < self.expires_at
