"""Fuzz every submission reader and the validator with atheris (coverage-guided).

Usage (atheris is not a dependency: ``pip install atheris``)::

    python fuzz/fuzz_readers.py -atheris_runs=200000 fuzz/corpus

Each input is split into a format byte and the file's bytes; the reader of that format reads
and validates it. Any exception other than the library's documented ones is a finding.
Without atheris, ``python fuzz/fuzz_readers.py --random N`` runs N seeded random mutations of
the bundled examples instead.
"""

from __future__ import annotations

import importlib
import io
import random
import sys
from datetime import date
from types import ModuleType

SUBMITTED = date(2026, 5, 3)
_IO: ModuleType | None = None


def _dids_io() -> ModuleType:
    global _IO
    if _IO is None:
        _IO = importlib.import_module("dids.io")
    return _IO


def check(data: bytes) -> None:
    """Read and validate ``data``: must never raise."""
    if not data:
        return
    dids_io = _dids_io()
    formats = dids_io.FORMATS
    fmt = formats[data[0] % len(formats)]
    version = ("auto", "1", "2")[data[0] // len(formats) % 3]
    reader = dids_io.open_reader(io.BytesIO(data[1:]), format=fmt, version=version)
    importlib.import_module("dids.validate").validate_reader(reader, submitted=SUBMITTED)


def _seeds() -> list[bytes]:
    examples = importlib.import_module("dids.examples")
    return [examples.path(name).read_bytes() for name in examples.names()]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        at = rng.randrange(len(buffer) + 1)
        if choice < 0.4 and buffer:
            buffer[min(at, len(buffer) - 1)] = rng.randrange(256)
        elif choice < 0.6:
            buffer[at:at] = rng.choice([b'"', b",", b"\n", b"\r", b"\x00", b"<", b"{", b"\xff"])
        elif choice < 0.8:
            del buffer[at:at + rng.randint(1, 40)]
        else:
            buffer[at:at] = buffer[rng.randrange(len(buffer) + 1):][: rng.randint(1, 200)]
    return bytes(buffer)


def random_run(count: int, seed: int = 0) -> int:
    """Run ``count`` random mutations of the bundled examples; return how many ran."""
    rng = random.Random(seed)
    seeds = _seeds()
    for _ in range(count):
        check(bytes([rng.randrange(256)]) + _mutate(rng, rng.choice(seeds)))
    return count


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--random":
        print(f"ran {random_run(int(sys.argv[2]))} inputs without an exception")
        return
    import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]

    with atheris.instrument_imports(include=["dids"]):
        _dids_io()
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
