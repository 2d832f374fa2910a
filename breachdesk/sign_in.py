"""Signing in: the password form, the code after it, and enrolling a second factor."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from breachdesk.forms import CodeForm, EnrolmentForm, SignInForm
from breachdesk.roles import role_not_required
from breachdesk.two_factor import (
    ENROLMENT_KEY,
    has_second_factor,
    must_use_second_factor,
    new_totp_key,
    otpauth_uri,
    pending_sign_in,
    pending_sign_in_drop,
    qr_code_data_uri,
    recovery_codes_left,
    secret_for_typing,
    session_is_verified,
    session_verify,
    sign_in_finish,
    sign_in_start,
    two_factor_enrol,
    two_factor_new_recovery_codes,
    two_factor_not_required,
    verify_code,
)
from breachdesk.types import HtmxHttpRequest


class SignInView(auth_views.LoginView):
    """Django's sign-in form, then the code when the account has a second factor.

    With single sign-on on, the page offers the provider first and this form
    below it, for break-glass accounts.
    """

    authentication_form = SignInForm

    def form_valid(self, form):
        if sign_in_start(self.request, form.get_user(), next_url=self.get_success_url()):
            return redirect("login-code")
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sso_enabled": settings.OIDC_ENABLED,
            "sso_name": settings.OIDC_PROVIDER_NAME,
        }


sign_in = login_not_required(SignInView.as_view())


def _code_user(request):
    """Whose code this page asks for: a pending sign-in, or a signed-in session not yet verified."""
    pending = pending_sign_in(request)
    if pending is not None:
        return pending.user, pending
    user = request.user
    if user.is_authenticated and has_second_factor(user) and not session_is_verified(request):
        return user, None
    return None, None


@login_not_required
@two_factor_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HtmxHttpRequest) -> HttpResponse:
    """The second step: a code from the app or a recovery code.

    Wrong codes count with wrong passwords in django-axes: five for one
    account from one address lock the pair, as five wrong passwords do.
    """
    user, pending = _code_user(request)
    if user is None:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        messages.warning(request, _("Sign in again: that sign-in took too long."))
        return redirect("login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            pending_sign_in_drop(request)
            return get_lockout_response(request, credentials=credentials)
        device = verify_code(user, form.cleaned_data["code"])
        if device is not None:
            if pending is not None:
                sign_in_finish(request, pending, device)
                next_url = pending.next_url
            else:
                session_verify(request, device)
                next_url = settings.LOGIN_REDIRECT_URL
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(count)d is left.",
                        "You used a recovery code; %(count)d are left.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
        # Counted by django-axes; at the limit its middleware answers with the lockout page.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error(
            "code",
            _(
                "That code is not right, or came too soon after a wrong one. "
                "Wait a few seconds, then type the code your app shows now."
            ),
        )
    status = 422 if request.method == "POST" else 200
    return render(request, "registration/login_code.html", {"form": form}, status=status)


@role_not_required
@two_factor_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HtmxHttpRequest) -> HttpResponse:
    """Two-factor sign-in on the account: its state, or enrolling an authenticator app.

    The new secret waits in the session (no GET writes a row) until the app's
    first code proves it was added; the recovery codes are then shown once.
    """
    user = request.user
    if has_second_factor(user):
        context = {"enrolled": True, "codes_left": recovery_codes_left(user)}
        return render(request, "breachdesk/two_factor.html", context)
    key = request.session.get(ENROLMENT_KEY)
    if not key:
        key = request.session[ENROLMENT_KEY] = new_totp_key()
    form = EnrolmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor_enrol(user=user, key_hex=key, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            del request.session[ENROLMENT_KEY]
            session_verify(request, device)
            return render(request, "breachdesk/recovery_codes.html", {"codes": codes, "new": True})
    uri = otpauth_uri(user, key)
    context = {
        "enrolled": False,
        "form": form,
        "required": must_use_second_factor(user),
        "qr_code": qr_code_data_uri(uri),
        "secret": secret_for_typing(key),
        "otpauth_uri": uri,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "breachdesk/two_factor.html", context, status=status)


@role_not_required
@never_cache
@require_POST
def recovery_codes_renew(request: HtmxHttpRequest) -> HttpResponse:
    """Ten new recovery codes, shown once; the old ones stop working."""
    try:
        codes = two_factor_new_recovery_codes(user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("two-factor")
    return render(request, "breachdesk/recovery_codes.html", {"codes": codes, "new": False})
