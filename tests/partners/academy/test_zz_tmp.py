from io import StringIO
import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context
from partners.academy.models import Certificate, QuizAttempt, Enrollment
from partners.academy.dates import today
pytestmark = pytest.mark.django_db

def test_dump(tenant_a):
    call_command("seed_demo", stdout=StringIO())
    with schema_context("demo"):
        d = today()
        for c in Certificate.objects.select_related("partner").order_by("pk"):
            print(c.holder_name, c.partner.name[:8] if c.partner else None, c.course.code, c.issued_on, c.expires_on, c.is_valid_on(d))
        print("attempts", QuizAttempt.objects.count(), "failed", QuizAttempt.objects.filter(passed=False).count(), "enrollments", Enrollment.objects.count())
