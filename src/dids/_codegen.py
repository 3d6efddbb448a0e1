"""Regenerate the modules derived from the bundled standard.

Run ``python -m dids._codegen`` after editing ``data/items-v*.csv`` or ``data/codes/*.csv``.
It rewrites ``codes/_lists.py`` (the code-list enumerations) and ``records.py`` (the record
classes). ``tests/test_catalogue.py`` fails while either is stale.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections import Counter
from pathlib import Path

from dids._data import read_table

PACKAGE = Path(__file__).parent
_HEADER = '"""{doc}\n\nGenerated from {source} by ``python -m dids._codegen``; do not edit.\n"""\n'


def _member_name(description: str) -> str:
    words = re.sub(r"\([^)]*\)?", " ", description)
    name = re.sub(r"[^0-9A-Za-z]+", "_", words).strip("_").upper()
    return f"CODE_{name}" if not name or name[0].isdigit() else name


def render_code_lists() -> str:
    """Source of ``codes/_lists.py``."""
    out = [
        _HEADER.format(
            doc="Code-list enumerations of the DIDS standard.",
            source="data/codes/index.csv and the files it names",
        ),
        "from __future__ import annotations\n",
        "from dids.codes._base import CodeEnum, CodeList, register\n",
    ]
    registry = []
    for entry in read_table("codes/index.csv"):
        rows = read_table(f"codes/{entry['file']}")
        names = [_member_name(row["description"]) for row in rows]
        repeated = {name for name, count in Counter(names).items() if count > 1}
        out.append(f"\nclass {entry['class_name']}(CodeEnum):")
        out.append(f'    """{entry["title"]} (``codes/{entry["file"]}``)."""\n')
        for name, row in zip(names, rows, strict=False):
            member = f"{name}_{row['code']}" if name in repeated else name
            out.append(f"    {member} = {row['code']!r}")
        out.append(f"\n\nregister({entry['class_name']}, {entry['file']!r})\n")
        registry.append(
            f"    {entry['name']!r}: CodeList(\n        {entry['name']!r},\n"
            f"        {entry['title']!r},\n        {entry['file']!r},\n"
            f"        {entry['class_name']},\n        closed={entry['closed'] == 'yes'},\n    ),"
        )
    out.append("#: Every code list, by Python name.\nCODE_LISTS: dict[str, CodeList] = {")
    out.extend(registry)
    out.append("}\n")
    return "\n".join(out)


def render_records() -> str:
    """Source of ``records.py``."""
    catalogue = importlib.import_module("dids.catalogue")
    from dids.catalogue import Kind

    imports: dict[str, set[str]] = {"datetime": set(), "codes": set()}
    classes = []
    for layout in catalogue.LAYOUTS.values():
        lines = [
            "\n\n@attrs.frozen",
            f"class RecordV{layout.version}(RecordBase):",
            f'    """A DIDS v{layout.version} record ({len(layout)} items, '
            f'``items-v{layout.version}.csv``)."""\n',
            f"    LAYOUT: ClassVar[Layout] = V{layout.version}\n",
        ]
        for item in layout.items:
            python_type = item.python_type
            if item.kind is Kind.CODE:
                imports["codes"].add(python_type.__name__)
            elif python_type is not str:
                imports["datetime"].add(python_type.__name__)
            default = "attrs.field(default=None, repr=masked)" if item.identifying else "None"
            lines.append(f"    {item.python_name}: {python_type.__name__} | None = {default}")
            lines.append(f'    """{item.name} ({item.format}, {item.status.value})."""')
        classes.append("\n".join(lines))
    head = [
        _HEADER.format(
            doc="Typed DIDS records: one frozen, slotted attrs class per layout.",
            source="data/items-v1.csv and data/items-v2.csv",
        ),
        "from __future__ import annotations\n",
        f"from datetime import {', '.join(sorted(imports['datetime']))}",
        "from typing import ClassVar\n",
        "import attrs\n",
        "from dids._record_base import RecordBase, RowError, masked",
        "from dids.catalogue import V1, V2, Layout",
        f"from dids.codes import {', '.join(sorted(imports['codes']))}\n",
        '__all__ = ["RecordV1", "RecordV2", "RowError"]',
    ]
    return "\n".join(head) + "".join(classes) + "\n"


def main() -> int:
    """Write the generated modules; print which changed."""
    for path, render in (
        (PACKAGE / "codes" / "_lists.py", render_code_lists),
        (PACKAGE / "records.py", render_records),
    ):
        text = render()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(PACKAGE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
