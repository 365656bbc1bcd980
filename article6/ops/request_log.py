"""One log line per request, as JSON, with what operators read: the method, the path
(without its query string, which may hold what people searched for), the status, the
duration in milliseconds and the account's id (never its e-mail). The `article6.requests`
logger writes them to the standard error; `article6 serve` turns it on
(ARTICLE6_REQUEST_LOG=1)."""

from __future__ import annotations

import json
import logging
import time

logger = logging.getLogger("article6.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            user = getattr(request, "user", None)
            line = {
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user": user.pk if getattr(user, "is_authenticated", False) else None,
            }
            logger.info(json.dumps(line, separators=(",", ":")))
        return response
