"""Template helpers for the public pages: links that keep the as-of date,
dates in <time> elements, countdowns and the labels of computed values."""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from article6.treaty import labels, rules

register = template.Library()


def _as_of_param(context) -> str | None:
    """The as-of date to carry in links: only a valid date other than today."""
    as_of = context.get("as_of")
    if as_of is None or context.get("as_of_is_today", True) or context.get("as_of_error"):
        return None
    return as_of.isoformat()


@register.simple_tag(takes_context=True)
def as_of_url(context, viewname, *args, **query):
    """{% as_of_url 'states:detail' 'FJI' region='Europe' %}: the URL, with the
    given query parameters (empty ones left out) and the as-of date."""
    url = reverse(viewname, args=args)
    params = {key: value for key, value in query.items() if value not in (None, "")}
    as_of = _as_of_param(context)
    if as_of:
        params.setdefault("as_of", as_of)
    return f"{url}?{urlencode(params)}" if params else url


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """{% query page=2 %}: the current query string with changes (None removes a
    key), dropping an invalid as-of date so that links do not repeat its error."""
    params = context["request"].GET.copy()
    if context.get("as_of_error"):
        params.pop("as_of", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


@register.filter
def as_time(day: dt.date | None, fmt: str = "DATE_FORMAT"):
    """A date readable by people ("1 November 2010") inside <time datetime="2010-11-01">."""
    if not day:
        return format_html(
            '<span class="text-body-secondary" aria-hidden="true">—</span><span class="visually-hidden">{}</span>',
            gettext("none"),
        )
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), date_format(day, fmt))


@register.simple_tag
def countdown(day: dt.date | None, as_of: dt.date) -> str:
    """ "in 12 days", "today", "3 days ago"."""
    if day is None:
        return ""
    days = (day - as_of).days
    if days == 0:
        return gettext("today")
    if days > 0:
        return ngettext("in %(days)s day", "in %(days)s days", days) % {"days": days}
    return ngettext("%(days)s day ago", "%(days)s days ago", -days) % {"days": -days}


@register.simple_tag
def obligation_countdown(obligation: rules.Obligation) -> str:
    """Days left before the deadline in force, or how long ago it passed ("overdue by"
    only where a fact shows the obligation still open after it)."""
    if obligation.status is rules.ObligationStatus.OVERDUE:
        days = -(obligation.days_left or 0)
        return ngettext("overdue by %(days)s day", "overdue by %(days)s days", days) % {"days": days}
    if obligation.status is rules.ObligationStatus.PASSED_NO_INFORMATION:
        days = -(obligation.days_left or 0)
        return ngettext("the deadline passed %(days)s day ago", "the deadline passed %(days)s days ago", days) % {
            "days": days
        }
    if obligation.status in (rules.ObligationStatus.ON_TRACK, rules.ObligationStatus.DUE_SOON):
        days = obligation.days_left or 0
        if days == 0:
            return gettext("due today")
        return ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}
    return ""


@register.inclusion_tag("states/obligation_badge.html")
def obligation_badge(obligation: rules.Obligation) -> dict:
    """{% obligation_badge obligation %}: the status with its icon, its words and its tone
    (the same on every page). A passed deadline names the last fact recorded."""
    tone = labels.OBLIGATION_STATUS_TONES[obligation.status]
    passed = obligation.status is rules.ObligationStatus.PASSED_NO_INFORMATION
    return {
        "status": obligation.status.value,
        "tone": tone,
        "label": str(labels.OBLIGATION_STATUS_LABELS[obligation.status]),
        "since": obligation.last_fact_date if passed else None,
    }


@register.inclusion_tag("includes/source.html")
def source(text: str, label: str | None = None) -> dict:
    """{% source state.source %}: a stored source as a citation (publisher, title, date,
    link), the same wherever a source is shown."""
    from article6.states.citations import cite

    return {"citation": cite(text), "label": label}


@register.filter
def status_label(status) -> str:
    return str(labels.STATUS_LABELS[rules.Status(status)])


