"""Our fast folding of iCalendar content lines gives the bytes icalendar's own folding gives."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline

from app.core.calendar import fold

# Greek, Polish and Croatian letters, emoji (4 octets), and the escapes that must not be split.
ALPHABET = st.sampled_from(list("abcxyz ,;:\\^\"=") + list("αβγΧρηματοδότησηąęłńśźżčćđšž€") + ["😀", "\\n"])


@given(st.lists(ALPHABET, max_size=400).map("".join))
@settings(max_examples=400, deadline=None)
def test_folding_matches_icalendar(text):
    line = "DESCRIPTION:" + text.replace("\n", "")
    assert fold(line) == Contentline(line).to_ical()


def test_every_folded_line_fits_and_unfolds_to_the_original():
    line = "DESCRIPTION:" + "Χρηματοδότηση ενεργειακής αναβάθμισης σχολείων\\, " * 12
    folded = fold(line)
    assert all(len(part) <= 75 for part in folded.split(b"\r\n"))
    assert folded.replace(b"\r\n ", b"").decode() == line
    assert fold("SUMMARY:short") == b"SUMMARY:short"
