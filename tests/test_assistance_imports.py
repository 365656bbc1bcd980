"""`article6 import-iati` and `article6 import-crs`: real IATI and OECD CRS files into
commitments and their amounts, in one transaction, idempotent, with an audit trail only
for real changes.

Real data from the project's shared reference set: DFID's IATI 1.01 file for the DR
Congo, the IATI Standard 2.03's own schema test files, OECD CRS disbursements to the
Pacific. IATI 2.03 fixtures are built here from the 2.03 schema.
"""

import datetime as dt
import time
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from article6.assistance import queries
from article6.assistance.importing import ImportRejected, TerminalProgress, import_crs, import_iati
from article6.assistance.models import Channel, Commitment, CommitmentPillar, Flow, FlowKind
from article6.states.models import Organisation

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
IATI = REFERENCE / "iati"
DFID_FILE = IATI / "dfid_iati_1.01_DRC_CD_2013-04-30.xml"
DFID_EXTRACT = IATI / "dfid_15250_drc_demining_mag_activity.xml"
SSOT = IATI / "standard-2.03" / "ssot-tests"
PASS_FILES = sorted((SSOT / "ssot-activity-xml-pass").rglob("*.xml"))
FAIL_FILES = sorted((SSOT / "ssot-activity-xml-fail").rglob("*.xml"))
CRS_FILE = REFERENCE / "funding" / "oecd_crs_152xx_pacific_disbursements_2010_2024.csv"

DFID_SOURCE = "iati:GB-1-201745-103"
NEGATIVE_EXPENDITURES = [Decimal("-120584"), Decimal("-29906"), Decimal("-32199")]
MODELS = (Commitment, Flow, CommitmentPillar)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> dict:
    """Rows and history rows of everything an import writes."""
    counts = {}
    for model in MODELS:
        counts[model.__name__] = model.objects.count()
        counts[f"{model.__name__} history"] = model.history.count()
    return counts


def activity_xml(
    identifier: str,
    *,
    countries: str = '<recipient-country code="LA" percentage="100"/>',
    sector: str = "15250",
    status: bool = True,
    reporting: str = (
        '<reporting-org ref="DE-1" type="10"><narrative>Federal Foreign Office</narrative></reporting-org>'
    ),
    implementing: str = (
        '<participating-org ref="XM-EXAMPLE-NGO" type="21" role="4"><narrative>Example Demining NGO</narrative>'
        "</participating-org>"
    ),
    transactions: str = "",
) -> str:
    """An IATI 2.03 activity in schema order; leave out activity-status to make it invalid."""
    return f"""
  <iati-activity default-currency="EUR" xml:lang="en">
    <iati-identifier>{identifier}</iati-identifier>
    {reporting}
    <title><narrative>Clearance of cluster munition remnants</narrative></title>
    <description><narrative>Survey and clearance.</narrative></description>
    <participating-org ref="DE-1" type="10" role="1"><narrative>Germany</narrative></participating-org>
    {implementing}
    {'<activity-status code="2"/>' if status else ""}
    <activity-date type="2" iso-date="2024-01-15"/>
    {countries}
    <sector vocabulary="1" code="{sector}" percentage="100"/>
    <budget type="1" status="2">
      <period-start iso-date="2024-01-01"/>
      <period-end iso-date="2024-12-31"/>
      <value currency="EUR" value-date="2024-01-01">900000</value>
    </budget>
    <transaction>
      <transaction-type code="2"/>
      <transaction-date iso-date="2024-01-10"/>
      <value value-date="2024-01-10">1000000</value>
    </transaction>
    <transaction>
      <transaction-type code="3"/>
      <transaction-date iso-date="2024-03-01"/>
      <value value-date="2024-03-01">333333.33</value>
      <description><narrative>First tranche</narrative></description>
    </transaction>
    {transactions}
  </iati-activity>"""


def document(*activities: str) -> bytes:
    body = "".join(activities)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">{body}\n</iati-activities>\n'.encode()
    )


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- DFID, IATI 1.01: the acceptance --------------------------------------------------------


