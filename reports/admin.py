from . import (
    forecast_admin,  # noqa: F401
    subscription_admin,  # noqa: F401
    target_admin,  # noqa: F401
)
