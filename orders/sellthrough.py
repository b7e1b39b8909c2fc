"""Channel inventory and sell-through (动销率): what partners hold, sell and sell where.

Services (writes) and selectors (reads) for the partner's side of the channel: the monthly stock
report (`channel_stock_submit`), sell-out records typed in or imported from a spreadsheet
(`sellout_record`, `sellout_import`) and the diversion check (窜货).

Territory and diversion (窜货)
-----------------------------
A partner's territory is its `territories` (Region rows): a province covers every city in it;
a city covers only itself, matched by its name *within its parent province*. A partner without
territories is authorized for its `region` (a province name) as a whole. A sale whose
(province, city) the territory does not cover is flagged `outside_territory` when it is recorded.

Names are compared after normalising: surrounding blanks removed, case folded and the
administrative suffix dropped, so 浙江省 = 浙江, 上海市 = 上海, 广西壮族自治区 = 广西,
香港特别行政区 = 香港; cities lose a trailing 市 (杭州市 = 杭州). A sale without a city is
covered only by a province territory. (A city territory stored without a parent province matches
the city name alone.)

The metrics the vendor reads are in `orders.sellthrough_metrics`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import django_filters
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.importing import RejectedRow
from partners.models import Partner, Region
from partners.recruitment.names import normalize_name
from partners.selectors import partners_visible_to
from prm.accounts.access import active_user
from prm.accounts.visibility import scope_to_partner
from prm.core.spreadsheets import table_read
from prm.core.widgets import DateInput, SearchSelect
from prm.tenancy.selectors import tenant_today

from .models import ChannelStockLine, ChannelStockReport, Product, SellOut

# Longest first: 广西壮族自治区 must lose 壮族自治区, not just 自治区.
PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
)
CITY_SUFFIXES = ("市",)


# --- territory ----------------------------------------------------------------------------------


def _strip_suffix(name: str, suffixes: Iterable[str]) -> str:
    value = (name or "").strip().casefold()
    for suffix in suffixes:
        if value.endswith(suffix) and len(value) > len(suffix):
            return value[: -len(suffix)]
    return value


def province_key(name: str) -> str:
    """浙江省 → 浙江, 上海市 → 上海, 广西壮族自治区 → 广西: how province names are compared."""
    return _strip_suffix(name, PROVINCE_SUFFIXES)


def city_key(name: str) -> str:
    """杭州市 → 杭州: how city names are compared."""
    return _strip_suffix(name, CITY_SUFFIXES)


@dataclass(frozen=True)
class Territory:
    """Where a partner may sell: whole provinces, and cities as (province, city) keys."""

    provinces: frozenset[str]
    cities: frozenset[tuple[str, str]]

    def covers(self, province: str, city: str = "") -> bool:
        prov = province_key(province)
        if prov and prov in self.provinces:
            return True
        town = city_key(city)
        if not town:
            return False
        return (prov, town) in self.cities or ("", town) in self.cities


def territory_from_regions(regions: Iterable[Region], *, fallback_region: str) -> Territory:
    """The territory of Region rows (with `parent` loaded), or the fallback province if none."""
    provinces: set[str] = set()
    cities: set[tuple[str, str]] = set()
    for region in regions:
        if region.level == Region.Level.PROVINCE:
            provinces.add(province_key(region.name))
        else:
            parent = province_key(region.parent.name) if region.parent else ""
            cities.add((parent, city_key(region.name)))
    if not provinces and not cities and province_key(fallback_region):
        provinces.add(province_key(fallback_region))
    return Territory(frozenset(provinces), frozenset(cities))


def partner_territory(partner: Partner) -> Territory:
    """One query: the partner's territories with their provinces."""
    regions = Region.objects.filter(partners=partner).select_related("parent")
    return territory_from_regions(regions, fallback_region=partner.region)


def territory_label(partner: Partner) -> str:
    """The territory as people read it, from prefetched `territories` (with `parent`)."""
    names = [
        f"{r.parent.name} {r.name}" if r.parent_id and r.parent else r.name
        for r in partner.territories.all()
    ]
    return "、".join(names) or partner.region


# --- who may report -----------------------------------------------------------------------------


def sellthrough_can_report(user: Any, partner: Partner) -> bool:
    """Stock reports and sell-out: the partner's own admins and users."""
    return active_user(user) and user.is_partner_user and user.partner_id == partner.pk


