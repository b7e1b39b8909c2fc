from .forecasts import Forecast, ForecastLine, ForecastStatus, ForecastStatusChange
from .rollups import PartnerMonth, RollupPending, SalesLineMonth
from .subscriptions import Frequency, ReportKind, ReportSubscription
from .targets import SalesTarget

__all__ = [
    "Forecast",
    "ForecastLine",
    "ForecastStatus",
    "ForecastStatusChange",
    "Frequency",
    "PartnerMonth",
    "ReportKind",
    "ReportSubscription",
    "RollupPending",
    "SalesLineMonth",
    "SalesTarget",
]
