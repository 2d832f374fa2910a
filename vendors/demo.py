"""The demo scenario's inventory: a training-data vendor that holds two partners' data.

Fictional companies throughout. Records are found by name and created once,
so that loading twice changes nothing.
"""

from datetime import date

from breachdesk.models import User
from vendors.models import (
    DataAsset,
    Engagement,
    EngagementAccess,
    Stakeholder,
    StakeholderContact,
    Vendor,
    VendorContact,
)
from vendors.services import unique_slug

TRAINING_DATA_VENDOR = "Parallax Data Services"

STAKEHOLDERS = [
    {
        "name": "Helix Health Research GmbH",
        "kind": Stakeholder.Kind.PARTNER,
        "notify_within_hours": 48,
        "notes": "Research partner; its clinical dialogue data includes EU patients.",
        "contacts": [("Mira Albrecht", "privacy@helix-health.example", "Data protection officer")],
    },
    {
        "name": "Orbital Robotics Inc.",
        "kind": Stakeholder.Kind.PARTNER,
        "notify_within_hours": 72,
        "notes": "Shares teleoperation logs for robotics fine-tuning.",
        "contacts": [
            ("Jordan Pike", "security@orbital-robotics.example", "Security lead"),
            ("Orbital operations", "ops@orbital-robotics.example", "Operations desk"),
        ],
    },
    {
        "name": "Lead supervisory authority (IE)",
        "kind": Stakeholder.Kind.REGULATOR,
        "notify_within_hours": None,
        "notes": "GDPR Art. 33: within 72 hours of becoming aware, where feasible.",
        "contacts": [("Breach notifications desk", "breaches@supervisory-authority.example", "")],
    },
    {
        "name": "Meridian leadership team",
        "kind": Stakeholder.Kind.INTERNAL,
        "notify_within_hours": 4,
        "notes": "Chief executive, general counsel, chief security officer.",
        "contacts": [("Leadership list", "leadership@meridian-lab.example", "")],
    },
    {
        "name": "Bastion Cyber Insurance",
        "kind": Stakeholder.Kind.INSURER,
        "notify_within_hours": 72,
        "notes": "Policy requires notice of any claim circumstance.",
        "contacts": [("Claims", "claims@bastion-insurance.example", "Claims desk")],
    },
]

DATA_ASSETS = [
    {
        "name": "Helix clinical dialogue samples",
        "kind": DataAsset.Kind.DATASET,
        "classification": DataAsset.Classification.RESTRICTED,
        "owning_team": "Data partnerships",
        "approx_records": 48_000,
        "personal_data": True,
        "special_category_data": True,
        "health_data": True,
        "subject_jurisdictions": ["DE", "FR", "AT"],
        "description": "Pseudonymised patient–clinician dialogues for medical fine-tuning.",
        "stakeholders": ["Helix Health Research GmbH"],
    },
    {
        "name": "Orbital teleoperation logs",
        "kind": DataAsset.Kind.DATASET,
        "classification": DataAsset.Classification.CONFIDENTIAL,
        "owning_team": "Robotics",
        "approx_records": 1_200_000,
        "subject_jurisdictions": [],
        "description": "Sensor and control traces from Orbital's warehouse robots.",
        "stakeholders": ["Orbital Robotics Inc."],
    },
    {
        "name": "Meridian-7 model documentation",
        "kind": DataAsset.Kind.DOCUMENTS,
        "classification": DataAsset.Classification.CONFIDENTIAL,
        "owning_team": "Model release",
        "approx_records": 140,
        "description": "Draft model card, evaluation reports and red-team findings.",
        "stakeholders": ["Meridian leadership team"],
    },
    {
        "name": "Labelling-ops channel export",
        "kind": DataAsset.Kind.DOCUMENTS,
        "classification": DataAsset.Classification.INTERNAL,
        "owning_team": "Data operations",
        "approx_records": 9_500,
        "personal_data": True,
        "subject_jurisdictions": ["GB", "US-CA"],
        "description": "Internal chat history shared so annotators had project context.",
        "stakeholders": ["Meridian leadership team"],
    },
    {
        "name": "Annotation platform service credential",
        "kind": DataAsset.Kind.CREDENTIALS,
        "classification": DataAsset.Classification.RESTRICTED,
        "owning_team": "Platform security",
        "description": "Service account that writes labelled batches back to our bucket.",
        "stakeholders": [],
    },
]

