from django.urls import path

from vendors import views

app_name = "vendors"

asset_urls = [
    path("assets/", views.asset_list, name="asset-list"),
    path("assets/export.csv", views.asset_export, name="asset-export"),
    path("assets/new/", views.asset_create, name="asset-create"),
    path("assets/<slug:slug>/", views.asset_detail, name="asset-detail"),
    path("assets/<slug:slug>/edit/", views.asset_edit, name="asset-edit"),
]

stakeholder_urls = [
    path("stakeholders/", views.stakeholder_list, name="stakeholder-list"),
    path("stakeholders/new/", views.stakeholder_create, name="stakeholder-create"),
    path("stakeholders/<slug:slug>/", views.stakeholder_detail, name="stakeholder-detail"),
    path("stakeholders/<slug:slug>/edit/", views.stakeholder_edit, name="stakeholder-edit"),
    path(
        "stakeholders/<slug:slug>/contacts/add/",
        views.stakeholder_contact_add,
        name="stakeholder-contact-add",
    ),
    path(
        "stakeholders/<slug:slug>/contacts/<int:contact_id>/delete/",
        views.stakeholder_contact_delete,
        name="stakeholder-contact-delete",
    ),
]

engagement_urls = [
    path("engagements/export.csv", views.engagement_export, name="engagement-export"),
    path("engagements/<int:pk>/edit/", views.engagement_edit, name="engagement-edit"),
    path(
        "engagements/<int:pk>/access/add/",
        views.engagement_access_add,
        name="engagement-access-add",
    ),
    path(
        "engagements/<int:pk>/access/<int:access_id>/delete/",
        views.engagement_access_delete,
        name="engagement-access-delete",
    ),
]

import_urls = [
    path("import/", views.inventory_import, name="import"),
    path("import/confirm/", views.inventory_import_confirm, name="import-confirm"),
    path(
        "import/<slug:kind>-template.csv",
        views.inventory_import_template,
        name="import-template",
    ),
]

# Vendor slugs share /vendors/<slug>/ with the fixed paths above, which come
# first; services.RESERVED_VENDOR_SLUGS keeps a vendor from shadowing them.
vendor_urls = [
    path("", views.vendor_list, name="list"),
    path("new/", views.vendor_create, name="create"),
    path("export.csv", views.vendor_export, name="export"),
    path("<slug:slug>/", views.vendor_detail, name="detail"),
    path("<slug:slug>/edit/", views.vendor_edit, name="edit"),
    path("<slug:slug>/history/", views.vendor_history, name="history"),
    path("<slug:slug>/engagements/new/", views.engagement_create, name="engagement-create"),
    path("<slug:slug>/contacts/add/", views.vendor_contact_add, name="contact-add"),
    path(
        "<slug:slug>/contacts/<int:contact_id>/edit/",
        views.vendor_contact_edit,
        name="contact-edit",
    ),
    path(
        "<slug:slug>/contacts/<int:contact_id>/delete/",
        views.vendor_contact_delete,
        name="contact-delete",
    ),
]

urlpatterns = asset_urls + stakeholder_urls + engagement_urls + import_urls + vendor_urls
