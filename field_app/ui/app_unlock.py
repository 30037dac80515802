"""Unlocking one session's device, and the phone's keystore secret (phone mode: PIN + a secret in the
phone's secure storage). The app's methods of the same names call these."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from field_app.app_api import (
    ENROL_MESSAGES,
    EnrolError,
    KeysDestroyed,
    PlatformSecretMissing,
    TooManyAttempts,
    ValidationError,
    WrongPassphrase,
)
from field_app.ui import fmt
from field_app.ui.keystore import KeystoreError, is_phone
from field_app.ui.views.caseload import CaseloadView
from field_app.ui.views.client import ClientView
from field_app.ui.views.contact_form import ContactFormView
from field_app.ui.views.escalate import ask_pending

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

log = logging.getLogger("veldwerk.ui")

RESUME_SLOT = "resume"  # which client's contact form was open when the app locked


async def platform_secret(app: VeldwerkApp) -> bytes:
    """The keystore secret of a phone-mode vault; PlatformSecretMissing if it is gone."""
    secret = await app.keystore.read()
    if not secret:
        raise PlatformSecretMissing(app.services.unsynced_count())
    return secret

async def enrol(app: VeldwerkApp, **fields: Any) -> None:
    """Register this device (``Services.register`` fields); in phone mode a fresh keystore secret is
    stored first and removed again if the registration fails. This session holds the unlocked device
    afterwards."""
    if app.services.enrolled:  # another tab enrolled meanwhile: never replace its keystore secret
        raise EnrolError(ENROL_MESSAGES["conflict"])
    if app._forgetting is not None:  # an old secret's removal still under way must not hit the new one
        await asyncio.shield(app._forgetting)
    secret = b""
    if is_phone(app.page):
        secret = await app.keystore.create()
    app.guard.acquire(app)
    try:
        await asyncio.to_thread(app.services.register, platform_secret=secret, **fields)
    except BaseException:
        app.guard.release(app)
        if secret and not app.services.enrolled:
            try:
                await app.keystore.delete()
            except KeystoreError:
                log.warning("could not remove the unused keystore secret")
        raise
    app.guard.touch(app)

async def change_secret(app: VeldwerkApp, old: str, new: str) -> None:
    """Change the passphrase (or, in phone mode, the PIN; the keystore secret stays)."""
    secret = await app.platform_secret() if app.services.unlock_mode() == "pin" else b""
    await asyncio.to_thread(app.services.change_passphrase, old, new, secret)

async def forget_platform_secret(app: VeldwerkApp) -> None:
    """After the keys were destroyed or the device erased: drop the keystore secret too (best effort;
    without the wrapped key it opens nothing anyway). A new enrolment waits for this to finish."""
    if app._keystore is None and not is_phone(app.page):
        return
    if app._forgetting is None or app._forgetting.done():
        app._forgetting = asyncio.ensure_future(app._delete_platform_secret())
    await asyncio.shield(app._forgetting)

async def _delete_platform_secret(app: VeldwerkApp) -> None:
    try:
        await app.keystore.delete()
    except KeystoreError:
        log.warning("could not remove the keystore secret")


async def unlock(app: VeldwerkApp, passphrase: str) -> str | None:
    """Unlock the device for this session. Returns a sentence for the user on failure."""
    app.guard.acquire(app)  # the previous session (if any) locks its screen and keeps its draft
    try:
        if app.services.unlocked:
            app.services.lock()  # the passphrase must be proven again by this session
        secret = await app.platform_secret() if app.services.unlock_mode() == "pin" else b""
        await asyncio.to_thread(app.services.unlock, passphrase, secret)
    except (WrongPassphrase, TooManyAttempts) as exc:  # the services count attempts and make us wait
        app.guard.release(app)
        return app.unlock_problem(wrong=isinstance(exc, WrongPassphrase))
    except (PlatformSecretMissing, KeystoreError) as exc:  # not a wrong PIN: nothing is counted
        app.guard.release(app)
        if isinstance(exc, PlatformSecretMissing) and exc.unsynced:  # signed envelopes still travel
            app.page.run_task(app._deliver_quietly)
        return str(exc) if app.i18n.lang == "nl" else app.i18n.t(
            "unlock.keystore_missing" if isinstance(exc, PlatformSecretMissing) else "unlock.keystore_error")
    except KeysDestroyed:
        app.guard.release(app)
        app.show_unlock(None)  # the screen now says what happened and what to do
        return None
    except Exception as exc:
        app.guard.release(app)
        log.exception("unlock failed")
        return app.i18n.t("unlock.failed", detail=str(exc))
    if not app.guard.is_owner(app):  # another tab unlocked meanwhile
        return app.i18n.t("unlock.reason.elsewhere")
    app.guard.touch(app)
    app._after_unlock()
    return None

async def _deliver_quietly(app: VeldwerkApp) -> None:
    try:
        await asyncio.to_thread(app.services.deliver_outbox)
    except Exception as exc:  # best effort; the next try or `field-app deliver` does it later
        log.warning("delivery without keys failed: %s", type(exc).__name__)


def unlock_problem(app: VeldwerkApp, *, wrong: bool) -> str:
    """Why unlocking did not work and what happens next, from the device's own attempt counter."""
    i18n = app.i18n
    parts = [i18n.t("unlock.wrong_pin" if app.phone_mode() else "unlock.wrong")] if wrong else []
    info = app.services.unlock_info()
    if info.get("wait_until"):
        minutes = max(1, -(-(info["wait_until"] - fmt.now_ms()) // 60_000))
        parts.append(i18n.n("unlock.wait_minutes", minutes))
    left = info.get("attempts_left", 0)
    if wrong and info.get("failed_attempts") and 0 < left <= 6:  # warn once it gets close
        parts.append(i18n.n("unlock.attempts_left", left))
    return " ".join(parts) or i18n.t("unlock.wrong")


def after_unlock(app: VeldwerkApp) -> None:
    app.stack = []
    app.tab = 0
    resume = app.services.load_draft(RESUME_SLOT)
    if resume:
        app.services.clear_draft(RESUME_SLOT)
        client_id = resume.get("client_id")
        try:
            app.services.client(client_id)
            app.log_file_opened(client_id)
        except (KeyError, TypeError, ValidationError):  # gone, or it needs a reason: start at the list
            client_id = None
        if client_id:
            app.stack = [CaseloadView(app), ClientView(app, client_id)]
            app.show(ContactFormView(app, client_id, restored_after_unlock=True))
            ask_pending(app)
            return
    app.show(CaseloadView(app))
    ask_pending(app)  # "Escaleren?" not answered before the app stopped: asked again


def keep_draft(app: VeldwerkApp, *, resume: bool) -> bool:
    """Save a half-typed contact form as a sealed draft. True if there was one to keep."""
    form = app.screen if isinstance(app.screen, ContactFormView) else None
    if form is None or not form.dirty or not app.services.unlocked:
        return False
    try:
        form.save_draft()
        if resume:
            app.services.save_draft(RESUME_SLOT, {"client_id": form.client_id})
    except Exception:
        log.exception("keeping the draft failed")
        return False
    return True
