from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from breachdesk import views
from breachdesk.forms import SignInForm
from breachdesk.roles import role_not_required
from incidents.views import deadlines as incident_deadlines
from incidents.views import lists as incident_lists
from incidents.views import notifications as incident_notifications
from incidents.views import questionnaires as incident_questionnaires

urlpatterns = [
    path("", incident_lists.dashboard, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ack/<str:token>/", incident_notifications.notification_acknowledge, name="ack"),
    path(
        "q/<str:token>/",
        incident_questionnaires.questionnaire_answer,
        name="questionnaire-answer",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", role_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "accounts/password/",
        role_not_required(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        role_not_required(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("accounts/preferences/", views.preferences, name="preferences"),
    path("clocks/", incident_deadlines.whatif, name="whatif"),
    path("clocks/rules/", incident_deadlines.clock_rules, name="clock-rules"),
    path("deadlines.ics", incident_deadlines.my_deadlines_ics, name="deadlines-ics"),
    path("accounts/preferences/calendar-key/", views.calendar_key_rotate, name="calendar-key"),
    path("accounts/preferences/api-tokens/", views.api_token_new, name="api-token-new"),
    path(
        "accounts/preferences/api-tokens/revoke/",
        views.api_token_revoke_view,
        name="api-token-revoke",
    ),
    path("incidents/", include("incidents.urls")),
    path("vendors/", include("vendors.urls")),
    path("api/v1/", include("breachdesk.api.urls")),
    path("admin/", admin.site.urls),
]
