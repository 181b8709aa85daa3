"""openpyxl without lxml, whatever else is installed.

openpyxl switches to lxml when it can import it at its own first import, and python-docx
(the Word report) brings lxml along. Through lxml, openpyxl writes other bytes (the demo's
and the reports' bytes are tested to stay the same) and its reader counts the styled empty
cells of a sheet's far corner as data (a workbook we read is then refused as oversized).
Each package that uses openpyxl imports this module first (its ``__init__``), so the
choice is made before openpyxl reads it; a value set outside wins."""

from __future__ import annotations

import os

os.environ.setdefault("OPENPYXL_LXML", "False")
