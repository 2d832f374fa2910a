"""The default vendor-breach playbook every new incident starts from.

Admins edit it in the admin; this is what a new database starts with
(migration 0003 loads it) and what ``ensure_default_playbook`` restores.
"""

from incidents.models import Playbook, PlaybookStep

NAME = "Vendor breach"
DESCRIPTION = "A vendor that holds our data reports, or is reported, breached."

# (phase, title, guidance, due offset in hours from when we became aware,
#  default role, required, action that completes it)
STEPS = [
    (
        "triage",
        "Confirm the report with the vendor's security contact",
        "Call or email the vendor's security contact (vendor page) and record what they confirm, "
        "when they learned of it and what they know about our data.",
        2,
        "commander",
        True,
        "",
    ),
    (
        "triage",
        "Set severity",
        "SEV1: our personal or partner data confirmed exposed. SEV2: likely exposed. "
        "SEV3: possible, no sign of our data. SEV4: vendor affected, our data not.",
        2,
        "commander",
        True,
        "set_severity",
    ),
    (
        "triage",
        "Assemble the team",
        "Add a responder, Legal and anyone who owns affected engagements as members.",
        2,
        "commander",
        True,
        "",
    ),
    (
        "triage",
        "Pause engagements with the vendor",
        "Use “Pause engagements”: it pauses every active engagement with the vendor and "
        "records why.",
        4,
        "commander",
        True,
        "pause_engagements",
    ),
    (
        "containment",
        "Revoke vendor access and rotate shared secrets",
        "Work through the access granted on each engagement: disable accounts, revoke "
        "tokens and keys, rotate any credential the vendor could read.",
        8,
        "responder",
        True,
        "",
    ),
    (
        "containment",
        "Preserve evidence",
        "Keep the vendor's notice, press coverage, access logs and correspondence; note where "
        "each is kept.",
        12,
        "responder",
        True,
        "",
    ),
    (
        "scoping",
        "Scope review: mark every data asset the vendor held",
        "Open the scope review and mark each asset confirmed, suspected, not exposed or "
        "unknown, with records affected.",
        24,
        "responder",
        True,
        "scope_review",
    ),
    (
        "scoping",
        "Decide whether personal data is involved",
        "Legal decides from the scope review whether personal data of identifiable people "
        "was or may have been exposed; record the reasoning as a note.",
        36,
        "legal",
        True,
        "",
    ),
    (
        "scoping",
        "Identify affected stakeholders and jurisdictions",
        "Check the stakeholders and jurisdictions the scope review derived; they start the "
        "contractual and regulatory clocks.",
        36,
        "legal",
        True,
        "",
    ),
    (
        "notification",
        "Notify leadership",
        "Brief leadership on what is known, what is not, and the deadlines ahead.",
        24,
        "commander",
        True,
        "",
    ),
    (
        "notification",
        "Notify affected partners",
        "Use “Draft partner notices”: one notice per contact of every affected partner, "
        "approved by Legal or the commander, then sent and acknowledged by link.",
        48,
        "commander",
        True,
        "notify_partners",
    ),
    (
        "notification",
        "Regulator and data-subject notifications as required",
        "Legal files with supervisory authorities (e.g. GDPR Art. 33 within 72 hours) and "
        "decides whether data subjects must be told.",
        72,
        "legal",
        True,
        "",
    ),
    (
        "recovery",
        "Collect the vendor's remediation evidence",
        "Ask for the vendor's root cause, remediation and independent assessment.",
        336,
        "responder",
        True,
        "",
    ),
    (
        "recovery",
        "Decide to resume or end the engagement",
        "Resuming needs a reason and approval from the commander and Legal.",
        504,
        "commander",
        True,
        "",
    ),
    (
        "recovery",
        "Post-incident review",
        "Hold a blameless review; record what to change in the playbook and vendor contracts.",
        720,
        "commander",
        False,
        "",
    ),
]


def ensure_default_playbook() -> Playbook:
    """The default playbook, created with its steps if there is none."""
    existing = Playbook.objects.filter(is_default=True).first()
    if existing is not None:
        return existing
    playbook = Playbook.objects.create(name=NAME, description=DESCRIPTION, is_default=True)
    PlaybookStep.objects.bulk_create(
        PlaybookStep(playbook=playbook, **step) for step in step_fields()
    )
    return playbook


def step_fields():
    """Each step as model field values, in playbook order."""
    for order, (phase, title, guidance, hours, role, required, action) in enumerate(STEPS, 1):
        yield {
            "phase": phase,
            "order": order * 10,
            "title": title,
            "guidance": guidance,
            "due_offset_hours": hours,
            "default_role": role,
            "required": required,
            "action": action,
        }
