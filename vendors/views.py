import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from breachdesk.roles import may_export_inventory
from breachdesk.spreadsheets import csv_response
from breachdesk.submissions import AlreadySubmitted, submission_seen
from breachdesk.types import HtmxHttpRequest
from vendors import selectors, services
from vendors.filters import DataAssetFilter, StakeholderFilter, VendorFilter
from vendors.forms import (
    DataAssetForm,
    EngagementAccessForm,
    EngagementForm,
    StakeholderContactForm,
    StakeholderForm,
    VendorContactForm,
    VendorForm,
)
from vendors.imports import (
    KINDS,
    MAX_IMPORT_BYTES,
    ImportPlan,
    export_rows,
    file_too_large,
    read_import,
    template_csv,
)
from vendors.models import (
    DataAsset,
    Engagement,
    Stakeholder,
    StakeholderContact,
    Vendor,
    VendorContact,
)
from vendors.permissions import (
    can_manage_inventory,
    inventory_editor_required,
    inventory_exporter_required,
    inventory_reader_required,
)

PAGE_SIZE = 50
IMPORT_SESSION_KEY = "inventory-import"


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _form_failed(request, template, context):
    """Re-render with the errors next to the fields, and nothing saved."""
    return render(request, template, context, status=422)


def _edited(form) -> dict:
    """An edit form's changes: the one-time token guards creating, not changing."""
    return {name: value for name, value in form.cleaned_data.items() if name != "submission_token"}


def _already_saved(request, exc: AlreadySubmitted, to, *args, **kwargs) -> HttpResponse:
    """A form sent again after it was saved: say so where the saved thing is listed.

    With htmx the whole page goes there (HX-Redirect), so the message shows.
    """
    messages.info(request, str(exc))
    if request.htmx:
        return HttpResponseClientRedirect(resolve_url(to, *args, **kwargs))
    return redirect(to, *args, **kwargs)


def _apply_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- vendors ---------------------------------------------------------------


@inventory_reader_required
@require_GET
def vendor_list(request: HtmxHttpRequest) -> HttpResponse:
    filters = VendorFilter(request.GET or None, queryset=selectors.vendor_list(user=request.user))
    context = {
        "filters": filters,
        "page": _page(request, filters.qs),
        "can_edit": can_manage_inventory(request.user),
        "can_export": may_export_inventory(request.user),
    }
    template = "vendors/list.html#results" if request.htmx else "vendors/list.html"
    return render(request, template, context)


@inventory_exporter_required
@require_GET
def vendor_export(request: HtmxHttpRequest) -> HttpResponse:
    filters = VendorFilter(request.GET or None, queryset=selectors.vendor_list(user=request.user))
    return _export("vendors", filters.qs)


def _export(kind: str, queryset) -> HttpResponse:
    """The records as a CSV that imports back unchanged, under the import template's header."""
    return csv_response(
        filename=f"{kind}.csv", header=KINDS[kind].header, rows=export_rows(kind, queryset)
    )


@inventory_reader_required
@require_GET
def vendor_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    vendor = get_object_or_404(selectors.vendor_detail(slug=slug))
    return render(request, "vendors/detail.html", _vendor_context(request, vendor))


def _vendor_context(request, vendor, **extra):
    held_assets = list(selectors.vendor_held_assets(vendor=vendor))
    held_stakeholders = {s for asset in held_assets for s in asset.stakeholders.all()}
    return {
        "vendor": vendor,
        "held_assets": held_assets,
        "held_stakeholders": sorted(held_stakeholders, key=lambda s: s.name.lower()),
        "can_edit": can_manage_inventory(request.user),
        "contact_form": VendorContactForm(vendor=vendor),
        **extra,
    }


@inventory_editor_required
@require_http_methods(["GET", "POST"])
def vendor_create(request: HtmxHttpRequest) -> HttpResponse:
    return _vendor_form(request, vendor=None)


