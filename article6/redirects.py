"""Where the site may send a browser next: one check for every `next` and every redirect
target that comes from a request (a form field, a query parameter, the language switch,
the sign-in pages), so that no link can send a signed-in person to another site.

A target is kept only when Django's `url_has_allowed_host_and_scheme` accepts it for this
site's own host (and the hosts of ALLOWED_HOSTS), over HTTPS when the request is;
anything else falls back to a page of this site."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def allowed_hosts(request: HttpRequest | None) -> set[str]:
    """This site's own host and the named ALLOWED_HOSTS (never the "*" wildcard)."""
    hosts = {host for host in settings.ALLOWED_HOSTS if host and host != "*" and not host.startswith(".")}
    if request is not None:
        hosts.add(request.get_host())
    return hosts


def is_safe(request: HttpRequest | None, url: str | None) -> bool:
    """Whether `url` may be redirected to: a path of this site, or an address on one of its hosts."""
    if not url or not isinstance(url, str):
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts=allowed_hosts(request), require_https=bool(request is not None and request.is_secure())
    )


def safe_next(request: HttpRequest, url: str | None, fallback: str = "/") -> str:
    """`url` if it is safe, else `fallback` (a URL, a URL name or a model with get_absolute_url)."""
    return url if is_safe(request, url) else resolve_url(fallback)


def next_from(request: HttpRequest, fallback: str = "/", field: str = "next") -> str:
    """The request's own `next` (POST first, then the query string), if safe; else `fallback`."""
    candidate = request.POST.get(field) if request.method == "POST" else None
    return safe_next(request, candidate or request.GET.get(field), fallback)


def redirect_next(request: HttpRequest, fallback="/", field: str = "next") -> HttpResponseRedirect:
    """A redirect to the request's safe `next`, or to `fallback`."""
    return HttpResponseRedirect(next_from(request, fallback, field))


def with_next(url: str, next_url: str) -> str:
    """`url` with `?next=` set to `next_url`, properly encoded."""
    return f"{resolve_url(url)}?{urlencode({'next': next_url})}"


def set_language(request):
    """Django's language switch, its answer checked once more by the same rule as every
    other redirect of the site (Django's view already refuses another host)."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    if isinstance(response, HttpResponseRedirect) and not is_safe(request, response["Location"]):
        response["Location"] = "/"
    return response
