"""Application: the component container and the factory per mode."""

from trixy_core.application.container import LATE_COMPONENTS, Application
from trixy_core.application.extensions import find_ui, install_component_extensions
from trixy_core.application.factory import FULL_MODES, application_from_args, create_application
from trixy_core.application.functions import FunctionRegistry, InternalFunction
from trixy_core.application.runtime import run_application, run_headless

__all__ = [
    "FULL_MODES",
    "LATE_COMPONENTS",
    "Application",
    "FunctionRegistry",
    "InternalFunction",
    "application_from_args",
    "create_application",
    "find_ui",
    "install_component_extensions",
    "run_application",
    "run_headless",
]
