from . import (
    subscription_admin,  # noqa: F401
    target_admin,  # noqa: F401
)
