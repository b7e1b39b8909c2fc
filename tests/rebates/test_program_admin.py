"""Programs are stated in the admin: bad bands and dates are refused at their field, nothing is
saved; an active program can no longer be edited; activation needs valid tiers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from rebates.models import ProgramStatus, RebateProgram, RebateTier
from rebates.programs import program_activate, program_close
from tests.conftest import login

pytestmark = pytest.mark.django_db

ADD = "/admin/rebates/rebateprogram/add/"


def _data(bands: list[dict[str, str]], **overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "q-net",
        "name": "季度回款返利",
        "name_en": "Quarterly collections",
        "period_type": "quarter",
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "basis": "collected",
        "tier_mode": "retroactive",
        "partner_types": "",
        "bands-TOTAL_FORMS": str(len(bands)),
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "1000",
    }
    for index, band in enumerate(bands):
        for key, value in band.items():
            data[f"bands-{index}-{key}"] = value
    data.update(overrides)
    return data


def _band(start: str, end: str = "", rate: str = "", fixed: str = "") -> dict[str, str]:
    return {"threshold_from": start, "threshold_to": end, "rate": rate, "fixed_amount": fixed}


def _errors(response: Any) -> list[tuple[str, list[str]]]:
    """(where, messages) of every error on the admin page: the program's fields and each band."""
    found = [
        (name, list(errors)) for name, errors in response.context["adminform"].form.errors.items()
    ]
    for formset in response.context["inline_admin_formsets"]:
        for index, form in enumerate(formset.formset.forms):
            found += [(f"band {index} {name}", list(e)) for name, e in form.errors.items()]
    return found


GOOD = [_band("500000", "1000000", rate="3"), _band("1000000", rate="5")]


@pytest.mark.parametrize(
    ("bands", "overrides", "expected"),
    [
        (
            [_band("500000", "1200000", rate="3"), _band("1000000", rate="5")],
            {},
            [("band 1 threshold_from", ["This band overlaps the band from 500000.00."])],
        ),
        (
            [_band("500000", "1000000"), _band("1000000", rate="5")],
            {},
            [("band 0 rate", ["Give a rate or a fixed amount."])],
        ),
        (
            [_band("0", rate="120")],
            {},
            [("band 0 rate", ["Ensure this value is less than or equal to 100."])],
        ),
        (
            GOOD,
            {"ends_on": "2026-12-31"},
            [("ends_on", ["The last day cannot be before the first day."])],
        ),
    ],
    ids=["overlapping tiers", "threshold without a rate", "rate above 100", "end before start"],
)
def test_bad_programs_are_refused_at_the_field_and_nothing_is_saved(
    client_a, vendor_admin, bands, overrides, expected
):
    vendor_admin.language = "en"
    vendor_admin.save(update_fields=["language"])
    login(client_a, vendor_admin)

    response = client_a.post(ADD, _data(bands, **overrides))

    assert response.status_code == 200
    with translation.override("en"):  # the validators' messages are lazy
        assert _errors(response) == expected
    assert not RebateProgram.objects.exists()
    assert not RebateTier.objects.exists()


def test_a_good_program_is_saved_activated_and_then_frozen(client_a, vendor_admin):
    login(client_a, vendor_admin)

    saved = client_a.post(ADD, _data(GOOD))
    program = RebateProgram.objects.get(code="q-net")
    program_activate(program, actor=vendor_admin)
    program.refresh_from_db()
    page = client_a.get(f"/admin/rebates/rebateprogram/{program.pk}/change/")

    assert saved.status_code == 302
    assert list(program.bands.values_list("threshold_from", "threshold_to", "rate")) == [
        (500000, 1000000, 3),
        (1000000, None, 5),
    ]
    assert program.status == ProgramStatus.ACTIVE
    assert 'name="bands-0-rate"' not in page.content.decode()  # read-only once active
    program_close(program, actor=vendor_admin)
    assert list(program.status_changes.values_list("to_status", flat=True)) == ["closed", "active"]


def test_a_program_without_valid_tiers_is_not_activated(in_a, vendor_admin):
    empty = RebateProgram.objects.create(
        code="empty",
        name="空",
        period_type="month",
        starts_on="2027-01-01",
        ends_on="2027-03-31",
        basis="ordered",
        tier_mode="marginal",
    )

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        program_activate(empty, actor=vendor_admin)

    assert refused.value.messages == ["Add at least one tier before activating the program."]
