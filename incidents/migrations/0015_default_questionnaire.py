"""The default vendor questionnaire (admin-editable) and the wording of its two emails.

Written out here, frozen: a migration must load the same rows on any day,
whatever incidents/questionnaire_templates.py and email_templates.py say by then.
"""

from django.db import migrations

NAME = "Vendor breach: first questions"
DESCRIPTION = "What every customer asks a breached vendor first."
QUESTIONS = [
    {
        "order": 10,
        "text": "When did you become aware of the incident?",
        "help_text": "The date, time and time zone when your organisation first knew. Your contract "
        "with us counts from this moment.",
        "kind": "datetime",
        "choices": [],
        "required": True,
        "feeds": "vendor_aware_at",
    },
    {
        "order": 20,
        "text": "What happened, as far as you know today?",
        "help_text": "How the attacker got in, what they did and when, in a few sentences.",
        "kind": "text",
        "choices": [],
        "required": True,
        "feeds": "",
    },
    {
        "order": 30,
        "text": "Which of our data did the attacker reach, and how many records of each?",
        "help_text": "Tick each of our data assets that was reached; give the number of records if "
        "known.",
        "kind": "data_assets",
        "choices": [],
        "required": False,
        "feeds": "",
    },
    {
        "order": 40,
        "text": "Were any credentials or keys we gave you exposed?",
        "help_text": "",
        "kind": "yes_no",
        "choices": [],
        "required": False,
        "feeds": "",
    },
    {
        "order": 50,
        "text": "Is the incident contained?",
        "help_text": "",
        "kind": "choice",
        "choices": ["Contained", "Being contained", "Not yet", "Unknown"],
        "required": False,
        "feeds": "",
    },
    {
        "order": 60,
        "text": "What should we look for on our side?",
        "help_text": "Indicators of compromise: addresses, file hashes, account names, times.",
        "kind": "text",
        "choices": [],
        "required": False,
        "feeds": "",
    },
    {
        "order": 70,
        "text": "Your incident report or forensic summary, if you can share it",
        "help_text": "PDF, text, CSV, JSON, images, ZIP or Office documents.",
        "kind": "file",
        "choices": [],
        "required": False,
        "feeds": "",
    },
]
EMAIL_TEMPLATES = {
    "questionnaire_chaser": (
        "[{{ incident_reference }}] Reminder: {{ "
        "organisation|truncatechars:60 }} still needs answers from {{ "
        "vendor|truncatechars:60 }}",
        "Dear {{ recipient_name }},\n"
        "\n"
        "{{ organisation }} asked {{ vendor }} questions about a security "
        "incident that may affect data we shared with you, and has no "
        "answer yet. Our own legal deadlines depend on your answers.\n"
        "\n"
        "Please answer through this link (no account needed):\n"
        "\n"
        "{{ questionnaire_url }}\n"
        "\n"
        "{{ commander }} leads our response; reply to this email with any "
        "question.\n"
        "\n"
        "Reference: {{ incident_reference }}",
    ),
    "vendor_questionnaire": (
        "[{{ incident_reference }}] {{ organisation|truncatechars:60 }} "
        "asks {{ vendor|truncatechars:60 }} about a security incident",
        "Dear {{ recipient_name }},\n"
        "\n"
        "{{ organisation }} is a customer of {{ vendor }}. We have reason "
        "to believe that a security incident at {{ vendor }} may affect "
        "data we shared with you, and we have legal and contractual duties "
        "to assess it and to tell the people concerned within fixed "
        "deadlines.\n"
        "\n"
        "Please answer our questions through this link (no account needed; "
        "you can save a draft and come back):\n"
        "\n"
        "{{ questionnaire_url }}\n"
        "\n"
        "It asks when you became aware, what was reached, which of our data "
        "and how many records, whether it is contained, and what we should "
        "look for. Attach any report you can share.\n"
        "\n"
        "{{ commander }} leads our response; reply to this email with any "
        "question.\n"
        "\n"
        "Reference: {{ incident_reference }}",
    ),
}


def load(apps, schema_editor):
    template_model = apps.get_model("incidents", "QuestionnaireTemplate")
    question_model = apps.get_model("incidents", "QuestionnaireTemplateQuestion")
    email_model = apps.get_model("incidents", "EmailTemplate")
    if not template_model.objects.filter(is_default=True).exists():
        template = template_model.objects.create(
            name=NAME, description=DESCRIPTION, is_default=True
        )
        question_model.objects.bulk_create(
            question_model(template=template, **fields) for fields in QUESTIONS
        )
    for kind, (subject, body) in EMAIL_TEMPLATES.items():
        email_model.objects.get_or_create(kind=kind, defaults={"subject": subject, "body": body})


def unload(apps, schema_editor):
    apps.get_model("incidents", "QuestionnaireTemplate").objects.filter(name=NAME).delete()
    apps.get_model("incidents", "EmailTemplate").objects.filter(kind__in=EMAIL_TEMPLATES).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0014_questionnaires")]

    operations = [migrations.RunPython(load, unload)]
