"""`article6 import-rates FILE.csv`: the exchange-rate table, every row checked before
anything is written, every error as FILE:line: column: reason."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from article6.assistance.models import ExchangeRate

HEADER = "currency,year,usd_per_unit,source\n"


def write(tmp_path, text: str, name: str = "rates.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path) -> str:
    out = StringIO()
    call_command("import-rates", str(path), stdout=out)
    return out.getvalue()


def table() -> dict:
    return {(r.currency, r.year): (r.usd_per_unit, r.source) for r in ExchangeRate.objects.all()}


def test_rates_are_created_then_updated_or_left(db, tmp_path):
    path = write(tmp_path, HEADER + "GBP,2011,1.6036,OECD\ngbp,2012,1.5852,OECD\n\nEUR,2012,1.28560000,ECB\n")
    assert run(path) == f"{path}: exchange rates 3 created, 0 updated, 0 unchanged\n"
    assert table() == {
        ("GBP", 2011): (Decimal("1.6036"), "OECD"),
        ("GBP", 2012): (Decimal("1.5852"), "OECD"),
        ("EUR", 2012): (Decimal("1.2856"), "ECB"),
    }
    history = ExchangeRate.history.count()
    assert run(path).endswith("0 created, 0 updated, 3 unchanged\n")
    assert ExchangeRate.history.count() == history  # nothing written when nothing changed
    path = write(tmp_path, HEADER + "GBP,2011,1.6040,OECD revised\nGBP,2012,1.5852,OECD\n")
    assert run(path).endswith("0 created, 1 updated, 1 unchanged\n")
    assert table()[("GBP", 2011)] == (Decimal("1.6040"), "OECD revised")
    latest = ExchangeRate.history.latest()
    assert (latest.history_type, latest.history_change_reason) == ("~", "import-rates rates.csv")
    assert ExchangeRate.objects.count() == 3  # rates not in the file stay


def test_every_error_is_listed_and_nothing_written(db, tmp_path):
    ExchangeRate.objects.create(currency="GBP", year=2011, usd_per_unit=Decimal("1.6"), source="before")
    path = write(
        tmp_path,
        HEADER
        + "GBP,2011,1.7,fine on its own\n"  # line 2
        + "XYZ,2012,1.1,\n"  # line 3: unknown currency
        + "EUR,12,1.1,\n"  # line 4: bad year
        + "EUR,2007,1.1,\n"  # line 5: before the Convention's records
        + "EUR,2013,0,\n"  # line 6: not positive
        + "EUR,2014,-1.2,\n"  # line 7: not positive
        + "EUR,2015,abc,\n"  # line 8: not a number
        + "GBP,2011,1.8,again\n"  # line 9: duplicate of line 2
        + "USD,2015,1.1,\n"  # line 10: a dollar is a dollar
        + "EUR,2016,1.123456789,\n"  # line 11: too many decimals for the table
        + "EUR,2017,,\n",  # line 12: missing
    )
    with pytest.raises(CommandError) as caught:
        run(path)
    assert str(caught.value).splitlines() == [
        "Nothing was imported:",
        f"{path}:3: currency: 'XYZ' is not an ISO 4217 currency code",
        f"{path}:4: year: '12' is not a year",
        f"{path}:5: year: 2007 is outside 2008-2100",
        f"{path}:6: usd_per_unit: 0 is not positive: a rate is more than 0",
        f"{path}:7: usd_per_unit: -1.2 is not positive: a rate is more than 0",
        f"{path}:8: usd_per_unit: 'abc' is not a number",
        f"{path}:9: year: GBP 2011 is already on line 2",
        f"{path}:10: usd_per_unit: a US dollar is worth 1 US dollar",
        f"{path}:11: usd_per_unit: 1.123456789 has more than 8 decimal places",
        f"{path}:12: usd_per_unit: a value is required",
    ]
    assert table() == {("GBP", 2011): (Decimal("1.6"), "before")}  # line 2 was valid, but nothing is written


def test_missing_columns_file_and_encoding(db, tmp_path):
    with pytest.raises(CommandError) as caught:
        run(write(tmp_path, "currency,year,rate\nGBP,2011,1.6\n", "cols.csv"))
    assert str(caught.value).splitlines()[1:] == [
        f"{tmp_path / 'cols.csv'}:1: usd_per_unit: missing column",
        f"{tmp_path / 'cols.csv'}:1: source: missing column",
    ]
    with pytest.raises(CommandError, match="absent.csv: no such file"):
        run(tmp_path / "absent.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + "GBP,2011,1.6,Banque de réserve\n".encode("latin-1"))
    with pytest.raises(CommandError, match="latin.csv: not a UTF-8 text file"):
        run(latin)
    assert not ExchangeRate.objects.exists()


def test_extra_values_and_empty_file(db, tmp_path):
    with pytest.raises(CommandError, match=r"extra.csv:2: row: 5 values, the header has 4 columns"):
        run(write(tmp_path, HEADER + "GBP,2011,1.6,OECD,oops\n", "extra.csv"))
    empty = write(tmp_path, "", "empty.csv")
    with pytest.raises(CommandError, match=r"empty.csv:1: currency: missing column"):
        run(empty)
    only_header = write(tmp_path, HEADER, "header.csv")
    assert run(only_header).endswith("0 created, 0 updated, 0 unchanged\n")
