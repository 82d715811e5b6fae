"""PDF certificates of attendance (fpdf2), in a Unicode font so Greek and Polish names print right."""
from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF

from app.core.i18n import format_day, in_language
from app.core.reference import topic_name
from app.courses.models import Certificate

# DejaVu Sans ships with the package (app/courses/fonts, Bitstream Vera license): no system fonts needed.
FONT_DIRS = [Path(__file__).resolve().parent / "fonts"]


def _font_files() -> tuple[Path, Path] | None:
    for directory in FONT_DIRS:
        regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


def _latin(text: str) -> str:
    """Without a Unicode font, the core fonts take Latin-1 only."""
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    user, module = certificate.user, certificate.module
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(f"Certificate {certificate.code}")
    pdf.set_author("Mayors in Action")
    fonts = _font_files()
    if fonts:
        pdf.add_font("DejaVu", "", str(fonts[0]))
        pdf.add_font("DejaVu", "B", str(fonts[1]))
        family, clean = "DejaVu", (lambda s: s)
    else:
        family, clean = "Helvetica", _latin
    pdf.add_page()
    pdf.set_draw_color(11, 93, 59)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)
    language = user.language or "en"
    with in_language(language):
        texts = {
            "heading": _("Certificate of attendance"),
            "intro": _("This certifies that"),
            "completed": _("took part in the training module"),
            "date": _("Completed on %(date)s", date=format_day(certificate.completed_at, "long")),
            "verify": _("Verification code %(code)s – check it at %(url)s", code=certificate.code, url=verify_url),
            "topics": ", ".join(topic_name(t) for t in module.topics[:4]),
            "trainers": _("Trainers: %(names)s", names=", ".join(t.name for t in module.trainers)),
        }
    pdf.set_text_color(11, 93, 59)
    pdf.set_font(family, "B", 14)
    pdf.set_xy(20, 26)
    pdf.cell(257, 8, "MAYORS IN ACTION", align="C")
    pdf.set_font(family, "B", 30)
    pdf.set_xy(20, 42)
    pdf.cell(257, 14, clean(texts["heading"]), align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(family, "", 14)
    pdf.set_xy(20, 70)
    pdf.cell(257, 8, clean(texts["intro"]), align="C")
    pdf.set_font(family, "B", 24)
    pdf.set_xy(20, 82)
    pdf.cell(257, 12, clean(user.name), align="C")
    pdf.set_font(family, "", 12)
    if user.organisation:
        pdf.set_xy(20, 95)
        pdf.cell(257, 7, clean(user.organisation), align="C")
    pdf.set_font(family, "", 14)
    pdf.set_xy(20, 110)
    pdf.cell(257, 8, clean(texts["completed"]), align="C")
    pdf.set_font(family, "B", 18)
    pdf.set_xy(30, 121)
    pdf.multi_cell(237, 9, clean(module.title), align="C")
    pdf.set_font(family, "", 11)
    pdf.set_x(30)
    pdf.multi_cell(237, 6, clean(texts["topics"]), align="C")
    pdf.set_font(family, "", 12)
    pdf.set_xy(20, 160)
    pdf.cell(257, 7, clean(texts["date"]), align="C")
    pdf.set_xy(20, 168)
    pdf.cell(257, 7, clean(texts["trainers"]), align="C")
    pdf.set_font(family, "", 9)
    pdf.set_text_color(60, 60, 60)
    pdf.set_xy(20, 184)
    pdf.cell(257, 6, clean(texts["verify"]), align="C")
    return bytes(pdf.output())
