from django.urls import URLPattern, path, re_path

from article6.api.errors import json_not_allowed, not_found
from article6.api.v1 import api

_operations, _app, _namespace = api.urls
# Every answer of the API is JSON: a method a path does not have (405), a path it does not have (404).
_operations = [
    URLPattern(p.pattern, json_not_allowed(p.callback), p.default_args, p.name) if isinstance(p, URLPattern) else p
    for p in _operations
]
urlpatterns = [path("", (_operations, _app, _namespace)), re_path(r"^.*$", not_found)]
