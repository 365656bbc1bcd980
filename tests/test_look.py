"""The look every page shares, without a browser: the favicon, the footer's independence
line, one date format, the chart theme and its tables, the pattern includes."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from article6 import chart_theme
from article6.assistance import charts as assistance_charts
from article6.reporting import charts as reporting_charts

TEMPLATES = Path(__file__).resolve().parent.parent / "article6" / "templates"


def test_favicon_is_served(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == b"\0\0\1\0"


def test_every_page_links_the_favicon_and_configures_htmx_without_inline_style(client, reference):
    page = client.get("/").content.decode()
    assert 'rel="icon" href="/favicon.ico"' in page
    # htmx injects a <style> for its indicator unless told not to; the CSP would block it.
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in page
    assert "style=" not in page


def test_footer_says_article6_is_independent(client, reference):
    page = client.get(reverse("states:list")).content.decode()
    assert 'data-testid="independence"' in page
    assert "It is not the Convention&#x27;s website" in page or "It is not the Convention's website" in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "30 April 2027"), ("fr", "30 avril 2027"), ("es", "30 de abril de 2027"), ("ru", "30 апреля 2027 г.")],
)
def test_one_long_date_format_per_language(language, expected):
    with translation.override(language):
        assert date_format(dt.date(2027, 4, 30)) == expected
        assert date_format(dt.datetime(2027, 4, 30, 9, 5), "DATETIME_FORMAT").startswith(expected)


# Formats a template may still spell out: machine forms (ISO 8601 in datetime= and ids, date
# inputs' value=) and the named formats of the language (article6/formats/).
MACHINE_OR_NAMED = {"Y-m-d", "c", "Y-m", "DATE_FORMAT", "DATETIME_FORMAT", "YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT"}


def test_no_template_spells_out_a_date_format_for_people():
    found = []
    for path in TEMPLATES.rglob("*"):
        if path.suffix not in (".html", ".txt"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for fmt in re.findall(r"""\|date:["']([^"']*)["']""", line):
                if fmt in MACHINE_OR_NAMED:
                    if fmt in ("Y-m-d", "c", "Y-m") and not re.search(
                        rf"""(datetime|value|id|aria-labelledby)="[^"]*\|date:["']{fmt}["']""", line
                    ):
                        found.append(f"{path.relative_to(TEMPLATES)}:{number} shows {fmt!r}")
                    continue
                found.append(f"{path.relative_to(TEMPLATES)}:{number} uses {fmt!r}")
    assert found == []


def test_the_as_of_chip_shows_the_day_in_the_long_form(client, reference):
    page = client.get("/", {"as_of": "2018-11-12"}).content.decode()
    assert "Figures as of 12 November 2018." in page
    assert 'data-testid="as-of-change"' in page


def test_funding_bars_stay_inside_their_axis():
    """The 2026 "needed" bar ran past the top of its axis: the axis now ends at a round
    amount at or above the tallest bar."""
    table = {
        2026: {"needed": 650_000, "pledged": 0, "committed": 360_000, "disbursed": 300_000},
        2027: {"needed": 600_000, "pledged": 0, "committed": 360_000, "disbursed": 0},
    }
    spec = assistance_charts.by_year(table)
    low, high = spec["encoding"]["y"]["scale"]["domain"]
    assert low == 0 and high >= 650_000
    assert spec["encoding"]["y"]["scale"]["nice"] is False

    gaps = assistance_charts.gap_by_state({"LAO": {"funded": 720_000, "gap": 480_000}})
    assert gaps["encoding"]["x"]["scale"]["domain"][1] >= 1_200_000


@pytest.mark.parametrize(("value", "top"), [(650_000, 800_000), (1_200_000, 1_250_000), (7, 8), (100, 100), (0, 1)])
def test_nice_top(value, top):
    assert chart_theme.nice_top(value) == top


def test_every_chart_carries_the_one_theme():
    specs = [
        assistance_charts.by_year({2026: {"needed": 1, "pledged": 0, "committed": 0, "disbursed": 0}}),
        assistance_charts.gap_by_state({"LAO": {"funded": 1, "gap": 1}}),
        reporting_charts.annual_rate({"2025": {"rate": 0.5, "due": 2, "submitted": 1, "on_time": 1}}),
        reporting_charts.rate_by_region({"asia": {"annual": {"2025": {"rate": 0.5, "due": 2}}}}, {"asia": "Asia"}),
    ]
    for spec in specs:
        config = spec["config"]
        assert config["font"].startswith("Noto Sans")
        assert config["axis"]["labelColor"] == "#1b1f24"
        assert config["range"]["category"][:3] == ["#0072B2", "#E69F00", "#009E73"]
        assert config["axis"]["gridColor"] == "#e6e9ec"


