"""E-mail as background work: the site's e-mail backend queues each message as a task,
and the worker hands it to the real backend (settings.ARTICLE6_EMAIL_DELIVERY).

So a page, a reminder run or an invitation never waits for the mail server, never holds
a transaction open while it answers, and a server that refuses is tried again later
(article6.ops.worker) instead of losing the message. Queued inside a transaction, the
message is queued only if that transaction commits: the task is a row of the same
database."""

from __future__ import annotations

import base64
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend


def message_to_json(message: EmailMessage) -> dict:
    """What a task needs to send `message` again: plain JSON (the task's arguments)."""
    data = {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {str(k): str(v) for k, v in (message.extra_headers or {}).items()},
        "alternatives": [[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "attachments": [],
    }
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):  # already encoded: keep its payload as it is
            payload = attachment.get_payload(decode=True) or b""
            filename, mimetype = attachment.get_filename(), attachment.get_content_type()
        else:
            filename, payload, mimetype = attachment
            payload = payload.encode() if isinstance(payload, str) else payload
        data["attachments"].append([filename, base64.b64encode(payload).decode("ascii"), mimetype])
    return data


def message_from_json(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        alternatives=[tuple(alternative) for alternative in data["alternatives"]],
    )
    for filename, payload, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(payload), mimetype)
    return message


def deliver(data: dict) -> None:
    """Send one queued message through the real backend; an error is raised (the worker
    tries again later)."""
    with get_connection(settings.ARTICLE6_EMAIL_DELIVERY, fail_silently=False) as connection:
        connection.send_messages([message_from_json(data)])


class QueuedEmailBackend(BaseEmailBackend):
    """Queues every message as a `send_email` task (article6.ops.tasks)."""

    def send_messages(self, email_messages) -> int:
        from article6.ops.tasks import send_email

        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            send_email.enqueue(message_to_json(message))
            count += 1
        return count
