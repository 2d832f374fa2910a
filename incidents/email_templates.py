"""The wording every kind of email starts with; admins edit it in the admin.

Migration 0006 loads these into a new database; ``ensure_email_templates``
adds any kind that is missing. A subject shortens the names, titles and
deadlines it quotes, so that it stays under notices.MAX_SUBJECT_LENGTH however
long they are.
"""

from incidents.models import EmailTemplate

DEFAULTS = {
    "partner_notice": (
        "[{{ incident_reference }}] {% if update_label %}{{ update_label|truncatechars:12 }}: {% endif %}Security incident at {{ vendor|truncatechars:100 }} affecting your data",
        """Dear {{ recipient_name }},

{% if update_label %}This is {{ update_label|lower }} from {{ organisation }} to {{ stakeholder_name }} about the security incident at {{ vendor }}, a vendor that processes data on our behalf; it says what we have learned since our last notice.{% else %}{{ organisation }} is writing to inform {{ stakeholder_name }} of a security incident at {{ vendor }}, a vendor that processes data on our behalf, which affects data you shared with us.{% endif %}

What happened: {{ public_summary }}
Your data it concerns: {{ assets }}.
Data categories: {{ data_categories }}.
People affected are in: {{ jurisdictions }}.
Records affected (as known today): {{ records_affected }}.

What we have done so far: {{ engagement_status }} {{ scope_status }}

Our contractual commitment is to notify you {{ deadline }}.

Please confirm you received this notice: {{ ack_url }}

Questions: reply to this email{% if public_contact %} or contact {{ public_contact }}{% endif %}. {{ commander }} leads our response.

{{ organisation }}
Reference: {{ incident_reference }}""",
    ),
    "regulator_notice": (
        "[{{ incident_reference }}] Personal data breach notification (draft for review)",
        """To {{ stakeholder_name }},

We notify a personal data breach at {{ vendor }}, a processor acting on our behalf.

Nature of the breach: {{ public_summary }}
Categories of data: {{ data_categories }}.
Data subjects located in: {{ jurisdictions }}.
Approximate number of records: {{ records_affected }}.

Measures taken so far: {{ engagement_status }} {{ scope_status }}

Deadline we are working to: {{ deadline }}.

Contact: {{ commander }}, incident commander, {{ organisation }}{% if public_contact %} ({{ public_contact }}){% endif %}.

Acknowledgement: {{ ack_url }}

Reference: {{ incident_reference }}""",
    ),
    "internal_update": (
        "[{{ incident_reference }}] Update: {{ incident_title|truncatechars:120 }} ({{ severity }}, {{ phase }})",
        """{{ recipient_name }},

Update on {{ incident_reference }}: {{ incident_title }}.

Severity: {{ severity }}. Phase: {{ phase }}.
Vendor: {{ vendor }}.
Data concerned: {{ data_categories }}.

Incident commander: {{ commander }}.

Open the incident: {{ incident_url }}""",
    ),
    "engagement_paused": (
        "[{{ incident_reference }}] Your engagement {{ engagement|truncatechars:60 }} with {{ vendor|truncatechars:60 }} is paused",
        """{{ recipient_name }},

Your engagement "{{ engagement }}" with {{ vendor }} has been paused because of incident {{ incident_reference }}: {{ incident_title }}.

Reason: {{ reason }}

Do not send the vendor any data and do not use its services for this engagement until the incident commander, {{ commander }}, and Legal approve resuming it.

Open the incident: {{ incident_url }}""",
    ),
    "reminder": (
        "[{{ incident_reference }}] Reminder: {{ deadline|truncatechars:150 }}",
        """{{ recipient_name }},

Reminder for {{ incident_reference }} ({{ incident_title }}): {{ deadline }}.

Incident commander: {{ commander }}.

Open the incident: {{ incident_url }}""",
    ),
    "escalation": (
        "[{{ incident_reference }}] OVERDUE: {{ deadline|truncatechars:150 }}",
        """{{ recipient_name }},

A deadline of {{ incident_reference }} ({{ incident_title }}) has passed: {{ deadline }}.

Please act now, or record why it does not apply.

Open the incident: {{ incident_url }}""",
    ),
    "vendor_questionnaire": (
        "[{{ incident_reference }}] {{ organisation|truncatechars:60 }} asks {{ vendor|truncatechars:60 }} about a security incident",
        """Dear {{ recipient_name }},

{{ organisation }} is a customer of {{ vendor }}. We have reason to believe that a security incident at {{ vendor }} may affect data we shared with you, and we have legal and contractual duties to assess it and to tell the people concerned within fixed deadlines.

Please answer our questions through this link (no account needed; you can save a draft and come back):

{{ questionnaire_url }}

It asks when you became aware, what was reached, which of our data and how many records, whether it is contained, and what we should look for. Attach any report you can share.

{{ commander }} leads our response; reply to this email with any question.

Reference: {{ incident_reference }}""",
    ),
    "questionnaire_chaser": (
        "[{{ incident_reference }}] Reminder: {{ organisation|truncatechars:60 }} still needs answers from {{ vendor|truncatechars:60 }}",
        """Dear {{ recipient_name }},

{{ organisation }} asked {{ vendor }} questions about a security incident that may affect data we shared with you, and has no answer yet. Our own legal deadlines depend on your answers.

Please answer through this link (no account needed):

{{ questionnaire_url }}

{{ commander }} leads our response; reply to this email with any question.

Reference: {{ incident_reference }}""",
    ),
}


def ensure_email_templates() -> None:
    for kind, (subject, body) in DEFAULTS.items():
        EmailTemplate.objects.get_or_create(kind=kind, defaults={"subject": subject, "body": body})
