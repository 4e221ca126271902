"""Evidence stage, export: the evidence list (证据清单) as CSV, DOCX and PDF, with a summary, a chart and how to verify it.

export_content.py says what every export shows; export_csv.py, export_docx.py and export_pdf.py lay it out.
"""

from __future__ import annotations

from bot.evidence.export_content import ExportMeta, clean, evidence_name, purpose
from bot.evidence.export_csv import export_csv
from bot.evidence.export_docx import export_docx
from bot.evidence.export_pdf import export_pdf

__all__ = ["ExportMeta", "clean", "evidence_name", "export_csv", "export_docx", "export_pdf", "purpose"]
