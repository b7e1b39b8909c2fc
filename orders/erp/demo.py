"""Demo: a file-exchange connection to "金蝶云星空" (Kingdee) in the data folder, with a stock
export and a payments export dropped in its inbox and synchronised once, so the sync log shows
runs, counts and a rejected row (a payment from a customer code the PRM does not know)."""

from __future__ import annotations

import shutil
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from partners.models import Partner
from prm.tenancy.selectors import tenant_today

from ..models import Warehouse
from .models import ErpConnection, ErpKind
from .sync import erp_pull_payments, erp_pull_stock, party_code


def seed(*, partners: list[Partner]) -> ErpConnection:
    folder = settings.DATA_DIR / "erp-exchange" / "demo"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "inbox").mkdir(parents=True)
    connection = ErpConnection.objects.create(
        name="金蝶云星空 Kingdee (file exchange)",
        kind=ErpKind.FILES,
        url=str(folder),
        warehouse=Warehouse.objects.get(code="sh"),
        orders_from=timezone.now(),
    )
    day = tenant_today() - timedelta(days=1)
    (folder / "inbox" / "stock_kingdee.csv").write_text(
        "物料编码,物料名称,库存数量\n"
        "RT-AX3000,Wi-Fi 6 路由器 AX3000,860\n"
        "SW-16P,16 口 PoE 交换机,120\n",
        encoding="gb18030",
    )
    (folder / "inbox" / "payments_kingdee.csv").write_text(
        "单据编号,客户编码,收款金额,业务日期,摘要\n"
        f"SKD2026120001,{party_code(partners[0])},50000.00,{day:%Y/%m/%d},货款 / payment\n"
        f"SKD2026120002,91330100MA2XXXXX0X,1200.00,{day:%Y/%m/%d},未建档客户 / unknown\n",
        encoding="gb18030",
    )
    erp_pull_stock(connection=connection)
    erp_pull_payments(connection=connection)
    return connection
