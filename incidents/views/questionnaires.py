"""Vendor questionnaires: our pages (send, approve, read the answers, accept what they offer)
and the vendor's page behind its signed link (no account)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from breachdesk.submissions import AlreadySubmitted
from breachdesk.types import HtmxHttpRequest
from incidents import selectors
from incidents.forms import (
    QuestionnaireAnswerForm,
    QuestionnaireDraftForm,
    QuestionnaireFollowUpForm,
    QuestionnaireWithdrawForm,
)
from incidents.models import OrganisationProfile
from incidents.selectors.questionnaires import (
    assets_shared_with,
    incident_questionnaire,
    incident_questionnaires,
    link_expires_at,
    questionnaire_by_token,
    questionnaire_draft_answers,
    vendor_aware_offer,
    vendor_sla,
)
from incidents.services import questionnaires as services
from incidents.services.notice_composition import organisation_name
from incidents.views.responses import attach, errors_of

NOT_COMMANDER = _("Only the incident commander sends questionnaires.")

# --- our side ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def questionnaires(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """Every questionnaire of the incident; the commander drafts a new one here."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    posted = request.method == "POST"
    if posted and not ws.abilities.commands:
        raise PermissionDenied(NOT_COMMANDER)
    form = (
        QuestionnaireDraftForm(request.POST if posted else None, incident=ws.incident)
        if ws.abilities.commands
        else None
    )
    if posted and form.is_valid():
        try:
            questionnaire = services.questionnaire_draft(
                incident=ws.incident,
                actor=request.user,
                vendor=form.cleaned_data["vendor"],
                template=form.cleaned_data["template"],
                submission_token=form.cleaned_data["submission_token"],
            )
        except AlreadySubmitted as exc:
            messages.info(request, str(exc))
            return redirect("incidents:questionnaires", reference=ws.incident.reference)
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Drafted. Someone else approves it before it is sent."))
            return redirect(
                "incidents:questionnaire",
                reference=ws.incident.reference,
                questionnaire_id=questionnaire.pk,
            )
    context = {
        "incident": ws.incident,
        "abilities": ws.abilities,
        "questionnaires": incident_questionnaires(incident=ws.incident),
        "form": form,
    }
    return render(request, "incidents/questionnaires.html", context, status=422 if posted else 200)


def _page(request, ws, view, *, status=200, **forms) -> HttpResponse:
    incident = ws.incident
    context = {
        "incident": incident,
        "abilities": ws.abilities,
        "view": view,
        "questionnaire": view.questionnaire,
        "offer": vendor_aware_offer(view, incident),
        "vendor_sla": vendor_sla(incident) if incident.vendor_aware_at else None,
        "link_expires_at": link_expires_at(view.questionnaire),
        "withdraw_form": forms.get("withdraw_form") or QuestionnaireWithdrawForm(),
        "follow_up_form": forms.get("follow_up_form") or QuestionnaireFollowUpForm(),
    }
    return render(request, "incidents/questionnaire.html", context, status=status)


def _view_of(ws, questionnaire_id: int):
    view = incident_questionnaire(incident=ws.incident, questionnaire_id=questionnaire_id)
    if view is None:
        raise Http404
    return view


@require_GET
def questionnaire_detail(
    request: HtmxHttpRequest, reference: str, questionnaire_id: int
) -> HttpResponse:
    """One questionnaire: its questions beside the answers, every version, what they offer."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    return _page(request, ws, _view_of(ws, questionnaire_id))


def _button(request, reference: str, questionnaire_id: int, run, done: str) -> HttpResponse:
    """A button's action: run the service, then back to the questionnaire with what happened."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    view = _view_of(ws, questionnaire_id)
    try:
        run(view.questionnaire)
    except ValidationError as exc:
        for error in errors_of(exc):
            messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(
        "incidents:questionnaire",
        reference=ws.incident.reference,
        questionnaire_id=questionnaire_id,
    )


@require_POST
def questionnaire_approve(request: HtmxHttpRequest, reference: str, questionnaire_id: int):
    return _button(
        request,
        reference,
        questionnaire_id,
        lambda q: services.questionnaire_approve(questionnaire=q, actor=request.user),
        _("Approved. The commander can send it now."),
    )


@require_POST
def questionnaire_send(request: HtmxHttpRequest, reference: str, questionnaire_id: int):
    return _button(
        request,
        reference,
        questionnaire_id,
        lambda q: services.questionnaire_send(questionnaire=q, actor=request.user),
        _("Queued for the vendor's security contacts; the notifications panel shows delivery."),
    )


@require_POST
def questionnaire_accept_aware(request: HtmxHttpRequest, reference: str, questionnaire_id: int):
    return _button(
        request,
        reference,
        questionnaire_id,
        lambda q: services.incident_accept_vendor_aware(questionnaire=q, actor=request.user),
        _("Accepted as when the vendor became aware; the deadlines are recomputed."),
    )


