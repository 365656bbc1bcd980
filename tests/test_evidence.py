"""Evidence documents of a need: its State's focal points attach them, of a limited kind
and size; they are given out only to those who may see the need, as downloads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from people import everyone

from article6.assistance.models import Need, NeedAttachment
from article6.states.models import State


@pytest.fixture
def people(reference, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return everyone()


@pytest.fixture
def need(people):
    return Need.objects.create(
        state=State.objects.get(iso3="LAO"),
        title="Clearance",
        description="Survey",
        pillar="clearance",
        modality="technical",
        start_year=2026,
        end_year=2026,
        visibility="restricted",
        created_by=people["lao_focal_point"],
    )


def upload(client, need, name="survey.pdf", content=b"%PDF-1.4 survey", size=None):
    data = SimpleUploadedFile(name, content if size is None else b"x" * size, content_type="application/pdf")
    return client.post(reverse("assistance:evidence_upload", args=[need.pk]), {"file": data}, follow=True)


def test_the_focal_point_attaches_and_the_parties_download(client, people, need):
    client.force_login(people["lao_focal_point"])
    page = upload(client, need).content.decode()
    assert "The document is attached." in page
    document = NeedAttachment.objects.get()
    assert document.name == "survey.pdf" and "survey" not in document.file.name  # stored under a random name
    url = reverse("assistance:evidence", args=[need.pk, document.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 survey"
    assert response["Content-Disposition"].startswith("attachment;")
    for role, status in [("coordinator", 200), ("isu", 200), ("lebanon_focal_point", 404), ("norway_partner", 404)]:
        client.force_login(people[role])
        assert client.get(url).status_code == status, role
    client.logout()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [("tool.exe", None, "only these kinds of file are taken"), ("big.pdf", 10 * 1024 * 1024 + 1, "the limit is 10 MB")],
)
def test_wrong_kind_or_size_is_refused_and_nothing_kept(client, people, need, name, size, message):
    client.force_login(people["lao_focal_point"])
    page = upload(client, need, name=name, size=size).content.decode()
    assert message in page
    assert not NeedAttachment.objects.exists()


@pytest.mark.parametrize("role", ["lebanon_focal_point", "coordinator", "norway_partner"])
def test_only_the_states_focal_points_attach_or_remove(client, people, need, role):
    client.force_login(people["lao_focal_point"])
    upload(client, need)
    document = NeedAttachment.objects.get()
    client.force_login(people[role])
    response = client.post(reverse("assistance:evidence_upload", args=[need.pk]), {})
    assert response.status_code in (403, 404)
    remove = reverse("assistance:evidence_remove", args=[need.pk, document.pk])
    assert client.post(remove).status_code in (403, 404)
    assert NeedAttachment.objects.count() == 1


def test_removing_keeps_a_history(client, people, need):
    client.force_login(people["lao_focal_point"])
    upload(client, need)
    document = NeedAttachment.objects.get()
    client.post(reverse("assistance:evidence_remove", args=[need.pk, document.pk]))
    assert not NeedAttachment.objects.exists()
    kinds = list(NeedAttachment.history.order_by("history_id").values_list("history_type", "history_user__email"))
    assert kinds == [("+", "lao@example.org"), ("-", "lao@example.org")]


# --- What a file holds, not only what it is called ---------------------------------------------

EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"
)


def _zip(parts: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def _ooxml(main: str) -> bytes:
    kind = f"application/vnd.openxmlformats-officedocument.{main}"
    types = f'<Types><Override PartName="/main.xml" ContentType="{kind}"/></Types>'
    return _zip({"[Content_Types].xml": types.encode(), "main.xml": b"<x/>"})


def _ole(*streams: str) -> bytes:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return header + b"".join(f"{s}\0".encode("utf-16-le").ljust(128, b"\x00") for s in ("Root Entry", *streams))


def _xlsx() -> bytes:
    import io

    import openpyxl

    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


GOOD = {
    "survey.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    "map.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "photo.jpeg": b"\xff\xd8\xff\xe1\x00\x10Exif",
    "plan.docx": _ooxml("wordprocessingml.document.main+xml"),
    "budget.xlsx": _xlsx(),
    "plan.odt": _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
    "budget.ods": _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
    "old.doc": _ole("WordDocument", "SummaryInformation"),
    "old.xls": _ole("Workbook"),
    "older.xls": _ole("Book"),
    "casualties.csv": b"province,killed\nXieng Khouang,2\nSekong,1\n",
    "notes.txt": "Relevé des zones dangereuses, ຂໍ້ມູນ\n".encode(),
}

BAD = {
    "evil.pdf": EXECUTABLE,
    "evil.png": EXECUTABLE,
    "evil.jpg": b"%PDF-1.4 a PDF named as a picture",
    "evil.docx": _ooxml("spreadsheetml.sheet.main+xml"),  # a workbook named as a document
    "evil.xlsx": EXECUTABLE + _xlsx(),  # a workbook appended to a program
    "zipped.docx": _zip({"readme.txt": b"hello"}),
    "evil.odt": _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
    "evil.doc": _ole("Workbook"),  # an old workbook named as a document
    "evil.xls": EXECUTABLE,
    "binary.txt": b"text\x00with a NUL",
    "latin1.csv": "province,killed\nAttapeu,0\ncaf\xe9\n".encode("latin-1"),
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_document_holding_what_its_name_says_is_attached(client, people, need, name):
    client.force_login(people["lao_focal_point"])
    page = upload(client, need, name=name, content=GOOD[name]).content.decode()
    assert "The document is attached." in page
    assert NeedAttachment.objects.get().size == len(GOOD[name])


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_file_whose_content_is_of_another_kind_is_refused(client, people, need, name):
    """An executable named "evil.pdf" is not a PDF: each allowed kind is checked by what the
    file holds (its first bytes, and the inner part of ZIP and OLE containers)."""
    client.force_login(people["lao_focal_point"])
    page = upload(client, need, name=name, content=BAD[name]).content.decode()
    extension = name.rsplit(".", 1)[1]
    assert f"is not a .{extension} file: what it holds is of another kind, or damaged." in page
    assert not NeedAttachment.objects.exists()


def test_the_service_checks_the_content_too(people, need):
    from django.core.exceptions import ValidationError

    from article6.assistance import services

    with pytest.raises(ValidationError, match="is not a .pdf file"):
        services.attach_evidence(people["lao_focal_point"], need, SimpleUploadedFile("evil.pdf", EXECUTABLE))
    assert not NeedAttachment.objects.exists()
