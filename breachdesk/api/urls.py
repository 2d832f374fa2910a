"""``/api/v1/``: the resources, the OpenAPI schema and its reference page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from incidents import api as incidents
from vendors import api as vendors

app_name = "api"


incident_urls = [
    path("incidents/", incidents.IncidentList.as_view(), name="incident-list"),
    path("incidents/<str:reference>/", incidents.IncidentDetail.as_view(), name="incident"),
    path(
        "incidents/<str:reference>/timeline/",
        incidents.TimelineList.as_view(),
        name="timeline",
    ),
    path(
        "incidents/<str:reference>/deadlines/",
        incidents.DeadlineList.as_view(),
        name="deadline-list",
    ),
    path(
        "incidents/<str:reference>/deadlines/<int:deadline_id>/",
        incidents.DeadlineDetail.as_view(),
        name="deadline",
    ),
    path(
        "incidents/<str:reference>/deadlines/<int:deadline_id>/met/",
        incidents.DeadlineMet.as_view(),
        name="deadline-met",
    ),
    path(
        "incidents/<str:reference>/deadlines/<int:deadline_id>/waive/",
        incidents.DeadlineWaive.as_view(),
        name="deadline-waive",
    ),
    path(
        "incidents/<str:reference>/notifications/",
        incidents.NotificationList.as_view(),
        name="notification-list",
    ),
    path(
        "incidents/<str:reference>/notifications/<int:notification_id>/",
        incidents.NotificationDetail.as_view(),
        name="notification",
    ),
    path(
        "incidents/<str:reference>/notifications/<int:notification_id>/approve/",
        incidents.NotificationApprove.as_view(),
        name="notification-approve",
    ),
    path("clocks/", incidents.WhatIf.as_view(), name="whatif"),
]

inventory_urls = [
    path("vendors/", vendors.VendorList.as_view(), name="vendor-list"),
    path("vendors/<slug:slug>/", vendors.VendorDetail.as_view(), name="vendor"),
    path(
        "vendors/<slug:slug>/engagements/",
        vendors.VendorEngagementCreate.as_view(),
        name="vendor-engagement-create",
    ),
    path("engagements/", vendors.EngagementList.as_view(), name="engagement-list"),
    path("engagements/<int:pk>/", vendors.EngagementDetail.as_view(), name="engagement"),
    path("data-assets/", vendors.DataAssetList.as_view(), name="data-asset-list"),
    path("data-assets/<slug:slug>/", vendors.DataAssetDetail.as_view(), name="data-asset"),
    path("stakeholders/", vendors.StakeholderList.as_view(), name="stakeholder-list"),
    path("stakeholders/<slug:slug>/", vendors.StakeholderDetail.as_view(), name="stakeholder"),
]

schema_urls = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Both for any caller in a role (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); the
    # reference page's script comes from our own static files: the CSP needs no exception.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = incident_urls + inventory_urls + schema_urls
