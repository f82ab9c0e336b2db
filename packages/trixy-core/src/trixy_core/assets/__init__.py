"""Assets: profile-aware lookup of sounds and other files with a fallback to the default profile."""

from trixy_core.assets.manager import DEFAULT_PROFILE, AssetManager

__all__ = ["DEFAULT_PROFILE", "AssetManager"]
