"""Mail written to files when no SMTP server is configured (development)."""

import os
import uuid
from datetime import UTC, datetime

from django.core.mail.backends import filebased


class EmlFileBackend(filebased.EmailBackend):
    """Each message in its own ``<time>-<id>.eml`` file, which any mail client opens.

    Django's file backend appends every message of a connection to one
    ``.log`` file with separators, which no mail client reads. An ``.eml`` file
    is one message in RFC 5322 form, as it would go over SMTP.
    """

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            name = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex}.eml"
            with open(os.path.join(self.file_path, name), "wb") as file:
                file.write(message.message().as_bytes())
            sent += 1
        return sent
