"""Sphinx configuration: the reference pages are generated from the catalogues at every build."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))

from dids import __version__  # noqa: E402
from dids._docgen import write_reference  # noqa: E402
from dids._oracle import rule_examples  # noqa: E402

project = "dids"
author = "The dids developers"
copyright = "2026, The dids developers"
release = version = __version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.viewcode"]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = f"dids {release}"
exclude_patterns = ["_build"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
nitpicky = False
suppress_warnings = ["myst.header"]

write_reference(ROOT / "reference" / "generated", rule_examples())
