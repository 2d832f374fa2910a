import re

import pytest
from django.urls import reverse

HTML_PAGES = [
    "home",
    "preferences",
    "password_change",
    "vendors:list",
    "vendors:asset-list",
    "vendors:stakeholder-list",
    "vendors:import",
    "vendors:create",
    "incidents:list",
    "incidents:create",
    "whatif",
]


def _assert_strict_csp(response):
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the page should load htmx"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
        assert "src=" in tag, f"inline script would need unsafe-inline: {tag}"
    assert "<style" not in html
    assert " style=" not in html


def test_login_page_has_a_strict_csp(client):
    _assert_strict_csp(client.get(reverse("login")))


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", HTML_PAGES)
def test_signed_in_pages_have_a_strict_csp(client, commander, url_name):
    client.force_login(commander)

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    _assert_strict_csp(response)


@pytest.mark.django_db
def test_not_found_page_has_a_strict_csp(client, commander):
    client.force_login(commander)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    _assert_strict_csp(response)


def test_pages_refuse_framing_and_sniffing(client):
    response = client.get(reverse("login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
