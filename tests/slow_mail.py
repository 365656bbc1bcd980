"""A slow mail server, for the test that stops the worker while it sends: it says when a
message starts going out (a file "started"), takes two seconds, then writes the subject
to a file "sent" (both in ARTICLE6_MAIL_DIR)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class SlowBackend(BaseEmailBackend):
    def send_messages(self, messages) -> int:
        folder = Path(os.environ["ARTICLE6_MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "started").write_text("")
        time.sleep(2)
        (folder / "sent").write_text("".join(str(m.subject) for m in messages))
        return len(messages)
