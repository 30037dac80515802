"""User-facing words of the UI, in Dutch (default) and English.

Every sentence a person reads lives in ``i18n/nl*.json`` and ``i18n/en*.json``; domain code labels come
from :mod:`field_app.domain.vocab` (``member.label``) and are never copied here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from field_app.domain.vocab import Vocab

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
_DIR = Path(__file__).with_name("i18n")


@cache
def _catalog(lang: str) -> dict[str, str]:
    """``<lang>.json`` plus every ``<lang>_<area>.json`` (one file per screen area); a key may exist once."""
    merged: dict[str, str] = {}
    for path in [_DIR / f"{lang}.json", *sorted(_DIR.glob(f"{lang}_*.json"))]:
        with open(path, encoding="utf-8") as f:
            part = json.load(f)
        clash = merged.keys() & part.keys()
        if clash:
            raise ValueError(f"i18n keys defined twice ({path.name}): {sorted(clash)[:5]}")
        merged.update(part)
    return merged


class I18n:
    """Looks up words for one language; falls back to Dutch, then to the key itself (visible in tests)."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE):
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def t(self, key: str, **values: object) -> str:
        text = _catalog(self.lang).get(key) or _catalog(DEFAULT_LANGUAGE).get(key) or key
        return text.format(**values) if values else text

    def n(self, key: str, count: int, **values: object) -> str:
        """A counted phrase: ``<key>.one`` for 1, ``<key>.other`` otherwise; ``{n}`` is the count."""
        form = "one" if count == 1 else "other"
        return self.t(f"{key}.{form}", n=count, **values)

    def label(self, member: Vocab | None) -> str:
        """The shown label of a vocabulary code (ContactType, Ernst, ...)."""
        return "" if member is None else member.label.get(self.lang)

    def code_label(self, enum: type[Vocab], code: str | None) -> str:
        """Label for a stored code; an unknown code (from a newer app version) is shown as is."""
        if not code:
            return ""
        try:
            return self.label(enum.parse(code))
        except ValueError:
            return code