def test_a_chart_can_be_shown_as_a_table(client, reference):
    """Every chart has "Show as table" with the same figures, and an aria-label summary."""
    spec = reporting_charts.annual_rate({"2025": {"rate": 0.75, "due": 4, "submitted": 3, "on_time": 2}})
    html = render_to_string(
        "includes/chart.html", {"spec": spec, "chart_id": "chart-x", "title": "Three of four updates came in"}
    )
    assert "Show as table" in html
    assert 'role="img" aria-label="Three of four updates came in.' in html
    table = html[html.index("<table") : html.index("</table>")]
    assert "Year covered" in table and "Share of the reports whose status is known" in table
    assert '<td class="num">75%</td>' in table
    assert '<td class="num">4</td>' in table


def test_funding_page_charts_have_their_tables(client, people):
    from test_assistance_pages import file_need, record_commitment

    from article6.assistance.models import Need

    file_need(client, people["lao_focal_point"])
    record_commitment(client, people["norway_partner"], Need.objects.get())
    client.logout()
    page = client.get(reverse("assistance:funding")).content.decode()
    assert page.count('data-testid="chart-table"') == 2
    assert page.count("Show as table") == 2


@pytest.mark.parametrize("tone", ["done", "soon", "late", "unknown", "sample"])
def test_status_badge_is_icon_word_and_colour(tone):
    html = render_to_string("includes/status_badge.html", {"tone": tone, "label": "on track"})
    assert f'class="badge status-badge status-tone-{tone}"' in html
    assert ">on track</span>" in html
    css = (TEMPLATES.parent / "static" / "css" / "article6.css").read_text()
    # The icon is drawn by the class: each tone has one.
    assert re.search(rf"\.status-tone-{tone}[^{{]*\{{[^}}]*--tone-icon", css)


def test_figure_card_and_empty_state(client):
    html = render_to_string(
        "includes/figure_card.html",
        {"value": "75%", "label": "Reports received", "base": "of 96 reports with known status", "url": "/x/"},
    )
    assert '<a href="/x/">Reports received</a>' in html and "of 96 reports with known status" in html
    html = render_to_string(
        "includes/empty_state.html",
        {"title": "No needs yet", "why": "No State has filed one.", "next_label": "File a need", "next_url": "/n/"},
    )
    assert "No needs yet" in html and "No State has filed one." in html and '<a href="/n/">File a need</a>' in html


def test_tokens_only_in_the_tokens_file():
    """Colours live in one file: no other stylesheet or template spells out a colour; they
    use the tokens (var(--…)) of article6.css."""
    offenders = []
    for path in (TEMPLATES.parent / "static").rglob("*.css"):
        if path.name != "article6.css" and re.search(r"#[0-9a-fA-F]{3,6}\b|rgba?\(\s*\d", path.read_text()):
            offenders.append(str(path))
    for path in TEMPLATES.rglob("*.html"):
        if path.name.endswith("_pdf.html"):
            continue
        if re.search(r"#[0-9a-fA-F]{6}\b", path.read_text()):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_data_table_frame_counts_rows_and_scrolls_in_its_own_box():
    html = render_to_string(
        "includes/data_table.html",
        {"table_template": "includes/sample_tag.html", "count": 3, "csv_url": "/x.csv", "sticky": True},
    )
    assert "3 rows" in html and '<a class="btn btn-sm btn-outline-secondary" href="/x.csv">CSV</a>' in html
    assert '<div class="a6-table-wrap a6-table--sticky">' in html


def test_page_header_has_breadcrumb_title_and_subtitle():
    html = render_to_string(
        "includes/page_header.html",
        {"title": "Funding", "subtitle": "What is needed and given", "parent_label": "Assistance", "parent_url": "/n/"},
    )
    assert '<a href="/n/">Assistance</a>' in html and 'aria-current="page">Funding</li>' in html
    assert '<h1 class="a6-page-header__title">Funding</h1>' in html and "What is needed and given" in html


@pytest.mark.parametrize(
    "path",
    [
        "/static/vendor/fonts/noto-sans/400.css",
        "/static/vendor/fonts/noto-sans/files/noto-sans-latin-600-normal.woff2",
        "/static/vendor/fonts/noto-sans-arabic/400.css",
        "/static/vendor/fonts/noto-sans-sc/400.css",
    ],
)
def test_fonts_are_self_hosted(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("language", "font"), [("ar", "noto-sans-arabic"), ("zh-hans", "noto-sans-sc")])
def test_arabic_and_chinese_pages_load_their_noto_sans(client, reference, language, font):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get("/").content.decode()
    assert f"/static/vendor/fonts/{font}/400.css" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert f"/static/vendor/fonts/{font}/" not in client.get("/").content.decode()
