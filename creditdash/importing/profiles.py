"""Import profiles kept per database: list, save, rename, delete (each audited).

`creditdash.ingest.profiles` matches files with profiles and builds them; this module
stores them (table `import_profiles`).
"""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.engine import Connection

from creditdash import audit
from creditdash.auth import Actor, authorise
from creditdash.errors import InvalidArgument, NotFound
from creditdash.ingest.profiles import Profile
from creditdash.store.profile_models import ImportProfile

PROFILE_COLUMNS = ["name", "kind", "header_row", "columns", "saved_by", "saved_at"]
_T = ImportProfile.__table__


def load_profiles(engine: Engine) -> list[Profile]:
    """Every saved profile, by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(_T).order_by(_T.c.name)).all()
    return [_profile(r) for r in rows]


def list_profiles(engine: Engine) -> pd.DataFrame:
    """PROFILE_COLUMNS, one row per profile; `columns` is how many columns it maps."""
    with engine.connect() as conn:
        rows = conn.execute(select(_T).order_by(_T.c.name)).all()
    return pd.DataFrame(
        [
            {
                "name": r.name,
                "kind": r.kind,
                "header_row": int(r.header_row),
                "columns": sum(1 for f in json.loads(r.mapping).values() if f),
                "saved_by": r.saved_by,
                "saved_at": r.saved_at,
            }
            for r in rows
        ],
        columns=PROFILE_COLUMNS,
    )


def save_profile(engine: Engine, actor: Actor, profile: Profile) -> bool:
    """Create or replace the profile of that name; False when it was already saved as is."""
    authorise(actor, "import")
    _check_name(profile.name)
    after = _row(profile)
    with engine.begin() as conn:
        current = _find(conn, profile.name)
        if current is not None and _same(current, after):
            return False
        stamp = {"saved_by": actor.who, "saved_at": datetime.now()}
        if current is None:
            conn.execute(insert(_T).values(**after, **stamp))
        else:
            conn.execute(update(_T).where(_T.c.name == profile.name).values(**after, **stamp))
        before = None if current is None else {"mapping": current.mapping, "kind": current.kind}
        audit.record(conn, actor.who, "profile_saved", "import_profile", profile.name,
                     before=before, after={"mapping": after["mapping"], "kind": after["kind"]})  # fmt: skip
    return True


def rename_profile(engine: Engine, actor: Actor, name: str, new_name: str) -> None:
    """Give a profile another name (which no other profile has)."""
    authorise(actor, "import")
    _check_name(new_name)
    with engine.begin() as conn:
        if _find(conn, name) is None:
            raise _missing(name)
        if new_name != name and _find(conn, new_name) is not None:
            raise InvalidArgument.coded(
                "error.profile.name_taken",
                "An import profile named {name!r} already exists. Choose another name.",
                name=new_name,
            )
        conn.execute(update(_T).where(_T.c.name == name).values(name=new_name))
        audit.record(conn, actor.who, "profile_renamed", "import_profile", name,
                     before={"name": name}, after={"name": new_name})  # fmt: skip


def delete_profile(engine: Engine, actor: Actor, name: str) -> None:
    """Forget a profile; files are then read as proposed again."""
    authorise(actor, "import")
    with engine.begin() as conn:
        current = _find(conn, name)
        if current is None:
            raise _missing(name)
        conn.execute(delete(_T).where(_T.c.name == name))
        audit.record(conn, actor.who, "profile_deleted", "import_profile", name,
                     before={"mapping": current.mapping, "kind": current.kind})  # fmt: skip


def _find(conn: Connection, name: str):
    return conn.execute(select(_T).where(_T.c.name == name)).first()


def _row(profile: Profile) -> dict:
    return {
        "name": profile.name,
        "signature": profile.signature,
        "header_row": int(profile.header_row),
        "kind": profile.kind,
        "mapping": json.dumps(profile.mapping, ensure_ascii=False, sort_keys=True),
    }


def _same(current, after: dict) -> bool:
    return all(getattr(current, k) == v for k, v in after.items())


def _profile(row) -> Profile:
    return Profile(
        name=row.name,
        signature=row.signature,
        header_row=int(row.header_row),
        kind=row.kind,
        mapping=json.loads(row.mapping),
    )


def _check_name(name: str) -> None:
    if not name.strip() or len(name) > 200:
        raise InvalidArgument.coded(
            "error.profile.name",
            "A profile name must have 1 to 200 characters. Got {name!r}.",
            name=name,
        )


def _missing(name: str) -> NotFound:
    return NotFound.coded(
        "error.profile.not_found", "There is no import profile named {name!r}.", name=name
    )
