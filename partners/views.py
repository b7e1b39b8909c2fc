from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.audit import audit_events_for

from .exporting import partners_export
from .forms import (
    PartnerImportForm,
    PartnerProfileForm,
    PartnerUserInviteForm,
    PartnerUserUpdateForm,
    QualificationForm,
    StatusChangeForm,
)
from .importing import COLUMNS, partners_import
from .models import Partner, Qualification
from .search import partner_search
from .selectors import PartnerFilter, partner_can_manage, partner_get_visible, partners_visible_to
from .services import (
    partner_can_edit_profile,
    partner_editable_fields,
    partner_set_status,
    partner_update,
    partner_user_invite,
    partner_user_update,
    qualification_add,
)

# Sub-apps' panels on the partner page; each loads its own rows from `partner`.
DETAIL_PANELS = (
    "partners/programs/_vendor_panel.html",
    "partners/onboarding/_vendor_panel.html",
    "partners/agreements/_vendor_panel.html",
)


def _visible_partner(request: HttpRequest, pk: int) -> Partner:
    partner = partner_get_visible(user=request.user, pk=pk)
    if partner is None:
        raise Http404
    return partner


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


# --- vendor portal ------------------------------------------------------------------------------


@vendor_required
def partner_list(request: HttpRequest) -> HttpResponse:
    filterset = PartnerFilter(request.GET, queryset=partners_visible_to(request.user))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    partial = getattr(request, "htmx", False)  # set by django-htmx's middleware
    template = "partners/_partner_rows.html" if partial else "partners/partner_list.html"
    return render(request, template, {"filter": filterset, "page": page})


@vendor_required
def partner_search_json(request: HttpRequest) -> HttpResponse:
    results = partner_search(user=request.user, text=request.GET.get("q", "")[:100])
    return JsonResponse({"results": results})


