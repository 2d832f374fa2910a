"""The wording each kind of email starts with (admin-editable afterwards).

Written out here, frozen: a migration must load the same rows on any day,
whatever incidents/email_templates.py says by then.
"""

from django.db import migrations

DEFAULTS = {
    "partner_notice": (
        "[{{ incident_reference }}] Security incident at {{ "
        "vendor|truncatechars:120 }} affecting your data",
        "Dear {{ recipient_name }},\n"
        "\n"
        "We are writing to inform {{ stakeholder_name }} of a security incident at "
        "{{ vendor }}, a vendor that processes data on our behalf, which affects "
        "data you shared with us.\n"
        "\n"
        "What happened: {{ incident_title }}.\n"
        "Data concerned: {{ data_categories }}.\n"
        "People affected are in: {{ jurisdictions }}.\n"
        "Records affected (as known today): {{ records_affected }}.\n"
        "\n"
        "We paused our work with the vendor, revoked its access, and are reviewing "
        "exactly what was exposed. We will update you as we learn more.\n"
        "\n"
        "Our contractual commitment is to notify you {{ deadline }}.\n"
        "\n"
        "Please confirm you received this notice: {{ ack_url }}\n"
        "\n"
        "Questions: reply to this email; {{ commander }} leads our response.\n"
        "\n"
        "Reference: {{ incident_reference }}",
    ),
    "regulator_notice": (
        "[{{ incident_reference }}] Personal data breach notification (draft for review)",
        "To {{ stakeholder_name }},\n"
        "\n"
        "We notify a personal data breach at {{ vendor }}, a processor acting on "
        "our behalf.\n"
        "\n"
        "Nature of the breach: {{ incident_title }}.\n"
        "Categories of data: {{ data_categories }}.\n"
        "Data subjects located in: {{ jurisdictions }}.\n"
        "Approximate number of records: {{ records_affected }}.\n"
        "\n"
        "Measures taken: the processing engagement was paused, the processor's "
        "access revoked, and the scope of exposure is under review.\n"
        "\n"
        "Deadline we are working to: {{ deadline }}.\n"
        "\n"
        "Contact: {{ commander }}, incident commander.\n"
        "\n"
        "Acknowledgement: {{ ack_url }}\n"
        "\n"
        "Reference: {{ incident_reference }}",
    ),
    "internal_update": (
        "[{{ incident_reference }}] Update: {{ incident_title|truncatechars:120 "
        "}} ({{ severity }}, {{ phase }})",
        "{{ recipient_name }},\n"
        "\n"
        "Update on {{ incident_reference }}: {{ incident_title }}.\n"
        "\n"
        "Severity: {{ severity }}. Phase: {{ phase }}.\n"
        "Vendor: {{ vendor }}.\n"
        "Data concerned: {{ data_categories }}.\n"
        "\n"
        "Incident commander: {{ commander }}.",
    ),
    "engagement_paused": (
        "[{{ incident_reference }}] Your engagement {{ "
        "engagement|truncatechars:60 }} with {{ vendor|truncatechars:60 }} is "
        "paused",
        "{{ recipient_name }},\n"
        "\n"
        'Your engagement "{{ engagement }}" with {{ vendor }} has been paused '
        "because of incident {{ incident_reference }}: {{ incident_title }}.\n"
        "\n"
        "Reason: {{ reason }}\n"
        "\n"
        "Do not send the vendor any data and do not use its services for this "
        "engagement until the incident commander, {{ commander }}, and Legal "
        "approve resuming it.",
    ),
    "reminder": (
        "[{{ incident_reference }}] Reminder: {{ deadline|truncatechars:150 }}",
        "{{ recipient_name }},\n"
        "\n"
        "Reminder for {{ incident_reference }} ({{ incident_title }}): {{ deadline }}.\n"
        "\n"
        "Incident commander: {{ commander }}.",
    ),
    "escalation": (
        "[{{ incident_reference }}] OVERDUE: {{ deadline|truncatechars:150 }}",
        "{{ recipient_name }},\n"
        "\n"
        "A deadline of {{ incident_reference }} ({{ incident_title }}) has passed: {{ "
        "deadline }}.\n"
        "\n"
        "Please act now, or record why it does not apply.",
    ),
}


def create_templates(apps, schema_editor):
    EmailTemplate = apps.get_model("incidents", "EmailTemplate")
    for kind, (subject, body) in DEFAULTS.items():
        EmailTemplate.objects.get_or_create(kind=kind, defaults={"subject": subject, "body": body})


class Migration(migrations.Migration):
    dependencies = [("incidents", "0005_notifications")]

    operations = [migrations.RunPython(create_templates, migrations.RunPython.noop)]