def test_dfid_file_imports_its_demining_activity(reference):
    out = run("import-iati", str(DFID_FILE))
    (commitment,) = Commitment.objects.select_related("provider_state", "recipient")
    assert commitment.source == DFID_SOURCE
    assert (commitment.provider_state.iso3, commitment.recipient.iso3) == ("GBR", "COD")
    assert commitment.provider_name == "Department for International Development"
    assert commitment.provider_organisation is None
    assert (commitment.title, commitment.currency) == ("DRC De-mining Programme (MAG)", "GBP")
    # participating-org ref 22000 is the DAC channel "Donor country-based NGO": MAG receives the money
    assert (commitment.channel, commitment.implementing_partner) == (Channel.NGO, "MINES ADVISORY GROUP")
    assert commitment.cluster_munition_specific is False
    assert [(s.pillar, s.share) for s in commitment.pillar_shares.all()] == [("clearance", Decimal("100"))]

    flows = list(commitment.flows.all())
    assert Counter(f.kind for f in flows) == {FlowKind.EXPENDED: 28, FlowKind.BUDGETED: 4, FlowKind.COMMITTED: 1}
    (committed,) = [f for f in flows if f.kind == FlowKind.COMMITTED]
    assert (committed.amount, committed.year, committed.date) == (Decimal("2750000"), 2011, dt.date(2011, 2, 1))
    expended = [f for f in flows if f.kind == FlowKind.EXPENDED]
    assert sorted(f.amount for f in expended if f.amount < 0) == sorted(NEGATIVE_EXPENDITURES)
    assert sum(f.amount for f in expended) == Decimal("2068527")
    assert [(f.year, f.date, f.amount) for f in flows if f.kind == FlowKind.BUDGETED] == [
        (2010, dt.date(2010, 4, 1), Decimal("258089")),
        (2011, dt.date(2011, 4, 1), Decimal("927488")),
        (2012, dt.date(2012, 4, 1), Decimal("910336")),
        (2013, dt.date(2013, 4, 1), Decimal("654087")),
    ]
    assert queries.totals(commitment)[FlowKind.COMMITTED] == Decimal("2750000")
    assert len({f.source_key for f in flows}) == 33 and all(f.source_key.startswith(DFID_SOURCE) for f in flows)

    reason = f"import-iati {DFID_FILE.name}"
    for model in MODELS:
        assert set(model.history.values_list("history_change_reason", flat=True)) == {reason}
    assert "IATI 1.01 file: read without schema validation" in out
    assert out.splitlines()[-1] == (
        f"{DFID_FILE.name}: commitments 1 created, 0 updated, 0 unchanged, 0 skipped; "
        "amounts 33 created, 0 updated, 0 unchanged; 0 problems"
    )


def test_importing_dfid_again_changes_nothing(reference):
    run("import-iati", str(DFID_FILE))
    before = snapshot()
    out = run("import-iati", str(DFID_FILE))
    assert snapshot() == before
    assert before == {
        "Commitment": 1,
        "Commitment history": 1,
        "Flow": 33,
        "Flow history": 33,
        "CommitmentPillar": 1,
        "CommitmentPillar history": 1,
    }
    assert "commitments 0 created, 0 updated, 1 unchanged" in out
    assert "amounts 0 created, 0 updated, 33 unchanged" in out
    # the extract holds the same activity: same records, nothing to write either
    run("import-iati", str(DFID_EXTRACT))
    assert snapshot() == before


