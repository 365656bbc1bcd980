"""The form toolkit (templates/includes/form/) and the need form: a group of choices is a
fieldset with a legend, the check class is on each input and each label names its
option; hints and errors are tied to their field and summed up at the top. The need
form preselects the one State of its focal point, lists currencies, reads amounts as the
reader writes them, and takes its amounts per year as rows whose errors name the row."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pagetools import element, html, text
from test_assistance_pages import NEED, file_need

from article6.assistance.forms import parse_amount
from article6.assistance.models import Need
from article6.states.models import State

TEMPLATES = Path(settings.BASE_DIR) / "article6" / "templates"


def form_of(page: str) -> str:
    return re.search(r'<form method="post" novalidate class="edit-form.*?</form>', page, re.S).group(0)


@pytest.mark.parametrize(
    ("role", "name", "groups"),
    [
        ("norway_partner", "assistance:offer_add", ["pillars", "modalities", "kinds", "regions", "languages"]),
        ("lao_focal_point", "assistance:need_add", ["languages"]),
    ],
)
def test_a_group_of_choices_is_a_fieldset_with_a_legend(client, people, role, name, groups):
    client.force_login(people[role])
    page = form_of(html(client.get(reverse(name))))
    assert 'for=""' not in page  # a group's label named no control
    for group in groups:
        fieldset = re.search(rf'<fieldset[^>]*data-field="{group}"[^>]*>(.*?)</fieldset>', page, re.S)
        assert fieldset, group
        inner = fieldset.group(1)
        assert re.search(r"<legend[^>]*>[^<]+", inner), group
        option = r'<div class="form-check"><input ([^>]*)><label class="form-check-label" for="([^"]+)"'
        options = re.findall(option, inner)
        assert len(options) >= 2, group
        for attributes, label_for in options:
            assert 'class="form-check-input"' in attributes and f'id="{label_for}"' in attributes, group
    # The check class is on the inputs, never on a wrapper.
    assert not re.search(r'<div[^>]*class="[^"]*form-check-input', page)


def test_hints_sit_under_the_label_and_are_named_by_the_field(client, people):
    client.force_login(people["lao_focal_point"])
    page = form_of(html(client.get(reverse("assistance:need_add"))))
    evidence = re.search(r'data-field="evidence">(.*?)</div>\s*</div>', page, re.S).group(1)
    label, hint, control = (evidence.index(s) for s in ("<label", 'id="id_evidence_helptext"', "<textarea"))
    assert label < hint < control
    assert 'aria-describedby="id_evidence_helptext"' in evidence


def test_the_error_summary_links_to_each_field_and_each_error_sits_under_its_field(client, people):
    response = file_need(client, people["lao_focal_point"], title="", **{"yearly-1-amount": "twenty"})
    page = response.content.decode()
    assert response.status_code == 200 and not Need.objects.exists()
    summary = element(page, "error-summary")
    assert '<a href="#id_title">Title: This field is required.</a>' in summary
    assert '<a href="#id_yearly-1-amount">Amounts per year, row 2, Amount: Enter a number.</a>' in summary
    title = re.search(r'data-field="title">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert title.index("<input") < title.index('id="id_title_error"')
    assert 'aria-describedby="id_title_error"' in title and 'aria-invalid="true"' in title


def test_every_form_template_uses_the_toolkit():
    """The old per-field include is gone, and no template sets up a field by hand."""
    assert not (TEMPLATES / "includes" / "field.html").exists()
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        assert "includes/field.html" not in source and "includes/form_errors.html" not in source, template
    for name in ("need_form", "offer_form", "commitment_form"):
        source = (TEMPLATES / "assistance" / f"{name}.html").read_text(encoding="utf-8")
        assert source.startswith('{% extends "includes/form/edit_page.html" %}'), name


def test_the_states_and_accounts_forms_set_no_classes():
    from article6.accounts.forms import AcceptInvitationForm, ApiTokenForm, InvitationForm
    from article6.states.forms import StateDeclarationForm

    forms = [ApiTokenForm(), InvitationForm(), StateDeclarationForm()]
    forms.append(AcceptInvitationForm(invitation=None))
    for form in forms:
        for name, field in form.fields.items():
            assert "class" not in field.widget.attrs, (type(form).__name__, name)


# --- The need form --------------------------------------------------------------------------


def state_options(page: str) -> list[str]:
    select = re.search(r'<select name="state".*?</select>', page, re.S).group(0)
    return re.findall(r"<option value=\"(\d*)\"( selected)?>", select)


def test_the_state_is_preselected_when_the_focal_point_has_one(client, people, lao):
    client.force_login(people["lao_focal_point"])
    page = html(client.get(reverse("assistance:need_add")))
    assert (str(lao.pk), " selected") in state_options(page)
    client.force_login(people["isu"])  # any State: none is chosen for them
    page = html(client.get(reverse("assistance:need_add")))
    assert ("", " selected") in state_options(page) and len(state_options(page)) > 100


def test_the_currency_is_a_list_of_iso_4217_codes(client, people):
    client.force_login(people["lao_focal_point"])
    page = html(client.get(reverse("assistance:need_add")))
    for name in ("currency", "national_resources_currency"):
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
        assert select, name
        codes = re.findall(r'<option value="([A-Z]{3})">', select.group(0))
        assert {"USD", "EUR", "LAK", "CHF", "NOK"} <= set(codes) and len(codes) > 150, name


@pytest.mark.parametrize(
    ("language", "amount", "rows", "shown"),
    [
        ("en", "500,000", ("300,000", "200,000.00"), "500,000"),
        ("fr", "500 000", ("300\u202f000", "200\xa0000,00"), "500\xa0000"),
        ("fr", "500000", ("300000", "200000"), "500\xa0000"),
    ],
)
def test_amounts_are_read_in_the_readers_grouping(client, people, language, amount, rows, shown):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    changes = {
        "amount": amount,
        "start_year": "2026",
        "end_year": "2027",
        "yearly-0-amount": rows[0],
        "yearly-1-amount": rows[1],
        "national_resources": amount,
    }
    response = file_need(client, people["lao_focal_point"], **changes)
    assert response.status_code == 302, response.content.decode()[-3000:]
    need = Need.objects.get()
    assert need.amount == need.national_resources == Decimal("500000")
    assert {y.year: y.amount for y in need.yearly.all()} == {2026: Decimal("300000"), 2027: Decimal("200000")}
    # The edit page shows them back in the same grouping.
    page = html(client.get(reverse("assistance:need_edit", args=[need.pk])))
    assert f'name="amount" value="{shown}"' in page


def test_parse_amount_reads_each_languages_separators():
    from django.utils import translation

    cases = {
        "en": {"500,000": "500000", "1,234.5": "1234.5", "12 000": "12000"},
        "fr": {"500 000": "500000", "1\u202f234,5": "1234.5", "1234.5": "1234.5"},
        "de": {"500.000": "500000", "1.234,5": "1234.5"},
    }
    for language, values in cases.items():
        with translation.override(language):
            for typed, read in values.items():
                assert parse_amount(typed) == read, (language, typed)


def test_amounts_per_year_are_rows_and_every_row_can_be_removed(client, people):
    file_need(client, people["lao_focal_point"])
    need = Need.objects.get()
    page = html(client.get(reverse("assistance:need_edit", args=[need.pk])))
    rows = element(page.replace('data-rows="yearly"', 'data-testid="yearly-rows"'), "yearly-rows")
    assert len(re.findall(r"<tr data-row=", rows)) == 10  # every row a need may have, drawn without script
    assert 'name="yearly-0-year" value="2026"' in rows and 'name="yearly-1-amount" value="40,000"' in rows
    assert "textarea" not in rows
    # Emptying the rows removes the amounts per year (the amount is then spread evenly).
    data = {**NEED, "state": need.state_id, "yearly-0-year": "", "yearly-0-amount": "", "yearly-1-year": ""}
    data |= {"yearly-1-amount": "", "yearly-INITIAL_FORMS": "2"}
    response = client.post(reverse("assistance:need_edit", args=[need.pk]), data)
    assert response.status_code == 302
    assert not need.yearly.exists()


@pytest.mark.parametrize(
    ("changes", "where", "message"),
    [
        ({"yearly-1-year": "2026"}, "yearly", "Row 2: 2026 is given already in row 1."),
        ({"yearly-1-year": "1990"}, "yearly-1-year", "Ensure this value is greater than or equal to 2008."),
        ({"yearly-0-amount": ""}, "yearly-0-amount", "Give the amount of this year."),
        ({"yearly-2-year": "2028", "yearly-2-amount": "1"}, "yearly", "Years outside the period: 2028."),
    ],
)
def test_errors_in_the_amounts_per_year_name_the_row(client, people, changes, where, message):
    response = file_need(client, people["lao_focal_point"], **changes)
    page = response.content.decode()
    assert response.status_code == 200 and not Need.objects.exists()
    errors = re.findall(rf'data-testid="field-error-{where}">([^<]*)<', page)
    assert errors and message in errors[0], errors
    summary = text(element(page, "error-summary"))
    assert message in summary or f"Amounts per year, row {int(where.split('-')[1]) + 1}" in summary


def test_a_state_focal_point_of_one_state_cannot_file_for_another(client, people):
    lbn = State.objects.get(iso3="LBN")
    response = file_need(client, people["lao_focal_point"], state=lbn.pk)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Need.objects.exists()