@inventory_editor_required
@require_http_methods(["GET", "POST"])
def vendor_edit(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    return _vendor_form(request, vendor=get_object_or_404(Vendor, slug=slug))


def _vendor_form(request, vendor):
    if vendor is None and request.method == "POST" and submission_seen(request.POST):
        return _already_saved(request, AlreadySubmitted(), "vendors:list")
    form = VendorForm(request.POST if request.method == "POST" else None, instance=vendor)
    if request.method == "POST" and form.is_valid():
        try:
            if vendor is None:
                vendor = services.vendor_create(actor=request.user, **form.cleaned_data)
            else:
                vendor = services.vendor_update(vendor=vendor, actor=request.user, **_edited(form))
        except AlreadySubmitted as exc:
            return _already_saved(request, exc, "vendors:list")
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("Vendor “%s” saved.") % vendor.name)
            return redirect(vendor)
    context = {"form": form, "vendor": vendor}
    if request.method == "POST":
        return _form_failed(request, "vendors/form.html", context)
    return render(request, "vendors/form.html", context)


@inventory_editor_required
@require_POST
def vendor_contact_add(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    vendor = get_object_or_404(Vendor, slug=slug)
    form = VendorContactForm(request.POST, vendor=vendor)
    saved = False
    if form.is_valid():
        try:
            services.vendor_contact_create(vendor=vendor, actor=request.user, **form.cleaned_data)
            saved = True
        except AlreadySubmitted as exc:
            return _already_saved(request, exc, vendor)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
    if saved and not request.htmx:
        messages.success(request, _("Contact added."))
        return redirect(vendor)
    vendor = get_object_or_404(selectors.vendor_detail(slug=slug))
    context = _vendor_context(
        request, vendor, contact_form=VendorContactForm(vendor=vendor) if saved else form
    )
    template = "vendors/detail.html#contacts" if request.htmx else "vendors/detail.html"
    return render(request, template, context, status=200 if saved else 422)


def _vendor_contact(slug: str, contact_id: int) -> VendorContact:
    return get_object_or_404(
        VendorContact.objects.select_related("vendor"), pk=contact_id, vendor__slug=slug
    )


@inventory_editor_required
@require_http_methods(["GET", "POST"])
def vendor_contact_edit(request: HtmxHttpRequest, slug: str, contact_id: int) -> HttpResponse:
    contact = _vendor_contact(slug, contact_id)
    vendor = contact.vendor
    form = VendorContactForm(
        request.POST if request.method == "POST" else None, instance=contact, vendor=vendor
    )
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.vendor_contact_update(
                contact=contact, actor=request.user, **_edited(form)
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            if request.htmx:
                return render(
                    request,
                    "vendors/detail.html#contact-row",
                    {"contact": contact, "vendor": vendor, "can_edit": True},
                )
            messages.success(request, _("Contact saved."))
            return redirect(vendor)
    status = 422 if request.method == "POST" else 200
    context = {"contact": contact, "vendor": vendor, "form": form, "can_edit": True}
    template = (
        "vendors/detail.html#contact-edit-row" if request.htmx else "vendors/contact_form.html"
    )
    return render(request, template, context, status=status)


@inventory_editor_required
@require_POST
def vendor_contact_delete(request: HtmxHttpRequest, slug: str, contact_id: int) -> HttpResponse:
    contact = _vendor_contact(slug, contact_id)
    services.vendor_contact_delete(contact=contact, actor=request.user)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("Contact removed."))
    return redirect(contact.vendor)


# --- engagements -----------------------------------------------------------


@inventory_exporter_required
@require_GET
def engagement_export(request: HtmxHttpRequest) -> HttpResponse:
    return _export("engagements", Engagement.objects.all())


@inventory_editor_required
@require_http_methods(["GET", "POST"])
def engagement_create(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    vendor = get_object_or_404(Vendor, slug=slug)
    if request.method == "POST" and submission_seen(request.POST):
        return _already_saved(request, AlreadySubmitted(), vendor)
    form = EngagementForm(request.POST if request.method == "POST" else None, vendor=vendor)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.engagement_create(
                vendor=vendor, actor=request.user, **form.cleaned_data
            )
        except AlreadySubmitted as exc:
            return _already_saved(request, exc, vendor)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("Engagement “%s” added.") % engagement.name)
            return redirect("vendors:engagement-edit", pk=engagement.pk)
    context = {"form": form, "vendor": vendor, "engagement": None}
    if request.method == "POST":
        return _form_failed(request, "vendors/engagement_form.html", context)
    return render(request, "vendors/engagement_form.html", context)


def _engagement_context(engagement, form, access_form=None):
    return {
        "form": form,
        "vendor": engagement.vendor,
        "engagement": engagement,
        "accesses": engagement.accesses.all(),
        "access_form": access_form or EngagementAccessForm(),
    }


@inventory_editor_required
@require_http_methods(["GET", "POST"])
def engagement_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement.objects.select_related("vendor"), pk=pk)
    form = EngagementForm(
        request.POST if request.method == "POST" else None,
        instance=engagement,
        vendor=engagement.vendor,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_update(engagement=engagement, actor=request.user, **_edited(form))
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("Engagement “%s” saved.") % engagement.name)
            return redirect(engagement.vendor)
    context = _engagement_context(engagement, form)
    if request.method == "POST":
        return _form_failed(request, "vendors/engagement_form.html", context)
    return render(request, "vendors/engagement_form.html", context)


