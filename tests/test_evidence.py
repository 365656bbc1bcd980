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
