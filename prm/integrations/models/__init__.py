from .keys import ApiKey, IdempotencyRecord
from .outbox import Delivery, DeliveryStatus, MessagingChannel, MessagingKind, OutboxEvent
from .webhooks import WebhookEndpoint

__all__ = [
    "ApiKey",
    "Delivery",
    "DeliveryStatus",
    "IdempotencyRecord",
    "MessagingChannel",
    "MessagingKind",
    "OutboxEvent",
    "WebhookEndpoint",
]
