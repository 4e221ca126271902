"""Office stage (lowest, beside knowledge/ and storage/): rendering shared by documents/ and evidence/.

files.py       FileOut: a rendered file as a reply carries it
fonts.py       find a font that draws Simplified Chinese (configured, system, or the packaged Noto CJK)
docx_style.py  python-docx helpers: East-Asian fonts and zh-CN language, page-number footers
pdf_text.py    CjkPdf: an A4 fpdf2 writer with an embedded CJK font and Chinese line breaking

The modules that load python-docx or fpdf2 are imported only by the renderers that need them.
"""
