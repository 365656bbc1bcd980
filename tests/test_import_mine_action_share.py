"""Issue 11, finding 10: an imported activity counts only its mine-action part.

An IATI activity whose DAC sectors are 15250 (mine action) at 20% and 15110 at 80% counted
its whole value as mine action. Only the value times the mine-action sector percentages
counts, as d-portal and the IATI Datastore split by sector; the rest is shown as outside
mine action, on the commitment page, in the API and in the export, and left out of
`article6 funding`. The sectors are those of the IATI Standard's own example activity (a
DAC 3-digit pair and a reporting organisation's vocabulary beside the DAC 5-digit codes,
each vocabulary adding up to 100), with the DAC 5-digit codes mine action and public sector
policy.
"""

import csv
import io
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from pagetools import element, html, text

from article6.assistance.exports import commitments_csv
from article6.assistance.importing import import_crs, import_iati
from article6.assistance.models import Commitment, CommitmentPillar, Flow, FlowKind
from article6.assistance.queries import commitments_for

CRS_FILE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "reference"
    / "funding"
    / ("oecd_crs_152xx_pacific_disbursements_2010_2024.csv")
)

#: The IATI Standard's example sectors (vocabularies 2 and 98, each adding up to 100) beside
#: the DAC 5-digit purpose codes of a multi-sector activity: 20% mine action.
EXAMPLE_SECTORS = """
    <sector vocabulary="1" code="15250" percentage="20"/>
    <sector vocabulary="1" code="15110" percentage="80"/>
    <sector vocabulary="2" code="152" percentage="20"/>
    <sector vocabulary="2" code="151" percentage="80"/>
    <sector vocabulary="98" vocabulary-uri="http://example.com/vocab.html" code="A1" percentage="100">
      <narrative>A Vocabulary code</narrative>
    </sector>"""


def transaction(code: str, day: str, value: str, sectors: str = "") -> str:
    return f"""
    <transaction>
      <transaction-type code="{code}"/>
      <transaction-date iso-date="{day}"/>
      <value value-date="{day}">{value}</value>
      {sectors}
    </transaction>"""


def activity(identifier: str, *, sectors: str = EXAMPLE_SECTORS, body: str = "") -> str:
    """An IATI 2.03 activity of Germany for Lao PDR, in US dollars, in schema order."""
    body = body or transaction("2", "2024-01-10", "100000")
    return f"""
  <iati-activity default-currency="USD" xml:lang="en">
    <iati-identifier>{identifier}</iati-identifier>
    <reporting-org ref="DE-1" type="10"><narrative>Federal Foreign Office</narrative></reporting-org>
    <title><narrative>Governance and clearance in Xieng Khouang</narrative></title>
    <description><narrative>Public administration support, with a clearance component.</narrative></description>
    <participating-org ref="DE-1" type="10" role="1"><narrative>Germany</narrative></participating-org>
    <activity-status code="2"/>
    <activity-date type="2" iso-date="2024-01-15"/>
    <recipient-country code="LA" percentage="100"/>
    {sectors}
    {body}
  </iati-activity>"""


def write(tmp_path: Path, *activities: str, name: str = "activities.xml") -> Path:
    path = tmp_path / name
    body = "".join(activities)
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">{body}\n</iati-activities>\n'
    )
    return path


def flows(identifier: str) -> list[tuple[str, Decimal, Decimal, str]]:
    commitment = Commitment.objects.get(source=f"iati:{identifier}")
    return [(f.kind, f.amount, f.outside_mine_action, f.outside_sectors) for f in commitment.flows.order_by("date")]


def amounts(identifier: str) -> list[Decimal]:
    """What counts of each amount, in date order."""
    return [f.amount for f in Commitment.objects.get(source=f"iati:{identifier}").flows.order_by("date")]


def funding_row(pk: int) -> dict:
    out = StringIO()
    call_command("funding", "--json", stdout=out)
    (row,) = [row for row in json.loads(out.getvalue())["commitments"] if row["id"] == pk]
    return row


