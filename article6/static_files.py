"""Static files served by WhiteNoise, with the list of files read once per process.

WhiteNoise reads every file the finders know when its middleware is made. The fonts for
six languages (Noto Sans SC alone is some 1,900 files) made that take seconds, and a
middleware is made for every new handler (each test client, each reload), so the list
is kept for the process, keyed by the settings it was read from.
"""

from __future__ import annotations

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware

_FOUND: dict[tuple, dict] = {}


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    def add_files_from_finders(self):
        key = (self.static_prefix, repr(settings.STATICFILES_DIRS), tuple(settings.STATICFILES_FINDERS))
        found = _FOUND.get(key)
        if found is None:
            kept, self.files = self.files, {}
            super().add_files_from_finders()
            found = _FOUND[key] = self.files
            self.files = kept
        # As WhiteNoise does: what the finders list wins over STATIC_ROOT and WHITENOISE_ROOT.
        self.files.update(found)