def _require_reporter(user: Any, partner: Partner) -> None:
    if not sellthrough_can_report(user, partner):
        raise PermissionDenied


def _authorized_line_ids(partner: Partner) -> set[int]:
    return set(partner.product_lines.values_list("pk", flat=True))


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _log_entries(
    objects: Iterable[Any], *, action: int, changes: Any, actor: Any
) -> list[LogEntry]:
    """Audit rows for models that auditlog does not track by itself (written in bulk)."""
    user = _actor(actor)
    entries = []
    for obj in objects:
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(obj),
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=str(obj),
                action=action,
                changes=changes(obj) if callable(changes) else changes,
                actor=user,
                actor_email=getattr(user, "email", None),
            )
        )
    return entries


# --- monthly channel stock ----------------------------------------------------------------------


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(day: dt.date) -> dt.date:
    return month_start(month_start(day) - dt.timedelta(days=1))


@transaction.atomic
def channel_stock_submit(
    *, partner: Partner, period: dt.date, quantities: Mapping[Product, int], user: Any
) -> ChannelStockReport:
    """The partner's stock of each product at the end of the month of `period`.

    One report per partner and month: submitting the month again replaces all its lines.
    Refuses a future month, products outside the partner's authorized product lines and
    negative quantities; nothing is saved when anything is refused.
    """
    _require_reporter(user, partner)
    period = month_start(period)
    errors: dict[str, list[str]] = {}
    if period > month_start(tenant_today()):
        errors.setdefault("period", []).append(_("The month cannot be in the future."))
    if not quantities:
        errors.setdefault("quantities", []).append(_("Report the stock of at least one product."))
    authorized = _authorized_line_ids(partner)
    for product, quantity in sorted(quantities.items(), key=lambda item: item[0].sku):
        if product.product_line_id not in authorized:
            errors.setdefault("quantities", []).append(
                _("%(sku)s is not in a product line you are authorized for.") % {"sku": product.sku}
            )
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            errors.setdefault("quantities", []).append(
                _("%(sku)s: the quantity must be a whole number of 0 or more.")
                % {"sku": product.sku}
            )
    if errors:
        raise ValidationError(errors)

    # The row lock serialises two submissions of one month; the unique constraint and
    # get_or_create's retry make concurrent first submissions end with one report.
    report, created = ChannelStockReport.objects.select_for_update().get_or_create(
        partner=partner, period=period, defaults={"submitted_by": user}
    )
    old = dict(report.lines.values_list("product__sku", "quantity"))  # empty when created
    new = {product.sku: int(quantity) for product, quantity in quantities.items()}
    report.lines.all().delete()
    ChannelStockLine.objects.bulk_create(
        ChannelStockLine(report=report, product=product, quantity=int(quantity))
        for product, quantity in sorted(quantities.items(), key=lambda item: item[0].pk)
    )
    report.submitted_by = user
    report.save(update_fields=["submitted_by", "submitted_at"])
    changes = {
        sku: [_text(old.get(sku)), _text(new.get(sku))]
        for sku in sorted(old.keys() | new.keys())
        if old.get(sku) != new.get(sku)
    }
    LogEntry.objects.bulk_create(
        _log_entries(
            [report],
            action=LogEntry.Action.CREATE if created else LogEntry.Action.UPDATE,
            changes=changes,
            actor=user,
        )
    )
    return report


def channel_stock_report(*, partner: Partner, period: dt.date) -> ChannelStockReport | None:
    """The partner's report of the month of `period`, with its lines and their products."""
    return (
        ChannelStockReport.objects.filter(partner=partner, period=month_start(period))
        .prefetch_related(Prefetch("lines", ChannelStockLine.objects.select_related("product")))
        .first()
    )


def channel_stock_products(*, partner: Partner, period: dt.date) -> QuerySet[Product]:
    """What the stock form lists: the products of the partner's authorized lines that are on sale
    or already in that month's report."""
    reported = ChannelStockLine.objects.filter(
        report__partner=partner, report__period=month_start(period)
    ).values("product_id")
    return (
        Product.objects.filter(product_line__partners=partner)
        .filter(Q(is_active=True) | Q(pk__in=reported))
        .select_related("product_line")
        .order_by("product_line__code", "sku")
    )


def channel_stock_reports_of(partner: Partner) -> QuerySet[ChannelStockReport]:
    return ChannelStockReport.objects.filter(partner=partner).annotate(
        products=Count("lines"), units=Sum("lines__quantity")
    )


