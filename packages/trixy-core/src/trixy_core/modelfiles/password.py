"""Where a .pth password comes from: an explicit value (from config) or the TRIXY_MODEL_PASSWORD variable."""

from __future__ import annotations

import os

from trixy_core.modelfiles.errors import ModelPasswordError

PASSWORD_ENV_VAR = "TRIXY_MODEL_PASSWORD"


def resolve_password(password: str | bytes | None = None, env_var: str = PASSWORD_ENV_VAR) -> bytes:
    """Return the password to use: ``password`` if given, else the environment variable ``env_var``.

    No default exists in code on purpose; configs may document one.
    """
    if password is None or password == "" or password == b"":
        password = os.environ.get(env_var) or None
    if password is None:
        raise ModelPasswordError(
            f"no model password given: pass one from the config (e.g. export.password) or set ${env_var}"
        )
    return password.encode("utf-8") if isinstance(password, str) else bytes(password)
