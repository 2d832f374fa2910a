"""Who holds what of ours: vendors, the data we share, and whose data it is."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from breachdesk.choices import ChoiceLabels
from vendors.validators import validate_jurisdiction_codes

# A contractual window longer than a year is a typo, not a contract.
MAX_WINDOW_HOURS = 24 * 366
# More records than there are people on Earth, ten times over, is a typo.
MAX_RECORDS = 100_000_000_000

# Choices are defined at module level so that Meta.constraints can name them
# (a nested class body cannot see its model's namespace); code uses the model
# aliases, such as Vendor.Tier.


class VendorTier(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class VendorStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    OFFBOARDED = "offboarded", _("Offboarded")


class Vendor(ChoiceLabels, models.Model):
    Tier = VendorTier
    Status = VendorStatus

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    services = models.TextField(
        _("services"), blank=True, help_text=_("What the vendor does for us.")
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier, default=Tier.MEDIUM)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.ACTIVE)
    relationship_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_vendors",
    )
    notify_us_within_hours = models.PositiveIntegerField(
        _("must notify us within (hours)"),
        null=True,
        blank=True,
        help_text=_(
            "The contract's deadline for the vendor to tell us about a breach, in hours "
            "from when they became aware. Leave empty if the contract sets none."
        ),
    )
    jurisdictions = models.JSONField(
        _("processes data in"),
        default=list,
        blank=True,
        validators=[validate_jurisdiction_codes],
        help_text=_("Where the vendor processes our data: ISO codes such as IE, DE, US-CA."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who changed what, when, from what to what: shown on the inventory pages.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = [Lower("name")]
        permissions = [
            ("view_inventory", "Can read the vendor inventory"),
            ("export_inventory", "Can export the vendor inventory"),
            ("manage_inventory", "Can change the vendor inventory"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="vendor_name_unique_ci",
                violation_error_message=_("A vendor with this name already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(tier__in=VendorTier.values), name="vendor_tier_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=VendorStatus.values),
                name="vendor_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(notify_us_within_hours__isnull=True)
                | models.Q(
                    notify_us_within_hours__gte=1, notify_us_within_hours__lte=MAX_WINDOW_HOURS
                ),
                name="vendor_notify_window_in_range",
                violation_error_message=_("A notification window is between 1 hour and a year."),
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="vendor_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("vendors:detail", kwargs={"slug": self.slug})


class VendorContact(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    role = models.CharField(_("role"), max_length=120, blank=True)
    is_security_contact = models.BooleanField(
        _("security contact"),
        default=False,
        help_text=_("Who we call first when we hear the vendor may be breached."),
    )

    class Meta:
        ordering = ["-is_security_contact", Lower("name")]
        constraints = [
            models.UniqueConstraint(
                "vendor",
                Lower("email"),
                name="vendor_contact_email_unique_ci",
                violation_error_message=_("This vendor already has a contact with this email."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class StakeholderKind(models.TextChoices):
    PARTNER = "partner", _("Partner")
    CUSTOMER = "customer", _("Customer")
    REGULATOR = "regulator", _("Regulator")
    INSURER = "insurer", _("Insurer")
    INTERNAL = "internal", _("Internal team")


class Stakeholder(ChoiceLabels, models.Model):
    """An organisation we may have to tell: a partner, a regulator, an insurer…"""

    Kind = StakeholderKind

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.PARTNER)
    notify_within_hours = models.PositiveIntegerField(
        _("we must notify them within (hours)"),
        null=True,
        blank=True,
        help_text=_(
            "Our contractual deadline to tell this stakeholder about a breach of their "
            "data, in hours from when we became aware. Leave empty if none is agreed."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who changed what, when, from what to what: shown on the inventory pages.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="stakeholder_name_unique_ci",
                violation_error_message=_("A stakeholder with this name already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=StakeholderKind.values), name="stakeholder_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(notify_within_hours__isnull=True)
                | models.Q(notify_within_hours__gte=1, notify_within_hours__lte=MAX_WINDOW_HOURS),
                name="stakeholder_notify_window_in_range",
                violation_error_message=_("A notification window is between 1 hour and a year."),
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="stakeholder_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("vendors:stakeholder-detail", kwargs={"slug": self.slug})


class StakeholderContact(models.Model):
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    role = models.CharField(_("role"), max_length=120, blank=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                "stakeholder",
                Lower("email"),
                name="stakeholder_contact_email_unique_ci",
                violation_error_message=_(
                    "This stakeholder already has a contact with this email."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class DataAssetKind(models.TextChoices):
    DATASET = "dataset", _("Dataset")
    MODEL_WEIGHTS = "model_weights", _("Model weights")
    SOURCE_CODE = "source_code", _("Source code")
    CREDENTIALS = "credentials", _("Credentials")
    DOCUMENTS = "documents", _("Internal documents")
    OTHER = "other", _("Other")


class DataAssetClassification(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
    RESTRICTED = "restricted", _("Restricted")


class DataAsset(ChoiceLabels, models.Model):
    """Something of ours that we share with vendors."""

    Kind = DataAssetKind
    Classification = DataAssetClassification

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.DATASET)
    classification = models.CharField(
        _("classification"),
        max_length=16,
        choices=Classification,
        default=Classification.CONFIDENTIAL,
    )
    description = models.TextField(_("description"), blank=True)
    owning_team = models.CharField(_("owning team"), max_length=120, blank=True)
    approx_records = models.PositiveBigIntegerField(
        _("approximate records"),
        null=True,
        blank=True,
        help_text=_("Rows, files or people, roughly. Leave empty if unknown."),
    )
    personal_data = models.BooleanField(
        _("personal data"),
        default=False,
        help_text=_("Holds information about identifiable people."),
    )
    special_category_data = models.BooleanField(
        _("special-category data"),
        default=False,
        help_text=_(
            "GDPR Art. 9: racial or ethnic origin, political opinions, religion, union "
            "membership, genetic or biometric data, sex life or orientation."
        ),
    )
    health_data = models.BooleanField(_("health data"), default=False)
    financial_data = models.BooleanField(
        _("financial data"), default=False, help_text=_("Account, card or payment details.")
    )
    subject_jurisdictions = models.JSONField(
        _("data subjects in"),
        default=list,
        blank=True,
        validators=[validate_jurisdiction_codes],
        help_text=_("Where the people in this data live: ISO codes such as DE, FR, US-CA."),
    )
    stakeholders = models.ManyToManyField(
        Stakeholder,
        verbose_name=_("whose data"),
        blank=True,
        related_name="data_assets",
        help_text=_("The partners, customers or others whose data this contains."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who changed what, when, from what to what: shown on the inventory pages.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="data_asset_name_unique_ci",
                violation_error_message=_("A data asset with this name already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=DataAssetKind.values), name="data_asset_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(classification__in=DataAssetClassification.values),
                name="data_asset_classification_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(approx_records__isnull=True)
                | models.Q(approx_records__lte=MAX_RECORDS),
                name="data_asset_records_plausible",
                violation_error_message=_(
                    "That is more records than is plausible; check the number."
                ),
            ),
            # Health, financial and special-category data are kinds of personal data.
            models.CheckConstraint(
                condition=models.Q(personal_data=True)
                | models.Q(special_category_data=False, health_data=False, financial_data=False),
                name="data_asset_sensitive_implies_personal",
                violation_error_message=_(
                    "Special-category, health and financial data are personal data: "
                    "tick “personal data” too."
                ),
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="data_asset_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("vendors:asset-detail", kwargs={"slug": self.slug})

    @property
    def data_categories(self) -> list[str]:
        """The categories that drive notification duties, in the words legal uses."""
        categories = []
        if self.personal_data:
            categories.append("personal")
        if self.special_category_data:
            categories.append("special_category")
        if self.health_data:
            categories.append("health")
        if self.financial_data:
            categories.append("financial")
        return categories


class EngagementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class Engagement(ChoiceLabels, models.Model):
    """A piece of work with a vendor, and what we shared and granted for it."""

    Status = EngagementStatus

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="engagements")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_engagements",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.ACTIVE)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    data_assets = models.ManyToManyField(
        DataAsset,
        verbose_name=_("data shared"),
        blank=True,
        related_name="engagements",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who changed what, when, from what to what: shown on the inventory pages.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["vendor", Lower("name")]
        constraints = [
            models.UniqueConstraint(
                "vendor",
                Lower("name"),
                name="engagement_name_unique_per_vendor",
                violation_error_message=_("This vendor already has an engagement with this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EngagementStatus.values),
                name="engagement_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(started_on__isnull=True)
                | models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="engagement_ends_after_start",
                violation_error_message=_("An engagement cannot end before it started."),
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="engagement_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor}: {self.name}"


class EngagementAccessKind(models.TextChoices):
    SYSTEM = "system", _("System")
    ACCOUNT = "account", _("Account")
    KEY = "key", _("Key or token")
    NETWORK = "network", _("Network access")


class EngagementAccess(ChoiceLabels, models.Model):
    """Access granted to the vendor for an engagement: what to revoke in a breach."""

    Kind = EngagementAccessKind

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="accesses")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.SYSTEM)
    description = models.CharField(_("description"), max_length=300)

    class Meta:
        ordering = ["kind", "description"]
        verbose_name_plural = _("engagement accesses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EngagementAccessKind.values),
                name="engagement_access_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"
