"""`Idempotency-Key` on POSTs that create orders or payments: the same key with the same request
gets the first answer again (header `Idempotent-Replayed: true`) and creates nothing more.

The record is inserted first, in the transaction that creates the object: a second request with
the key waits on the unique index until the first commits, then replays its answer; if the first
failed and rolled back, the second proceeds as if it were first. A refusal (an exception) keeps
no record, so the caller may fix the request and retry with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import ApiKey, IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_LENGTH = 255


class KeyReused(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was used for a different request."


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(request: Request, create: Callable[[], Response]) -> Response:
    raw = request.headers.get(HEADER, "").strip()
    key = request.auth
    if not raw or not isinstance(key, ApiKey):
        return create()
    if len(raw) > MAX_LENGTH:
        raise exceptions.ValidationError(
            {HEADER: [_("At most %(n)d characters.") % {"n": MAX_LENGTH}]}
        )
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    api_key=key, key=raw, fingerprint=fingerprint
                )
        except IntegrityError:
            first = IdempotencyRecord.objects.get(api_key=key, key=raw)
            if first.fingerprint != fingerprint:
                raise KeyReused(
                    _("This Idempotency-Key was used for a different request.")
                ) from None
            return Response(
                first.body, status=first.status_code, headers={"Idempotent-Replayed": "true"}
            )
        response = create()
        record.status_code = response.status_code
        record.body = json.loads(JSONRenderer().render(response.data))
        record.save(update_fields=["status_code", "body"])
    return response
