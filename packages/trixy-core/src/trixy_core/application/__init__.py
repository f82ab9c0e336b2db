"""Application: the component container and the factory per mode."""

from trixy_core.application.container import LATE_COMPONENTS, Application
from trixy_core.application.factory import FULL_MODES, application_from_args, create_application
from trixy_core.application.functions import FunctionRegistry, InternalFunction

__all__ = [
    "FULL_MODES",
    "LATE_COMPONENTS",
    "Application",
    "FunctionRegistry",
    "InternalFunction",
    "application_from_args",
    "create_application",
]
