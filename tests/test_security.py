"""Security settings a reviewer checks first: the deployment check, the Content
Security Policy, CSRF, and user data never rendered as HTML."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from article6.states.models import State


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ARTICLE6_HTTPS": "true",
        "ALLOWED_HOSTS": "article6.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "article6", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_https_protections(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    env = {**os.environ, "ARTICLE6_HTTPS": "true", "DJANGO_SETTINGS_MODULE": "article6.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code], env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["True", "True", "True", "True"], result.stderr


PUBLIC_PAGES = ["/", "/states/", "/states/LAO/", "/deadlines/", "/organisations/", "/accounts/login/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_content_security_policy_forbids_inline_script(client, reference, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    html = response.content.decode()
    # Every script is a file from this site; no inline handlers or styles.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert re.search(r'\bsrc="/static/', tag) or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=\"", html)
    assert not re.search(r'\sstyle="', html)


def test_forms_and_htmx_requests_need_the_csrf_token(reference):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 403
    page = client.get("/").content.decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"}, headers={"X-CSRFToken": token})
    assert response.status_code == 302


def test_user_data_is_escaped(client, reference):
    State.objects.filter(iso3="LAO").update(name='<script>alert("x")</script>', notes="<b>bold</b>")
    for path in ("/states/", "/states/LAO/", "/?as_of=2019-01-01"):
        html = client.get(path).content.decode()
        assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in client.get("/states/LAO/").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in client.get("/states/LAO/").content.decode()