# --- sell-out -----------------------------------------------------------------------------------

MAX_ROWS = 5000
COLUMNS = ["sku", "sold_on", "quantity", "end_customer", "province", "city"]
REQUIRED_COLUMNS = {"sku", "sold_on", "quantity", "end_customer", "province"}
# People label columns in Chinese as often as in English.
COLUMN_ALIASES = {
    "型号": "sku", "产品编码": "sku", "物料编码": "sku",
    "销售日期": "sold_on", "日期": "sold_on",
    "数量": "quantity", "销售数量": "quantity",
    "终端客户": "end_customer", "客户": "end_customer", "客户名称": "end_customer",
    "省份": "province", "省": "province",
    "城市": "city", "市": "city",
}  # fmt: skip
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass
class ImportResult:
    """Like `partners.importing.ImportResult`: imported rows, every rejected row and why."""

    imported: list[SellOut] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)


def _text_errors(*, end_customer: str, province: str, city: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not end_customer:
        errors["end_customer"] = [_("Name the end customer.")]
    elif len(end_customer) > 200:
        errors["end_customer"] = [_("At most %(n)d characters.") % {"n": 200}]
    if not province:
        errors["province"] = [_("Name the province where the product was sold.")]
    elif len(province) > 64:
        errors["province"] = [_("At most %(n)d characters.") % {"n": 64}]
    if len(city) > 64:
        errors["city"] = [_("At most %(n)d characters.") % {"n": 64}]
    return errors


def _unauthorized(product: Product, authorized: set[int]) -> str | None:
    if product.product_line_id in authorized:
        return None
    return _("%(sku)s is in product line %(line)s, which you are not authorized to sell.") % {
        "sku": product.sku,
        "line": product.product_line.display_name,
    }


def _future(sold_on: dt.date, today: dt.date) -> str | None:
    return _("The sale date cannot be in the future.") if sold_on > today else None


def _too_few(quantity: Any) -> str | None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        return _("The quantity must be at least 1.")
    return None


def _sellout_audit(sales: list[SellOut], *, actor: Any) -> None:
    def changes(sale: SellOut) -> dict[str, list[str | None]]:
        return {
            "product": [None, str(sale.product_id)],
            "sold_on": [None, sale.sold_on.isoformat()],
            "quantity": [None, str(sale.quantity)],
            "end_customer": [None, sale.end_customer],
            "province": [None, sale.province],
            "city": [None, sale.city],
            "outside_territory": [None, str(sale.outside_territory)],
        }

    LogEntry.objects.bulk_create(
        _log_entries(sales, action=LogEntry.Action.CREATE, changes=changes, actor=actor)
    )


@transaction.atomic
def sellout_record(
    *,
    partner: Partner,
    product: Product,
    sold_on: dt.date,
    quantity: int,
    end_customer: str,
    province: str,
    city: str = "",
    user: Any,
) -> SellOut:
    """One sale to an end customer; flagged `outside_territory` when sold outside the partner's
    territory (see the module doc). Raises ValidationError per field, saving nothing."""
    _require_reporter(user, partner)
    end_customer = (end_customer or "").strip()
    province, city = (province or "").strip(), (city or "").strip()
    errors = _text_errors(end_customer=end_customer, province=province, city=city)
    checks = {
        "product": _unauthorized(product, _authorized_line_ids(partner)),
        "sold_on": _future(sold_on, tenant_today()),
        "quantity": _too_few(quantity),
    }
    errors.update({name: [message] for name, message in checks.items() if message})
    if errors:
        raise ValidationError(errors)
    sale = SellOut.objects.create(
        partner=partner,
        product=product,
        sold_on=sold_on,
        quantity=quantity,
        end_customer=end_customer,
        province=province,
        city=city,
        outside_territory=not partner_territory(partner).covers(province, city),
        reported_by=_actor(user),
    )
    _sellout_audit([sale], actor=user)
    return sale


def _parse_date(value: str) -> dt.date | None:
    match = _DATE.fullmatch(value.strip())
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _sku_error(sku: str, product: Product | None, authorized: set[int]) -> str | None:
    if not sku:
        return _("Give the SKU.")
    if product is None:
        return _("Unknown SKU %(sku)s.") % {"sku": sku}
    return _unauthorized(product, authorized)


def _row_reasons(errors: Mapping[str, list[str]]) -> list[str]:
    """Reasons as 'column: reason', in the file's column order (like partners.importing)."""
    return [f"{name}: {message}" for name in COLUMNS for message in errors.get(name, [])]


def sellout_import(*, partner: Partner, upload: UploadedFile, user: Any) -> ImportResult:
    """Sell-out rows from CSV (UTF-8 or GB18030) or XLSX: sku, sold_on (YYYY-MM-DD), quantity,
    end_customer, province, city.

    Every row is checked; the valid ones are saved together in one transaction and every
    rejected row is reported with its row number and reasons. A row is saved whole or not at all.
    Costs a fixed number of queries, whatever the number of rows.
    """
    _require_reporter(user, partner)
    result = ImportResult()
    try:
        rows = table_read(
            upload,
            columns=COLUMNS,
            required=REQUIRED_COLUMNS,
            max_rows=MAX_ROWS,
            aliases=COLUMN_ALIASES,
        )
    except ValidationError as exc:
        result.file_errors.extend(exc.messages)
        return result

    skus = {values.get("sku", "").strip() for _number, values in rows}
    products = {
        p.sku: p for p in Product.objects.filter(sku__in=skus - {""}).select_related("product_line")
    }
    authorized = _authorized_line_ids(partner)
    territory = partner_territory(partner)
    today = tenant_today()
    valid: list[SellOut] = []
    for number, values in rows:
        text = {name: (values.get(name) or "").strip() for name in COLUMNS}
        errors = _text_errors(
            end_customer=text["end_customer"], province=text["province"], city=text["city"]
        )
        product = products.get(text["sku"])
        sold_on = _parse_date(text["sold_on"])
        quantity = int(text["quantity"]) if _INTEGER.fullmatch(text["quantity"]) else None
        checks = {
            "sku": _sku_error(text["sku"], product, authorized),
            "sold_on": (
                _("Enter the date as YYYY-MM-DD.") if sold_on is None else _future(sold_on, today)
            ),
            "quantity": _("Enter a whole number.") if quantity is None else _too_few(quantity),
        }
        errors.update({name: [message] for name, message in checks.items() if message})
        if errors or product is None or sold_on is None or quantity is None:
            result.rejected.append(RejectedRow(number, values, _row_reasons(errors)))
            continue
        valid.append(
            SellOut(
                partner=partner,
                product=product,
                sold_on=sold_on,
                quantity=quantity,
                end_customer=text["end_customer"],
                customer_key=normalize_name(text["end_customer"])[:200],
                province=text["province"],
                city=text["city"],
                outside_territory=not territory.covers(text["province"], text["city"]),
                reported_by=_actor(user),
            )
        )
    if valid:
        with transaction.atomic():
            result.imported = SellOut.objects.bulk_create(valid)
            _sellout_audit(result.imported, actor=user)
    return result


def sellouts_visible_to(user: Any) -> QuerySet[SellOut]:
    """Partner users see their own partner's records; vendor staff per `scope_to_partner`."""
    return scope_to_partner(
        SellOut.objects.select_related("partner", "product", "reported_by"), user
    )


def diversions_visible_to(user: Any) -> QuerySet[SellOut]:
    """Sell-out flagged outside the partner's territory, with the partner's territories."""
    territories = Prefetch(
        "partner__territories", queryset=Region.objects.select_related("parent").order_by("code")
    )
    return sellouts_visible_to(user).filter(outside_territory=True).prefetch_related(territories)


def _visible_partners(request: HttpRequest | None) -> QuerySet[Partner]:
    return partners_visible_to(getattr(request, "user", None)).order_by("name")


class DiversionFilter(django_filters.FilterSet):
    partner = django_filters.ModelChoiceFilter(
        queryset=_visible_partners,
        label=gettext_lazy("Partner"),
        empty_label=gettext_lazy("All"),
        widget=SearchSelect("partners:search"),
    )
    province = django_filters.CharFilter(method="in_province", label=gettext_lazy("Province"))
    sold_from = django_filters.DateFilter(
        field_name="sold_on", lookup_expr="gte", label=gettext_lazy("Sold from"), widget=DateInput
    )
    sold_to = django_filters.DateFilter(
        field_name="sold_on", lookup_expr="lte", label=gettext_lazy("Sold until"), widget=DateInput
    )

    class Meta:
        model = SellOut
        fields = ["partner"]

    def in_province(self, qs: QuerySet[SellOut], name: str, value: str) -> QuerySet[SellOut]:
        key = province_key(value)
        return qs.filter(province__istartswith=key) if key else qs
