"""QR codes for invitations and fingerprints, drawn with segno (pure Python, PNG without Pillow).

segno is imported only when a QR code is made, so the rest of ``field_app.crypto`` works without it (the
phone-build compatibility environment does not install it).
"""

from __future__ import annotations

import io

__all__ = ["QrUnavailable", "qr_available", "qr_png"]


class QrUnavailable(RuntimeError):
    """segno is not installed."""


def qr_available() -> bool:
    """True if QR codes can be made here."""
    try:
        import segno  # noqa: F401
    except ImportError:
        return False
    return True


def qr_png(text: str, *, scale: int = 8, border: int = 4) -> bytes:
    """A PNG of ``text`` as a QR code (error correction M, byte mode, dark on light)."""
    try:
        import segno
    except ImportError as exc:
        raise QrUnavailable("segno is not installed") from exc
    code = segno.make_qr(text, error="m", boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=border)
    return out.getvalue()
