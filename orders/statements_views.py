"""Statement pages of the partner portal and the vendor portal, and their downloads.

Thin callers of `orders.statements`: every row comes from `statements_visible_to`, so a
statement another partner (or another vendor) cannot see is a 404 on every page and file.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.core.flash import flash_outcome
from prm.tenancy.selectors import tenant_today

from .ledger import ledger_can_manage, ledger_can_view
from .models import Statement
from .statements import (
    COMMENT_MAX_LENGTH,
    PartnerStatementFilter,
    StatementFilter,
    month_previous,
    statement_can_respond,
    statement_confirm,
    statement_dispute,
    statement_get_visible,
    statement_is_responder,
    statement_lines,
    statements_generate_month,
    statements_visible_to,
)
from .statements_export import (
    XLSX_CONTENT_TYPE,
    statement_filename,
    statement_pdf,
    statement_xlsx,
)

PER_PAGE = 25


class StatementDisputeForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("What does not match your records?"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _visible(request: HttpRequest, pk: int) -> Statement:
    statement = statement_get_visible(user=request.user, pk=pk)
    if statement is None:
        raise Http404
    return statement


def _download(data: bytes, content_type: str, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf(statement: Statement) -> HttpResponse:
    return _download(
        statement_pdf(statement),
        "application/pdf",
        statement_filename(statement, "pdf"),
        inline=True,
    )


def _xlsx(statement: Statement) -> HttpResponse:
    return _download(
        statement_xlsx(statement),
        XLSX_CONTENT_TYPE,
        statement_filename(statement, "xlsx"),
        inline=False,
    )


def _detail_context(statement: Statement) -> dict[str, object]:
    return {"statement": statement, "lines": statement_lines(statement)}


# --- partner portal -----------------------------------------------------------------------------


@partner_required
def my_statements(request: HttpRequest) -> HttpResponse:
    filterset = PartnerStatementFilter(request.GET, queryset=statements_visible_to(request.user))
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "orders/statements/portal_list.html", {"filter": filterset, "page": page}
    )


def _portal_detail(
    request: HttpRequest, statement: Statement, form: StatementDisputeForm | None = None
) -> HttpResponse:
    can_respond = statement_can_respond(request.user, statement)
    context = _detail_context(statement)
    context["can_respond"] = can_respond
    context["form"] = (form or StatementDisputeForm()) if can_respond else None
    return render(request, "orders/statements/portal_detail.html", context)


@partner_required
def my_statement(request: HttpRequest, pk: int) -> HttpResponse:
    return _portal_detail(request, _visible(request, pk))


@partner_required
@require_POST
def my_statement_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _visible(request, pk)
    flash_outcome(
        request,
        lambda: statement_confirm(statement=statement, user=signed_in_user(request)),
        _("Statement %(number)s confirmed. Thank you.") % {"number": statement.number},
    )
    return redirect("portal_statements:detail", pk=pk)


@partner_required
@require_POST
def my_statement_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _visible(request, pk)
    user = signed_in_user(request)
    if not statement_is_responder(user, statement):
        raise PermissionDenied
    form = StatementDisputeForm(request.POST)
    if not form.is_valid():
        return _portal_detail(request, statement, form)
    try:
        statement_dispute(statement=statement, user=user, comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            messages.error(request, " ".join(exc.messages))
            return redirect("portal_statements:detail", pk=pk)
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _portal_detail(request, statement, form)
    messages.success(
        request,
        _("Statement %(number)s disputed; finance will contact you.")
        % {"number": statement.number},
    )
    return redirect("portal_statements:detail", pk=pk)


@partner_required
def my_statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(_visible(request, pk))


@partner_required
def my_statement_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _xlsx(_visible(request, pk))


# --- vendor portal ------------------------------------------------------------------------------


def _require_viewer(request: HttpRequest) -> None:
    if not ledger_can_view(request.user):
        raise PermissionDenied


def _vendor_visible(request: HttpRequest, pk: int) -> Statement:
    _require_viewer(request)
    return _visible(request, pk)


@vendor_required
def statement_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    filterset = StatementFilter(
        request.GET, queryset=statements_visible_to(request.user), request=request
    )
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    can_generate = ledger_can_manage(request.user)
    return render(
        request,
        "orders/statements/list.html",
        {
            "filter": filterset,
            "page": page,
            "can_generate": can_generate,
            "last_month": month_previous(tenant_today()) if can_generate else None,
        },
    )


@vendor_required
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request,
        "orders/statements/detail.html",
        _detail_context(_vendor_visible(request, pk)),
    )


@vendor_required
def statement_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(_vendor_visible(request, pk))


@vendor_required
def statement_xlsx_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _xlsx(_vendor_visible(request, pk))


@vendor_required
@require_POST
def statements_generate_view(request: HttpRequest) -> HttpResponse:
    """Finance states last month now instead of waiting for the nightly run (same result)."""
    if not ledger_can_manage(request.user):
        raise PermissionDenied
    period = month_previous(tenant_today())
    try:
        created = statements_generate_month(period=period)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("statements:list")
    messages.success(
        request,
        ngettext(
            "%(count)d statement generated for %(month)s.",
            "%(count)d statements generated for %(month)s.",
            created,
        )
        % {"count": created, "month": f"{period:%Y-%m}"},
    )
    return redirect(reverse("statements:list") + f"?period={period:%Y-%m}")
