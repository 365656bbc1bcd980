"""The form toolkit: every form renders through the templates of ``includes/form/``,
widget by widget, so that a layout fix is made once.

``{% render_form form %}`` draws the error summary, then the form's ``fieldsets`` (a
form may declare ``fieldsets = ((_("Legend"), ("field", …)), …)``; fields it leaves
out follow) and the rows of its ``formsets``; ``{% render_field field %}`` draws one
field: a group of choices is a ``<fieldset>`` with a ``<legend>``, each field has its
label, its hint under the label and its error under the field. ``bootstrap`` gives a
widget alone (in a table cell) its Bootstrap class."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()

CHECKS = ("checkbox", "radio")


def _css(widget) -> str:
    kind = getattr(widget, "input_type", None)
    if kind in CHECKS:
        return "form-check-input"
    if kind == "select" or widget.__class__.__name__.endswith("Select"):
        return "form-select"
    return "form-control"


@register.filter
def bootstrap(bound_field):
    """A field's widget with Bootstrap's class for its kind (and ``is-invalid`` when refused);
    Django adds ``aria-describedby`` for its hint and its error, ``aria-invalid`` for the error."""
    widget = bound_field.field.widget
    css = _css(widget)
    existing = widget.attrs.get("class", "").split()
    classes = existing if css in existing else [*existing, css]
    if bound_field.errors:
        classes.append("is-invalid")
    return bound_field.as_widget(attrs={"class": " ".join(classes)})


@register.filter
def choice_input(option, field=None):
    """One option of a group of choices (a radio or a checkbox), the input alone, with
    ``form-check-input`` on the input itself, never on a wrapper."""
    attrs = dict(option.data.get("attrs") or {})
    classes = [c for c in attrs.get("class", "").split() if c not in ("form-control", "form-select")]
    classes.append("form-check-input")
    if field is not None and field.errors:
        classes.append("is-invalid")
    attrs["class"] = " ".join(dict.fromkeys(classes))
    option.data["attrs"] = attrs
    return option.tag()


def _anchor(bound_field) -> str:
    """Where the error summary links for a field: its first option in a group of choices."""
    if bound_field.use_fieldset and bound_field.auto_id:
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label or bound_field.auto_id or ""


def error_summary(form) -> list[dict]:
    """Every error of the form and of its rows: {"text", "anchor"} (no anchor: the form's own)."""
    items = [{"text": str(error), "anchor": ""} for error in form.non_field_errors()]
    for bound_field in form:
        for error in bound_field.errors:
            items.append({"text": f"{bound_field.label}: {error}", "anchor": _anchor(bound_field)})
    for name, formset in getattr(form, "formsets", {}).items():
        label = getattr(formset, "label", name)
        for error in formset.non_form_errors():
            items.append({"text": f"{label}: {error}", "anchor": f"{formset.prefix}-rows"})
        for number, row in enumerate(formset.forms, start=1):
            for bound_field in row:
                for error in bound_field.errors:
                    items.append(
                        {
                            "text": gettext("%(rows)s, row %(row)d, %(field)s: %(error)s")
                            % {"rows": label, "row": number, "field": bound_field.label, "error": error},
                            "anchor": _anchor(bound_field),
                        }
                    )
    return items


def groups(form) -> list[dict]:
    """The form's parts in order: {"legend", "fields", "formset"}; a part without a legend
    holds the fields that no fieldset names."""
    formsets = getattr(form, "formsets", {})
    named: set[str] = set()
    parts = []
    for legend, names in getattr(form, "fieldsets", ()):
        fields, formset = [], None
        for name in names:
            named.add(name)
            if name in formsets:
                formset = formsets[name]
                fields.append(("rows", formset))
            elif name in form.fields:
                fields.append(("field", form[name]))
        parts.append({"legend": legend, "fields": fields})
    rest = [("field", form[name]) for name in form.fields if name not in named and not form[name].is_hidden]
    rest += [("rows", formset) for name, formset in formsets.items() if name not in named]
    if rest:
        parts.append({"legend": None, "fields": rest})
    return parts


@register.inclusion_tag("includes/form/form.html")
def render_form(form, summary=True):
    """The whole form: the error summary (unless ``summary=False``), its parts and hidden fields."""
    return {"form": form, "parts": groups(form), "summary": summary}


@register.inclusion_tag("includes/form/errors.html")
def render_errors(form):
    """The error summary at the top of a form, linking to each field refused."""
    return {"form": form, "errors": error_summary(form)}


@register.inclusion_tag("includes/form/field.html")
def render_field(field, inline=False):
    """One field (``inline=True``: without the bottom margin, for a filter bar's columns)."""
    return {"field": field, "inline": inline}