def test_a_changed_file_updates_in_place_with_history(reference, tmp_path):
    run("import-iati", str(DFID_EXTRACT))
    data = DFID_EXTRACT.read_bytes()
    data = data.replace(b"<title>DRC De-mining Programme (MAG)</title>", b"<title>DRC Demining (MAG)</title>")
    data = data.replace(b">28455</value>", b">28456</value>")  # a corrected expenditure
    data = data.replace(  # a new description for another
        b"<description>Technical &amp; Advisory services</description>", b"<description>Corrected</description>", 1
    )
    changed = write(tmp_path, "dfid-changed.xml", data)
    before = snapshot()
    out = run("import-iati", str(changed))
    after = snapshot()
    assert "commitments 0 created, 1 updated, 0 unchanged" in out
    assert "amounts 1 created, 1 updated, 31 unchanged, 1 deleted" in out
    commitment = Commitment.objects.get(source=DFID_SOURCE)
    assert commitment.title == "DRC Demining (MAG)"
    assert after["Commitment"] == 1 and after["Commitment history"] == before["Commitment history"] + 1
    assert after["Flow"] == 33 and after["Flow history"] == before["Flow history"] + 3
    assert after["CommitmentPillar history"] == before["CommitmentPillar history"]
    assert commitment.history.first().history_change_reason == "import-iati dfid-changed.xml"
    amounts = [f.amount for f in commitment.flows.filter(kind=FlowKind.EXPENDED)]
    assert Decimal("28456") in amounts and Decimal("28455") not in amounts
    first = commitment.flows.get(date=dt.date(2011, 3, 17))
    assert (first.description, first.history.count()) == ("Corrected", 2)


def test_transactions_not_in_the_file_are_deleted_and_others_untouched(reference, tmp_path):
    run("import-iati", str(DFID_EXTRACT))
    commitment = Commitment.objects.get(source=DFID_SOURCE)
    manual = Flow.objects.create(commitment=commitment, kind=FlowKind.RECEIVED, year=2012, amount=Decimal("100"))
    data = DFID_EXTRACT.read_bytes()
    start = data.index(b'<transaction>\n      <value currency="GBP" value-date="2011-04-12">')
    end = data.index(b"</transaction>", start) + len(b"</transaction>")
    shorter = write(tmp_path, "shorter.xml", data[:start] + data[end:])
    flow_history = Flow.history.count()
    out = run("import-iati", str(shorter))
    assert "amounts 0 created, 0 updated, 32 unchanged, 1 deleted" in out
    assert Flow.history.count() == flow_history + 1  # the deletion only: no other amount was touched
    assert Flow.history.latest().history_type == "-"
    assert Flow.objects.filter(pk=manual.pk).exists()  # the recipient's confirmation stays


# --- Broken and hostile files: nothing written ------------------------------------------------


def test_truncated_file_is_refused_and_nothing_written(reference, tmp_path):
    data = DFID_FILE.read_bytes()
    # cut after the demining activity (line 11781), so that it was already read when the fault comes
    cut = write(tmp_path, "truncated.xml", data[: data.index(b"GB-1-201745-103") + 60_000])
    last_line = cut.read_bytes().count(b"\n") + 1
    with pytest.raises(CommandError) as caught:
        run("import-iati", str(cut))
    message = str(caught.value)
    assert message.startswith("truncated.xml: nothing was imported:")
    assert f"line {last_line}" in message and "malformed XML" in message
    assert snapshot() == dict.fromkeys(snapshot(), 0)


def test_entity_declaration_is_refused_and_nothing_written(reference, tmp_path):
    hostile = write(
        tmp_path,
        "entity.xml",
        b'<?xml version="1.0"?>\n<!DOCTYPE iati-activities [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        + document(activity_xml("XM-EXAMPLE-XXE")).split(b"\n", 1)[1].replace(b"Survey", b"&xxe; Survey"),
    )
    with pytest.raises(CommandError) as caught:
        run("import-iati", str(hostile))
    assert "entity.xml: nothing was imported" in str(caught.value)
    assert "declares entities (xxe)" in str(caught.value)
    assert snapshot() == dict.fromkeys(snapshot(), 0)