@register.filter
def obligation_label(status) -> str:
    return str(labels.OBLIGATION_STATUS_LABELS[rules.ObligationStatus(status)])


@register.filter
def what_is_due(deadline: rules.Deadline) -> str:
    return labels.what_is_due(deadline)


@register.filter
def provision(deadline: rules.Deadline) -> str:
    return labels.provision(deadline)


@register.filter
def fact_label(kind) -> str:
    from article6.treaty.models import FactKind

    return str(FactKind(str(kind)).label)


@register.filter
def lookup(mapping, key):
    """{{ profile.meetings|lookup:fact.meeting }}: a dictionary value by a variable key."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def percent(ratio) -> str:
    """A share (1.6) as a whole percentage in the reader's language ("160%")."""
    from django.utils.formats import number_format

    if ratio is None:
        return ""
    return f"{number_format(round(float(ratio) * 100), decimal_pos=0, use_l10n=True, force_grouping=True)}%"


@register.filter
def lookup_attr(record, name: str):
    """{{ row|lookup_attr:"gap" }}: an attribute by a variable name."""
    return getattr(record, name, None)


@register.filter
def lacks(row, figure: str) -> list:
    """{{ row|lacks:"gap" }}: the amounts a money figure cannot include for want of a rate, each
    as (sign, amount): "+" where the figure would be larger, "−" where it would be smaller (the
    gap, when what is missing is funding towards a need)."""
    missing = getattr(row, "missing", None) or {}
    items = missing.get(figure, [])
    if figure != "gap":
        return [("+", item) for item in items]
    needed = missing.get("needed", [])
    return [("+" if item in needed else "−", item) for item in items]


@functools.cache
def _choice_labels(model, name: str) -> dict:
    return dict(model._meta.get_field(name).flatchoices)


@register.filter
def display(record, name: str) -> str:
    """{{ state|display:"region" }}: what `state.get_region_display` gives, without rebuilding
    (and hashing, translated) the field's choices at each call: a table of 125 States made
    that a third of the home page's time."""
    value = getattr(record, name)
    return force_str(_choice_labels(type(record), name).get(value, value))


@register.simple_tag
def usd(row, figure: str):
    """{% usd row "gap" %}: a money figure in US dollars and what it cannot include for want of
    an exchange rate; never a smaller number shown as complete. A tag rather than an included
    template: the Funding page has one in each of its hundreds of cells."""
    amount = money(lookup_attr(row, figure))
    lacking = lacks(row, figure)
    if not lacking:
        return amount
    parts = [
        gettext("%(sign)s %(amount)s %(currency)s for %(year)s, no rate")
        % {"sign": sign, "amount": money(m.amount), "currency": m.currency, "year": m.year}
        for sign, m in lacking
    ]
    return format_html(
        '{}<span class="d-block small text-body-secondary" data-testid="missing-{}">{}</span>',
        amount,
        figure,
        "; ".join(parts),
    )


@register.filter
def is_web_url(value) -> bool:
    """Whether a stored address may be a link: http(s) only, never javascript: and the like."""
    return isinstance(value, str) and value.lower().startswith(("https://", "http://"))


@register.filter
def money(value):
    """An amount with digit grouping in the reader's language, rounded to the cent (figures are
    added at full precision and rounded once, here); cents only when there are any."""
    from decimal import ROUND_HALF_EVEN, Decimal

    from django.utils.formats import number_format

    if value is None or value == "":
        return ""
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    places = 0 if value == value.to_integral_value() else 2
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def pillar_label(value) -> str:
    from article6.treaty.models import Pillar

    return dict(Pillar.choices).get(value, value)


@register.filter
def modality_label(value) -> str:
    from article6.assistance.models import Modality

    return dict(Modality.choices).get(value, value)


@register.filter
def offer_kind_label(value) -> str:
    from article6.assistance.models import OfferKind

    return dict(OfferKind.choices).get(value, value)
