"""TwoEndedPaginator: the same pages as Django's, the far half read from the end."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from breachdesk.models import User
from breachdesk.pagination import TwoEndedPaginator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [0, 1, 7, 10, 23])
def test_every_page_holds_what_djangos_paginator_gives(count):
    for n in range(count):
        UserFactory(username=f"person{n:02}")
    people = User.objects.order_by("-username", "pk")

    for number in range(1, Paginator(people, 5).num_pages + 1):
        ours = [u.pk for u in TwoEndedPaginator(people, 5).page(number)]
        theirs = [u.pk for u in Paginator(people, 5).page(number)]
        assert ours == theirs, number


def test_the_last_page_is_read_from_the_end_without_an_offset():
    for n in range(23):
        UserFactory(username=f"person{n:02}")
    people = User.objects.order_by("username", "pk")

    with CaptureQueriesContext(connection) as queries:
        page = TwoEndedPaginator(people, 5).page(5)
        list(page)

    read = queries[-1]["sql"]
    assert "DESC" in read
    assert "OFFSET" not in read
    assert [u.username for u in page] == [f"person{n:02}" for n in range(20, 23)]