@require_POST
def questionnaire_follow_up(request: HtmxHttpRequest, reference: str, questionnaire_id: int):
    """A new round of questions to the same vendor (a draft, approved and sent the same way)."""
    ws = selectors.workspace_for(user=request.user, reference=reference)
    view = _view_of(ws, questionnaire_id)
    form = QuestionnaireFollowUpForm(request.POST)
    if form.is_valid():
        try:
            follow_up = services.questionnaire_follow_up(
                questionnaire=view.questionnaire,
                actor=request.user,
                questions=form.cleaned_data["questions"].splitlines(),
                submission_token=form.cleaned_data["submission_token"],
            )
        except AlreadySubmitted as exc:
            messages.info(request, str(exc))
            return redirect(
                "incidents:questionnaire",
                reference=ws.incident.reference,
                questionnaire_id=questionnaire_id,
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Follow-up questions drafted as a new round."))
            return redirect(
                "incidents:questionnaire",
                reference=ws.incident.reference,
                questionnaire_id=follow_up.pk,
            )
    return _page(request, ws, view, status=422, follow_up_form=form)


@require_POST
def questionnaire_withdraw(request: HtmxHttpRequest, reference: str, questionnaire_id: int):
    ws = selectors.workspace_for(user=request.user, reference=reference)
    view = _view_of(ws, questionnaire_id)
    form = QuestionnaireWithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.questionnaire_withdraw(
                questionnaire=view.questionnaire,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(request, _("Withdrawn: the vendor's link now says so."))
            return redirect(
                "incidents:questionnaire",
                reference=ws.incident.reference,
                questionnaire_id=questionnaire_id,
            )
    return _page(request, ws, view, status=422, withdraw_form=form)


# --- the vendor's side ------------------------------------------------------------------------


def link_flooded(questionnaire) -> bool:
    """Count a save or submission through this link; True past the hourly limit.

    The count lives in Django's cache (Redis when ``REDIS_URL`` is set, so
    every web process counts together): a fixed one-hour window per link,
    keyed on the questionnaire's nonce. A lost count costs nothing but a few
    more posts, so the cache is the right place; no library is needed for one
    counter.
    """
    window = int(timezone.now().timestamp() // 3600)
    key = f"questionnaire-posts:{questionnaire.nonce}:{window}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: this post starts the count
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > settings.QUESTIONNAIRE_POSTS_PER_HOUR


def _closed(request, questionnaire, status=410) -> HttpResponse:
    return render(
        request,
        "incidents/questionnaire_closed.html",
        {"questionnaire": questionnaire},
        status=status,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def questionnaire_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The vendor's form behind the signed link: save a draft, or submit a new version.

    A tampered, unknown, unsent or expired link is one plain 404, whichever
    part failed; a withdrawn questionnaire says so (410).
    """
    found = questionnaire_by_token(token)
    if found.outcome == "invalid":
        raise Http404
    questionnaire = found.questionnaire
    if found.outcome == "withdrawn":
        return _closed(request, questionnaire)
    questions = list(questionnaire.questions.order_by("order", "pk"))
    assets = list(assets_shared_with(questionnaire.vendor))
    status = 200
    if request.method == "POST":
        if link_flooded(questionnaire):
            return render(
                request,
                "incidents/questionnaire_closed.html",
                {"questionnaire": questionnaire, "flooded": True},
                status=429,
            )
        form = QuestionnaireAnswerForm(
            request.POST, request.FILES, questions=questions, assets=assets
        )
        if form.is_valid():
            try:
                if form.submitting:
                    response = services.questionnaire_submit(
                        questionnaire=questionnaire,
                        answers=form.answers(),
                        files=form.uploads(),
                        respondent_name=form.cleaned_data["respondent_name"].strip(),
                        respondent_email=form.cleaned_data["respondent_email"],
                    )
                    messages.success(
                        request,
                        _("Thank you: your answers are recorded (version %(version)s).")
                        % {"version": response.version},
                    )
                else:
                    services.questionnaire_save_draft(
                        questionnaire=questionnaire,
                        answers=form.answers(),
                        respondent_name=form.cleaned_data["respondent_name"].strip(),
                        respondent_email=form.cleaned_data["respondent_email"],
                    )
                    messages.success(request, _("Draft saved. Files are attached when you submit."))
            except services.QuestionnaireClosed:
                return _closed(request, questionnaire)
            except ValidationError as exc:
                _attach_answer_errors(form, exc)
            else:
                return redirect(request.path)
        status = 422
    else:
        form = QuestionnaireAnswerForm(
            questions=questions,
            assets=assets,
            draft=questionnaire_draft_answers(questionnaire=questionnaire),
        )
    context = {
        "questionnaire": questionnaire,
        "form": form,
        "expires_at": link_expires_at(questionnaire),
        "versions": questionnaire.responses.count(),
        "organisation": organisation_name(OrganisationProfile.current()),
    }
    return render(request, "incidents/questionnaire_answer.html", context, status=status)


def _attach_answer_errors(form: QuestionnaireAnswerForm, exc: ValidationError) -> None:
    """The service names a file's question by its id; the form names the field ``q<id>``."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.message_dict.items():
        name = f"q{key}" if key.isdigit() else key
        form.add_error(name if name in form.fields else None, errors)
