"""Settings, built once from the environment (CREDITDASH_*).

Library functions take explicit arguments; only entry points (the app, the
command line) build a Settings and pass its values down.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from creditdash.errors import InvalidArgument

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "creditdash.sqlite"
DEFAULT_DB_URL = f"sqlite:///{DEFAULT_DB_PATH}"
DEFAULT_LEDGER_CACHE = PROJECT_ROOT / "data" / "cache"


@dataclass(frozen=True)
class Settings:
    db_url: str = DEFAULT_DB_URL
    reporting_currency: str = "CNY"
    default_terms_days: int = 30
    max_upload_mb: int = 200
    load_demo_on_empty: bool = True
    # smtp://user:pass@host:587 (STARTTLS when offered) or smtps://...; kept out of repr (password)
    smtp_url: str | None = field(default=None, repr=False)
    smtp_from: str | None = None  # the From address of statements and dunning letters
    letterhead: tuple[str, ...] = ()  # company name, then address, phone, bank lines
    # the folder of the saved ledgers (creditdash.store.ledger_cache); None: none are kept
    ledger_cache: Path | None = DEFAULT_LEDGER_CACHE

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
            smtp_url=_smtp_url(env),
            smtp_from=_address(env, "CREDITDASH_SMTP_FROM"),
            letterhead=tuple(
                line.strip()
                for line in (env.get("CREDITDASH_LETTERHEAD") or "").split("|")
                if line.strip()
            ),
            ledger_cache=_ledger_cache(env),
        )


def _ledger_cache(env: dict[str, str]) -> Path | None:
    """CREDITDASH_LEDGER_CACHE: a folder, `off` for none; unset or empty: data/cache."""
    raw = (env.get("CREDITDASH_LEDGER_CACHE") or "").strip()
    if not raw:
        return DEFAULT_LEDGER_CACHE
    return None if raw.lower() in ("off", "0", "no", "false", "none") else Path(raw)


def _smtp_url(env: dict[str, str]) -> str | None:
    """CREDITDASH_SMTP_URL when set: smtp:// or smtps:// with a host (the password is not shown)."""
    raw = (env.get("CREDITDASH_SMTP_URL") or "").strip()
    if not raw:
        return None
    parsed = urlsplit(raw)
    try:
        parsed.port  # noqa: B018  (a port that is not a number raises here)
        host_ok = bool(parsed.hostname)
    except ValueError:
        host_ok = False
    if parsed.scheme not in ("smtp", "smtps") or not host_ok:
        shown = parsed._replace(netloc=parsed.netloc.rpartition("@")[2]).geturl()
        raise InvalidArgument.coded(
            "error.settings.smtp_url",
            "The environment variable CREDITDASH_SMTP_URL must look like "
            "smtp://user:password@host:587 (or smtps://... for TLS from the start). Got {value!r}.",
            value=shown,
        )
    return raw


def _address(env: dict[str, str], name: str) -> str | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if "@" not in parseaddr(raw)[1]:
        raise InvalidArgument.coded(
            "error.settings.address",
            "The environment variable {name} must be an email address such as "
            "credit@example.com or 'Credit team <credit@example.com>'. Got {value!r}.",
            name=name,
            value=raw,
        )
    return raw


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
