"""The reference pages are generated from the catalogues: every item, code list and rule has one."""

from __future__ import annotations

from pathlib import Path

from dids._docgen import item_slug, write_reference
from dids._oracle import rule_examples
from dids.catalogue import LAYOUTS
from dids.codes import CODE_LISTS
from dids.rules import RULES


def test_every_item_code_list_and_rule_has_its_page(tmp_path: Path) -> None:
    written = set(write_reference(tmp_path, rule_examples()))
    for layout in LAYOUTS.values():
        for item in layout.items:
            page = tmp_path / "items" / f"{item_slug(item)}.md"
            assert page in written
            assert item.name in page.read_text("utf-8")
    for name, code_list in CODE_LISTS.items():
        text = (tmp_path / "codes" / f"{name}.md").read_text("utf-8")
        assert all(f"`{row.code}`" in text for row in code_list.info())
    for code, rule in RULES.items():
        text = (tmp_path / "rules" / f"{code}.md").read_text("utf-8")
        assert rule.message in text
        assert rule.disposition.value in text
        assert "## Example" in text
    index = (tmp_path / "rules.md").read_text("utf-8")
    assert all(f"rules/{code}" in index for code in RULES)
    assert "dids validate" in (tmp_path / "cli.md").read_text("utf-8")
    assert "DECISION" in (tmp_path / "evidence.md").read_text("utf-8")
