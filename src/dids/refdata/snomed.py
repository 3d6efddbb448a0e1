"""Reader of SNOMED CT RF2 snapshots (DIDS059, DIDS078 in v1; DIDS00300402 in v2).

A UK release, zipped or unpacked, holds tab-separated files with a header row: concepts
(``sct2_Concept_*Snapshot*``: ``id effectiveTime active moduleId definitionStatusId``) and
simple refset members (``der2_Refset_Simple*Snapshot*``: ``id effectiveTime active moduleId
refsetId referencedComponentId``). Every simple refset file is scanned for members of
999001111000000105 |United Kingdom diagnostic imaging procedure simple reference set|:

* an active member is valid on any date: its ``effectiveTime`` is the date of its row's last
  change, not the day it joined, which a snapshot does not tell (assumption);
* an inactive member (an ex-member) left the refset on its ``effectiveTime``, the date the
  183-day grace of v2 counts from; when it joined is not in a snapshot (taken as unknown);
* a member whose concept is inactive in the concept file is taken to have left on the day the
  concept was inactivated, when that is earlier (assumption).

A CSV in the library's own layout (``code,active_from,inactive_from``) is read as well.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import date

from dids._entries import ReferenceCode
from dids.refdata._sources import DataFile, ReleaseError, Source, data_files, day_of
from dids.refdata.nicip import read_codes

__all__ = ["IMAGING_REFSET", "read_snomed"]

#: 999001111000000105 |United Kingdom diagnostic imaging procedure simple reference set|.
IMAGING_REFSET = "999001111000000105"
_REFSET_HEADER = ["id", "effectiveTime", "active", "moduleId", "refsetId",
                  "referencedComponentId"]
_CONCEPT_HEADER = ["id", "effectiveTime", "active", "moduleId", "definitionStatusId"]
_REFSET = re.compile(r"^der2_Refset_Simple\w*Snapshot", re.IGNORECASE)
_CONCEPT = re.compile(r"^sct2_Concept_\w*Snapshot", re.IGNORECASE)


def _day(text: str, file: DataFile, line: int) -> date:
    day = day_of(text, file, line, "effectiveTime")
    if day is None:
        raise ReleaseError(file.name, line, "an effectiveTime")
    return day


def _checked_rows(file: DataFile, source: Source, header: list[str]
                  ) -> Iterable[tuple[int, list[str]]]:
    rows = file.rows(source, delimiter="\t")
    first = next(rows, None)
    if first is None or first[1][: len(header)] != header:
        raise ReleaseError(file.name, 1, "an RF2 header: " + " ".join(header))
    width = len(first[1])
    for line, fields in rows:
        if len(fields) != width:
            raise ReleaseError(file.name, line, f"{width} tab-separated fields, "
                               f"found {len(fields)}")
        if fields[2] not in ("0", "1"):
            raise ReleaseError(file.name, line, f"active 0 or 1, found {fields[2][:5]!r}")
        yield line, fields


def read_snomed(path: str | os.PathLike[str], sources: list[Source]
                ) -> dict[str, ReferenceCode]:
    """The members of the imaging refset, by concept id, from the snapshot files of the release
    at ``path`` (a zip, a folder or a file). A ``Source`` is added to ``sources`` for each file
    read."""
    members: dict[str, ReferenceCode] = {}
    library = False
    read_before = len(sources)
    for file in data_files(path):
        if file.base.lower().endswith(".csv"):
            library = True
            members.update(_library(file, sources))
        elif _REFSET.match(file.base):
            source = Source("snomed_ct:refset", file.name)
            sources.append(source)
            for line, fields in _checked_rows(file, source, _REFSET_HEADER):
                if fields[4] != IMAGING_REFSET:
                    continue
                source.rows += 1
                code, day = fields[5], _day(fields[1], file, line)
                _merge(members, ReferenceCode(code, None, None) if fields[2] == "1"
                       else ReferenceCode(code, None, day))
    if len(sources) == read_before:
        raise ReleaseError(os.fspath(path), None, "an RF2 snapshot with der2_Refset_Simple"
                           "*Snapshot* files, or a code,active_from,inactive_from CSV")
    if library:
        return members
    for file in data_files(path):
        if _CONCEPT.match(file.base):
            source = Source("snomed_ct:concepts", file.name)
            sources.append(source)
            for line, fields in _checked_rows(file, source, _CONCEPT_HEADER):
                member = members.get(fields[0])
                if member is None:
                    continue
                source.rows += 1
                if fields[2] == "0":
                    left = _day(fields[1], file, line)
                    if member.inactive_from is None or left < member.inactive_from:
                        members[fields[0]] = ReferenceCode(member.code, member.active_from, left)
    return members


def _merge(members: dict[str, ReferenceCode], found: ReferenceCode) -> None:
    """Keep one entry a code when several files list it: active when any row is; else
    inactive from its latest row."""
    known = members.get(found.code)
    if (known is None or found.inactive_from is None or (
            known.inactive_from is not None and found.inactive_from > known.inactive_from)):
        members[found.code] = found


def _library(file: DataFile, sources: list[Source]) -> dict[str, ReferenceCode]:
    source = Source("snomed_ct:library", file.name)
    sources.append(source)
    return {entry.code: entry for entry in read_codes(file, source)}