@inventory_editor_required
@require_POST
def engagement_access_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement.objects.select_related("vendor"), pk=pk)
    access_form = EngagementAccessForm(request.POST)
    saved = False
    if access_form.is_valid():
        try:
            services.engagement_access_add(
                engagement=engagement, actor=request.user, **access_form.cleaned_data
            )
            saved = True
        except AlreadySubmitted as exc:
            return _already_saved(request, exc, "vendors:engagement-edit", pk=engagement.pk)
        except ValidationError as exc:
            _apply_service_errors(access_form, exc)
    if saved and not request.htmx:
        return redirect("vendors:engagement-edit", pk=engagement.pk)
    context = _engagement_context(
        engagement,
        EngagementForm(instance=engagement, vendor=engagement.vendor),
        None if saved else access_form,
    )
    template = (
        "vendors/engagement_form.html#accesses" if request.htmx else "vendors/engagement_form.html"
    )
    return render(request, template, context, status=200 if saved else 422)


@inventory_editor_required
@require_POST
def engagement_access_delete(request: HtmxHttpRequest, pk: int, access_id: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement.objects.select_related("vendor"), pk=pk)
    access = get_object_or_404(engagement.accesses, pk=access_id)
    services.engagement_access_delete(access=access, actor=request.user)
    if request.htmx:
        return HttpResponse("")
    return redirect("vendors:engagement-edit", pk=engagement.pk)


# --- data assets -------------------------------------------------------------


@inventory_reader_required
@require_GET
def asset_list(request: HtmxHttpRequest) -> HttpResponse:
    filters = DataAssetFilter(request.GET or None, queryset=selectors.data_asset_list())
    context = {
        "filters": filters,
        "page": _page(request, filters.qs),
        "can_edit": can_manage_inventory(request.user),
        "can_export": may_export_inventory(request.user),
    }
    template = "vendors/asset_list.html#results" if request.htmx else "vendors/asset_list.html"
    return render(request, template, context)


@inventory_exporter_required
@require_GET
def asset_export(request: HtmxHttpRequest) -> HttpResponse:
    filters = DataAssetFilter(request.GET or None, queryset=selectors.data_asset_list())
    return _export("data-assets", filters.qs)


@inventory_reader_required
@require_GET
def asset_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(selectors.data_asset_detail(slug=slug))
    holders = {}
    for engagement in asset.engagements.all():
        holders.setdefault(engagement.vendor, []).append(engagement)
    context = {
        "asset": asset,
        "holders": holders,
        "can_edit": can_manage_inventory(request.user),
        "history": selectors.inventory_history(record=asset),
    }
    return render(request, "vendors/asset_detail.html", context)


@inventory_editor_required
@require_http_methods(["GET", "POST"])
def asset_create(request: HtmxHttpRequest) -> HttpResponse:
    return _asset_form(request, asset=None)


@inventory_editor_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    return _asset_form(request, asset=get_object_or_404(DataAsset, slug=slug))


