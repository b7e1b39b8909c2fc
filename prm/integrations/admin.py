from . import admin_keys, admin_outbox  # noqa: F401
