"""The audit trail read back: who changed what, when, and the values before and after.

Every model keeps its history (django-simple-history); these functions turn the
historical rows of one or more records into entries people can read, for the history
pages and the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
# What a reference to a record the reader may not see reads as (neither its name nor its id).
HIDDEN = _("a record you cannot see")

# Models with visibility tiers: model -> the function that gives the records a person may
# see (assistance.queries.needs_for, ...), registered by the app that owns them. A reference
# to such a record is named only to those who may see it.
_SELECTORS: dict = {}


def restrict(model, selector) -> None:
    """Name the records of `model` in the audit trail only to those `selector(user)` gives."""
    _SELECTORS[model] = selector


@dataclass
class Change:
    field: str
    label: str
    before: object
    after: object


@dataclass
class Entry:
    when: datetime
    who: str
    action: str  # "+", "~" or "-"
    record: str  # what the record is, e.g. "State declaration"
    record_id: int
    summary: str  # the record as it read after the change
    reason: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return str(ACTIONS.get(self.action, self.action))

    def as_json(self) -> dict:
        return {
            "when": self.when.isoformat(),
            "who": self.who,
            "action": {"+": "created", "~": "changed", "-": "deleted"}.get(self.action, self.action),
            "record": self.record,
            "record_id": self.record_id,
            "summary": self.summary,
            "reason": self.reason,
            "changes": [
                {"field": c.field, "label": c.label, "before": _plain(c.before), "after": _plain(c.after)}
                for c in self.changes
            ],
        }


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _who(row) -> str:
    user = row.history_user
    if user is None:
        return str(_("system (import or command line)"))
    return user.email or user.get_username()


MAX_ROWS = 5000


def entries_for(history_querysets, limit: int = 200, *, viewer=None) -> list[Entry]:
    """The newest `limit` entries of the given historical querysets (each the
    `.history` of a model, filtered to the records wanted), newest first. Each
    entry lists its changed fields with the values before and after; a reference to a
    record `viewer` may not see reads HIDDEN (without a viewer, every such record is
    hidden). One query per queryset, whatever the number of entries."""
    rows = []
    for queryset in history_querysets:
        rows.extend(queryset.select_related("history_user").order_by("history_date", "history_id")[:MAX_ROWS])
    # Each row is compared with the version of the same record just before it.
    previous_of = {}
    last_seen = {}
    for row in rows:
        key = (row.instance_type, row.id)
        previous_of[id(row)] = last_seen.get(key)
        last_seen[key] = row
    rows.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
    entries = [_entry(row, previous_of[id(row)]) for row in rows[:limit]]
    _readable(entries, {row.instance_type for row in rows}, viewer)
    return entries


def _names(model, ids, viewer) -> dict:
    """{id: name} of the records of `model` among `ids`; those `viewer` may not see read HIDDEN."""
    selector = _SELECTORS.get(model)
    if selector is None:
        return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)}
    if viewer is None:
        return dict.fromkeys(ids, HIDDEN)
    names = {obj.pk: str(obj) for obj in selector(viewer).prefetch_related(None).filter(pk__in=ids)}
    return {pk: names.get(pk, HIDDEN) for pk in ids}


def _readable(entries: list[Entry], models, viewer=None) -> None:
    """Show choices by their label, yes/no for booleans, and a related record by its
    name rather than its id, if the viewer may see it (one query per related model,
    whatever the entries)."""
    fields = {}
    for model in models:
        for field_obj in model._meta.concrete_fields:
            fields[(str(model._meta.verbose_name), field_obj.attname)] = field_obj
    wanted: dict[type, set] = {}
    for entry in entries:
        for change in entry.changes:
            field_obj = fields.get((entry.record, change.field))
            if field_obj is not None and field_obj.is_relation:
                wanted.setdefault(field_obj.related_model, set()).update(
                    v for v in (change.before, change.after) if v is not None
                )
    names = {model: _names(model, ids, viewer) for model, ids in wanted.items()}

    def shown(field_obj, value):
        if value is None or field_obj is None:
            return value
        if field_obj.is_relation:
            return names.get(field_obj.related_model, {}).get(value, value)
        if field_obj.choices:
            return dict(field_obj.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value

    for entry in entries:
        for change in entry.changes:
            field_obj = fields.get((entry.record, change.field))
            change.before, change.after = shown(field_obj, change.before), shown(field_obj, change.after)


def _entry(row, previous) -> Entry:
    meta = row.instance_type._meta
    changes = []
    if row.history_type == "~" and previous is not None:
        for change in row.diff_against(previous).changes:
            field_obj = meta.get_field(change.field)
            changes.append(Change(field_obj.attname, str(field_obj.verbose_name), change.old, change.new))
    elif row.history_type == "+":
        for field_obj in meta.concrete_fields:
            if field_obj.primary_key:
                continue
            value = getattr(row, field_obj.attname, None)
            if value not in (None, ""):
                changes.append(Change(field_obj.attname, str(field_obj.verbose_name), None, value))
    return Entry(
        when=row.history_date,
        who=_who(row),
        action=row.history_type,
        record=str(meta.verbose_name),
        record_id=row.id,
        summary=f"{meta.verbose_name} {row.id}",
        reason=row.history_change_reason or "",
        changes=changes,
    )
