"""The default onboarding checklist, created in each vendor schema (vendors edit it in the admin)."""

from django.db import migrations

DEFAULTS = [
    # code, kind, title, title_en, required, gates_ordering, gates_deal_registration, position
    ("sign-agreement", "sign_agreement", "签署合作协议", "Sign the partner agreement", True, True, True, 10),
    ("business-licence", "upload_qualification", "上传营业执照", "Upload the business licence", True, True, False, 20),
    ("required-courses", "complete_course", "完成必修课程", "Finish the required courses", True, False, True, 30),
    ("invite-team", "invite_users", "邀请团队成员", "Invite your team", False, False, False, 40),
]


def create_defaults(apps, schema_editor):
    if schema_editor.connection.schema_name == "public":
        return
    Template = apps.get_model("partner_onboarding", "OnboardingStepTemplate")
    for code, kind, title, title_en, required, gates_o, gates_d, position in DEFAULTS:
        Template.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "title": title,
                "title_en": title_en,
                "required": required,
                "gates_ordering": gates_o,
                "gates_deal_registration": gates_d,
                "position": position,
            },
        )


def remove_defaults(apps, schema_editor):
    Template = apps.get_model("partner_onboarding", "OnboardingStepTemplate")
    Template.objects.filter(code__in=[d[0] for d in DEFAULTS], steps__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("partner_onboarding", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
