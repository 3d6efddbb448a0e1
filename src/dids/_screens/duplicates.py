"""The file rule DIDS071 (a duplicate record): every row's key, kept compactly until the file
ends, and the rows whose keys repeat. Past :data:`SPILL_AFTER` rows the keys go to a temporary
file, partitioned by hash, so that memory stays flat however long the file is.

The key is (accession number, imaging site) in v1; in v2 the procedure code too (decision D5):
the SNOMED CT code when there is one, else the NICIP code, held as ``(snomed, nicip or "")`` so
that a block keyed column by column gets the same hashes as a row keyed alone.
"""

from __future__ import annotations

import operator
import re
import struct
import sys
from array import array
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress, repeat
from typing import IO

from dids._screens.view import View
from dids.catalogue import Layout
from dids.exceptions import ScratchFileError

__all__ = ["DuplicateKeys"]

#: Duplicate keys are looked for in partitions of at most ``2 ** _PARTITION_BITS`` hashes.
_PARTITION_BITS = 15
#: Hashes moved into their partitions at a time.
_PARTITION_CHUNK = 1 << 16
#: Where the low byte of a 64-bit integer is in its eight bytes of memory.
_LOW_BYTE = 0 if sys.byteorder == "little" else 7
#: ``bytes.translate`` tables from a byte to its low bits, by number of partitions.
_LOW_BITS = {1 << bits: bytes(byte & ((1 << bits) - 1) for byte in range(256))
             for bits in range(1, 9)}
_ALL_64_BITS = (1 << 64) - 1
#: Keys kept in memory (13 bytes each) before they are moved to a temporary file.
SPILL_AFTER = 1 << 18
#: The partitions of the keys in the temporary file (by the hashes' low bits): at the end,
#: one partition at a time is read back.
_SPILLED_PARTS = 64
#: Duplicate rows read back at a time from a partition's sorted run.
_RUN_CHUNK = 1 << 12


