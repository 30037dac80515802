"""The access log's batched write path (sync_server/store/access_buffer.py), on both stores: rows of answered
requests reach the table by the flusher thread on its own, in the order logged; while they cannot be
written the rows stay queued, and once writing has failed for ``stuck_s`` the server serves no access
(500) until it can write them again — then every queued row is in the table."""

from __future__ import annotations

import time

from .support import Server


def _pull_rows(server: Server, device: str) -> int:
    return server.rows("SELECT COUNT(*) FROM access_log WHERE device = ? AND action = 'changes.pull'",
                       [device])[0][0]


async def test_the_flusher_writes_queued_rows_in_order_without_being_asked(server: Server) -> None:
    admin = await server.admin()
    for after in range(5):
        response = await server.client.get(f"/v1/teams/{admin.team}/changes?after={after}", headers=admin.auth)
        assert response.status_code == 200
    buffer = server.store._access
    deadline = time.monotonic() + 30  # a bound, not a timing assert: the flusher runs every ~50 ms
    while buffer.pending() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert buffer.pending() == 0  # written by the flusher thread, not by a read of the log
    rows = server.rows("SELECT action, result FROM access_log WHERE device = ? ORDER BY id", [admin.id])
    assert rows[-5:] == [("changes.pull", "ok")] * 5


async def test_an_access_log_that_cannot_be_written_stops_service_and_loses_nothing(server: Server) -> None:
    admin = await server.admin()
    url = f"/v1/teams/{admin.team}/changes"
    buffer = server.store._access
    server.store.flush_access_log()
    before = _pull_rows(server, admin.id)
    working = buffer._write

    def full_disk(rows: list) -> None:
        raise OSError(28, "No space left on device")

    buffer._write, buffer.stuck_s = full_disk, 0.0
    try:
        assert (await server.client.get(url, headers=admin.auth)).status_code == 200  # its row is queued
        try:
            buffer.flush()
            raise AssertionError("the write should have failed")
        except OSError:
            pass
        assert buffer.pending() >= 1 and not server.store.access_log_healthy()
        refused = await server.client.get(url, headers=admin.auth)
        assert refused.status_code == 500 and refused.json()["error"] == "internal_error"
    finally:
        buffer._write = working
    server.store.flush_access_log()
    assert server.store.access_log_healthy()
    assert (await server.client.get(url, headers=admin.auth)).status_code == 200
    assert _pull_rows(server, admin.id) == before + 2  # the queued row and the one after; the refusal served nothing