VENDORS = [
    {
        "name": TRAINING_DATA_VENDOR,
        "services": (
            "Data labelling and RLHF annotation; hosts training-data samples for its annotators."
        ),
        "tier": Vendor.Tier.CRITICAL,
        "notify_us_within_hours": 24,
        "jurisdictions": ["IE", "PH", "US-CA"],
        "contacts": [
            ("Dana Ruiz", "security@parallax-data.example", "Head of security", True),
            ("Sam Okafor", "sam.okafor@parallax-data.example", "Account manager", False),
        ],
        "engagements": [
            {
                "name": "RLHF annotation programme",
                "description": "Preference labelling and dialogue annotation for Meridian-7.",
                "started_on": date(2026, 2, 1),
                "data_assets": [
                    "Helix clinical dialogue samples",
                    "Orbital teleoperation logs",
                    "Labelling-ops channel export",
                ],
                "accesses": [
                    (EngagementAccess.Kind.KEY, "Upload token for bucket meridian-annotation-in"),
                    (EngagementAccess.Kind.ACCOUNT, "SSO group parallax-annotators"),
                ],
            },
            {
                "name": "Model documentation review",
                "description": "Consistency review of model cards and evaluation write-ups.",
                "started_on": date(2026, 6, 15),
                "data_assets": [
                    "Meridian-7 model documentation",
                    "Annotation platform service credential",
                ],
                "accesses": [
                    (EngagementAccess.Kind.SYSTEM, "Read access to docs.meridian-lab.example")
                ],
            },
        ],
    },
    {
        "name": "Cobalt Cloud Hosting",
        "services": "Managed Kubernetes and object storage for inference.",
        "tier": Vendor.Tier.CRITICAL,
        "notify_us_within_hours": 24,
        "jurisdictions": ["DE", "US-VA"],
        "contacts": [
            ("Incident desk", "incidents@cobalt-cloud.example", "24/7 incident desk", True)
        ],
        "engagements": [],
    },
    {
        "name": "Quill Evaluation Partners",
        "services": "Human evaluation of model outputs.",
        "tier": Vendor.Tier.HIGH,
        "notify_us_within_hours": 48,
        "jurisdictions": ["GB"],
        "contacts": [("Priya Natarajan", "priya@quill-eval.example", "Delivery lead", True)],
        "engagements": [
            {
                "name": "Meridian-7 human evaluation",
                "description": "Side-by-side preference evaluation.",
                "started_on": date(2026, 5, 4),
                "data_assets": ["Meridian-7 model documentation"],
                "accesses": [(EngagementAccess.Kind.ACCOUNT, "Evaluation console accounts (12)")],
            }
        ],
    },
    {
        "name": "Kestrel Security Audits",
        "services": "Annual penetration test and SOC 2 readiness.",
        "tier": Vendor.Tier.HIGH,
        "notify_us_within_hours": 72,
        "jurisdictions": ["US-NY"],
        "contacts": [],
        "engagements": [],
    },
    {
        "name": "Northwind Payroll",
        "services": "Payroll processing for UK staff.",
        "tier": Vendor.Tier.MEDIUM,
        "notify_us_within_hours": 72,
        "jurisdictions": ["GB"],
        "contacts": [],
        "engagements": [],
    },
    {
        "name": "Sable Translation Co.",
        "services": "Translation of annotation guidelines.",
        "tier": Vendor.Tier.MEDIUM,
        "status": Vendor.Status.OFFBOARDED,
        "jurisdictions": ["ES"],
        "contacts": [],
        "engagements": [],
    },
    {
        "name": "Brightline Office Supplies",
        "services": "Office supplies; no access to data.",
        "tier": Vendor.Tier.LOW,
        "jurisdictions": ["GB"],
        "contacts": [],
        "engagements": [],
    },
]


def _get_or_create(model, name: str, fields: dict):
    existing = model.objects.filter(name=name).first()
    if existing:
        return existing, False
    record = model(name=name, **fields)
    if hasattr(record, "slug"):
        record.slug = unique_slug(model, name)
    record.full_clean()
    record.save()
    return record, True


def seed_demo_inventory(*, owner: User) -> None:
    for spec in STAKEHOLDERS:
        spec = dict(spec)
        contacts = spec.pop("contacts")
        stakeholder, created = _get_or_create(Stakeholder, spec.pop("name"), spec)
        if created:
            for name, email, role in contacts:
                StakeholderContact.objects.create(
                    stakeholder=stakeholder, name=name, email=email, role=role
                )

    for spec in DATA_ASSETS:
        spec = dict(spec)
        stakeholder_names = spec.pop("stakeholders")
        asset, created = _get_or_create(DataAsset, spec.pop("name"), spec)
        if created:
            asset.stakeholders.set(Stakeholder.objects.filter(name__in=stakeholder_names))

    for spec in VENDORS:
        spec = dict(spec)
        contacts = spec.pop("contacts")
        engagements = spec.pop("engagements")
        vendor, created = _get_or_create(
            Vendor, spec.pop("name"), {"relationship_owner": owner, **spec}
        )
        if not created:
            continue
        for name, email, role, security in contacts:
            VendorContact.objects.create(
                vendor=vendor, name=name, email=email, role=role, is_security_contact=security
            )
        for engagement_spec in engagements:
            engagement_spec = dict(engagement_spec)
            asset_names = engagement_spec.pop("data_assets")
            accesses = engagement_spec.pop("accesses")
            engagement = Engagement.objects.create(vendor=vendor, owner=owner, **engagement_spec)
            engagement.data_assets.set(DataAsset.objects.filter(name__in=asset_names))
            for kind, description in accesses:
                EngagementAccess.objects.create(
                    engagement=engagement, kind=kind, description=description
                )
