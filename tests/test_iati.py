"""The IATI and OECD CRS reading layer (article6.assistance): no database needed.

Real data from the project's shared reference set: DFID's IATI 1.01 file for the
DR Congo, the IATI Standard 2.03's own schema test files, OECD CRS disbursements.
"""

import dataclasses
import datetime as dt
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from article6.interchange.codelists import sector_name
from article6.interchange.crs import CrsError, CrsErrors, iter_crs_rows
from article6.interchange.iati import (
    Activity,
    IatiError,
    Org,
    ParticipatingOrg,
    RecipientCountry,
    Sector,
    export_activities,
    iter_activities,
    parse_file,
    validate_activity,
    validate_document,
)
from article6.interchange.xmlsafe import XmlStream

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
IATI = REFERENCE / "iati"
DFID_FILE = IATI / "dfid_iati_1.01_DRC_CD_2013-04-30.xml"
DFID_EXTRACT = IATI / "dfid_15250_drc_demining_mag_activity.xml"
SSOT = IATI / "standard-2.03" / "ssot-tests"
PASS_FILES = sorted((SSOT / "ssot-activity-xml-pass").rglob("*.xml"))
FAIL_FILES = sorted((SSOT / "ssot-activity-xml-fail").rglob("*.xml"))
CRS_FILE = REFERENCE / "funding" / "oecd_crs_152xx_pacific_disbursements_2010_2024.csv"


def _ssot_id(path: Path) -> str:
    return str(path.relative_to(SSOT))


# An IATI 2.03 file built from the 2.03 schema and the standard's pass examples
# (02-minimal-doc, 19-budget, 21-transaction, 22-participating-org, 34-sector,
# 47-two-descriptions, 03-top-level-extensibility). Three activities: sector
# 15250 on the activity; another sector only (15250 appears, but in a
# reporting organisation's own vocabulary 99, which does not count); 15250 on
# a transaction only.
FIXTURE_203 = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2024-03-01T12:00:00Z"
                 xmlns:ex="http://example.org/iati-extension">
  <iati-activity xml:lang="en" default-currency="EUR" last-updated-datetime="2024-02-28T09:30:00Z" hierarchy="1">
    <iati-identifier>XM-EXAMPLE-1-LAO-UXO</iati-identifier>
    <reporting-org ref="XM-EXAMPLE-1" type="10">
      <narrative>Example Ministry of Foreign Affairs</narrative>
    </reporting-org>
    <title>
      <narrative xml:lang="fr">Dépollution des restes d'armes à sous-munitions</narrative>
      <narrative>Clearance of cluster munition remnants in Xieng Khouang</narrative>
    </title>
    <description type="1">
      <narrative>Survey and clearance of contaminated land; risk education.</narrative>
    </description>
    <description type="2"><narrative>Release land for farming.</narrative></description>
    <participating-org ref="XM-EXAMPLE-1" type="10" role="1"><narrative>Example Ministry</narrative></participating-org>
    <participating-org ref="XM-EXAMPLE-NGO-7" type="21" role="4" activity-id="XM-EXAMPLE-NGO-7-LAO">
      <narrative>Example Demining NGO</narrative>
    </participating-org>
    <activity-status code="2"/>
    <activity-date type="1" iso-date="2024-01-01"/>
    <activity-date type="2" iso-date="2024-01-15"/>
    <activity-date type="3" iso-date="2025-12-31"/>
    <recipient-country code="LA" percentage="100"/>
    <sector vocabulary="1" code="15250" percentage="80"><narrative>Removal of land mines and ERW</narrative></sector>
    <sector code="15240" percentage="20"/>
    <budget type="1" status="2">
      <period-start iso-date="2024-01-01"/>
      <period-end iso-date="2024-12-31"/>
      <value currency="EUR" value-date="2024-01-01">1500000.00</value>
    </budget>
    <transaction>
      <transaction-type code="2"/>
      <transaction-date iso-date="2024-01-10"/>
      <value value-date="2024-01-10">3000000</value>
      <description><narrative>Grant agreement</narrative></description>
      <provider-org ref="XM-EXAMPLE-1" type="10"><narrative>Example Ministry</narrative></provider-org>
      <receiver-org ref="XM-EXAMPLE-NGO-7" type="21" receiver-activity-id="XM-EXAMPLE-NGO-7-LAO">
        <narrative>Example Demining NGO</narrative>
      </receiver-org>
    </transaction>
    <transaction>
      <transaction-type code="3"/>
      <transaction-date iso-date="2024-02-01"/>
      <value currency="USD" value-date="2024-02-01">1250000.50</value>
      <receiver-org ref="XM-EXAMPLE-NGO-7"/>
    </transaction>
    <ex:marker>an extension element, allowed at the end</ex:marker>
  </iati-activity>
  <iati-activity xml:lang="en" default-currency="EUR">
    <iati-identifier>XM-EXAMPLE-1-HEALTH</iati-identifier>
    <reporting-org ref="XM-EXAMPLE-1" type="10"><narrative>Example Ministry</narrative></reporting-org>
    <title><narrative>Basic health care</narrative></title>
    <description><narrative>Clinics.</narrative></description>
    <participating-org role="1" ref="XM-EXAMPLE-1"/>
    <activity-status code="2"/>
    <activity-date type="2" iso-date="2023-05-01"/>
    <sector vocabulary="1" code="12220" percentage="100"/>
    <sector vocabulary="99" code="15250"><narrative>Own code that happens to read 15250</narrative></sector>
  </iati-activity>
  <iati-activity xml:lang="en" default-currency="EUR">
    <iati-identifier>XM-EXAMPLE-1-KHM-VA</iati-identifier>
    <reporting-org ref="XM-EXAMPLE-1" type="10"><narrative>Example Ministry</narrative></reporting-org>
    <title><narrative>Victim assistance</narrative></title>
    <description><narrative>Rehabilitation of survivors.</narrative></description>
    <participating-org role="1" ref="XM-EXAMPLE-1"/>
    <activity-status code="2"/>
    <activity-date type="2" iso-date="2024-03-01"/>
    <recipient-country code="KH"/>
    <transaction>
      <transaction-type code="3"/>
      <transaction-date iso-date="2024-03-05"/>
      <value value-date="2024-03-05">200000</value>
      <sector vocabulary="1" code="15250"/>
    </transaction>
  </iati-activity>
