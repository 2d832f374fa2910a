import pytest
from django.urls import reverse

from tests.factories import (
    DataAssetFactory,
    EngagementFactory,
    StakeholderFactory,
    VendorContactFactory,
    VendorFactory,
)
from vendors.models import EngagementAccess, VendorContact

pytestmark = pytest.mark.django_db


def _url(vendor):
    return reverse("vendors:detail", kwargs={"slug": vendor.slug})


def test_the_vendor_page_shows_what_it_holds_and_whose_it_is(client, responder):
    helix = StakeholderFactory(name="Helix Health")
    orbital = StakeholderFactory(name="Orbital Robotics")
    vendor = VendorFactory(name="Parallax")
    EngagementFactory(
        vendor=vendor,
        name="Annotation",
        data_assets=[
            DataAssetFactory(name="Clinical samples", stakeholders=[helix]),
            DataAssetFactory(name="Teleop logs", stakeholders=[orbital]),
        ],
    )
    EngagementFactory(name="Elsewhere", data_assets=[DataAssetFactory(name="Not held")])
    client.force_login(responder)

    response = client.get(_url(vendor))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Annotation" in html
    assert [asset.name for asset in response.context["held_assets"]] == [
        "Clinical samples",
        "Teleop logs",
    ]
    assert [s.name for s in response.context["held_stakeholders"]] == [
        "Helix Health",
        "Orbital Robotics",
    ]
    assert "Not held" not in html


def test_an_unknown_vendor_is_404(client, responder):
    client.force_login(responder)

    assert client.get("/vendors/no-such-vendor/").status_code == 404


def test_user_text_is_escaped(client, responder):
    vendor = VendorFactory(name="<script>alert(1)</script>", slug="x", services="<b>bold</b>")
    client.force_login(responder)

    html = client.get(_url(vendor)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html


def test_the_vendor_page_runs_a_bounded_number_of_queries(
    client, responder, django_assert_max_num_queries
):
    vendor = VendorFactory()
    stakeholders = [StakeholderFactory() for _ in range(10)]
    for n in range(15):
        engagement = EngagementFactory(
            vendor=vendor,
            data_assets=[DataAssetFactory(stakeholders=stakeholders[:3]) for _ in range(4)],
        )
        EngagementAccess.objects.create(engagement=engagement, kind="key", description=f"k{n}")
        VendorContactFactory(vendor=vendor)
    client.force_login(responder)

    with django_assert_max_num_queries(14):
        response = client.get(_url(vendor))

    assert len(response.context["held_assets"]) == 60


@pytest.mark.parametrize("persona", ["viewer", "responder", "legal"])
def test_only_commanders_and_staff_may_add_contacts(client, request, persona):
    vendor = VendorFactory()
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        reverse("vendors:contact-add", kwargs={"slug": vendor.slug}),
        {"name": "Dana", "email": "dana@vendor.example"},
    )

    assert response.status_code == 403
    assert "Commanders and administrators can" in response.content.decode()
    assert not VendorContact.objects.exists()


def test_staff_may_edit_the_inventory(client, outsider):
    outsider.is_staff = True
    outsider.save()
    vendor = VendorFactory()
    client.force_login(outsider)

    response = client.get(reverse("vendors:edit", kwargs={"slug": vendor.slug}))

    assert response.status_code == 200