def test_missing_file_and_bad_sector(reference, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("import-iati", str(tmp_path / "absent.xml"))
    with pytest.raises(CommandError, match="--sector 152: a sector is a DAC 5-digit purpose code"):
        run("import-iati", str(DFID_FILE), "--sector", "152")


# --- Strict and lenient ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["02-minimal-doc.xml", "19-budget.xml", "21-transaction.xml", "22-participating-org.xml", "34-sector.xml"],
)
def test_strict_accepts_ssot_pass_files(reference, name):
    path = SSOT / "ssot-activity-xml-pass" / name
    out = run("import-iati", "--strict", str(path))
    assert out.splitlines()[-1].startswith(f"{name}: commitments 0 created")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("01-empty-activity.xml", "Missing child element(s)"),
        ("02-top-level-extensibility.xml", "Element 'foo': This element is not expected"),
        ("18-missing-iati-activities-version.xml", "'version' is required"),
        ("20-two-reporting-orgs.xml", "reporting-org': This element is not expected"),
        ("24-two-titles.xml", "title': This element is not expected"),
    ],
)
def test_strict_rejects_ssot_fail_files_with_the_reason(reference, name, reason):
    path = SSOT / "ssot-activity-xml-fail" / name
    with pytest.raises(CommandError) as caught:
        run("import-iati", "--strict", str(path))
    message = str(caught.value)
    assert message.startswith(f"{name}: rejected by the IATI 2.03 schema, nothing was imported:")
    assert reason in message and "line " in message


def test_strict_verdict_on_every_ssot_file(reference):
    """All 215 pass files accepted, all 323 fail files rejected with a reason, through the import itself."""
    started = time.monotonic()
    for path in PASS_FILES:
        report = import_iati(path, sectors=["15250"], strict=True)
        assert report.problems == [], path
    for path in FAIL_FILES:
        with pytest.raises(ImportRejected) as caught:
            import_iati(path, sectors=["15250"], strict=True)
        assert caught.value.problems and all(p.reason for p in caught.value.problems), path
    assert (len(PASS_FILES), len(FAIL_FILES)) == (215, 323)
    assert time.monotonic() - started < 15
    assert Commitment.objects.count() == 0


def test_lenient_imports_the_valid_activities_and_lists_the_invalid(reference, tmp_path):
    path = write(
        tmp_path,
        "mixed.xml",
        document(
            activity_xml("XM-EXAMPLE-GOOD"),
            activity_xml("XM-EXAMPLE-NO-STATUS", status=False),
            activity_xml("XM-EXAMPLE-HEALTH", sector="12220", status=False),
        ),
    )
    out = run("import-iati", str(path))
    assert list(Commitment.objects.values_list("source", flat=True)) == ["iati:XM-EXAMPLE-GOOD"]
    (problem,) = [line for line in out.splitlines() if line.startswith("problem:")]
    assert problem.startswith("problem: mixed.xml: line ") and "activity XM-EXAMPLE-NO-STATUS" in problem
    assert "activity-status" in problem
    assert "commitments 1 created" in out and "1 problem" in out
    with pytest.raises(CommandError, match="XM-EXAMPLE-NO-STATUS"):
        run("import-iati", "--strict", str(path))


def run_failing(*args) -> tuple[str, str]:
    """(stdout, the error) of a command that fails."""
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue(), str(caught.value)


def test_a_file_whose_every_activity_is_invalid_fails_with_a_summary(reference, tmp_path):
    """Tens of thousands of invalid activities printed one line each, and the command exited 0."""
    invalid = [activity_xml(f"XM-EXAMPLE-BAD-{n:03}", status=False) for n in range(45)]
    path = write(tmp_path, "all-bad.xml", document(*invalid))
    out, error = run_failing("import-iati", str(path))
    assert error == "all-bad.xml: nothing was imported, for 45 problem(s) (see above)"
    problems = [line for line in out.splitlines() if line.startswith("problem:")]
    assert len(problems) == 20
    assert "activity XM-EXAMPLE-BAD-000" in problems[0] and "activity XM-EXAMPLE-BAD-019" in problems[-1]
    assert "... and 25 more problems (--verbosity 2 lists them all)" in out.splitlines()
    assert out.splitlines()[-1] == (
        "all-bad.xml: commitments 0 created, 0 updated, 0 unchanged, 0 skipped; "
        "amounts 0 created, 0 updated, 0 unchanged; 45 problems"
    )
    assert Commitment.objects.count() == 0
    out, _error = run_failing("import-iati", str(path), "--verbosity", "2")
    assert len([line for line in out.splitlines() if line.startswith("problem:")]) == 45
    assert "more problems" not in out