</iati-activities>
"""


def _activity_xml(identifier: str, *, sector: str = "15250", status: str | None = "2", title: bool = True) -> str:
    """A small 2.03 activity; leave out activity-status or title to make it invalid."""
    return f"""
  <iati-activity default-currency="EUR">
    <iati-identifier>{identifier}</iati-identifier>
    <reporting-org ref="XM-EXAMPLE-1" type="10"><narrative>Example Ministry</narrative></reporting-org>
    {"<title><narrative>Clearance</narrative></title>" if title else ""}
    <description><narrative>Clearance</narrative></description>
    <participating-org role="1" ref="XM-EXAMPLE-1"/>
    {f'<activity-status code="{status}"/>' if status else ""}
    <activity-date type="2" iso-date="2024-01-01"/>
    <sector code="{sector}"/>
    <transaction>
      <transaction-type code="3"/>
      <transaction-date iso-date="2024-02-01"/>
      <value value-date="2024-02-01">1000</value>
    </transaction>
  </iati-activity>"""


def _document(*activities: str, root: str = '<iati-activities version="2.03">') -> bytes:
    return f'<?xml version="1.0"?>\n{root}{"".join(activities)}\n</iati-activities>\n'.encode()


@pytest.fixture(scope="module")
def dfid_activity() -> Activity:
    (activity,) = iter_activities(DFID_FILE)
    return activity


# -- IATI 1.01: DFID's DR Congo file ------------------------------------------------------


def test_dfid_file_yields_exactly_its_sector_15250_activity(dfid_activity):
    extract = list(iter_activities(DFID_EXTRACT, sectors=None))
    assert [a.iati_identifier for a in extract] == ["GB-1-201745", "GB-1-201745-103"]
    assert extract[0].sectors == []  # the parent programme in the extract has no sector
    assert dfid_activity == extract[1]  # same content, whichever file it is read from
    assert dfid_activity.iati_identifier == "GB-1-201745-103"
    assert dfid_activity.source_line == 11781 and extract[1].source_line != 11781
    assert dfid_activity.sectors == [Sector("15250", "1", None)]
    assert sector_name("15250") == "Removal of land mines and explosive remnants of war"


def test_dfid_activity_amounts(dfid_activity):
    kinds = Counter(t.kind for t in dfid_activity.transactions)
    assert kinds == {"commitment": 1, "expenditure": 28}
    (commitment,) = [t for t in dfid_activity.transactions if t.kind == "commitment"]
    assert (commitment.code, commitment.value, commitment.currency) == ("C", Decimal("2750000"), "GBP")
    assert commitment.date == dt.date(2011, 2, 1) and commitment.value_date == dt.date(2013, 4, 1)
    expenditures = [t for t in dfid_activity.transactions if t.kind == "expenditure"]
    assert {t.code for t in expenditures} == {"E"}
    assert [t.value for t in expenditures if t.value < 0] == [Decimal(-120584), Decimal(-29906), Decimal(-32199)]
    assert sum(t.value for t in expenditures) == Decimal("2068527")
    assert expenditures[0].receiver_org == Org("22000", "MINES ADVISORY GROUP", None)
    assert expenditures[0].description == "Technical & Advisory services"
    assert [(b.type, b.period_start, b.value, b.currency) for b in dfid_activity.budgets] == [
        ("2", dt.date(2010, 4, 1), Decimal("258089"), "GBP"),
        ("2", dt.date(2011, 4, 1), Decimal("927488"), "GBP"),
        ("2", dt.date(2012, 4, 1), Decimal("910336"), "GBP"),
        ("2", dt.date(2013, 4, 1), Decimal("654087"), "GBP"),
    ]


def test_dfid_activity_description_of_1_0x(dfid_activity):
    a = dfid_activity
    assert (a.version, a.default_currency, a.language) == ("1.01", "GBP", "en")
    assert a.title == "DRC De-mining Programme (MAG)" and a.description is None
    assert a.reporting_org == Org("GB-1", "Department for International Development", "10")
    # 1.0x role names mapped to OrganisationRole codes
    assert [(p.role, p.ref) for p in a.participating_orgs] == [("1", "GB"), ("3", "GB-1"), ("4", "22000")]
    assert a.recipient_countries == [RecipientCountry("CD", None)]
    assert a.activity_status == "2"
    # 1.0x dates are in the element text: start-planned, start-actual, end-planned, end-actual
    assert (a.dates.planned_start, a.dates.actual_start) == (dt.date(2011, 2, 1), dt.date(2011, 2, 1))
    assert (a.dates.planned_end, a.dates.actual_end) == (dt.date(2013, 11, 30), dt.date(2013, 11, 30))


def test_a_1_0x_file_is_read_without_schema_validation():
    assert validate_document(DFID_FILE) == []
    result = parse_file(DFID_FILE, strict=True)
    assert (result.version, result.schema_checked, result.problems) == ("1.01", False, [])
    assert [a.iati_identifier for a in result.activities] == ["GB-1-201745-103"]


def test_memory_stays_flat_while_streaming():
    """Each handled activity is cleared and detached: when the next one comes, at most the
    previous one (kept for its tail) is still in the tree, emptied."""
    behind = Counter()
    for top in XmlStream(DFID_FILE):
        preceding = list(top.element.itersiblings(preceding=True))
        behind[len(preceding)] += 1
        assert all(len(sibling) == 0 and not sibling.attrib for sibling in preceding)
    assert set(behind) <= {0, 1} and behind.total() == 206  # the registry record and 205 activities


def test_all_205_dfid_activities_are_read():
    activities = list(iter_activities(DFID_FILE, sectors=None))
    assert len(activities) == 205
    kinds = Counter(t.code for a in activities for t in a.transactions)
    assert kinds == {"E": 522, "D": 159, "C": 134}


# -- Broken and hostile files --------------------------------------------------------------


def test_a_truncated_file_raises_with_its_line(tmp_path):
    data = DFID_FILE.read_bytes()
    cut = tmp_path / "truncated.xml"
    cut.write_bytes(data[: len(data) * 2 // 3])
    last_line = cut.read_bytes().count(b"\n") + 1
    seen = []
    with pytest.raises(IatiError) as caught:
        seen.extend(iter_activities(cut, sectors=None))
    assert 100 < len(seen) < 205  # what came before the fault was yielded; the fault still surfaces
    assert caught.value.line == last_line
    assert f"line {last_line}" in str(caught.value) and "malformed XML" in str(caught.value)
    for reader in (validate_document, parse_file):
        with pytest.raises(IatiError, match=f"line {last_line}"):
            reader(cut)


def test_malformed_xml_gives_lxml_reason():
    with pytest.raises(IatiError) as caught:
        list(iter_activities(b'<iati-activities version="2.03">\n<iati-activity>\n</iati-activities>'))
    assert caught.value.line == 3
    assert "mismatch" in caught.value.reason.lower()


EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&e;</iati-identifier>
<sector code="15250"/></iati-activity></iati-activities>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&lol9;</iati-identifier>
<sector code="15250"/></iati-activity></iati-activities>
"""


