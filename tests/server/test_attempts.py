"""Failed attempts are counted per address and per device at an address, never per device alone, so a flood
cannot lock a device out of its own login; the address is the socket's peer unless the operator named
the reverse proxy whose X-Forwarded-For is believed (``--trusted-proxy``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
import pytest

from field_app.crypto.canonical import b64e
from sync_server.app import create_app
from sync_server.settings import Settings, trusted_proxies
from sync_server.store.base import Store

from . import serving
from .support import PUBLIC_URL, Clock, DeviceKeys, Server


def _bad_login(device: DeviceKeys, i: int = 0) -> dict[str, str]:
    """A login for ``device`` with a challenge and a signature nobody issued or made."""
    return {"team": device.team, "device": device.id, "challenge": b64e(i.to_bytes(32, "big")),
            "device_nonce": b64e(b"n" * 16), "signature": b64e(b"s" * 64)}


@asynccontextmanager
async def _peers(settings: Settings, store: Store, clock: Clock, db_path: str
                 ) -> AsyncIterator[Callable[[str], Server]]:
    """One app; ``at(address)`` is a client of it whose requests come from that socket address."""
    app = create_app(settings, store)
    clients: dict[str, Server] = {}

    def at(address: str) -> Server:
        if address not in clients:
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            clients[address] = Server(httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL), store, clock,
                                      db_path)
        return clients[address]

    try:
        yield at
    finally:
        for client in clients.values():
            await client.client.aclose()


async def test_a_login_flood_locks_the_attackers_address_not_the_device(settings, store, clock, db_path) -> None:
    """Someone who knows a team id and a device id floods that device's login with bad signatures from
    their own address: they are refused with 429 from the 30th failure on (and stay refused), while the
    device itself, from its own address, still gets a challenge and logs in at once, in the same minute,
    and the bad signatures from the attacker never turn into a token."""
    async with _peers(settings, store, clock, db_path) as at:
        office = at("198.51.100.7")
        admin = await office.admin()
        worker = await office.member(admin)
        attacker = at("203.0.113.66")
        statuses = [(await attacker.client.post("/v1/auth/login", json=_bad_login(worker, i))).status_code
                    for i in range(60)]
        assert statuses[:settings.max_failures_per_device] == [401] * settings.max_failures_per_device
        assert set(statuses[settings.max_failures_per_device:]) == {429}
        answer = await attacker.client.post("/v1/auth/challenge", json={"team": worker.team, "device": worker.id})
        assert answer.status_code == 429  # the attacker's address is held for this device
        await office.login(worker)  # the real device: a challenge and its signature, no wait
        assert (await office.client.get(f"/v1/teams/{worker.team}/heads", headers=worker.auth)).status_code == 200
        # the same device from yet another address (a phone moving from wifi to mobile data) is free too
        await at("192.0.2.10").login(worker)
        # the attacker's address is still refused; the device's other failures there were never a token
        assert (await attacker.client.post("/v1/auth/login", json=_bad_login(worker))).status_code == 429
        tokens = office.rows("SELECT COUNT(*) FROM tokens WHERE device = ?", [worker.id])[0][0]
        assert tokens == 3  # enrolment's login, and the two logins above


async def test_the_address_limit_still_stops_a_flood_over_many_devices(settings, store, clock, db_path) -> None:
    """Brute force stays bounded per address: guessing device ids (or spreading bad logins over the team's
    devices) from one address is refused after the address's limit, for every device, in that minute."""
    settings = replace(settings, max_failures_per_source=40)
    async with _peers(settings, store, clock, db_path) as at:
        office = at("198.51.100.7")
        admin = await office.admin()
        workers = [await office.member(admin) for _ in range(3)]
        attacker = at("203.0.113.66")
        statuses = []
        for i in range(60):
            body = _bad_login(workers[i % 3], i) if i % 2 else {**_bad_login(admin, i), "device": b64e(bytes(16))}
            statuses.append((await attacker.client.post("/v1/auth/login", json=body)).status_code)
        assert statuses[:40] == [401] * 40 and set(statuses[40:]) == {429}
        await office.login(workers[0])


def _with_proxies(settings: Settings, text: str) -> Settings:
    return replace(settings, trusted_proxies=trusted_proxies(text))


