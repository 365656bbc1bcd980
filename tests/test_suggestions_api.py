"""The suggestions in the API (`GET /api/v1/needs/{id}/suggestions`, `/offers/{id}/suggestions`)
and on the command line (`article6 suggestions`): the same records as the page for the same
person, the JSON shape scripts rely on, what cannot help and what was declined listed apart
with why, the page's visibility and filters, and a fixed number of queries.

The world: a need of Lao PDR (300,000 US$ for 2026–2028, in English) and Norway's offers,
each built so that the right answer is plain: one usable, one only for Africa, one
restricted, one declined by the State, one technical in French, one from 2028 on."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from test_matching_exclusions import make_need, make_offer

from article6.accounts.models import ApiToken, Role, RoleKind, Visibility
from article6.assistance.models import Match, Need
from article6.states.models import State
from article6.treaty.models import Pillar

API = "/api/v1"
YEAR = 2026
DECLINED_ON = dt.datetime(2026, 3, 14, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(people, lao, nor, year):
    need = make_need(people, lao)
    offers = {
        "usable": make_offer(people, nor),
        "africa": make_offer(people, nor, title="Clearance funding for Africa", regions=["Africa"]),
        "restricted": make_offer(people, nor, title="Restricted funding", visibility=Visibility.RESTRICTED),
        "declined": make_offer(people, nor, title="Funding declined"),
        "technical": make_offer(
            people,
            nor,
            title="Experts in French",
            modalities=["technical"],
            kinds=["experts"],
            languages=["fr"],
            amount_per_year=Decimal("20000"),
        ),
        "later": make_offer(people, nor, title="Funding from 2028", start_year=2028, end_year=2030),
    }
    Match.objects.create(
        need=need,
        offer=offers["declined"],
        score=70,
        reasons=[],
        proposed_by=people["coordinator"],
        need_side="declined",
        declined_on=DECLINED_ON,
    )
    return {"need": need, "people": people, **offers}


# --- Calls ---------------------------------------------------------------------------------------


def token(user) -> dict:
    return {"Authorization": "Bearer " + ApiToken.issue(user, "suggestions")[1]} if user else {}


def api(client, path: str, user=None, **params):
    response = client.get(f"{API}{path}", params, headers=token(user))
    assert response["Content-Type"].startswith("application/json"), response.content
    return response


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def need_api(client, world, user=None, **params) -> dict:
    return ok(api(client, f"/needs/{world['need'].pk}/suggestions", user, **params))


def offer_api(client, offer, user=None, **params) -> dict:
    return ok(api(client, f"/offers/{offer.pk}/suggestions", user, **params))


def command(*args) -> str:
    out = StringIO()
    call_command("suggestions", *map(str, args), stdout=out)
    return out.getvalue()


def command_json(*args) -> dict:
    return json.loads(command(*args, "--json"))


def suggested(data: dict) -> list[int]:
    key = "offer" if "need" in data else "need"
    return [item[key] for item in data["suggested"]]


def left_out(data: dict) -> dict[int, list[str]]:
    key = "offer" if "need" in data else "need"
    return {item[key]: item["reasons"] for item in data["not_suggested"]}


def page(client, user, name: str, pk: int):
    """The ids the suggestions page lists for `user`: suggested, left out, declined."""
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(f"assistance:{name}", args=[pk]))
    assert response.status_code == 200
    result = response.context["result"]
    other = "offer" if result.perspective == "need" else "need"
    return (
        [getattr(s, other).pk for s in result.suggested],
        [getattr(x, other).pk for x in result.not_suggested],
        [getattr(d, other).pk for d in result.declined],
    )


def ids(*records) -> list[int]:
    return [r.pk for r in records]


# --- The same as the page ------------------------------------------------------------------------


def test_the_api_and_the_command_list_what_the_page_lists_for_the_coordinator(client, world):
    coordinator = world["people"]["coordinator"]
    need = world["need"]
    shown, left, declined = page(client, coordinator, "need_suggestions", need.pk)
    assert set(shown) == set(ids(world["usable"], world["restricted"], world["technical"], world["later"]))
    assert (left, declined) == (ids(world["africa"]), ids(world["declined"]))
    for data in (need_api(client, world, coordinator), command_json("--need", need.pk)):
        assert suggested(data) == shown
        assert list(left_out(data)) == left + declined
    # From the offer's side.
    offer = world["usable"]
    shown, left, declined = page(client, coordinator, "offer_suggestions", offer.pk)
    assert shown == [need.pk]
    for data in (offer_api(client, offer, coordinator), command_json("--offer", offer.pk)):
        assert suggested(data) == shown
        assert list(left_out(data)) == left + declined


def test_the_api_lists_what_the_page_lists_for_an_anonymous_visitor(client, world):
    need = world["need"]
    shown, left, declined = page(client, None, "need_suggestions", need.pk)
    data = need_api(client, world)
    assert suggested(data) == shown and list(left_out(data)) == left + declined
    assert world["restricted"].pk not in shown
    shown, left, declined = page(client, None, "offer_suggestions", world["usable"].pk)
    data = offer_api(client, world["usable"])
    assert suggested(data) == shown == [need.pk] and list(left_out(data)) == left + declined


def test_the_command_lists_for_the_person_given_with_as(client, world):
    partner = world["people"]["ngo_partner"]
    shown, left, declined = page(client, partner, "need_suggestions", world["need"].pk)
    data = command_json("--need", world["need"].pk, "--as", partner.email)
    assert suggested(data) == shown and list(left_out(data)) == left + declined
    assert world["restricted"].pk not in shown


# --- The shape -----------------------------------------------------------------------------------


def assert_shape(data: dict, subject: str, other: str, subject_id: int) -> None:
    assert list(data) == [subject, "suggested", "not_suggested"]
    assert data[subject] == subject_id
    assert data["suggested"]
    for item in data["suggested"]:
        assert list(item) == [other, "score", "possible", "reasons", "why_not"]
        assert type(item[other]) is int
        assert type(item["score"]) is float and type(item["possible"]) is float
        assert 0 < item["score"] <= item["possible"]
        assert item["reasons"] and all(type(r) is str for r in item["reasons"])
        assert all(type(r) is str for r in item["why_not"])
    assert data["not_suggested"]
    for item in data["not_suggested"]:
        assert list(item) == [other, "reasons"]
        assert type(item[other]) is int
        assert item["reasons"] and all(type(r) is str for r in item["reasons"])


def test_the_json_has_exactly_the_keys_and_types_scripts_rely_on(client, world):
    coordinator = world["people"]["coordinator"]
    need, offer = world["need"], world["usable"]
    # The offer's side needs one left out too: a need in Chad, which an Asia offer cannot help.
    make_need(world["people"], State.objects.get(iso3="TCD"), title="Land release in Chad")
    for data in (need_api(client, world, coordinator), command_json("--need", need.pk)):
        assert_shape(data, "need", "offer", need.pk)
    for data in (offer_api(client, offer, coordinator), command_json("--offer", offer.pk)):
        assert_shape(data, "offer", "need", offer.pk)
    # The command prints the JSON and nothing else.
    assert json.loads(command("--need", need.pk, "--json")) == command_json("--need", need.pk)


def test_a_need_without_an_amount_says_it_can_reach_fewer_points(client, world, people, lao):
    technical = make_need(people, lao, title="Survey experts", modality="technical", amount=None, currency="")
    data = ok(api(client, f"/needs/{technical.pk}/suggestions"))
    assert data["suggested"]
    # No amount: the 15 points of the amount cannot be earned.
    assert all(item["possible"] == 85.0 for item in data["suggested"])
    assert all("No amount given" not in item["reasons"] for item in data["suggested"])
    assert command_json("--need", technical.pk)["suggested"][0]["possible"] < 100


def test_the_score_is_out_of_the_points_possible_in_the_table(world):
    out = command("--need", world["need"].pk)
    assert out.startswith(f"Offers suggested for need {world['need'].pk}, “Land release in Xieng Khouang”, as coord@")
    first = command_json("--need", world["need"].pk)["suggested"][0]
    percent = round(first["score"] / first["possible"] * 100)
    assert f"  1. #{first['offer']}  " in out
    assert f"{first['score']} of 100 ({percent}%)" in out  # 78.4 of 100 (78%)
    assert f"       + {first['reasons'][0]}" in out
    assert f"       falls short: {first['why_not'][0]}" in out
    assert "\nNot suggested:\n" in out
    assert f"  #{world['africa'].pk}  Clearance funding for Africa: Only for Africa" in out
    assert f"  #{world['declined'].pk}  Funding declined: Declined by the State on 2026-03-14" in out


def test_a_need_whose_period_is_over_gets_no_suggestions_and_the_table_says_why(client, world, people, lao):
    old = make_need(people, lao, title="Old survey", start_year=2015, end_year=2018)
    make_offer(people, world["usable"].provider_state, title="Old funding", start_year=2015)
    assert ok(api(client, f"/needs/{old.pk}/suggestions")) == {"need": old.pk, "suggested": [], "not_suggested": []}
    out = command("--need", old.pk)
    assert out.endswith("Its period ended in 2018: nothing is suggested for it.\n")
    assert "Not suggested:" not in out


# --- Left out, and declined ----------------------------------------------------------------------


def test_an_offer_only_for_africa_is_not_suggested_and_says_why(client, world):
    africa = world["africa"].pk
    for data in (need_api(client, world), command_json("--need", world["need"].pk)):
        assert africa not in suggested(data)
        assert left_out(data)[africa] == ["Only for Africa"]


def test_a_declined_pair_is_not_suggested_and_says_who_declined_and_when(client, world):
    declined = world["declined"].pk
    coordinator = world["people"]["coordinator"]
    for data in (need_api(client, world, coordinator), command_json("--need", world["need"].pk)):
        assert declined not in suggested(data)
        assert left_out(data)[declined] == ["Declined by the State on 2026-03-14"]
    data = offer_api(client, world["declined"], coordinator)
    assert suggested(data) == [] and left_out(data) == {world["need"].pk: ["Declined by the State on 2026-03-14"]}


# --- Visibility ----------------------------------------------------------------------------------


def test_a_restricted_offer_is_listed_only_for_those_who_may_see_it(client, world):
    restricted = world["restricted"].pk
    people = world["people"]
    assert restricted not in suggested(need_api(client, world))
    assert restricted not in suggested(need_api(client, world, people["ngo_partner"]))
    assert restricted not in suggested(command_json("--need", world["need"].pk, "--as", people["ngo_partner"].email))
    assert restricted in suggested(need_api(client, world, people["coordinator"]))
    assert restricted in suggested(command_json("--need", world["need"].pk))
    # Norway's own partner sees Norway's restricted offer.
    assert restricted in suggested(need_api(client, world, people["norway_partner"]))
    # Its own suggestions: a 404 for whoever may not see it, as for an id that does not exist.
    response = api(client, f"/offers/{restricted}/suggestions")
    assert response.status_code == 404
    assert response.json() == {"detail": f"No offer has the id {restricted}."}


def test_a_hidden_need_is_a_404_and_an_error_with_the_words_of_an_id_that_does_not_exist(client, world, people, lao):
    hidden = make_need(people, lao, title="Restricted survey", visibility=Visibility.RESTRICTED)
    missing = Need.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    for pk in (hidden.pk, missing):
        for user in (None, people["ngo_partner"]):
            response = api(client, f"/needs/{pk}/suggestions", user)
            assert response.status_code == 404
            assert response.json() == {"detail": f"No need has the id {pk}."}
        with pytest.raises(CommandError) as refused:
            command("--need", pk, "--as", people["ngo_partner"].email)
        assert str(refused.value) == f"No need has the id {pk}."
    # The coordinator sees it, through both.
    assert api(client, f"/needs/{hidden.pk}/suggestions", people["coordinator"]).status_code == 200
    assert command_json("--need", hidden.pk)["need"] == hidden.pk
    with pytest.raises(CommandError, match="^No offer has the id 0.$"):
        command("--offer", 0)


# --- Filters -------------------------------------------------------------------------------------


def test_the_filters_keep_what_they_say(client, world):
    usable, technical, later = world["usable"].pk, world["technical"].pk, world["later"].pk
    restricted = world["restricted"].pk
    coordinator = world["people"]["coordinator"]
    need = world["need"].pk
    cases = [
        ({"modality": "technical"}, ["--modality", "technical"], {technical}),
        # 20,000 a year is too little; 80,000 is enough.
        ({"min_usd": 50000}, ["--min-usd", "50000"], {usable, restricted, later}),
        ({"language": "fr"}, ["--language", "fr"], {technical}),
        ({"hide_restricted": "true"}, ["--hide-restricted"], {usable, technical, later}),
        # Only the offer that runs to 2030 has a year from 2029 on; only it has none up to 2027.
        ({"from_year": 2029}, ["--from-year", "2029"], {later}),
        ({"to_year": 2027}, ["--to-year", "2027"], {usable, restricted, technical}),
        (
            {"from_year": 2026, "to_year": 2026, "modality": "financial"},
            ["--from-year", "2026", "--to-year", "2026", "--modality", "financial"],
            {usable, restricted},
        ),
    ]
    everything = set(suggested(need_api(client, world, coordinator)))
    assert everything == {usable, restricted, technical, later}
    for params, options, expected in cases:
        assert set(suggested(need_api(client, world, coordinator, **params))) == expected, params
        assert set(suggested(command_json("--need", need, *options))) == expected, options
    # What cannot help is filtered alike, as on the page: the Africa offer is financial, in English.
    assert left_out(need_api(client, world, coordinator, language="en"))[world["africa"].pk] == ["Only for Africa"]
    assert world["africa"].pk not in left_out(need_api(client, world, coordinator, modality="technical"))
    # k: at most that many.
    assert suggested(need_api(client, world, coordinator, k=1)) == [suggested(need_api(client, world, coordinator))[0]]
    assert len(suggested(command_json("--need", need, "--k", 2))) == 2


def test_the_offer_side_is_filtered_too(client, world, people, lao):
    other = make_need(people, lao, title="Survey in French", languages=["fr"])
    data = offer_api(client, world["usable"], people["coordinator"], language="fr")
    assert suggested(data) == [other.pk]
    assert suggested(command_json("--offer", world["usable"].pk, "--language", "fr")) == [other.pk]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"modality": "money"}, "modality"),
        ({"min_usd": "-1"}, "min_usd"),
        ({"min_usd": "lots"}, "min_usd"),
        ({"from_year": "1800"}, "from_year"),
        ({"to_year": "next"}, "to_year"),
        ({"language": "xx"}, "language"),
        ({"hide_restricted": "maybe"}, "hide_restricted"),
        ({"k": "0"}, "k"),
        ({"k": "51"}, "k"),
    ],
)
def test_a_refused_filter_is_a_422_naming_it(client, world, params, parameter):
    for path in (f"/needs/{world['need'].pk}/suggestions", f"/offers/{world['usable'].pk}/suggestions"):
        response = api(client, path, **params)
        assert response.status_code == 422, response.content
        assert [d["parameter"] for d in response.json()["detail"]] == [parameter]


def test_a_last_year_before_the_first_is_a_400_naming_to_year(client, world):
    """Each year is valid on its own (the schema allows both); together they are not: a 400,
    as for a period of deadlines that ends before it starts."""
    for path in (f"/needs/{world['need'].pk}/suggestions", f"/offers/{world['usable'].pk}/suggestions"):
        response = api(client, path, from_year="2028", to_year="2026")
        assert response.status_code == 400, response.content
        assert response.json()["detail"] == [
            {"parameter": "to_year", "reason": "The last year comes before the first."}
        ]


@pytest.mark.parametrize(
    ("options", "option"),
    [
        (["--modality", "money"], "--modality"),
        (["--min-usd", "-1"], "--min-usd"),
        (["--min-usd", "lots"], "--min-usd"),
        (["--from-year", "1800"], "--from-year"),
        (["--to-year", "next"], "--to-year"),
        (["--from-year", "2028", "--to-year", "2026"], "--to-year"),
        (["--language", "xx"], "--language"),
        (["--k", "0"], "--k"),
        (["--k", "many"], "--k"),
    ],
)
def test_a_refused_option_is_an_error_naming_it(world, options, option):
    with pytest.raises(CommandError, match=f"^{option}: "):
        command("--need", world["need"].pk, *options)


# --- The viewer of the command -------------------------------------------------------------------


def test_the_viewer_is_the_first_active_coordinator_unless_given(world, django_user_model):
    people = world["people"]
    need = world["need"].pk
    assert "as coord@example.org:" in command("--need", need)
    second = django_user_model.objects.create_user("second@example.org", "second@example.org", "x")
    Role.objects.create(user=second, kind=RoleKind.COORDINATOR, thematic_area=Pillar.CLEARANCE)
    assert "as coord@example.org:" in command("--need", need)
    people["coordinator"].is_active = False
    people["coordinator"].save()
    assert "as second@example.org:" in command("--need", need)
    with pytest.raises(CommandError, match="^No active account has the e-mail coord@example.org.$"):
        command("--need", need, "--as", "coord@example.org")
    with pytest.raises(CommandError, match="^No active account has the e-mail nobody@nowhere.example.$"):
        command("--need", need, "--as", "nobody@nowhere.example")
    Role.objects.filter(kind=RoleKind.COORDINATOR).delete()
    with pytest.raises(CommandError, match="give --as USER_EMAIL"):
        command("--need", need)
    assert "as isu@example.org:" in command("--need", need, "--as", "isu@example.org")


def test_exactly_one_of_need_and_offer(world):
    with pytest.raises(CommandError, match="one of the arguments --need --offer is required"):
        command()
    with pytest.raises(CommandError, match="not allowed with argument"):
        command("--need", world["need"].pk, "--offer", world["usable"].pk)


def test_errors_of_the_real_command_exit_non_zero_without_traceback(tmp_path):
    database = tmp_path / "cli.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "test-only"}

    def article6(*args):
        return subprocess.run(
            [sys.executable, "-m", "article6", *args], env=env, capture_output=True, text=True, timeout=180
        )

    assert article6("migrate", "--verbosity", "0").returncode == 0
    for args, words in (
        (("--need", "1"), "No active account has the coordinator role: give --as USER_EMAIL."),
        (("--need", "1", "--as", "nobody@nowhere.example"), "No active account has the e-mail"),
        (("--need", "1", "--k", "0"), "--k: "),
    ):
        result = article6("suggestions", *args, "--json")
        assert result.returncode == 1, (args, result.stderr)
        assert result.stdout == ""
        assert result.stderr.startswith("CommandError: ") and words in result.stderr
        assert "Traceback" not in result.stderr
    assert article6("suggestions", "--json").returncode == 2  # neither --need nor --offer


# --- A fixed number of queries -------------------------------------------------------------------


@pytest.fixture
def three(people, lao, nor, year):
    """Three offers for the need (one usable, one for Africa, one declined); three needs
    for the offer (one usable, one over, one declined)."""
    need = make_need(people, lao)
    usable = make_offer(people, nor)
    make_offer(people, nor, title="For Africa", regions=["Africa"])
    declined = make_offer(people, nor, title="Declined")
    make_need(people, lao, title="Old need", start_year=2015, end_year=2018)
    declined_need = make_need(people, lao, title="Declined need")
    for n, o in ((need, declined), (declined_need, usable)):
        Match.objects.create(
            need=n, offer=o, score=60, reasons=[], proposed_by=people["coordinator"], need_side="declined"
        )
    return {"need": need, "offer": usable, "people": people, "nor": nor, "lao": lao}


def nine_more(world) -> None:
    """From three candidates to twelve on each side: more suggested, left out and declined."""
    people, need, offer = world["people"], world["need"], world["offer"]
    for i in range(3):
        make_offer(people, world["nor"], title=f"Usable {i}")
        make_offer(people, world["nor"], title=f"For Africa {i}", regions=["Africa"])
        declined = make_offer(people, world["nor"], title=f"Declined {i}")
        make_need(people, world["lao"], title=f"Need {i}")
        make_need(people, world["lao"], title=f"Old need {i}", start_year=2015, end_year=2018)
        declined_need = make_need(people, world["lao"], title=f"Declined need {i}")
        for n, o in ((need, declined), (declined_need, offer)):
            Match.objects.create(
                need=n, offer=o, score=60, reasons=[], proposed_by=people["coordinator"], need_side="declined"
            )


# Six queries for a need's suggestions, five for an offer's (see their comments), one more for
# a signed-in caller (their roles), one more for one with a role (the matches of the need or
# offer: declined and proposed); identifying the caller: two with a token (read, its last use
# written), one more for a coordinator's second factor.
CALLER = {"anonymous": 0, "norway_partner": 1 + 1 + 2, "coordinator": 1 + 1 + 2 + 1}
OWN = (6, 5)  # the need's route, the offer's


def test_the_operations_run_a_fixed_number_of_queries(client, three, django_assert_num_queries):
    people = three["people"]
    paths = [f"/needs/{three['need'].pk}/suggestions", f"/offers/{three['offer'].pk}/suggestions"]

    def run(expected_sizes: tuple[int, int]):
        for role, caller in CALLER.items():
            user = people[role]
            headers = token(user)
            for path, size, own in zip(paths, expected_sizes, OWN, strict=True):
                client.get(f"{API}{path}", headers=headers)  # builds the indexes
                with django_assert_num_queries(own + caller):
                    data = ok(client.get(f"{API}{path}", headers=headers))
                assert len(data["suggested"]) + len(data["not_suggested"]) == size, (role, path)

    run((3, 3))
    nine_more(three)
    run((12, 12))
