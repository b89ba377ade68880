"""Settings, built once from the environment (CREDITDASH_*).

Library functions take explicit arguments; only entry points (the app, the
command line) build a Settings and pass its values down.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from creditdash.errors import InvalidArgument

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "creditdash.sqlite"
DEFAULT_DB_URL = f"sqlite:///{DEFAULT_DB_PATH}"


@dataclass(frozen=True)
class Settings:
    db_url: str = DEFAULT_DB_URL
    reporting_currency: str = "CNY"
    default_terms_days: int = 30
    max_upload_mb: int = 200
    load_demo_on_empty: bool = True

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Settings from CREDITDASH_* variables; a value that cannot be used names its variable."""
        env = dict(os.environ if env is None else env)
        return cls(
            db_url=env.get("CREDITDASH_DB_URL") or DEFAULT_DB_URL,
            reporting_currency=(env.get("CREDITDASH_CURRENCY") or "CNY").upper(),
            default_terms_days=_whole(env, "CREDITDASH_DEFAULT_TERMS_DAYS", 30, least=0),
            max_upload_mb=_whole(env, "CREDITDASH_MAX_UPLOAD_MB", 200, least=1),
            load_demo_on_empty=(env.get("CREDITDASH_DEMO", "1") not in ("0", "false", "no")),
        )


def _whole(env: dict[str, str], name: str, default: int, *, least: int) -> int:
    """The whole number in variable `name` (`default` when unset or empty), at least `least`."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < least:
        raise InvalidArgument.coded(
            "error.settings.whole",
            "The environment variable {name} must be a whole number of at least {least} "
            "(unset means {default}). Got {value!r}.",
            name=name,
            least=least,
            default=default,
            value=raw,
        )
    return value
