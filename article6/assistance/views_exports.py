"""Downloads of needs, offers, commitments and the gap table as CSV or Excel, with the
filters of their page and of the API (GET parameters; assistance.filters) over the
records the person may see (assistance.queries). Open to everyone: an anonymous visitor
gets the public records. An unknown format is a 404; a bad filter a 400 naming it."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from pydantic import ValidationError

from article6.asof import today
from article6.assistance import exports, queries
from article6.assistance.filters import (
    CommitmentFilters,
    GapFilters,
    NeedFilters,
    OfferFilters,
    UnknownValue,
    given,
    parameters,
)


def _format(fmt: str) -> str:
    if fmt not in exports.FORMATS:
        raise Http404(_("Exports are in CSV (.csv) or Excel (.xlsx)."))
    return fmt


def read_filters(request, schema):
    """The filters of the GET parameters (others are ignored), or a 400 naming the bad one."""
    try:
        return schema.model_validate(parameters(schema, request.GET)), None
    except ValidationError as exc:
        detail = [
            {"parameter": ".".join(str(part) for part in error["loc"]) or "query", "reason": _reason(error)}
            for error in exc.errors()
        ]
        return None, JsonResponse({"detail": detail}, status=400)


def _reason(error: dict) -> str:
    if error.get("type") == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    return str(error.get("msg", "invalid value"))


def unknown_value(exc: UnknownValue) -> JsonResponse:
    return JsonResponse({"detail": [{"parameter": exc.parameter, "reason": exc.reason}]}, status=400)


def _download(content: bytes, name: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="article6-{name}-{today().isoformat()}.{fmt}"'
    # What a file holds depends on who asks: never kept by a shared cache.
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _export(request, fmt: str, schema, build):
    fmt = _format(fmt)
    filters, error = read_filters(request, schema)
    if error is not None:
        return error
    try:
        content, name = build(filters, fmt)
    except UnknownValue as exc:
        return unknown_value(exc)
    return _download(content, name, fmt)


@require_GET
def export_needs(request, fmt: str):
    """The needs the person may see, filtered as on the page and in GET /api/v1/needs."""

    def build(filters, fmt):
        needs = filters.apply(queries.needs_for(request.user))
        if fmt == "csv":
            return exports.needs_csv(needs), "needs"
        return exports.needs_xlsx(needs, filters=given(filters)), "needs"

    return _export(request, fmt, NeedFilters, build)


@require_GET
def export_offers(request, fmt: str):
    """The offers the person may see, filtered as on the page and in GET /api/v1/offers."""

    def build(filters, fmt):
        offers = filters.apply(queries.offers_for(request.user))
        if fmt == "csv":
            return exports.offers_csv(offers), "offers"
        return exports.offers_xlsx(offers, filters=given(filters)), "offers"

    return _export(request, fmt, OfferFilters, build)


@require_GET
def export_commitments(request, fmt: str):
    """The commitments the person may see, filtered as on the page and in GET
    /api/v1/commitments: in CSV one row per commitment, or with `table=amounts` one row
    per commitment and year; in Excel both, as two sheets."""

    def build(filters, fmt):
        commitments = filters.apply(
            queries.commitments_for(request.user).prefetch_related(None).prefetch_related("pillar_shares", "flows")
        )
        if fmt == "xlsx":
            return exports.commitments_xlsx(commitments, filters=given(filters)), "commitments"
        if request.GET.get("table") == "amounts":
            return exports.commitment_flows_csv(commitments), "commitment-amounts"
        return exports.commitments_csv(commitments), "commitments"

    return _export(request, fmt, CommitmentFilters, build)


@require_GET
def export_gap(request, fmt: str):
    """The gap table over the needs and commitments the person may see, filtered as on the
    Funding page and in GET /api/v1/funding/gap (states, region, year, pillar)."""

    def build(filters, fmt):
        rows = filters.rows(request.user)
        if fmt == "csv":
            return exports.gap_csv(rows), "gap"
        needs = queries.needs_for(request.user).filter(is_sample=True)
        commitments = queries.commitments_for(request.user).filter(is_sample=True)
        if filters.state:
            needs = needs.filter(state__iso3__in=filters.state)
            commitments = commitments.filter(recipient__iso3__in=filters.state)
        if filters.region:
            needs = needs.filter(state__region=filters.region)
            commitments = commitments.filter(recipient__region=filters.region)
        sample = needs.exists() or commitments.exists()
        return exports.gap_xlsx(rows, includes_sample=sample, filters=given(filters)), "gap"

    return _export(request, fmt, GapFilters, build)
