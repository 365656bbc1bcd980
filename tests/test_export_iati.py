"""`article6 export-iati`: commitments as IATI 2.03 activity XML that the IATI 2.03 schema
accepts, with the amounts that were imported or recorded."""

import datetime as dt
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from article6.assistance.importing import export_commitments, exportable_commitments
from article6.assistance.models import Channel, Commitment, CommitmentPillar, Flow, FlowKind
from article6.interchange.iati import iter_activities, validate_document
from article6.states.models import Organisation, State

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
DFID_FILE = REFERENCE / "iati" / "dfid_iati_1.01_DRC_CD_2013-04-30.xml"
CRS_FILE = REFERENCE / "funding" / "oecd_crs_152xx_pacific_disbursements_2010_2024.csv"


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def manual_commitment(provider_state=None, provider_organisation=None, recipient="LAO", flows=(), **fields):
    commitment = Commitment.objects.create(
        provider_state=provider_state,
        provider_organisation=provider_organisation,
        recipient=State.objects.get(iso3=recipient),
        title=fields.pop("title", "Clearance in Xieng Khouang"),
        channel=fields.pop("channel", Channel.NGO),
        currency=fields.pop("currency", "NOK"),
        **fields,
    )
    CommitmentPillar.objects.create(commitment=commitment, pillar="clearance", share=100)
    for kind, year, amount, date in flows:
        Flow.objects.create(commitment=commitment, kind=kind, year=year, amount=Decimal(amount), date=date)
    return commitment


@pytest.fixture
def dfid(reference):
    call_command("import-iati", str(DFID_FILE), stdout=StringIO())
    return Commitment.objects.get(source="iati:GB-1-201745-103")


def test_exported_dfid_commitment_validates_and_round_trips(dfid, tmp_path):
    target = tmp_path / "export.xml"
    out, _err = run("export-iati", str(target))
    assert out == "1 commitment exported as IATI 2.03\n"
    data = target.read_bytes()
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert validate_document(data) == []
    (activity,) = iter_activities(data)
    assert activity.iati_identifier == "GB-1-201745-103" and activity.version == "2.03"
    assert activity.reporting_org.ref == "GB-1" and activity.reporting_org.type == "10"
    assert activity.reporting_org.name == "Department for International Development"
    assert [c.code for c in activity.recipient_countries] == ["CD"]
    assert [(s.code, s.vocabulary) for s in activity.sectors] == [("15250", "1")]
    assert (activity.default_currency, activity.activity_status) == ("GBP", "2")
    assert activity.dates.planned_start == dt.date(2010, 4, 1)  # the first budget period
    assert activity.dates.actual_start == dt.date(2011, 2, 1)  # the commitment
    assert activity.dates.planned_end == dt.date(2014, 3, 31)  # the end of the last budget period
    # amounts, transaction by transaction, as imported (the negative corrections too)
    flows = {(f.kind, f.date, f.amount) for f in dfid.flows.exclude(kind=FlowKind.BUDGETED)}
    kinds = {"commitment": FlowKind.COMMITTED, "expenditure": FlowKind.EXPENDED}
    assert Counter((kinds[t.kind], t.date, t.value) for t in activity.transactions) == Counter(flows)
    assert sum(t.value for t in activity.transactions if t.kind == "expenditure") == Decimal("2068527")
    assert [t.value for t in activity.transactions if t.kind == "commitment"] == [Decimal("2750000")]
    assert [(b.period_start, b.period_end, b.value) for b in activity.budgets] == [
        (dt.date(2010, 4, 1), dt.date(2011, 3, 31), Decimal("258089")),
        (dt.date(2011, 4, 1), dt.date(2012, 3, 31), Decimal("927488")),
        (dt.date(2012, 4, 1), dt.date(2013, 3, 31), Decimal("910336")),
        (dt.date(2013, 4, 1), dt.date(2014, 3, 31), Decimal("654087")),
    ]
    implementing = [p for p in activity.participating_orgs if p.role == "4"]
    assert [(p.name, p.type) for p in implementing] == [("MINES ADVISORY GROUP", "21")]


def test_reimporting_the_export_finds_the_same_amounts(dfid, tmp_path):
    target = tmp_path / "again.xml"
    run("export-iati", str(target))
    before = sorted(dfid.flows.values_list("source_key", "kind", "year", "date", "amount"))
    out = StringIO()
    call_command("import-iati", "--strict", str(target), stdout=out)
    # same keys, kinds, years, dates and amounts; only the 4 budgets' descriptions lose "revised"
    # (the export writes no budget type: the amounts do not keep it)
    assert "amounts 0 created, 4 updated, 29 unchanged; 0 problems" in out.getvalue()
    assert sorted(dfid.flows.values_list("source_key", "kind", "year", "date", "amount")) == before
    assert Commitment.objects.count() == 1
    dfid.refresh_from_db()
    assert dfid.channel == Channel.NGO and dfid.provider_state.iso3 == "GBR"