def _read(reader, source):
    """Run a reader to the end (iter_activities is a generator)."""
    result = reader(source)
    return list(result) if reader is iter_activities else result


@pytest.mark.parametrize("reader", [iter_activities, validate_document, parse_file])
def test_external_entity_is_refused_and_never_expanded(reader):
    with pytest.raises(IatiError, match="declares entities") as caught:
        _read(reader, EXTERNAL_ENTITY)
    assert "root:" not in str(caught.value)


def test_entity_pointing_at_a_local_file_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    document = EXTERNAL_ENTITY.replace(b"file:///etc/passwd", secret.as_uri().encode())
    with pytest.raises(IatiError, match="declares entities") as caught:
        list(iter_activities(document, sectors=None))
    assert "TOP-SECRET" not in str(caught.value)


@pytest.mark.parametrize("reader", [iter_activities, validate_document, parse_file])
def test_billion_laughs_is_refused(reader):
    with pytest.raises(IatiError, match="declares entities"):
        _read(reader, BILLION_LAUGHS)


def test_billion_laughs_in_an_attribute_is_refused():
    """libxml2 expands entities in attribute values while reading the start tag, before the
    DOCTYPE check can run: its amplification limit (kept on by huge_tree=False) stops it."""
    document = BILLION_LAUGHS.replace(b'version="2.03"', b'version="&lol9;"')
    with pytest.raises(IatiError, match="(?i)entit"):
        list(iter_activities(document))


