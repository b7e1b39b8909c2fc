"""A starting agreement template in each vendor schema; vendors rewrite it in the admin."""

from django.db import migrations

BODY = """# 第一条 合作内容
甲方授权乙方在授权区域（{{ territory }}）内以{{ partner_type }}身份销售甲方产品{% if product_lines %}（授权产品线：{{ product_lines }}）{% endif %}。乙方不得在授权区域以外销售甲方产品（窜货）。

# 第二条 合作期限
本协议自 {{ term_start }} 起至 {{ term_end }} 止。期满前三十日内双方可协商续签。

# 第三条 采购目标
乙方本合作年度采购目标为 {{ currency }} {{ purchase_target }}。采购目标的完成情况作为伙伴等级评定与返利核算的依据。

# 第四条 价格与付款
乙方按甲方订货平台公布的渠道价格订货。甲方给予乙方的信用额度为 {{ currency }} {{ credit_limit }}，账期 {{ payment_terms_days }} 天；账期为 0 天的，款到发货。

# 第五条 激励政策
{% if incentive_terms %}{{ incentive_terms }}{% else %}按甲方当期发布的渠道激励政策执行。{% endif %}

# 第六条 双方义务
甲方负责提供产品、培训与市场支持；乙方负责区域内的市场开拓、客户报备与售后服务，并如实报送库存与销售数据。

# 第七条 协议终止
任何一方严重违约的，另一方可书面通知解除本协议。协议终止后，乙方名下未结的报备保护在宽限期后释放，余额经最终对账后结算。

# 第八条 其他
本协议以电子签名方式签署，电子签名与手写签名具有同等法律效力。协议编号 {{ number }}，第 {{ version }} 版。"""


def create_default(apps, schema_editor):
    if schema_editor.connection.schema_name == "public":
        return
    Template = apps.get_model("partner_agreements", "AgreementTemplate")
    Template.objects.get_or_create(
        code="channel-partner",
        defaults={
            "name": "渠道合作协议",
            "name_en": "Channel partner agreement",
            "title": "渠道合作协议",
            "body": BODY,
            "default_term_months": 12,
        },
    )


def remove_default(apps, schema_editor):
    Template = apps.get_model("partner_agreements", "AgreementTemplate")
    Template.objects.filter(code="channel-partner", agreements__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("partner_agreements", "0001_initial")]

    operations = [migrations.RunPython(create_default, remove_default)]
