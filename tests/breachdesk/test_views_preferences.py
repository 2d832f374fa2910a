import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from breachdesk.middleware import UserTimeZoneMiddleware


@pytest.mark.django_db
def test_a_user_picks_a_display_time_zone(client, commander):
    client.force_login(commander)

    response = client.post(reverse("preferences"), {"time_zone": "Europe/Berlin"})

    assert response.status_code == 302
    commander.refresh_from_db()
    assert commander.time_zone == "Europe/Berlin"


@pytest.mark.django_db
def test_an_unknown_time_zone_is_refused_in_plain_words(client, commander):
    client.force_login(commander)

    response = client.post(reverse("preferences"), {"time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 422
    assert "is not a time zone we know" in response.content.decode()
    commander.refresh_from_db()
    assert commander.time_zone == "UTC"


@pytest.mark.django_db
def test_an_empty_submission_asks_for_a_time_zone(client, commander):
    client.force_login(commander)

    response = client.post(reverse("preferences"), {})

    assert response.status_code == 422
    assert "Pick a time zone." in response.content.decode()


@pytest.mark.django_db
def test_the_zone_is_typed_with_suggestions_not_picked_from_a_select(client, commander):
    client.force_login(commander)

    page = client.get(reverse("preferences")).content.decode()

    assert 'list="id_time_zone-zones"' in page
    assert '<datalist id="id_time_zone-zones">' in page
    assert '<option value="America/Argentina/Buenos_Aires">' in page
    assert "<select" not in page


@pytest.mark.django_db
def test_a_zone_typed_in_lower_case_is_saved_with_its_own_spelling(client, commander):
    client.force_login(commander)

    client.post(reverse("preferences"), {"time_zone": " europe/berlin "})

    commander.refresh_from_db()
    assert commander.time_zone == "Europe/Berlin"


@pytest.mark.django_db
def test_a_misspelt_zone_is_answered_with_the_nearest_names(client, commander):
    client.force_login(commander)

    response = client.post(reverse("preferences"), {"time_zone": "Europe/Berln"})

    assert response.status_code == 422
    assert "Did you mean Europe/Berlin" in response.content.decode()


@pytest.mark.django_db
def test_pages_render_times_in_the_users_zone(commander):
    commander.time_zone = "Asia/Tokyo"
    request = RequestFactory().get("/")
    request.user = commander
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()

    UserTimeZoneMiddleware(view)(request)

    assert seen["zone"] == "Asia/Tokyo"


@pytest.mark.django_db
def test_dashboard_says_which_zone_times_are_shown_in(client, commander):
    commander.time_zone = "America/New_York"
    commander.save()
    client.force_login(commander)

    response = client.get(reverse("home"))

    assert "Times are shown in America/New_York" in response.content.decode()