def test_external_dtd_is_refused():
    document = b'<?xml version="1.0"?>\n<!DOCTYPE iati-activities SYSTEM "http://example.org/iati.dtd">\n'
    document += b'<iati-activities version="2.03"/>'
    with pytest.raises(IatiError, match="external DTD"):
        list(iter_activities(document))


def test_a_file_that_is_not_iati_is_refused():
    with pytest.raises(IatiError, match="not an IATI activity file"):
        list(iter_activities(b"<iati-organisations version='2.03'/>"))


def test_bad_date_names_activity_element_and_line():
    text = DFID_EXTRACT.read_text()
    line = text[: text.index('iso-date="2011-04-12"')].count("\n") + 1
    broken = text.replace('iso-date="2011-04-12"', 'iso-date="2011-04-31"').encode()
    with pytest.raises(IatiError) as caught:
        list(iter_activities(broken))
    error = caught.value
    assert (error.activity, error.element, error.line) == (
        "GB-1-201745-103",
        "transaction/transaction-date/@iso-date",
        line,
    )
    assert "'2011-04-31' is not a valid date" in str(error) and "GB-1-201745-103" in str(error)


def test_bad_value_names_activity_element_and_line():
    text = DFID_EXTRACT.read_text()
    line = text[: text.index(">25792<")].count("\n") + 1
    broken = text.replace(">25792<", ">25,792<").encode()
    with pytest.raises(IatiError) as caught:
        list(iter_activities(broken))
    assert (caught.value.activity, caught.value.element, caught.value.line) == (
        "GB-1-201745-103",
        "transaction/value",
        line,
    )
    assert "'25,792' is not a decimal number" in str(caught.value)


def test_unknown_transaction_type_and_currency_are_errors():
    text = DFID_EXTRACT.read_text()
    with pytest.raises(IatiError, match="'QR' is not a transaction type"):
        list(iter_activities(text.replace('code="C"', 'code="QR"').encode()))
    with pytest.raises(IatiError, match="'GBX' is not a currency"):
        list(iter_activities(text.replace('currency="GBP" value-date="2011-04-12"', 'currency="GBX"').encode()))


