"""Server-pushed updates on the satellite: verified, atomically installed, rolled back on failure, reboot command."""

from trixy_satellite.updates.archive import archive_format, extract_archive, list_archive, safe_member_name
from trixy_satellite.updates.config import UPDATES_SECTION, UpdateSettings
from trixy_satellite.updates.errors import ChecksumMismatchError, UnsafeArchiveError, UpdateError
from trixy_satellite.updates.folders import previous_of, roll_back, swap_in
from trixy_satellite.updates.installer import REBOOT_ID, UpdateInstaller, UpdateRecord
from trixy_satellite.updates.wiring import install_update_handlers, set_live_detector, set_live_speaker

__all__ = [
    "REBOOT_ID",
    "UPDATES_SECTION",
    "ChecksumMismatchError",
    "UnsafeArchiveError",
    "UpdateError",
    "UpdateInstaller",
    "UpdateRecord",
    "UpdateSettings",
    "archive_format",
    "extract_archive",
    "install_update_handlers",
    "list_archive",
    "previous_of",
    "roll_back",
    "safe_member_name",
    "set_live_detector",
    "set_live_speaker",
    "swap_in",
]
