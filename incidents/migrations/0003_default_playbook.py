"""The vendor-breach playbook every new incident starts from (admin-editable),
and the incident permissions the roles hold.

The playbook is written out here, frozen: a migration must load the same
rows on any day, whatever incidents/playbooks.py says by then.
"""

from django.db import migrations

NAME = "Vendor breach"
DESCRIPTION = "A vendor that holds our data reports, or is reported, breached."
STEPS = [
    {
        "phase": "triage",
        "order": 10,
        "title": "Confirm the report with the vendor's security contact",
        "guidance": "Call or email the vendor's security contact (vendor page) and record what they "
        "confirm, when they learned of it and what they know about our data.",
        "due_offset_hours": 2,
        "default_role": "commander",
        "required": True,
        "action": "",
    },
    {
        "phase": "triage",
        "order": 20,
        "title": "Set severity",
        "guidance": "SEV1: our personal or partner data confirmed exposed. SEV2: likely exposed. "
        "SEV3: possible, no sign of our data. SEV4: vendor affected, our data not.",
        "due_offset_hours": 2,
        "default_role": "commander",
        "required": True,
        "action": "",
    },
    {
        "phase": "triage",
        "order": 30,
        "title": "Assemble the team",
        "guidance": "Add a responder, Legal and anyone who owns affected engagements as members.",
        "due_offset_hours": 2,
        "default_role": "commander",
        "required": True,
        "action": "",
    },
    {
        "phase": "triage",
        "order": 40,
        "title": "Pause engagements with the vendor",
        "guidance": "Use “Pause engagements”: it pauses every active engagement with the vendor and "
        "records why.",
        "due_offset_hours": 4,
        "default_role": "commander",
        "required": True,
        "action": "pause_engagements",
    },
    {
        "phase": "containment",
        "order": 50,
        "title": "Revoke vendor access and rotate shared secrets",
        "guidance": "Work through the access granted on each engagement: disable accounts, revoke "
        "tokens and keys, rotate any credential the vendor could read.",
        "due_offset_hours": 8,
        "default_role": "responder",
        "required": True,
        "action": "",
    },
    {
        "phase": "containment",
        "order": 60,
        "title": "Preserve evidence",
        "guidance": "Keep the vendor's notice, press coverage, access logs and correspondence; note "
        "where each is kept.",
        "due_offset_hours": 12,
        "default_role": "responder",
        "required": True,
        "action": "",
    },
    {
        "phase": "scoping",
        "order": 70,
        "title": "Scope review: mark every data asset the vendor held",
        "guidance": "Open the scope review and mark each asset confirmed, suspected, not exposed or "
        "unknown, with records affected.",
        "due_offset_hours": 24,
        "default_role": "responder",
        "required": True,
        "action": "scope_review",
    },
    {
        "phase": "scoping",
        "order": 80,
        "title": "Decide whether personal data is involved",
        "guidance": "Legal decides from the scope review whether personal data of identifiable "
        "people was or may have been exposed; record the reasoning as a note.",
        "due_offset_hours": 36,
        "default_role": "legal",
        "required": True,
        "action": "",
    },
    {
        "phase": "scoping",
        "order": 90,
        "title": "Identify affected stakeholders and jurisdictions",
        "guidance": "Check the stakeholders and jurisdictions the scope review derived; they start "
        "the contractual and regulatory clocks.",
        "due_offset_hours": 36,
        "default_role": "legal",
        "required": True,
        "action": "",
    },
    {
        "phase": "notification",
        "order": 100,
        "title": "Notify leadership",
        "guidance": "Brief leadership on what is known, what is not, and the deadlines ahead.",
        "due_offset_hours": 24,
        "default_role": "commander",
        "required": True,
        "action": "",
    },
    {
        "phase": "notification",
        "order": 110,
        "title": "Notify affected partners",
        "guidance": "Use “Draft partner notices”: one notice per contact of every affected partner, "
        "approved by Legal or the commander, then sent and acknowledged by link.",
        "due_offset_hours": 48,
        "default_role": "commander",
        "required": True,
        "action": "notify_partners",
    },
    {
        "phase": "notification",
        "order": 120,
        "title": "Regulator and data-subject notifications as required",
        "guidance": "Legal files with supervisory authorities (e.g. GDPR Art. 33 within 72 hours) "
        "and decides whether data subjects must be told.",
        "due_offset_hours": 72,
        "default_role": "legal",
        "required": True,
        "action": "",
    },
    {
        "phase": "recovery",
        "order": 130,
        "title": "Collect the vendor's remediation evidence",
        "guidance": "Ask for the vendor's root cause, remediation and independent assessment.",
        "due_offset_hours": 336,
        "default_role": "responder",
        "required": True,
        "action": "",
    },
    {
        "phase": "recovery",
        "order": 140,
        "title": "Decide to resume or end the engagement",
        "guidance": "Resuming needs a reason and approval from the commander and Legal.",
        "due_offset_hours": 504,
        "default_role": "commander",
        "required": True,
        "action": "",
    },
    {
        "phase": "recovery",
        "order": 150,
        "title": "Post-incident review",
        "guidance": "Hold a blameless review; record what to change in the playbook and vendor "
        "contracts.",
        "due_offset_hours": 720,
        "default_role": "commander",
        "required": False,
        "action": "",
    },
]


def create_playbook(apps, schema_editor):
    Playbook = apps.get_model("incidents", "Playbook")
    PlaybookStep = apps.get_model("incidents", "PlaybookStep")
    playbook, created = Playbook.objects.get_or_create(
        name=NAME, defaults={"description": DESCRIPTION, "is_default": True}
    )
    if created:
        for step in STEPS:
            PlaybookStep.objects.create(playbook=playbook, **step)


# (group, codename, name): commanders open incidents; Legal acts as Legal.
GRANTS = [
    ("Commander", "add_incident", "Can add incident"),
    (
        "Legal",
        "legal_review",
        "Can act as Legal on incidents: privileged notes, legal hold, approvals",
    ),
]


def grant_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    incident_type, _ = ContentType.objects.get_or_create(app_label="incidents", model="incident")
    for group, codename, name in GRANTS:
        permission, _ = Permission.objects.get_or_create(
            content_type=incident_type, codename=codename, defaults={"name": name}
        )
        Group.objects.get(name=group).permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_incidents")]

    operations = [
        migrations.RunPython(create_playbook, migrations.RunPython.noop),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
