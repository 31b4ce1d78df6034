"""Free text on its way into a script, an SMS or a memo: one line, no control characters."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Control characters (newlines, tabs, escapes; Unicode ``Cc``) become spaces, runs of
    spaces become one, and the ends are trimmed: an agent's note or a place name can
    neither break a line the agent reads in turn nor hide a character in an SMS."""
    if text.isprintable() and "  " not in text and text == text.strip():
        return text  # the usual case, without a pass per character
    visible = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return _SPACES.sub(" ", visible).strip()