@vendor_required
def partner_export(request: HttpRequest) -> HttpResponse:
    filterset = PartnerFilter(request.GET, queryset=partners_visible_to(request.user))
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    content, content_type, filename = partners_export(filterset.qs, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@vendor_required
def partner_import(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user.role not in (Role.ADMIN, Role.CHANNEL_MANAGER):
        raise PermissionDenied
    form = PartnerImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = partners_import(upload=form.cleaned_data["file"], actor=user)
    return render(
        request,
        "partners/partner_import.html",
        {"form": form, "result": result, "columns": COLUMNS},
    )


@vendor_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _visible_partner(request, pk)
    can_manage = partner_can_manage(request.user, partner)
    return render(
        request,
        "partners/partner_detail.html",
        {
            "partner": partner,
            "can_manage": can_manage,
            "can_edit": partner_can_edit_profile(request.user, partner),
            "status_form": StatusChangeForm(partner=partner) if can_manage else None,
            "status_changes": partner.status_changes.select_related("actor")[:20],
            "audit_events": audit_events_for(partner),
            "qualifications": partner.qualifications.all(),
            "contacts": partner.contacts.all(),
            "users": User.objects.filter(partner=partner).order_by("email"),
            "territories": partner.territories.all(),
            "product_lines": partner.product_lines.all(),
            "qualification_form": QualificationForm() if can_manage else None,
            "panels": DETAIL_PANELS,
        },
    )


@vendor_required
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _visible_partner(request, pk)
    user = signed_in_user(request)
    editable = partner_editable_fields(user, partner)
    if not editable:
        raise PermissionDenied
    form = PartnerProfileForm(request.POST or None, instance=partner, editable=editable)
    if request.method == "POST" and form.is_valid():
        try:
            partner_update(
                partner=partner,
                actor=user,
                changes={name: form.cleaned_data[name] for name in form.changed_data},
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("partners:detail", pk=partner.pk)
    return render(request, "partners/partner_edit.html", {"partner": partner, "form": form})


@vendor_required
@require_POST
def partner_status(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _visible_partner(request, pk)
    if not partner_can_manage(request.user, partner):
        raise PermissionDenied
    form = StatusChangeForm(request.POST, partner=partner)
    if form.is_valid():
        try:
            partner_set_status(
                partner=partner,
                status=form.cleaned_data["status"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Status changed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("partners:detail", pk=partner.pk)


def _qualification_for(request: HttpRequest, pk: int) -> Qualification:
    qualification = (
        Qualification.objects.filter(pk=pk, partner__in=partners_visible_to(request.user))
        .select_related("partner")
        .first()
    )
    if qualification is None or not qualification.document:
        raise Http404
    return qualification


def _serve_document(qualification: Qualification) -> FileResponse:
    return FileResponse(
        qualification.document.open("rb"),
        as_attachment=True,
        filename=qualification.document.name.rsplit("/", 1)[-1],
    )


@vendor_required
def qualification_download(request: HttpRequest, pk: int) -> FileResponse:
    return _serve_document(_qualification_for(request, pk))


@vendor_required
@require_POST
def qualification_upload(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _visible_partner(request, pk)
    if not partner_can_manage(request.user, partner):
        raise PermissionDenied
    return _save_qualification(request, partner, "partners:detail")


def _save_qualification(request: HttpRequest, partner: Partner, target: str) -> HttpResponse:
    form = QualificationForm(request.POST, request.FILES)
    if form.is_valid():
        qualification_add(partner=partner, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Qualification saved."))
    else:
        messages.error(
            request,
            "; ".join(
                f"{form.fields[f].label}: {' '.join(str(m) for m in e)}"
                for f, e in form.errors.items()
                if f in form.fields
            )
            or _("Check the form."),
        )
    return redirect(target, pk=partner.pk) if target == "partners:detail" else redirect(target)


# --- partner portal -----------------------------------------------------------------------------


def _own_partner(request: HttpRequest) -> Partner:
    user = signed_in_user(request)
    partner = partner_get_visible(user=user, pk=user.partner_id) if user.partner_id else None
    if partner is None:
        raise Http404
    return partner


@partner_required
def my_company(request: HttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    is_admin = signed_in_user(request).role == Role.PARTNER_ADMIN
    return render(
        request,
        "portal/company.html",
        {
            "partner": partner,
            "qualifications": partner.qualifications.all(),
            "contacts": partner.contacts.all(),
            "territories": partner.territories.all(),
            "product_lines": partner.product_lines.all(),
            "qualification_form": QualificationForm() if is_admin else None,
        },
    )


@partner_required
def my_qualification_download(request: HttpRequest, pk: int) -> FileResponse:
    return _serve_document(_qualification_for(request, pk))


@partner_required
@require_POST
def my_qualification_upload(request: HttpRequest) -> HttpResponse:
    if signed_in_user(request).role != Role.PARTNER_ADMIN:
        raise PermissionDenied
    return _save_qualification(request, _own_partner(request), "portal_partners:company")


@partner_required
def my_users(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    partner = _own_partner(request)
    is_admin = user.role == Role.PARTNER_ADMIN
    form = PartnerUserInviteForm(request.POST or None)
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied
        if form.is_valid():
            try:
                partner_user_invite(
                    partner=partner,
                    inviter=user,
                    base_url=_base_url(request),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Invitation sent."))
                return redirect("portal_partners:users")
    return render(
        request,
        "portal/users.html",
        {
            "partner": partner,
            "members": User.objects.filter(partner=partner).order_by("email"),
            "form": form,
            "is_admin": is_admin,
        },
    )


@partner_required
@require_POST
def my_user_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = signed_in_user(request)
    if actor.role != Role.PARTNER_ADMIN:
        raise PermissionDenied
    if actor.partner_id is None:
        raise PermissionDenied
    member = User.objects.filter(pk=pk, partner_id=actor.partner_id).first()
    if member is None:
        raise Http404
    form = PartnerUserUpdateForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                partner_user_update(user=member, actor=actor, **form.cleaned_data)
            messages.success(request, _("User updated."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("portal_partners:users")
