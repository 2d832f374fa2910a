import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse


class _Inputs(HTMLParser):
    """Collects form controls and the ids that labels point at."""

    def __init__(self):
        super().__init__()
        self.controls = []
        self.labelled = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and "for" in attrs:
            self.labelled.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {
            "hidden",
            "submit",
        }:
            self.controls.append(attrs.get("id"))


@pytest.fixture
def dashboard(client, commander):
    client.force_login(commander)
    return client.get(reverse("home"))


def test_htmx_is_served_by_the_app_with_the_csp_nonce(client, dashboard):
    html = dashboard.content.decode()
    src = re.search(r'<script src="([^"]+htmx[^"]+\.js)"', html).group(1)

    assert src.startswith("/static/")
    assert client.get(src).status_code == 200


def test_every_htmx_request_carries_the_csrf_token(dashboard):
    html = dashboard.content.decode()
    headers = json.loads(re.search(r"<body hx-headers='([^']+)'", html).group(1))

    assert headers["X-CSRFToken"] == dashboard.context["csrf_token"]


def test_htmx_is_configured_without_eval_and_swaps_form_errors(dashboard):
    html = dashboard.content.decode()
    config = json.loads(re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html).group(1))

    assert config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False
    assert {"code": "422", "swap": True} in config["responseHandling"]


def test_header_shows_navigation_and_the_signed_in_user(dashboard, commander):
    html = dashboard.content.decode()

    assert 'aria-label="Main"' in html
    assert commander.display_name in html
    assert reverse("logout") in html


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["preferences", "password_change"])
def test_every_form_control_has_a_label(client, commander, url_name):
    client.force_login(commander)
    parser = _Inputs()

    parser.feed(client.get(reverse(url_name)).content.decode())

    assert parser.controls
    assert set(parser.controls) <= parser.labelled


def test_stylesheet_is_served_by_the_app(client):
    response = client.get("/static/css/base.css")

    assert response.status_code == 200
    assert b"prefers-color-scheme: dark" in b"".join(response.streaming_content)