def test_problems_beside_imported_activities_are_summarised_and_succeed(reference, tmp_path):
    activities = [activity_xml("XM-EXAMPLE-GOOD")] + [
        activity_xml(f"XM-EXAMPLE-BAD-{n}", status=False) for n in range(25)
    ]
    out = run("import-iati", str(write(tmp_path, "mostly-bad.xml", document(*activities))))
    assert len([line for line in out.splitlines() if line.startswith("problem:")]) == 20
    assert "... and 5 more problems (--verbosity 2 lists them all)" in out
    assert "commitments 1 created" in out and out.splitlines()[-1].endswith("; 25 problems")


def test_strict_refusal_names_the_first_problems_and_counts_the_rest(reference, tmp_path):
    invalid = [activity_xml(f"XM-EXAMPLE-BAD-{n:03}", status=False) for n in range(30)]
    _out, error = run_failing("import-iati", "--strict", str(write(tmp_path, "strict.xml", document(*invalid))))
    lines = error.splitlines()
    assert lines[0] == "strict.xml: rejected by the IATI 2.03 schema, nothing was imported:"
    assert len(lines) == 1 + 20 + 1 and lines[-1] == "... and 10 more problems (--verbosity 2 lists them all)"
    assert all(line.startswith("  strict.xml: line ") for line in lines[1:-1])