class DuplicateKeys:
    """The keys of a file's rows: 13 bytes a row (a 64-bit hash of the key, the row number and
    whether another rule rejected the row), never the rows; past :data:`SPILL_AFTER` rows, in
    a temporary file (:class:`_Spilled`). Two different keys share a hash with a probability
    below 1e-7 for a million-row file."""

    def __init__(self, layout: Layout) -> None:
        self._version = layout.version
        self._accession = layout.index("accession_number")
        self._site = layout.index("imaging_site")
        self._codes = ((layout.index("snomed_code"), layout.index("nicip_code"))
                       if layout.version == 2 else None)
        #: Key hashes as unsigned 64-bit numbers: array("Q") takes an int much faster than "q".
        self._hashes = array("Q")
        self._rows = array("I")  # row numbers, up to 4,294,967,295
        self._rejected = bytearray()
        self._spilled: _Spilled | None = None

    def key(self, raw: Sequence[str]) -> int | None:
        """The key hash of one row (trimmed texts), ``None`` when part of the key is blank."""
        accession, site = raw[self._accession], raw[self._site]
        if self._codes is None:
            return hash((accession, site)) if accession and site else None
        snomed, nicip = raw[self._codes[0]], raw[self._codes[1]]
        if not accession or not site or not (snomed or nicip):
            return None
        return hash((accession, site, snomed, "" if snomed else nicip))

    def hashes(self, columns: Sequence[Sequence[str]]) -> Iterator[int]:
        """:meth:`key` of every row of a block, whatever the row's key lacks."""
        accession, site = columns[self._accession], columns[self._site]
        if self._codes is None:
            return map(hash, zip(accession, site, strict=False))
        snomed = columns[self._codes[0]]
        nicip: Iterable[str] = repeat("")
        if "" in snomed:  # the NICIP code where SNOMED CT is blank: code * True or code * False
            nicip = map(operator.mul, columns[self._codes[1]], map(operator.not_, snomed))
        return map(hash, zip(accession, site, snomed, nicip, strict=False))

    def unkeyed(self, view: View) -> set[int]:
        """Rows of a block missing part of the key, which are not keyed."""
        found = set(view.blank_rows(self._accession))
        found.update(view.blank_rows(self._site))
        if self._codes is not None and view.has_blank(self._codes[1]):
            codes = view.columns[self._codes[1]]
            found.update(k for k in view.blank_rows(self._codes[0]) if not codes[k])
        return found

    def add(self, key: int, row: int, rejected: bool) -> None:
        """Keep one row's key."""
        self._hashes.append(key & _ALL_64_BITS)
        self._rows.append(row)
        self._rejected.append(rejected)
        if len(self._hashes) >= SPILL_AFTER:
            self._spill()

    def add_block(self, view: View, numbers: Sequence[int], rejected: set[int]) -> None:
        """Keep the keys of a block's keyed rows; ``rejected`` holds the numbers of the rows
        another rule rejected."""
        hashes = list(self.hashes(view.columns))
        kept_numbers: Iterable[int] = numbers
        unkeyed = self.unkeyed(view)
        if unkeyed:
            mask = bytearray(b"\x01") * len(hashes)
            for k in unkeyed:
                mask[k] = 0
            hashes, kept_numbers = list(compress(hashes, mask)), compress(numbers, mask)
        kept = list(kept_numbers)
        self._hashes.frombytes(struct.pack(f"{len(hashes)}q", *hashes))  # signed, kept as bits
        self._rows.extend(kept)
        self._rejected.extend(bytes(map(rejected.__contains__, kept)) if rejected
                              else bytes(len(kept)))
        if len(self._hashes) >= SPILL_AFTER:
            self._spill()

    def _spill(self) -> None:
        """Move the keys in memory to the temporary file."""
        if self._spilled is None:
            self._spilled = _Spilled()
        self._spilled.write(self._hashes, self._rows, self._rejected)
        self._hashes, self._rows, self._rejected = array("Q"), array("I"), bytearray()

    def duplicated(self) -> Iterator[tuple[int, bool]]:
        """When the file has ended: each row whose key another row has too, in row order,
        with whether another rule rejected it. The keys are consumed.

        The hashes are moved into partitions of about 32,768 by their low bits (a chunk at a
        time, so that the copies replace the originals; one byte a row, read from the hashes'
        memory, keeps each row's partition), and each partition's set of distinct hashes reads
        one contiguous array; a partition whose hashes are all distinct is done with that set.
        Keys moved to the temporary file are read back a partition at a time.
        """
        spilled = self._spilled
        if spilled is not None:
            self._spill()
            self._spilled = None  # consumed, as the keys in memory are
            yield from spilled.duplicated()
            return
        hashes, rows, rejected = self._hashes, self._rows, self._rejected
        self._hashes, self._rows, self._rejected = array("Q"), array("I"), bytearray()
        for member in sorted(_members(hashes), key=rows.__getitem__):
            yield rows[member], bool(rejected[member])


def _lanes(hashes: array[int], parts: int) -> bytes:
    """Each hash's partition of ``parts`` (a power of two up to 256): its low bits, a byte
    each."""
    with memoryview(hashes) as whole, whole.cast("B") as octets:
        return octets[_LOW_BYTE::8].tobytes().translate(_LOW_BITS[parts])


def _members(hashes: array[int]) -> list[int]:
    """The positions of the hashes that occur more than once, partition by partition (the
    hashes are consumed)."""
    parts = min(256, 1 << ((len(hashes) - 1) >> _PARTITION_BITS).bit_length()
                ) if hashes else 1
    partitions, lanes = [hashes], b""
    if parts > 1:
        lanes = _lanes(hashes, parts)
        partitions = [array("Q") for _ in range(parts)]
        start = 0
        while hashes:
            chunk = hashes[:_PARTITION_CHUNK]
            del hashes[:_PARTITION_CHUNK]
            destinations = map(partitions.__getitem__, lanes[start:start + len(chunk)])
            deque(map(array.append, destinations, chunk), maxlen=0)
            start += len(chunk)
    duplicated: list[int] = []
    for part, partition in enumerate(partitions):
        if len(set(partition)) == len(partition):
            continue
        repeated = {value for value, count in Counter(partition).items() if count > 1}
        found: Iterable[int] = compress(range(len(partition)),
                                        map(repeated.__contains__, partition))
        if lanes:  # the row of each member: where its partition's byte occurs in turn
            rows = [match.start() for match in re.finditer(re.escape(bytes([part])), lanes)]
            found = map(rows.__getitem__, found)
        duplicated += found
    return duplicated