def test_manual_and_crs_commitments_export_with_defaults(reference):
    call_command("import-crs", str(CRS_FILE), stdout=StringIO())
    norway = State.objects.get(iso3="NOR")
    undp = Organisation.objects.get(acronym="UNDP")
    by_state = manual_commitment(
        provider_state=norway,
        flows=[(FlowKind.COMMITTED, 2024, "1000000", dt.date(2024, 1, 10)), (FlowKind.DISBURSED, 2025, "250000", None)],
        implementing_partner="Norwegian People's Aid",
    )
    by_organisation = manual_commitment(
        provider_organisation=undp,
        recipient="LBN",
        currency="USD",
        channel=Channel.UN,
        flows=[(FlowKind.PLEDGED, 2026, "50000", None), (FlowKind.RECEIVED, 2026, "40000", None)],
    )
    result = export_commitments(exportable_commitments(), generated=dt.datetime(2026, 11, 22, tzinfo=dt.UTC))
    assert result.problems == [] and len(result.exported) == 13  # 11 from the CRS, 2 by hand
    assert validate_document(result.xml) == []
    activities = {a.iati_identifier: a for a in iter_activities(result.xml, sectors=None)}
    mine = activities[f"NO-1-A6-{by_state.pk}"]
    assert (mine.reporting_org.ref, mine.reporting_org.name) == ("NO-1", "Norway")
    assert [(t.kind, t.date, t.value) for t in mine.transactions] == [
        ("commitment", dt.date(2024, 1, 10), Decimal("1000000.00")),
        ("disbursement", dt.date(2025, 12, 31), Decimal("250000.00")),  # a yearly amount: 31 December
    ]
    theirs = activities[f"A6-{by_organisation.pk}"]  # an organisation's name is no identifier prefix
    assert (theirs.reporting_org.ref, theirs.reporting_org.type) == ("United Nations Development Programme", "40")
    # the recipient's confirmation is not the provider's transaction
    assert [(t.kind, t.value) for t in theirs.transactions] == [("outgoing_pledge", Decimal("50000.00"))]
    palau = activities[f"A6-{Commitment.objects.get(source='crs:US:PW:15250').pk}"]
    assert palau.reporting_org.ref == "United States" and palau.default_currency == "USD"
    crs_total = sum(f.amount for f in Flow.objects.filter(commitment__source__startswith="crs:"))
    exported_total = sum(t.value for a in activities.values() if a.default_currency == "USD" for t in a.transactions)
    assert exported_total - Decimal("50000") == crs_total


def test_a_commitment_that_cannot_be_exported_is_listed(reference, tmp_path):
    norway = State.objects.get(iso3="NOR")
    empty = manual_commitment(provider_state=norway)
    fine = manual_commitment(provider_state=norway, flows=[(FlowKind.COMMITTED, 2024, "10", None)])
    target = tmp_path / "some.xml"
    out, _err = run("export-iati", str(target))
    assert f"not exported: commitment {empty.pk}: it has no amounts, so no date" in out
    assert out.splitlines()[-1] == "1 commitment exported as IATI 2.03, 1 not exported"
    assert validate_document(target.read_bytes()) == []
    assert [a.iati_identifier for a in iter_activities(target.read_bytes(), sectors=None)] == [f"NO-1-A6-{fine.pk}"]
    fine.delete()
    with pytest.raises(CommandError, match="No commitment could be exported"):
        run("export-iati", str(tmp_path / "none.xml"))
    assert not (tmp_path / "none.xml").exists()


def test_export_to_stdout_and_by_state(dfid):
    norway = State.objects.get(iso3="NOR")
    manual_commitment(provider_state=norway, flows=[(FlowKind.COMMITTED, 2024, "10", None)])
    out, err = run("export-iati", "--state", "COD")
    assert err == "1 commitment exported as IATI 2.03\n"  # messages on stderr: stdout is the document
    root = etree.fromstring(out.encode())
    assert root.findtext("iati-activity/iati-identifier") == "GB-1-201745-103"
    out, _err = run("export-iati", "--state", "nor", "-")
    assert etree.fromstring(out.encode()).findtext("iati-activity/reporting-org/narrative") == "Norway"
    with pytest.raises(CommandError, match="--state XXX: not a State in the registry"):
        run("export-iati", "--state", "XXX")
