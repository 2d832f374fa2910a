import pytest
from django.core.exceptions import ImproperlyConfigured

from breachdesk.env import envbool, envint, envlist, envmap, envsecret


@pytest.mark.parametrize("raw", ["1", "true", "True", "yes", "on"])
def test_envbool_reads_true_spellings(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)

    assert envbool("FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off"])
def test_envbool_reads_false_spellings(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)

    assert envbool("FLAG", True) is False


def test_envbool_uses_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)

    assert envbool("FLAG", True) is True


def test_envbool_rejects_a_typo_instead_of_guessing(monkeypatch):
    monkeypatch.setenv("FLAG", "flase")

    with pytest.raises(ImproperlyConfigured, match="FLAG='flase' is not a yes/no value"):
        envbool("FLAG", False)


def test_envint_rejects_non_numbers(monkeypatch):
    monkeypatch.setenv("COUNT", "12a")

    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        envint("COUNT", 1)


def test_envint_reads_numbers_and_defaults(monkeypatch):
    monkeypatch.setenv("COUNT", " 42 ")

    assert envint("COUNT", 1) == 42
    assert envint("UNSET_COUNT_FOR_TEST", 7) == 7


def test_envlist_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, ,b.example,")

    assert envlist("HOSTS") == ["a.example", "b.example"]


def test_envsecret_prefers_the_file_form(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    monkeypatch.setenv("API_KEY", "from-env")
    monkeypatch.setenv("API_KEY_FILE", str(secret_file))

    assert envsecret("API_KEY") == "from-file"


def test_envsecret_reports_an_unreadable_file(monkeypatch, tmp_path):
    monkeypatch.setenv("API_KEY_FILE", str(tmp_path / "missing"))

    with pytest.raises(ImproperlyConfigured, match=r"API_KEY_FILE=.* cannot be read"):
        envsecret("API_KEY")


def test_envmap_reads_key_value_pairs(monkeypatch):
    monkeypatch.setenv("PAIRS", " bd-legal = Legal, bd-ir=Responder ,")

    assert envmap("PAIRS") == {"bd-legal": "Legal", "bd-ir": "Responder"}


@pytest.mark.parametrize("raw", ["bd-legal", "=Legal", "bd-legal="])
def test_envmap_refuses_a_pair_missing_a_side(monkeypatch, raw):
    monkeypatch.setenv("PAIRS", raw)

    with pytest.raises(ImproperlyConfigured, match="is not a key=value pair"):
        envmap("PAIRS")