class _Spilled:
    """Keys in a temporary file, in :data:`_SPILLED_PARTS` partitions by the hashes' low bits:
    each batch written as every partition's hashes, row numbers and rejected flags, whose
    places are kept (12 bytes a partition a batch). At the end each partition is read back
    whole (a 64th of the keys), its duplicate rows sorted into a run at the end of the file,
    and the runs merged in row order, a few thousand rows of each at a time."""

    def __init__(self) -> None:
        import tempfile  # only for a long file: not on every validation's start-up

        self._directory = tempfile.gettempdir()
        try:  # open until duplicated() has read it back (closed, and so deleted, there)
            self._file: IO[bytes] = tempfile.TemporaryFile(prefix="dids-keys-")  # noqa: SIM115
        except OSError as error:
            raise ScratchFileError(self._directory, error) from None
        #: By partition: where each batch's part starts, and its number of keys.
        self._starts = [array("q") for _ in range(_SPILLED_PARTS)]
        self._counts = [array("I") for _ in range(_SPILLED_PARTS)]

    def write(self, hashes: array[int], rows: array[int], rejected: bytearray) -> None:
        """Add a batch of keys (a row number and a rejected flag each)."""
        lanes = _lanes(hashes, _SPILLED_PARTS)
        parted = [(array("Q"), array("I"), bytearray()) for _ in range(_SPILLED_PARTS)]
        for at, values in enumerate((hashes, rows, rejected)):
            destinations = map(operator.itemgetter(at), map(parted.__getitem__, lanes))
            deque(map(type(values).append, destinations, values), maxlen=0)
        file = self._file
        try:
            file.seek(0, 2)
            for part, (part_hashes, part_rows, part_rejected) in enumerate(parted):
                if part_hashes:
                    self._starts[part].append(file.tell())
                    self._counts[part].append(len(part_hashes))
                    file.write(part_hashes.tobytes() + part_rows.tobytes() + part_rejected)
        except OSError as error:  # the disk is full, say: the keys are lost, the file deleted
            file.close()
            raise ScratchFileError(self._directory, error) from None

    def _partition(self, part: int) -> tuple[array[int], array[int], bytearray]:
        """A partition's hashes, row numbers and rejected flags, read back."""
        hashes, rows, rejected = array("Q"), array("I"), bytearray()
        for start, count in zip(self._starts[part], self._counts[part], strict=True):
            self._file.seek(start)
            data = self._file.read(13 * count)
            hashes.frombytes(data[:8 * count])
            rows.frombytes(data[8 * count:12 * count])
            rejected += data[12 * count:]
        return hashes, rows, rejected

    def duplicated(self) -> Iterator[tuple[int, bool]]:
        """:meth:`DuplicateKeys.duplicated` of the keys written (the file is closed after)."""
        import heapq

        try:
            runs: list[tuple[int, int]] = []
            for part in range(_SPILLED_PARTS):
                _, rows, rejected = found = self._partition(part)
                members = _members(found[0])
                if members:
                    run = array("Q", sorted(rows[m] << 1 | rejected[m] for m in members))
                    self._file.seek(0, 2)
                    runs.append((self._file.tell(), len(run)))
                    self._file.write(run.tobytes())
            for member in heapq.merge(*(self._run(start, count) for start, count in runs)):
                yield member >> 1, bool(member & 1)
        except OSError as error:
            raise ScratchFileError(self._directory, error) from None
        finally:
            self._file.close()

    def _run(self, start: int, count: int) -> Iterator[int]:
        """A sorted run's members (row number and rejected flag), read a chunk at a time."""
        for offset in range(0, count, _RUN_CHUNK):
            self._file.seek(start + 8 * offset)
            chunk = array("Q")
            chunk.frombytes(self._file.read(8 * min(_RUN_CHUNK, count - offset)))
            yield from chunk