def test_1_0x_transaction_letters_map_to_2_0x_kinds():
    letters = {"IF": "incoming_funds", "C": "commitment", "D": "disbursement", "E": "expenditure"}
    letters |= {"IR": "interest_repayment", "LR": "loan_repayment", "R": "reimbursement"}
    letters |= {"QP": "purchase_of_equity", "QS": "sale_of_equity", "CG": "credit_guarantee"}
    transactions = "".join(
        f'<transaction><transaction-type code="{code}"/><value>1</value></transaction>' for code in letters
    )
    document = (
        '<iati-activities version="1.03"><iati-activity default-currency="USD">'
        f'<iati-identifier>X-1</iati-identifier><sector code="15250"/>{transactions}</iati-activity></iati-activities>'
    ).encode()
    (activity,) = iter_activities(document)
    assert [(t.code, t.kind) for t in activity.transactions] == list(letters.items())


# -- IATI 2.03 -----------------------------------------------------------------------------


def test_2_03_fixture_is_valid():
    assert validate_document(FIXTURE_203.encode()) == []


def test_2_03_fixture_parses():
    first, third = iter_activities(FIXTURE_203.encode())
    assert (first.iati_identifier, third.iati_identifier) == ("XM-EXAMPLE-1-LAO-UXO", "XM-EXAMPLE-1-KHM-VA")
    assert (first.version, first.default_currency, first.language) == ("2.03", "EUR", "en")
    assert first.title == "Clearance of cluster munition remnants in Xieng Khouang"  # the activity's language
    assert first.description == "Survey and clearance of contaminated land; risk education."
    assert first.participating_orgs[1] == ParticipatingOrg(
        "4", "XM-EXAMPLE-NGO-7", "Example Demining NGO", "21", "XM-EXAMPLE-NGO-7-LAO"
    )
    assert first.recipient_countries == [RecipientCountry("LA", Decimal(100))]
    assert first.sectors == [Sector("15250", "1", Decimal(80)), Sector("15240", "1", Decimal(20))]
    assert (first.dates.planned_start, first.dates.actual_start) == (dt.date(2024, 1, 1), dt.date(2024, 1, 15))
    assert (first.dates.planned_end, first.dates.actual_end) == (dt.date(2025, 12, 31), None)
    commitment, disbursement = first.transactions
    assert (commitment.kind, commitment.code, commitment.value, commitment.currency) == (
        "commitment",
        "2",
        Decimal(3000000),
        "EUR",  # the activity's default currency
    )
    assert commitment.receiver_org == Org("XM-EXAMPLE-NGO-7", "Example Demining NGO", "21", "XM-EXAMPLE-NGO-7-LAO")
    assert commitment.description == "Grant agreement"
    assert (disbursement.kind, disbursement.value, disbursement.currency) == (
        "disbursement",
        Decimal("1250000.50"),
        "USD",
    )
    (budget,) = first.budgets
    assert (budget.type, budget.status, budget.value, budget.period_end) == (
        "1",
        "2",
        Decimal("1500000.00"),
        dt.date(2024, 12, 31),
    )
    # matched through its transaction's sector, having none of its own
    assert third.sectors == [] and third.transactions[0].sectors == [Sector("15250", "1", None)]


def test_sector_filter():
    everything = [a.iati_identifier for a in iter_activities(FIXTURE_203.encode(), sectors=None)]
    assert everything == ["XM-EXAMPLE-1-LAO-UXO", "XM-EXAMPLE-1-HEALTH", "XM-EXAMPLE-1-KHM-VA"]
    health = [a.iati_identifier for a in iter_activities(FIXTURE_203.encode(), sectors={"12220"})]
    assert health == ["XM-EXAMPLE-1-HEALTH"]


def test_ssot_corpus_size():
    assert (len(PASS_FILES), len(FAIL_FILES)) == (215, 323)


@pytest.mark.parametrize("path", PASS_FILES, ids=_ssot_id)
def test_ssot_pass_file_validates(path):
    assert validate_document(path) == []


@pytest.mark.parametrize("path", FAIL_FILES, ids=_ssot_id)
def test_ssot_fail_file_is_rejected_with_a_reason(path):
    problems = validate_document(path)
    assert problems and all(p.reason for p in problems)
    result = parse_file(path, sectors=None, strict=True)
    assert result.activities == [] and result.problems


def test_document_level_problems_have_no_activity():
    problems = validate_document(SSOT / "ssot-activity-xml-fail" / "18-missing-iati-activities-version.xml")
    assert [(p.activity, p.line) for p in problems] == [(None, 3), (None, 3)]
    assert "'version' is required" in problems[0].reason and "iati-activity" in problems[1].reason
    problems = validate_document(SSOT / "ssot-activity-xml-fail" / "15-generated-datetime.xml")
    assert [(p.activity, p.line) for p in problems] == [(None, 4)]


