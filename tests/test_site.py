"""The layout every page shares: sample banner, languages, the as-of date, the back office."""

import pytest
from django.urls import reverse

from article6.states.models import Organisation


def test_sample_banner_only_while_sample_data_is_loaded(client, reference):
    page = client.get(reverse("states:home"))
    assert 'data-testid="sample-banner"' not in page.content.decode()

    from article6.states.sample import load_sample, remove_sample

    load_sample()
    page = client.get(reverse("states:home")).content.decode()
    assert 'data-testid="sample-banner"' in page
    assert "fictional sample records" in page
    assert Organisation.objects.filter(is_sample=True).count() == 3
    assert all("(sample)" in o.name for o in Organisation.objects.filter(is_sample=True))

    remove_sample()
    assert 'data-testid="sample-banner"' not in client.get(reverse("states:home")).content.decode()


def test_load_sample_is_idempotent(reference):
    from django.core.management import call_command

    call_command("load-sample")
    call_command("load-sample")
    assert Organisation.objects.filter(is_sample=True).count() == 3


@pytest.mark.parametrize(
    ("language", "direction"), [("en", "ltr"), ("fr", "ltr"), ("es", "ltr"), ("ar", "rtl"), ("ru", "ltr")]
)
def test_language_switcher_sets_language_and_direction(client, reference, language, direction):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert f'lang="{language}"' in page
    assert f'dir="{direction}"' in page


def test_six_un_languages_are_offered(client, reference):
    page = client.get("/").content.decode()
    for code in ("en", "fr", "es", "ar", "zh-hans", "ru"):
        assert f'<option value="{code}"' in page


def test_footer_names_the_data_sources(client, reference):
    page = client.get("/").content.decode()
    assert "UN Treaty Collection" in page
    assert "Cluster Munition Monitor" in page


def test_as_of_banner_and_invalid_date(client, reference):
    page = client.get("/", {"as_of": "2018-11-12"}).content.decode()
    assert "Figures as of 12 November 2018" in page
    page = client.get("/", {"as_of": "2018-13-45"}).content.decode()
    assert "is not a date" in page


def test_back_office_requires_staff_sign_in(client, reference, django_user_model):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/accounts/login/" in client.get("/admin/login/")["Location"]
    admin = django_user_model.objects.create_superuser("isu", "isu@example.org", "a-long-test-password")
    client.force_login(admin)
    # Without a second factor, the back office leads to setting one up.
    response = client.get("/admin/states/state/")
    assert response.status_code == 302 and "/accounts/2fa/totp/activate/" in response["Location"]

    from article6.accounts.totp import activate_totp

    secret = activate_totp(admin)
    # A session that has not used the second factor is asked for it before any back-office page.
    response = client.get(client.get("/admin/states/state/")["Location"])
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/reauthenticate/")
    from article6.accounts.totp import current_code

    client.post(response["Location"], {"code": current_code(secret)})
    assert client.get("/admin/states/state/").status_code == 200
    assert client.get("/admin/treaty/obligationfact/").status_code == 200


def test_static_files_from_npm_are_served(client):
    """Bootstrap and htmx come from package.json at set-up and are served by the app."""
    for path in ("/static/vendor/bootstrap/css/bootstrap.min.css", "/static/vendor/htmx/htmx.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path


def test_ensure_admin_creates_a_superuser_and_prints_the_password(db, monkeypatch):
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    monkeypatch.setenv("ARTICLE6_ADMIN_PASSWORD", "printed-on-the-console-42")
    out = StringIO()
    call_command("ensure-admin", stdout=out)
    assert "password: printed-on-the-console-42" in out.getvalue()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("printed-on-the-console-42")


def test_the_static_files_are_listed_once_per_process(monkeypatch):
    """Each new handler (a test client, a reload) makes its middleware again; the list of
    static files, some 3,800 with the fonts of six languages, is read only the first time."""
    from django.contrib.staticfiles import finders

    from article6 import static_files

    monkeypatch.setattr(static_files, "_FOUND", {})
    calls = []
    real = finders.get_finders
    monkeypatch.setattr(finders, "get_finders", lambda: calls.append(1) or real())
    first = static_files.StaticFilesMiddleware(lambda request: None)
    second = static_files.StaticFilesMiddleware(lambda request: None)
    assert len(calls) == 1
    assert "/static/vendor/bootstrap/js/bootstrap.bundle.min.js" in second.files
    assert second.files.keys() == first.files.keys()
