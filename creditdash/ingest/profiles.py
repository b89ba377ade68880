"""Profiles: a mapping the user corrected, found again by the file's headers.

A credit team uploads the same export every week. When they correct how a
sheet is read (its header row, a column's field, the kind), the correction
is saved as a `Profile` keyed by the **header signature** (the normalised
header texts, in order, on the header row). Next time a sheet whose row
`header_row` has the same signature is read with the profile, and the
summary says so. The store keeps profiles per database
(`creditdash.importing.profiles`); this module only matches and builds them.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from creditdash.errors import InvalidArgument
from creditdash.ingest.mapping import SheetMapping, headers_at
from creditdash.ingest.problems import ProblemLog
from creditdash.ingest.read import RawSheet, Source, read_source
from creditdash.ingest.synonyms import normalise_header


@dataclass(frozen=True)
class Profile:
    """A saved mapping: header text -> field (None = ignored), on Excel row `header_row`."""

    name: str
    signature: str
    header_row: int
    kind: str
    mapping: dict[str, str | None]


def signature(headers: Iterable[str]) -> str:
    """The header signature: a digest of the normalised header texts, in order."""
    keys = [normalise_header(h) for h in headers if h.strip() and not h.startswith("(column ")]
    return hashlib.sha256("\x1f".join(keys).encode("utf-8")).hexdigest()[:32]


def default_name(mapping: SheetMapping) -> str:
    """`ar_export · Sheet1`: the file's stem and the sheet."""
    stem = Path(mapping.file).stem
    return stem if mapping.sheet is None else f"{stem} · {mapping.sheet}"


def profile_of(mapping: SheetMapping, name: str | None = None) -> Profile:
    """The profile that reads a sheet the way `mapping` does."""
    return Profile(
        name=name or default_name(mapping),
        signature=signature(mapping.headers),
        header_row=mapping.header_row,
        kind=mapping.kind,
        mapping=dict(mapping.mapping),
    )


def fits(profile: Profile, raw: RawSheet) -> bool:
    """The sheet has the profile's headers on the profile's header row."""
    if not 1 <= profile.header_row <= len(raw.cells):
        return False
    return signature(headers_at(raw, profile.header_row)) == profile.signature


def as_mapping(profile: Profile, raw: RawSheet, proposed: SheetMapping) -> SheetMapping:
    """`proposed` read with the profile (its header row, fields and kind)."""
    headers = headers_at(raw, profile.header_row)
    mapping = {h: profile.mapping.get(h) for h in headers}
    return dataclasses.replace(
        proposed,
        header_row=profile.header_row,
        headers=headers,
        mapping=mapping,
        kind=profile.kind,
        profile=profile.name,
    )


def apply_profiles(
    proposals: list[SheetMapping],
    sources: list[Source],
    profiles: Iterable[Profile],
    *,
    only: str | None = None,
) -> list[SheetMapping]:
    """The proposals, each replaced by the profile that fits its sheet (if any).

    With `only` (a profile's name), that profile must fit at least one sheet,
    else InvalidArgument says what it expects.
    """
    known = list(profiles)
    if only is not None:
        chosen = [p for p in known if p.name == only]
        if not chosen:
            raise InvalidArgument.coded(
                "error.profile.unknown",
                "There is no import profile named {name!r}. Profiles: {names}.",
                name=only,
                names=", ".join(p.name for p in known) or "none",
            )
        known = chosen
    if not known:
        return proposals
    raws = _sheets(sources)
    out, used = [], False
    for proposal in proposals:
        raw = raws.get((proposal.file, proposal.sheet))
        match = next((p for p in known if raw is not None and fits(p, raw)), None)
        if match is None or raw is None:  # a match needs its sheet
            out.append(proposal)
            continue
        out.append(as_mapping(match, raw, proposal))
        used = True
    if only is not None and not used:
        profile = known[0]
        raise InvalidArgument.coded(
            "error.profile.does_not_fit",
            "The import profile {name!r} expects the headers {headers} on row {row}; no sheet "
            "of these files has them.",
            name=profile.name,
            headers=", ".join(repr(h) for h in profile.mapping),
            row=profile.header_row,
        )
    return out


def corrected(proposals: list[SheetMapping], used: list[SheetMapping]) -> list[SheetMapping]:
    """The mappings in `used` that differ from what was proposed for their sheet."""
    plain = {(m.file, m.sheet): m for m in proposals}
    out = []
    for m in used:
        before = plain.get((m.file, m.sheet))
        if before is None or _reads_as(m) != _reads_as(before):
            out.append(m)
    return out


def _reads_as(m: SheetMapping) -> tuple:
    return (m.header_row, m.kind, tuple(sorted((h, f or "") for h, f in m.mapping.items())))


def _sheets(sources: list[Source]) -> Mapping[tuple[str, str | None], RawSheet]:
    log = ProblemLog()
    return {(raw.file, raw.sheet): raw for source in sources for raw in read_source(source, log)}