def _asset_form(request, asset):
    if asset is None and request.method == "POST" and submission_seen(request.POST):
        return _already_saved(request, AlreadySubmitted(), "vendors:asset-list")
    form = DataAssetForm(request.POST if request.method == "POST" else None, instance=asset)
    if request.method == "POST" and form.is_valid():
        try:
            if asset is None:
                asset = services.data_asset_create(actor=request.user, **form.cleaned_data)
            else:
                services.data_asset_update(asset=asset, actor=request.user, **_edited(form))
        except AlreadySubmitted as exc:
            return _already_saved(request, exc, "vendors:asset-list")
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("Data asset “%s” saved.") % asset.name)
            return redirect(asset)
    context = {"form": form, "asset": asset}
    if request.method == "POST":
        return _form_failed(request, "vendors/asset_form.html", context)
    return render(request, "vendors/asset_form.html", context)


# --- stakeholders ------------------------------------------------------------


@inventory_reader_required
@require_GET
def stakeholder_list(request: HtmxHttpRequest) -> HttpResponse:
    filters = StakeholderFilter(request.GET or None, queryset=selectors.stakeholder_list())
    context = {
        "filters": filters,
        "page": _page(request, filters.qs),
        "can_edit": can_manage_inventory(request.user),
    }
    template = (
        "vendors/stakeholder_list.html#results" if request.htmx else "vendors/stakeholder_list.html"
    )
    return render(request, template, context)


def _stakeholder_context(request, stakeholder, **extra):
    holders = {}
    for asset in stakeholder.data_assets.all():
        for engagement in asset.engagements.all():
            holders.setdefault(engagement.vendor, set()).add(asset)
    return {
        "stakeholder": stakeholder,
        "holders": {
            vendor: sorted(assets, key=lambda a: a.name) for vendor, assets in holders.items()
        },
        "can_edit": can_manage_inventory(request.user),
        "contact_form": StakeholderContactForm(stakeholder=stakeholder),
        "history": selectors.inventory_history(record=stakeholder),
        **extra,
    }