def test_document_level_order_and_stray_text():
    foreign_first = _document('<ex:note xmlns:ex="http://example.org/x"/>', _activity_xml("XM-EXAMPLE-1-A"))
    (problem,) = validate_document(foreign_first)
    assert (problem.activity, problem.line) == (None, 2)
    assert "note': This element is not expected. Expected is ( iati-activity )" in problem.reason
    stray = _document(_activity_xml("XM-EXAMPLE-1-A"), "stray text", _activity_xml("XM-EXAMPLE-1-B"))
    assert any("Character content" in p.reason for p in validate_document(stray))
    unqualified = _document(_activity_xml("XM-EXAMPLE-1-A"), "<note/>")
    assert any("note" in p.reason for p in validate_document(unqualified))


def test_validate_activity_on_one_element():
    tree = etree.parse(str(SSOT / "ssot-activity-xml-pass" / "02-minimal-doc.xml"))
    assert validate_activity(tree.getroot()[0]) == []
    tree = etree.parse(str(SSOT / "ssot-activity-xml-fail" / "02-top-level-extensibility.xml"))
    (reason,) = validate_activity(tree.getroot()[0])
    assert reason.startswith("line 26: Element 'foo': This element is not expected")


def test_parse_file_strict_and_lenient():
    document = _document(
        _activity_xml("XM-EXAMPLE-1-GOOD"),
        _activity_xml("XM-EXAMPLE-1-NO-STATUS", status=None),
        _activity_xml("XM-EXAMPLE-1-OTHER-NO-TITLE", sector="12220", title=False),
    )
    lenient = parse_file(document)
    assert [a.iati_identifier for a in lenient.activities] == ["XM-EXAMPLE-1-GOOD"]
    # only wanted activities are checked: the invalid 12220 one is not reported
    assert [p.activity for p in lenient.problems] == ["XM-EXAMPLE-1-NO-STATUS"]
    assert "activity-status" in lenient.problems[0].reason and lenient.problems[0].line
    assert lenient.schema_checked and lenient.version == "2.03"
    strict = parse_file(document, strict=True)
    assert strict.activities == []
    assert [p.activity for p in strict.problems] == ["XM-EXAMPLE-1-NO-STATUS", "XM-EXAMPLE-1-OTHER-NO-TITLE"]


def test_parse_file_lists_unreadable_activities_as_problems():
    bad_currency = _activity_xml("XM-EXAMPLE-1-BAD").replace('default-currency="EUR"', 'default-currency="EURO"')
    document = _document(_activity_xml("XM-EXAMPLE-1-GOOD"), bad_currency)
    lenient = parse_file(document)
    assert [a.iati_identifier for a in lenient.activities] == ["XM-EXAMPLE-1-GOOD"]
    (problem,) = lenient.problems
    assert problem.activity == "XM-EXAMPLE-1-BAD" and "'EURO' is not a currency" in problem.reason
    assert problem.reason.startswith("iati-activity/@default-currency")
    assert parse_file(document, strict=True).activities == []
    with pytest.raises(IatiError, match="EURO"):
        list(iter_activities(document))


# -- Export --------------------------------------------------------------------------------


def _amounts(activity: Activity) -> tuple:
    return (
        activity.iati_identifier,
        [(t.kind, t.date, t.value, t.currency) for t in activity.transactions],
        [(b.type, b.period_start, b.period_end, b.value, b.currency) for b in activity.budgets],
    )


def test_export_of_dfid_activities_validates_and_round_trips():
    activities = list(iter_activities(DFID_FILE, sectors=None))
    moment = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
    exported = export_activities(activities, generated=moment)
    root = etree.fromstring(exported)
    assert (root.get("version"), root.get("generated-datetime")) == ("2.03", "2026-11-22T09:00:00+00:00")
    assert validate_document(exported) == []
    again = list(iter_activities(exported, sectors=None))
    assert [_amounts(a) for a in again] == [_amounts(a) for a in activities]
    (demining,) = iter_activities(exported)
    assert demining.iati_identifier == "GB-1-201745-103" and demining.version == "2.03"
    assert demining.transactions[0].code == "2"  # the 1.0x "C", written as its 2.0x code
    assert demining.description == demining.title  # the schema requires a description; DFID gave none
    sector = root.find("iati-activity[iati-identifier='GB-1-201745-103']/sector")
    assert (sector.get("vocabulary"), sector.get("code")) == ("1", "15250")