def test_a_commander_adds_a_contact_in_place(client, commander):
    vendor = VendorFactory()
    client.force_login(commander)

    response = client.post(
        reverse("vendors:contact-add", kwargs={"slug": vendor.slug}),
        {"name": "Dana Ruiz", "email": "security@vendor.example", "is_security_contact": "on"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="contacts"')
    assert "security@vendor.example" in html
    assert vendor.contacts.get().is_security_contact


def test_an_invalid_contact_comes_back_with_the_error_and_nothing_saved(client, commander):
    vendor = VendorFactory()
    client.force_login(commander)

    response = client.post(
        reverse("vendors:contact-add", kwargs={"slug": vendor.slug}),
        {"name": "Dana", "email": "a@b.c\r\nBcc: x@evil.example"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    assert not vendor.contacts.exists()


def test_adding_a_contact_without_javascript_returns_to_the_vendor(client, commander):
    vendor = VendorFactory()
    client.force_login(commander)

    response = client.post(
        reverse("vendors:contact-add", kwargs={"slug": vendor.slug}),
        {"name": "Dana", "email": "dana@vendor.example"},
    )

    assert response.status_code == 302
    assert response["Location"] == _url(vendor)


def test_a_contact_is_edited_in_its_row(client, commander):
    contact = VendorContactFactory(name="Dana", email="dana@vendor.example")
    url = reverse(
        "vendors:contact-edit", kwargs={"slug": contact.vendor.slug, "contact_id": contact.pk}
    )
    client.force_login(commander)

    form_row = client.get(url, headers={"HX-Request": "true"})
    saved_row = client.post(
        url, {"name": "Dana Ruiz", "email": "dana@vendor.example"}, headers={"HX-Request": "true"}
    )

    assert (
        form_row.content.decode()
        .lstrip()
        .startswith(f'<tr id="contact-{contact.pk}" class="editing"')
    )
    assert saved_row.status_code == 200
    assert saved_row.content.decode().lstrip().startswith(f'<tr id="contact-{contact.pk}">')
    contact.refresh_from_db()
    assert contact.name == "Dana Ruiz"


def test_a_contact_of_another_vendor_cannot_be_reached_through_this_one(client, commander):
    contact = VendorContactFactory()
    other = VendorFactory()
    client.force_login(commander)

    response = client.post(
        reverse("vendors:contact-delete", kwargs={"slug": other.slug, "contact_id": contact.pk})
    )

    assert response.status_code == 404
    assert VendorContact.objects.filter(pk=contact.pk).exists()


def test_a_contact_is_removed(client, commander):
    contact = VendorContactFactory()
    client.force_login(commander)

    response = client.post(
        reverse(
            "vendors:contact-delete", kwargs={"slug": contact.vendor.slug, "contact_id": contact.pk}
        ),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert not VendorContact.objects.filter(pk=contact.pk).exists()


def test_the_vendor_page_lists_its_incidents(client, commander):
    from tests.factories import IncidentFactory

    vendor = VendorFactory()
    incident = IncidentFactory(commander=commander, vendors=[vendor])
    client.force_login(commander)

    page = client.get(_url(vendor)).content.decode()
    section_url = reverse("incidents:vendor-incidents", kwargs={"slug": vendor.slug})
    section = client.get(section_url, headers={"HX-Request": "true"})

    assert f'hx-get="{section_url}"' in page
    assert incident.reference in section.content.decode()
    assert "<html" not in section.content.decode()


def test_the_vendor_pages_incidents_come_a_page_at_a_time_in_bounded_queries(
    client, commander, django_assert_max_num_queries
):
    from incidents.selectors.lists import VENDOR_INCIDENTS_PAGE_SIZE
    from tests.factories import IncidentFactory

    vendor = VendorFactory()
    made = [IncidentFactory(commander=commander, vendors=[vendor]) for _ in range(23)]
    client.force_login(commander)
    section_url = reverse("incidents:vendor-incidents", kwargs={"slug": vendor.slug})

    with django_assert_max_num_queries(8):
        first = client.get(section_url, headers={"HX-Request": "true"})
    second = client.get(section_url, {"page": "2"}, headers={"HX-Request": "true"})

    assert len(first.context["page"].object_list) == VENDOR_INCIDENTS_PAGE_SIZE
    shown = [i.reference for i in first.context["page"]] + [
        i.reference for i in second.context["page"]
    ]
    assert sorted(shown) == sorted(i.reference for i in made)
    assert f'hx-get="{section_url}?page=2"' in first.content.decode()
