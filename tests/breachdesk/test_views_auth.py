import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD


def _sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_login_page_labels_every_input(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html


@pytest.mark.django_db
def test_sign_in_with_the_right_password_reaches_the_dashboard(client, commander):
    response = _sign_in(client, "commander", TEST_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    dashboard = client.get(reverse("home"))
    assert dashboard.status_code == 200
    assert commander.display_name in dashboard.content.decode()


@pytest.mark.django_db
def test_sign_in_with_a_wrong_password_says_so_and_keeps_you_out(client, commander):
    response = _sign_in(client, "commander", "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_sign_out_ends_the_session(client, commander):
    client.force_login(commander)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_sign_out_by_get_is_refused(client, commander):
    client.force_login(commander)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_from_that_address(client, commander):
    for _ in range(5):
        _sign_in(client, "commander", "wrong")

    response = _sign_in(client, "commander", TEST_PASSWORD)

    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_four_wrong_passwords_do_not_lock_the_account(client, commander):
    for _ in range(4):
        _sign_in(client, "commander", "wrong")

    response = _sign_in(client, "commander", TEST_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_a_lockout_does_not_reach_another_address(client, commander):
    for _ in range(5):
        _sign_in(client, "commander", "wrong")

    response = client.post(
        reverse("login"),
        {"username": "commander", "password": TEST_PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302


@pytest.mark.django_db
def test_password_change_replaces_the_password(client, commander):
    client.force_login(commander)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a much longer new passphrase",
            "new_password2": "a much longer new passphrase",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    commander.refresh_from_db()
    assert commander.check_password("a much longer new passphrase")


@pytest.mark.django_db
def test_password_change_with_a_wrong_old_password_changes_nothing(client, commander):
    client.force_login(commander)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "not it",
            "new_password1": "a much longer new passphrase",
            "new_password2": "a much longer new passphrase",
        },
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    commander.refresh_from_db()
    assert commander.check_password(TEST_PASSWORD)


@pytest.mark.django_db
def test_a_username_longer_than_any_account_is_refused_before_it_is_checked(client):
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "A" * 300, "password": "whatever-it-is"})

    assert response.status_code == 200
    assert "A username has at most 150 characters; this one has 300." in response.text
    assert not AccessAttempt.objects.exists()