def test_a_2_03_activity_with_two_recipient_countries_is_split(reference, tmp_path):
    countries = '<recipient-country code="LA" percentage="60"/><recipient-country code="LB" percentage="40"/>'
    path = write(tmp_path, "two.xml", document(activity_xml("XM-EXAMPLE-SPLIT", countries=countries)))
    report = import_iati(path, sectors=["15250"], strict=True)
    assert (report.created, report.skipped, report.problems) == (2, [], [])
    laos, lebanon = (Commitment.objects.get(source=f"iati:XM-EXAMPLE-SPLIT:{iso3}") for iso3 in ("LAO", "LBN"))
    assert (laos.recipient.iso3, lebanon.recipient.iso3) == ("LAO", "LBN")
    assert laos.provider_state.iso3 == "DEU" and laos.provider_name == "Federal Foreign Office"
    assert (laos.channel, laos.implementing_partner, laos.currency) == (Channel.NGO, "Example Demining NGO", "EUR")

    def amounts(commitment):
        return {f.kind: f.amount for f in commitment.flows.all()}

    assert amounts(laos) == {"committed": Decimal("600000"), "disbursed": Decimal("200000"), "budgeted": 540000}
    assert amounts(lebanon) == {"committed": Decimal("400000"), "disbursed": Decimal("133333.33"), "budgeted": 360000}
    # the parts add up to the whole, cent for cent
    assert amounts(laos)["disbursed"] + amounts(lebanon)["disbursed"] == Decimal("333333.33")
    again = import_iati(path, sectors=["15250"], strict=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_an_activity_split_later_reuses_the_earlier_commitment(reference, tmp_path):
    single = write(tmp_path, "v1.xml", document(activity_xml("XM-EXAMPLE-LATER")))
    import_iati(single, sectors=["15250"], strict=True)
    original = Commitment.objects.get(source="iati:XM-EXAMPLE-LATER")
    countries = '<recipient-country code="LA" percentage="50"/><recipient-country code="LB" percentage="50"/>'
    split = write(tmp_path, "v2.xml", document(activity_xml("XM-EXAMPLE-LATER", countries=countries)))
    report = import_iati(split, sectors=["15250"], strict=True)
    assert (report.created, report.updated) == (1, 1)
    original.refresh_from_db()
    assert original.source == "iati:XM-EXAMPLE-LATER:LAO"
    assert Commitment.objects.filter(source="iati:XM-EXAMPLE-LATER:LBN").exists()


def test_recipients_outside_the_registry_are_skipped_not_errors(reference, tmp_path):
    countries = '<recipient-country code="LA" percentage="70"/><recipient-country code="VN" percentage="30"/>'
    path = write(
        tmp_path,
        "vn.xml",
        document(
            activity_xml("XM-EXAMPLE-VN", countries=countries),
            activity_xml("XM-EXAMPLE-GLOBAL", countries=""),
        ),
    )
    report = import_iati(path, sectors=["15250"], strict=False)
    assert report.problems == [] and report.created == 1
    reasons = [(item.activity, item.reason) for item in report.skipped]
    assert reasons[0][0] == "XM-EXAMPLE-VN" and reasons[0][1].startswith("recipient VN is not a State in the registry")
    assert reasons[1] == ("XM-EXAMPLE-GLOBAL", "the activity names no recipient country: not imported")
    laos = Commitment.objects.get(source="iati:XM-EXAMPLE-VN:LAO")
    assert {f.kind: f.amount for f in laos.flows.all()}["committed"] == Decimal("700000")


def test_provider_channel_and_currency_rules(reference, tmp_path):
    undp = Organisation.objects.get(acronym="UNDP")
    other_currency = """
    <transaction>
      <transaction-type code="4"/>
      <transaction-date iso-date="2024-05-01"/>
      <value currency="USD" value-date="2024-05-01">5000</value>
    </transaction>
    <transaction>
      <transaction-type code="1"/>
      <transaction-date iso-date="2024-05-01"/>
      <value value-date="2024-05-01">7000</value>
    </transaction>"""
    path = write(
        tmp_path,
        "orgs.xml",
        document(
            activity_xml(
                "XM-DAC-41114-LAO",
                reporting='<reporting-org ref="XM-DAC-41114" type="40"><narrative>UNDP</narrative></reporting-org>',
                implementing='<participating-org type="40" role="4"><narrative>UNMAS</narrative></participating-org>',
                transactions=other_currency,
            ),
            activity_xml(
                "XM-EXAMPLE-FOUNDATION",
                reporting='<reporting-org ref="XM-EXAMPLE" type="60"><narrative>Some Trust</narrative></reporting-org>',
                implementing=(
                    '<participating-org type="80" role="4"><narrative>A University</narrative></participating-org>'
                ),
            ),
        ),
    )
    report = import_iati(path, sectors=["15250"], strict=True)
    undp_commitment = Commitment.objects.get(source="iati:XM-DAC-41114-LAO")
    assert undp_commitment.provider_organisation == undp and undp_commitment.provider_state is None
    assert undp_commitment.channel == Channel.UN
    # the USD expenditure is not converted into EUR: listed and left out; incoming funds are not assistance
    assert {f.kind for f in undp_commitment.flows.all()} == {"committed", "disbursed", "budgeted"}
    (problem,) = report.problems
    assert problem.activity == "XM-DAC-41114-LAO" and "in USD, not in the activity's currency EUR" in problem.reason
    trust = Commitment.objects.get(source="iati:XM-EXAMPLE-FOUNDATION")
    assert (trust.provider_state, trust.provider_organisation, trust.provider_name) == (None, None, "Some Trust")
    assert trust.channel == Channel.NATIONAL and trust.implementing_partner == "A University"


def test_reimport_keeps_what_isu_decided(reference):
    run("import-iati", str(DFID_EXTRACT))
    commitment = Commitment.objects.get(source=DFID_SOURCE)
    commitment.cluster_munition_specific = True
    commitment.save()
    CommitmentPillar.objects.filter(commitment=commitment).update(pillar="risk_reduction_education")
    out = run("import-iati", str(DFID_EXTRACT))
    commitment.refresh_from_db()
    assert commitment.cluster_munition_specific is True
    assert [s.pillar for s in commitment.pillar_shares.all()] == ["risk_reduction_education"]
    assert "1 unchanged" in out


def test_a_reimport_that_changes_amounts_refreshes_the_needs_met(reference, tmp_path):
    from people import person

    from article6.assistance.models import CommitmentNeed, Need

    run("import-iati", str(DFID_EXTRACT))
    commitment = Commitment.objects.get(source=DFID_SOURCE)
    need = Need.objects.create(
        state=commitment.recipient,
        title="Clearance in Ituri",
        description="Clearance",
        pillar="clearance",
        modality="financial",
        amount=Decimal("3000000"),
        currency="GBP",
        start_year=2011,
        end_year=2013,
        created_by=person("focal@example.org"),
    )
    CommitmentNeed.objects.create(commitment=commitment, need=need)
    queries.refresh_needs([need.pk])
    need.refresh_from_db()
    assert (need.covered_amount, need.status) == (Decimal("2750000"), "partly_covered")
    more = DFID_EXTRACT.read_bytes().replace(b">2750000</value>", b">3000000</value>")
    run("import-iati", str(write(tmp_path, "more.xml", more)))
    need.refresh_from_db()
    assert (need.covered_amount, need.status) == (Decimal("3000000"), "covered")


def test_progress_bar_on_stderr(reference):
    err = StringIO()
    call_command("import-iati", str(DFID_FILE), "--progress", stdout=StringIO(), stderr=err)
    text = err.getvalue()
    assert text.startswith("\rimport-iati dfid_iati_1.01_DRC_CD_2013-04-30.xml: reading ")
    assert "reading [####################] 100% (1067 of 1067 kB)" in text
    assert "writing [####################] 100% (1/1 commitments)" in text
    assert text.endswith("\n")
    quiet = StringIO()
    call_command("import-iati", str(DFID_FILE), stdout=StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""  # not a terminal, no --progress: no counter


def test_terminal_progress_redraws_in_place():
    written = []
    progress = TerminalProgress(written.append, "x")
    progress(1, 4, "bytes")
    progress(1, 4, "bytes")  # same text: not redrawn
    progress(4, 4, "bytes")
    progress.close()
    assert written == [
        "\rx: reading [#####...............]  25% (0 of 0 kB)",
        "\rx: reading [####################] 100% (0 of 0 kB)",
        "\n",
    ]


# --- OECD CRS ----------------------------------------------------------------------------------


def test_crs_import_of_the_real_file(reference):
    out = run("import-crs", str(CRS_FILE))
    commitments = Commitment.objects.select_related("provider_state", "recipient", "provider_organisation")
    # 61 rows with purpose 15250: 40 to Cook Islands (1), Fiji (3), Palau (35) and Vanuatu (1), in the
    # registry; 21 to Kiribati (1), the Marshall Islands (9), the Solomon Islands (9), Tonga (1), Tuvalu (1)
    assert commitments.count() == 11
    assert Flow.objects.count() == 40
    assert Counter(c.recipient.iso3 for c in commitments) == {"PLW": 8, "COK": 1, "FJI": 1, "VUT": 1}
    assert "skipped" in out and out.count("skipped: ") == 21
    assert "commitments 11 created, 0 updated, 0 unchanged, 21 skipped; amounts 40 created" in out
    skipped = [line for line in out.splitlines() if line.startswith("skipped: ")]
    assert any("recipient MH (Marshall Islands) is not a State in the registry" in line for line in skipped)

    japan = commitments.get(source="crs:JP:PW:15250")
    assert (japan.provider_state.iso3, japan.recipient.iso3, japan.currency) == ("JPN", "PLW", "USD")
    assert japan.channel == Channel.BILATERAL
    assert sorted(japan.flows.values_list("year", flat=True)) == [2012, *range(2014, 2025)]
    assert all(f.kind == FlowKind.DISBURSED and f.source_key == f"crs:JP:PW:15250:{f.year}" for f in japan.flows.all())
    assert [(s.pillar, s.share) for s in japan.pillar_shares.all()] == [("clearance", Decimal("100"))]
    united_states = commitments.get(source="crs:US:FJ:15250")  # not in the registry: a name
    assert (united_states.provider_state, united_states.provider_name) == (None, "United States")
    australia = commitments.get(source="crs:AU:CK:15250")
    assert australia.flows.get().amount == Decimal("7801")


def test_crs_import_again_changes_nothing(reference):
    run("import-crs", str(CRS_FILE))
    before = snapshot()
    out = run("import-crs", str(CRS_FILE))
    assert snapshot() == before
    expected = "commitments 0 created, 0 updated, 11 unchanged, 21 skipped; amounts 0 created, 0 updated, 40 unchanged"
    assert expected in out


def test_crs_other_purposes_and_organisations(reference):
    report = import_crs(CRS_FILE, purpose_codes=["15220"])
    undp = Commitment.objects.filter(provider_organisation__acronym="UNDP")
    assert undp.exists() and {c.channel for c in undp} == {Channel.UN}
    un = Commitment.objects.filter(source__startswith="crs:CRS_1UN0:")
    assert un.exists() and {(c.provider_name, c.channel) for c in un} == {("United Nations", Channel.UN)}
    # no pillar for 15220 (peace-building): no shares rather than a wrong one
    assert not CommitmentPillar.objects.exists()
    assert report.created == Commitment.objects.count()


def test_crs_damaged_file_is_refused_whole(reference, tmp_path):
    lines = CRS_FILE.read_text(encoding="utf-8").splitlines()
    lines[300] = "PW,Palau,JP,Japan,20x6,15250,Removal of land mines and explosive remnants of war,1.0,0.1"
    damaged = tmp_path / "damaged.csv"
    damaged.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("import-crs", str(damaged))
    assert str(caught.value).startswith("damaged.csv: nothing was imported:")
    assert "line 301: column year: '20x6' is not a year" in str(caught.value)
    assert Commitment.objects.count() == 0


def test_crs_names_every_bad_row(reference, tmp_path):
    """import-crs named only the first bad row."""
    lines = CRS_FILE.read_text(encoding="utf-8").splitlines()
    lines[10] = "PW,Palau,JP,Japan,20x6,15250,Removal of land mines and explosive remnants of war,1.0,0.1"
    lines[20] = "PW,Palau,JP,Japan,2016,1525,Removal of land mines and explosive remnants of war,lots,0.1"
    lines[30] = "PW,Palau,JP"
    damaged = tmp_path / "damaged.csv"
    damaged.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _out, error = run_failing("import-crs", str(damaged))
    assert error.splitlines() == [
        "damaged.csv: nothing was imported:",
        "  damaged.csv: line 11: column year: '20x6' is not a year",
        "  damaged.csv: line 21: column sector_code: '1525' is not a 5-digit CRS purpose code",
        "  damaged.csv: line 21: column value_usd: 'lots' is not a number",
        "  damaged.csv: line 31: column counterpart_name: missing value: the row has 3 fields, the header 9",
    ]
    assert Commitment.objects.count() == 0


def test_crs_file_whose_every_row_has_a_problem_fails(reference, tmp_path):
    header = CRS_FILE.read_text(encoding="utf-8").splitlines()[0]
    rows = [f"FJ,Fiji,AU,Australia,{year},15250,Removal of land mines,1200.0,0.0001" for year in (2005, 2006)]
    path = tmp_path / "early.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    out, error = run_failing("import-crs", str(path))
    assert error == "early.csv: nothing was imported, for 2 problem(s) (see above)"
    assert len([line for line in out.splitlines() if line.startswith("problem: early.csv: line ")]) == 2
    assert Commitment.objects.count() == 0


def test_crs_duplicate_rows_refuse_the_file(reference, tmp_path):
    lines = CRS_FILE.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("PW,Palau,JP,Japan,2016,15250"))
    doubled = tmp_path / "doubled.csv"
    doubled.write_text("\n".join([*lines, lines[row]]) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_crs(doubled, purpose_codes=["15250"])
    (problem,) = caught.value.problems
    assert problem.line == len(lines) + 1 and f"already on line {row + 1}" in problem.reason
    assert Commitment.objects.count() == 0