def test_a_multi_sector_activity_counts_its_mine_action_part_on_every_surface(reference, client, tmp_path):
    report = import_iati(write(tmp_path, activity("XM-EXAMPLE-MULTI")), sectors=["15250"], strict=True)
    assert (report.created, report.problems, report.skipped) == (1, [], [])
    assert amounts("XM-EXAMPLE-MULTI") == [Decimal("20000.00")]  # was 100000: the whole value
    assert flows("XM-EXAMPLE-MULTI") == [
        (FlowKind.COMMITTED, Decimal("20000.00"), Decimal("80000.00"), "15110"),
    ]
    commitment = Commitment.objects.get(source="iati:XM-EXAMPLE-MULTI")
    # the pillar shares are those of the mine-action part: still 100 in all
    assert [(s.pillar, s.share) for s in commitment.pillar_shares.all()] == [("clearance", Decimal("100"))]

    page = html(client.get(reverse("assistance:commitment", args=[commitment.pk])))
    assert "20,000" in text(element(page, "flows")) and "100,000" not in page
    assert text(element(page, "outside-mine-action")) == (
        "Of the activity's reported value, 80,000 USD committed is outside mine action (sectors 15110 "
        "Public sector policy and administrative management) and is not counted."
    )

    api = client.get(f"/api/v1/commitments/{commitment.pk}").json()
    assert api["totals"]["committed"] == 20000.0
    assert [(f["amount"], f["outside_mine_action"], f["outside_sectors"]) for f in api["flows"]] == [
        (20000.0, 80000.0, ["15110"])
    ]

    row = funding_row(commitment.pk)
    assert (row["committed"], row["usd"]["committed"]) == (20000.0, 20000.0)

    rows = list(csv.DictReader(io.StringIO(commitments_csv(commitments_for(None)).decode())))
    (exported,) = [r for r in rows if r["id"] == str(commitment.pk)]
    assert list(exported)[-1] == "outside_mine_action"
    assert (exported["committed"], exported["outside_mine_action"]) == ("20000.00", "committed: 80000.00")


def test_transaction_sectors_override_the_activity_for_that_transaction(reference, tmp_path):
    """IATI: sectors on every transaction, or on the activity. A transaction may carry one
    DAC sector without a percentage (100%); one with two of them is split equally and named."""
    mine = '<sector vocabulary="1" code="15250"/>'
    mixed = '<sector vocabulary="1" code="15250"/><sector vocabulary="1" code="15110"/>'
    body = transaction("3", "2024-02-01", "30000", mine) + transaction("3", "2024-03-01", "10000.01", mixed)
    path = write(tmp_path, activity("XM-EXAMPLE-TRANSACTIONS", sectors="", body=body))
    report = import_iati(path, sectors=["15250"], strict=True)
    assert report.created == 1
    assert amounts("XM-EXAMPLE-TRANSACTIONS") == [Decimal("30000.00"), Decimal("5000.00")]
    assert flows("XM-EXAMPLE-TRANSACTIONS") == [
        (FlowKind.DISBURSED, Decimal("30000.00"), Decimal("0.00"), ""),
        (FlowKind.DISBURSED, Decimal("5000.00"), Decimal("5000.01"), "15110"),  # 5000.005, half-even
    ]
    (problem,) = report.problems
    assert problem.activity == "XM-EXAMPLE-TRANSACTIONS" and problem.line
    assert problem.reason.startswith("a disbursement transaction: 2 of 2 DAC sectors have no percentage")
    # the transaction's sectors replace the activity's (a file that reports both)
    both = activity(
        "XM-EXAMPLE-BOTH",
        body=transaction("2", "2024-01-10", "100000", mine) + transaction("3", "2024-02-01", "50000"),
    )
    import_iati(write(tmp_path, both, name="both.xml"), sectors=["15250"], strict=True)
    assert flows("XM-EXAMPLE-BOTH") == [
        (FlowKind.COMMITTED, Decimal("100000.00"), Decimal("0.00"), ""),
        (FlowKind.DISBURSED, Decimal("10000.00"), Decimal("40000.00"), "15110"),
    ]