async def _flood(client: Server, forwarded_for: str | None, count: int) -> list[int]:
    """``count`` logins of unknown devices, each one a failure on the sending address."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    statuses = []
    for i in range(count):
        body = {"team": b64e(bytes(16)), "device": b64e(i.to_bytes(16, "big")), "challenge": b64e(bytes(32)),
                "device_nonce": b64e(b"n" * 16), "signature": b64e(b"s" * 64)}
        statuses.append((await client.client.post("/v1/auth/login", json=body, headers=headers)).status_code)
    return statuses


@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
async def test_x_forwarded_for_is_ignored_unless_a_trusted_proxy_is_configured(settings, store, clock,
                                                                              db_path) -> None:
    """By default the socket's peer is the client, loopback or not: an X-Forwarded-For header that changes
    on every request does not move the count to fresh addresses (so a flood stays stopped), and a loopback
    peer gets no exemption. Only a proxy the operator named has the header believed."""
    settings = replace(settings, max_failures_per_source=10)
    async with _peers(settings, store, clock, db_path) as at:
        for peer in ("127.0.0.1", "::1", "203.0.113.66"):
            statuses = [(await _flood(at(peer), f"192.0.2.{i}", 1))[0] for i in range(15)]
            assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}, peer
    # a proxy was named, but this request is not from it: its header is not believed either
    async with _peers(_with_proxies(settings, "10.0.0.2"), store, clock, db_path) as at:
        statuses = [(await _flood(at("10.0.0.3"), f"192.0.2.{i}", 1))[0] for i in range(15)]
        assert set(statuses[10:]) == {429}


@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
async def test_x_forwarded_for_from_the_trusted_proxy_names_the_client(settings, store, clock, db_path) -> None:
    """Behind the named proxy each client is counted on its own address: one client's flood is refused
    while another client behind the same proxy is not; a client cannot hide behind an address it writes
    itself in front of the one the proxy appended."""
    settings = _with_proxies(replace(settings, max_failures_per_source=10), "10.0.0.2, 10.1.0.0/16")
    async with _peers(settings, store, clock, db_path) as at:
        proxy = at("10.0.0.2")
        assert set((await _flood(proxy, "203.0.113.66", 15))[10:]) == {429}
        assert await _flood(proxy, "198.51.100.7", 5) == [401] * 5  # another client: its own count
        # the attacker forges a first hop; the proxy appends the address it really saw
        assert set(await _flood(proxy, "192.0.2.99, 203.0.113.66", 3)) == {429}
        # a chain of trusted proxies (a network): the nearest untrusted address is the client
        assert set(await _flood(at("10.1.4.4"), "203.0.113.66, 10.0.0.2", 3)) == {429}


def test_trusted_proxies_accepts_addresses_and_networks_only() -> None:
    assert trusted_proxies(" 10.0.0.2, ::1,10.1.0.0/16 ,") == ("10.0.0.2", "::1", "10.1.0.0/16")
    for bad in ("*", "proxy.example.org", "10.0.0.300"):
        with pytest.raises(ValueError):
            trusted_proxies(bad)


@pytest.mark.slow
@pytest.mark.parametrize("store_kind", ["sqlite"], indirect=True)
def test_serve_believes_x_forwarded_for_only_with_trusted_proxy(db_path, monkeypatch) -> None:
    """The real ``sync-server serve`` on loopback: without ``--trusted-proxy`` a loopback client's
    X-Forwarded-For is ignored (uvicorn's default would believe it); with ``--trusted-proxy 127.0.0.1``
    (or ``VELDWERK_TRUSTED_PROXIES``) it names the client."""
    monkeypatch.delenv("VELDWERK_TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # uvicorn's own knob changes nothing

    def flood(base: str, forwarded: str) -> list[int]:
        out = []
        with httpx.Client(base_url=base) as client:
            for i in range(125):
                body = {"team": b64e(bytes(16)), "device": b64e(i.to_bytes(16, "big")),
                        "challenge": b64e(bytes(32)), "device_nonce": b64e(b"n" * 16),
                        "signature": b64e(b"s" * 64)}
                out.append(client.post("/v1/auth/login", json=body,
                                       headers={"X-Forwarded-For": f"{forwarded}.{i % 250}"}).status_code)
        return out

    proc, base = serving.start(db_path)
    try:
        assert set(flood(base, "192.0.2")[120:]) == {429}  # every request counted on 127.0.0.1
    finally:
        serving.stop(proc)
    proc, base = serving.start(db_path, "--trusted-proxy", "127.0.0.1")
    try:
        assert set(flood(base, "198.51.100")) == {401}  # 125 clients, each failing once or twice
    finally:
        serving.stop(proc)
    monkeypatch.setenv("VELDWERK_TRUSTED_PROXIES", "127.0.0.1,::1")
    proc, base = serving.start(db_path)
    try:
        assert set(flood(base, "203.0.113")) == {401}
    finally:
        serving.stop(proc)
