from . import target_admin  # noqa: F401
