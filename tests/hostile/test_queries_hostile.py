"""Every query parameter a page reads, fed the hostile corpus: never a 500, nothing unescaped.

The parameters are found, not listed: for every URL whose view (or a helper
in its module) reads ``request.GET``, the fields of the forms and filter
sets it names, and the words it looks up (``request.GET.get("severity")``).
Searches and filters are read-only, so one value of each kind of the corpus
is sent, and every markup value.
"""

import inspect
import re

import pytest
from django.urls import get_resolver
from django_filters import FilterSet

from tests.hostile.corpus import DANGEROUS_MARKUP, GROUPS
from tests.hostile.test_forms_hostile import (
    HTTP_METHODS,
    _closure_methods,
    _html,
    _innermost,
    _sign_in,
    _url,
    seeded,  # noqa: F401 (a fixture)
)
from tests.test_access_by_url import _walk

pytestmark = pytest.mark.django_db

_WORD = re.compile(r"^[a-z][a-z_]{0,19}$")


def _codes(function) -> list:
    """The code of ``function`` and of the functions of its module that it calls, recursively."""
    module_globals, codes, todo, seen = function.__globals__, [], [function.__code__], set()
    while todo:
        code = todo.pop()
        if code in seen:
            continue
        seen.add(code)
        codes.append(code)
        todo.extend(c for c in code.co_consts if inspect.iscode(c))
        for name in code.co_names:
            value = module_globals.get(name)
            if inspect.isfunction(value) and value.__module__ == function.__module__:
                todo.append(_innermost(value).__code__)
    return codes


def query_parameters(view) -> list[str]:
    """The names a view reads from the query string; none when it never reads ``request.GET``."""
    function = _innermost(view)
    codes = _codes(function)
    if not any("GET" in code.co_names for code in codes):
        return []
    names = []
    for code in codes:
        for name in code.co_names:
            value = function.__globals__.get(name)
            if inspect.isclass(value) and issubclass(value, FilterSet):
                names.extend(value.base_filters)
            elif inspect.isclass(value) and hasattr(value, "base_fields"):
                names.extend(value.base_fields)
        names.extend(c for c in code.co_consts if isinstance(c, str) and _WORD.match(c))
    return list(dict.fromkeys(names))


def cases() -> list[tuple[str, str]]:
    found = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if not name or name.startswith("admin:") or hasattr(pattern.callback, "view_class"):
            continue
        methods = _closure_methods(pattern.callback) or HTTP_METHODS
        if "GET" in methods:
            found.extend((name, parameter) for parameter in query_parameters(pattern.callback))
    return found


CASES = cases()
VALUES = list(dict.fromkeys([values[0] for values in GROUPS.values()] + DANGEROUS_MARKUP))


def test_the_incident_list_filters_are_found():
    assert {"state", "severity", "vendor", "q"} <= {p for n, p in CASES if n == "incidents:list"}


@pytest.mark.parametrize(("url_name", "parameter"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_hostile_query_parameter(client, seeded, url_name, parameter):  # noqa: F811
    _sign_in(client, url_name, seeded)
    url = _url(url_name, seeded)
    faults = []

    for payload in VALUES:
        response = client.get(url, {parameter: payload})
        html = _html(response)
        if response.status_code >= 500:
            faults.append(f"{payload[:40]!r}: {response.status_code}")
        if payload in DANGEROUS_MARKUP and payload in html:
            faults.append(f"{payload!r}: unescaped")

    assert faults == []
