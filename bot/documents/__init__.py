"""Documents: letters and complaint materials filled from templates in knowledge/templates/ (text, DOCX, PDF).

`load_templates(knowledge/templates, kb)` validates the templates against the slot catalogue and the knowledge base;
`fill(template, slots, kb, texts, today)` returns a Draft; `to_docx`, `to_pdf`, `file_out` turn it into files.
`slots_from_evidence(items, stats, texts)` drafts 事实经过 and the evidence list from a person's evidence log.
The renderers import python-docx and fpdf2 only when called.
"""

from __future__ import annotations

from bot.documents.facts import slots_from_evidence
from bot.documents.fill import Block, Draft, citation_texts, fill
from bot.documents.render import file_out, to_docx, to_pdf, to_txt
from bot.documents.slots import Slot, mask_id, normalise_phone, parse_date, slots_from_json, validate_slot
from bot.documents.templates import Template, load_catalogue, load_templates

__all__ = [
    "Block",
    "Draft",
    "Slot",
    "Template",
    "citation_texts",
    "file_out",
    "fill",
    "load_catalogue",
    "load_templates",
    "mask_id",
    "normalise_phone",
    "parse_date",
    "slots_from_evidence",
    "slots_from_json",
    "to_docx",
    "to_pdf",
    "to_txt",
    "validate_slot",
]
