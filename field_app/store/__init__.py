"""Local device storage: sealed rows only (see db.py), plus the decrypted in-memory projection."""

from .db import LocalStore, StoreError
from .projection import Projection

__all__ = ["LocalStore", "StoreError", "Projection"]