def test_export_of_2_03_activities_round_trips_exactly():
    activities = list(iter_activities(FIXTURE_203.encode(), sectors=None))
    exported = export_activities(activities)
    assert validate_document(exported) == []
    assert list(iter_activities(exported, sectors=None)) == activities


def test_export_refuses_what_the_schema_requires_and_the_data_lacks(dfid_activity):
    with pytest.raises(IatiError, match="requires an activity-status") as caught:
        export_activities([dataclasses.replace(dfid_activity, activity_status=None)])
    assert caught.value.activity == "GB-1-201745-103"


# -- OECD CRS ------------------------------------------------------------------------------


def test_crs_rows_with_purpose_15250():
    rows = list(iter_crs_rows(CRS_FILE))
    assert len(rows) == 61
    assert rows[0] == dataclasses.replace(
        rows[0],
        recipient_iso2="CK",
        recipient_name="Cook Islands",
        provider_code="AU",
        provider_name="Australia",
        year=2013,
        purpose_code="15250",
        purpose_name="Removal of land mines and explosive remnants of war",
        value_usd=Decimal("7801.0"),
    )
    assert rows[0].line == 3
    assert {r.purpose_code for r in rows} == {"15250"}
    assert Counter(r.provider_code for r in rows).most_common(2) == [("US", 19), ("AU", 16)]
    assert len(list(iter_crs_rows(CRS_FILE, purpose_codes=None))) == 456


CRS_HEADER = (
    "pacific_code,pacific_name,counterpart_code,counterpart_name,year,sector_code,sector_name,value_usd,pct_gdp\n"
)
CRS_GOOD = "FJ,Fiji,AU,Australia,2019,15250,Removal of land mines,1200.0,0.0001\n"


@pytest.mark.parametrize(
    ("row", "line", "column", "reason"),
    [
        ("FJ,Fiji,AU,Australia,20x9,15250,Removal,1.0,0\n", 3, "year", "is not a year"),
        ("FJ,Fiji,AU,Australia,2019,15250,Removal,1.2.3,0\n", 3, "value_usd", "is not a number"),
        ("FJ,Fiji,AU,Australia,2019,15250,Removal,NaN,0\n", 3, "value_usd", "is not a number"),
        ("FJ,Fiji,AU,Australia,2019,15250\n", 3, "sector_name", "missing value"),
        ("Fiji,Fiji,AU,Australia,2019,15250,Removal,1.0,0\n", 3, "pacific_code", "alpha-2"),
    ],
)
def test_crs_malformed_rows_name_line_and_column(row, line, column, reason):
    with pytest.raises(CrsError) as caught:
        list(iter_crs_rows(io.StringIO(CRS_HEADER + CRS_GOOD + row), purpose_codes=None))
    assert (caught.value.line, caught.value.column) == (line, column)
    assert reason in str(caught.value) and f"line {line}, column {column}" in str(caught.value)


def test_crs_bad_row_of_another_purpose_still_refuses_the_file():
    with pytest.raises(CrsError, match="line 3, column year"):
        list(iter_crs_rows(io.StringIO(CRS_HEADER + CRS_GOOD + "FJ,Fiji,AU,Australia,,15210,Peace,1.0,0\n")))


def test_crs_missing_column(tmp_path):
    path = tmp_path / "crs.csv"
    path.write_text(CRS_HEADER.replace("year,", "") + CRS_GOOD)
    with pytest.raises(CrsError) as caught:
        list(iter_crs_rows(path))
    assert (caught.value.line, caught.value.column) == (1, "year") and "missing column" in str(caught.value)


def test_crs_every_bad_value_of_every_row_is_named():
    text = (
        CRS_HEADER
        + "FJ,Fiji,AU,Australia,20x9,15250,Removal,1.0,0\n"
        + CRS_GOOD
        + "Fiji,Fiji,AU,Australia,2019,1525,Removal,x,0\n"
    )
    with pytest.raises(CrsErrors) as caught:
        list(iter_crs_rows(io.StringIO(text), purpose_codes=None))
    assert [(e.line, e.column) for e in caught.value.errors] == [
        (2, "year"),
        (4, "pacific_code"),
        (4, "sector_code"),
        (4, "value_usd"),
    ]
    assert str(caught.value).splitlines()[0] == "line 2, column year: '20x9' is not a year"
