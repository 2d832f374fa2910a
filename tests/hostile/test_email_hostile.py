"""Hostile text in a notice, sent: the email's HTML shows it escaped, and no header is forged.

A draft notice is edited through its page with each markup and injection
value of the corpus as its subject and body, approved by Legal and sent; the
mail the worker hands to the backend is then read.
"""

import pytest
from django.core import mail
from django.urls import reverse

from breachdesk.models import User
from incidents.models import Notification
from tests.hostile.corpus import DANGEROUS_MARKUP, INJECTION, MARKUP
from tests.hostile.test_forms_hostile import rolled_back, seeded  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _send(client, incident, notice, payload, capture):
    reference = incident.reference
    client.force_login(User.objects.get(username="commander"))
    edited = client.post(
        reverse("incidents:notification", args=[reference, notice.pk]),
        {
            "recipient_name": payload,
            "recipient_email": notice.recipient_email,
            "subject": f"Notice {payload}",
            "body_text": f"Dear partner,\n{payload}\nRegards",
        },
    )
    if edited.status_code != 302:
        return edited.status_code
    client.force_login(User.objects.get(username="legal"))
    client.post(reverse("incidents:notification-approve", args=[reference, notice.pk]))
    client.force_login(User.objects.get(username="commander"))
    with capture(execute=True):
        client.post(reverse("incidents:notifications-send", args=[reference]))
    return edited.status_code


def test_hostile_text_in_a_sent_notice_is_escaped_and_forges_no_header(
    client,
    seeded,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    incident = seeded.incident
    notice = incident.notifications.filter(status=Notification.Status.DRAFT).first()
    faults, sent = [], 0

    for payload in MARKUP + INJECTION:
        mail.outbox = []
        # The last value's sign-ins were rolled back with it; with Redis their
        # sessions would still be cached (cached_db), so start without one.
        client.cookies.clear()
        with rolled_back():
            status = _send(client, incident, notice, payload, django_capture_on_commit_callbacks)
            if status >= 500:
                faults.append(f"{payload!r}: {status}")
            for message in mail.outbox:
                sent += 1
                html = "".join(c for c, mimetype in message.alternatives if "html" in mimetype)
                if payload in DANGEROUS_MARKUP and payload in html:
                    faults.append(f"{payload!r}: unescaped in the HTML part")
                headers = message.message()
                if headers["Bcc"] or "\n" in str(headers["Subject"]).strip():
                    faults.append(f"{payload!r}: a header forged: {headers['Subject']!r}")

    assert faults == []
    # Not blind: the markup values were refused or sent, and some were sent.
    assert sent > 0