@inventory_reader_required
@require_GET
def vendor_history(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Who changed the vendor and its engagements (pauses and resumptions too), and how."""
    vendor = get_object_or_404(Vendor, slug=slug)
    context = {"vendor": vendor, "history": selectors.vendor_history(vendor=vendor)}
    return render(request, "vendors/vendor_history.html", context)


@inventory_reader_required
@require_GET
def stakeholder_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    stakeholder = get_object_or_404(selectors.stakeholder_detail(slug=slug))
    return render(
        request, "vendors/stakeholder_detail.html", _stakeholder_context(request, stakeholder)
    )


@inventory_editor_required
@require_http_methods(["GET", "POST"])
def stakeholder_create(request: HtmxHttpRequest) -> HttpResponse:
    return _stakeholder_form(request, stakeholder=None)


@inventory_editor_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    return _stakeholder_form(request, stakeholder=get_object_or_404(Stakeholder, slug=slug))


def _stakeholder_form(request, stakeholder):
    if stakeholder is None and request.method == "POST" and submission_seen(request.POST):
        return _already_saved(request, AlreadySubmitted(), "vendors:stakeholder-list")
    form = StakeholderForm(request.POST if request.method == "POST" else None, instance=stakeholder)
    if request.method == "POST" and form.is_valid():
        try:
            if stakeholder is None:
                stakeholder = services.stakeholder_create(actor=request.user, **form.cleaned_data)
            else:
                services.stakeholder_update(
                    stakeholder=stakeholder, actor=request.user, **_edited(form)
                )
        except AlreadySubmitted as exc:
            return _already_saved(request, exc, "vendors:stakeholder-list")
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("Stakeholder “%s” saved.") % stakeholder.name)
            return redirect(stakeholder)
    context = {"form": form, "stakeholder": stakeholder}
    if request.method == "POST":
        return _form_failed(request, "vendors/stakeholder_form.html", context)
    return render(request, "vendors/stakeholder_form.html", context)


@inventory_editor_required
@require_POST
def stakeholder_contact_add(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    stakeholder = get_object_or_404(Stakeholder, slug=slug)
    form = StakeholderContactForm(request.POST, stakeholder=stakeholder)
    saved = False
    if form.is_valid():
        try:
            services.stakeholder_contact_create(
                stakeholder=stakeholder, actor=request.user, **form.cleaned_data
            )
            saved = True
        except AlreadySubmitted as exc:
            return _already_saved(request, exc, stakeholder)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
    if saved and not request.htmx:
        messages.success(request, _("Contact added."))
        return redirect(stakeholder)
    stakeholder = get_object_or_404(selectors.stakeholder_detail(slug=slug))
    context = _stakeholder_context(
        request,
        stakeholder,
        contact_form=StakeholderContactForm(stakeholder=stakeholder) if saved else form,
    )
    template = (
        "vendors/stakeholder_detail.html#contacts"
        if request.htmx
        else "vendors/stakeholder_detail.html"
    )
    return render(request, template, context, status=200 if saved else 422)


@inventory_editor_required
@require_POST
def stakeholder_contact_delete(
    request: HtmxHttpRequest, slug: str, contact_id: int
) -> HttpResponse:
    contact = get_object_or_404(
        StakeholderContact.objects.select_related("stakeholder"),
        pk=contact_id,
        stakeholder__slug=slug,
    )
    services.stakeholder_contact_delete(contact=contact, actor=request.user)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("Contact removed."))
    return redirect(contact.stakeholder)


# --- CSV import --------------------------------------------------------------


@inventory_editor_required
@require_http_methods(["GET", "POST"])
def inventory_import(request: HtmxHttpRequest) -> HttpResponse:
    """Upload a spreadsheet and preview it; nothing is saved until confirmed."""
    context = {"kinds": KINDS.values(), "max_megabytes": MAX_IMPORT_BYTES // 1_000_000}
    if request.method == "GET":
        return render(request, "vendors/import.html", context)

    kind = request.POST.get("kind", "")
    upload = request.FILES.get("file")
    if kind not in KINDS:
        context["upload_error"] = _(
            "Choose what the file holds: vendors, data assets or engagements."
        )
        return render(request, "vendors/import.html", context, status=422)
    if upload is None:
        context["upload_error"] = _("Choose a CSV file to upload.")
        return render(request, "vendors/import.html", context, status=422)
    too_large = file_too_large(upload.size)
    if too_large:
        plan = ImportPlan(kind=kind, file_errors=[too_large])
    else:
        data = upload.read()
        plan = read_import(kind, data)
    token = uuid.uuid4().hex
    if plan.ok:
        # The decoded text, so that the confirmation reads the file just as previewed.
        request.session[IMPORT_SESSION_KEY] = {"token": token, "kind": kind, "data": plan.text}
    context.update(plan=plan, kind=KINDS[kind], token=token, filename=upload.name)
    return render(request, "vendors/import.html", context, status=200 if plan.ok else 422)


@inventory_editor_required
@require_POST
def inventory_import_confirm(request: HtmxHttpRequest) -> HttpResponse:
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending or pending.get("token") != request.POST.get("token"):
        messages.error(
            request,
            _("That import was already applied or has expired. Upload the file again."),
        )
        return redirect("vendors:import")
    # The inventory may have changed since the preview: check everything again.
    plan = read_import(pending["kind"], pending["data"].encode())
    context = {
        "kinds": KINDS.values(),
        "max_megabytes": MAX_IMPORT_BYTES // 1_000_000,
        "plan": plan,
        "kind": KINDS[pending["kind"]],
        "token": pending["token"],
    }
    if not plan.ok:
        del request.session[IMPORT_SESSION_KEY]
        return render(request, "vendors/import.html", context, status=422)
    try:
        counts = services.inventory_import(plan=plan, actor=request.user)
    except ValidationError as exc:
        # A status was paused or resumed by an incident since the file was read.
        del request.session[IMPORT_SESSION_KEY]
        plan.file_errors.extend(exc.messages)
        return render(request, "vendors/import.html", context, status=422)
    del request.session[IMPORT_SESSION_KEY]
    messages.success(
        request,
        _("Imported %(label)s: %(create)d added, %(update)d updated, %(unchanged)d unchanged.")
        % {"label": KINDS[pending["kind"]].label.lower(), **counts},
    )
    return redirect(_import_destination(pending["kind"]))


def _import_destination(kind: str) -> str:
    return {
        "vendors": "vendors:list",
        "data-assets": "vendors:asset-list",
        "engagements": "vendors:list",
    }[kind]


@inventory_reader_required
@require_GET
def inventory_import_template(request: HtmxHttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="breachdesk-{kind}-template.csv"'
    return response