def test_percentages_that_do_not_add_up_are_not_rebased_and_are_reported(reference, tmp_path):
    """The standard: the sectors of one vocabulary MUST add up to 100. A file that gives
    15250 20% and 15110 60% does not say where the other 20% goes: the import counts 20%,
    never 25%, and names the sum; 15250 at 150% counts the value once, not one and a half."""
    under = '<sector vocabulary="1" code="15250" percentage="20"/><sector vocabulary="1" code="15110" percentage="60"/>'
    over = '<sector vocabulary="1" code="15250" percentage="150"/>'
    path = write(tmp_path, activity("XM-EXAMPLE-UNDER", sectors=under), activity("XM-EXAMPLE-OVER", sectors=over))
    report = import_iati(path, sectors=["15250"], strict=False)
    assert report.created == 2
    assert (amounts("XM-EXAMPLE-UNDER"), amounts("XM-EXAMPLE-OVER")) == ([Decimal("20000")], [Decimal("100000")])
    assert flows("XM-EXAMPLE-UNDER") == [(FlowKind.COMMITTED, Decimal("20000.00"), Decimal("80000.00"), "15110")]
    assert flows("XM-EXAMPLE-OVER") == [(FlowKind.COMMITTED, Decimal("100000.00"), Decimal("0.00"), "")]
    reasons = {p.activity: p.reason for p in report.problems}
    assert reasons["XM-EXAMPLE-UNDER"].startswith(
        "the DAC sector percentages add up to 80, not 100 (IATI: they must add up to 100): only the 20% given "
        "to mine action is counted"
    )
    assert reasons["XM-EXAMPLE-OVER"].startswith("the DAC sector percentages add up to 150, not 100")


def test_re_importing_the_same_file_changes_nothing(reference, tmp_path):
    mixed = '<sector vocabulary="1" code="15250"/><sector vocabulary="1" code="15110"/>'
    body = transaction("2", "2024-01-10", "100000") + transaction("3", "2024-03-01", "333333.33")
    countries = '<recipient-country code="LA" percentage="60"/><recipient-country code="LB" percentage="40"/>'
    split = activity("XM-EXAMPLE-AGAIN", body=body).replace(
        '<recipient-country code="LA" percentage="100"/>', countries
    )
    path = write(tmp_path, split, activity("XM-EXAMPLE-MIXED", sectors=mixed))
    first = import_iati(path, sectors=["15250"], strict=True)
    assert first.created == 3
    laos = Commitment.objects.get(source="iati:XM-EXAMPLE-AGAIN:LAO")
    lebanon = Commitment.objects.get(source="iati:XM-EXAMPLE-AGAIN:LBN")
    # each country's part of the disbursement, and its mine-action part, add up to the whole
    disbursed = [c.flows.get(kind=FlowKind.DISBURSED) for c in (laos, lebanon)]
    assert [(f.amount, f.outside_mine_action) for f in disbursed] == [
        (Decimal("40000.00"), Decimal("160000.00")),
        (Decimal("26666.67"), Decimal("106666.66")),
    ]
    assert sum(f.amount + f.outside_mine_action for f in disbursed) == Decimal("333333.33")
    counts = [model.history.count() for model in (Commitment, Flow, CommitmentPillar)]
    again = import_iati(path, sectors=["15250"], strict=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (again.flows.created, again.flows.updated, again.flows.unchanged) == (0, 0, 5)
    assert [model.history.count() for model in (Commitment, Flow, CommitmentPillar)] == counts


def test_an_activity_without_a_mine_action_part_is_not_imported(reference, tmp_path):
    """Read with every sector, an activity of public sector policy alone is skipped; so is
    one that gives mine action 0%."""
    policy = '<sector vocabulary="1" code="15110" percentage="100"/>'
    nothing = (
        '<sector vocabulary="1" code="15250" percentage="0"/><sector vocabulary="1" code="15110" percentage="100"/>'
    )
    path = write(tmp_path, activity("XM-EXAMPLE-POLICY", sectors=policy), activity("XM-EXAMPLE-ZERO", sectors=nothing))
    report = import_iati(path, sectors=None, strict=True)
    assert (report.created, report.problems) == (0, [])
    assert [(s.activity, s.reason) for s in report.skipped] == [
        (name, "the activity has no mine-action sector (DAC 15250) with a share of its value: not imported")
        for name in ("XM-EXAMPLE-POLICY", "XM-EXAMPLE-ZERO")
    ]
    assert not Commitment.objects.exists()


@pytest.mark.parametrize("purposes", [None, ["15250"]])
def test_a_crs_row_has_one_purpose_and_counts_whole_or_not_at_all(reference, purposes):
    """A CRS row carries one purpose code: its value is wholly mine action or not at all.
    Read with every purpose code, the rows of other purposes are skipped and listed."""
    report = import_crs(CRS_FILE, purpose_codes=purposes)
    assert {c.source.rsplit(":", 1)[-1] for c in Commitment.objects.all()} == {"15250"}
    assert not Flow.objects.exclude(outside_mine_action=0).exists()
    other = [s for s in report.skipped if "is not mine action" in s.reason]
    assert bool(other) == (purposes is None)
    if other:
        assert other[0].reason.startswith("purpose code 152")
