"""``sync-server export`` / ``import``: a team moves from a SQLite server to PostgreSQL with every seq,
chain, head, grant, ledger entry and access-log row as it was; a device of the team logs in on the new server,
pulls everything with the same seqs and pushes on. Import into a database that holds data is refused."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from field_app.crypto.canonical import b64d, b64e
from sync_server.app import create_app
from sync_server.settings import Settings, now_ms
from sync_server.store import open_store
from sync_server.store.transfer import NOT_MOVED, TABLES

from .pgcluster import Cluster
from .serving import start, stop
from .support import PUBLIC_URL, Clock, DeviceKeys, Server
from .test_cli import run
from .test_grants import grant

ROUNDS, PER_PUSH = 3, 4


@pytest.fixture
async def source(tmp_path: Path) -> AsyncIterator[Server]:
    """A populated SQLite server, driven in-process as the other server tests do."""
    path = str(tmp_path / "source.db")
    store, clock = open_store(path), Clock()
    app = create_app(Settings(public_url=PUBLIC_URL + "/", clock=clock), store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as client:
        yield Server(client, store, clock, path)


async def _populate(server: Server) -> tuple[DeviceKeys, list[DeviceKeys]]:
    """A team with a coordinator, two confirmed workers and a pending one: grants, pushes from three devices
    with signed heads, an access log; invitations outstanding."""
    admin = await server.admin()
    workers = [await server.member(admin) for _ in range(2)]
    await server.member(admin, confirm=False)
    server.invite(admin.team)
    head = (await server.client.get(f"/v1/teams/{admin.team}/ledger", headers=admin.auth)).json()["head"]
    response = await server.client.post(f"/v1/teams/{admin.team}/grants", headers=admin.auth,
                                        json={"grants": [grant(admin, w) for w in [admin, *workers]]})
    assert response.status_code == 200, response.text
    for device in [admin, *workers]:
        device.ledger_head = head["hash"]
    for _ in range(ROUNDS):
        for device in [admin, *workers]:
            made = [device.envelope() for _ in range(PER_PUSH)]
            assert (await server.push(device, [e for _, e in made])).status_code == 200
    return admin, workers


async def _pull(client: httpx.AsyncClient, device: DeviceKeys) -> list[tuple[int, str]]:
    seen, after = [], 0
    while True:
        page = (await client.get(f"/v1/teams/{device.team}/changes?after={after}&limit=7",
                                 headers=device.auth)).json()
        seen += [(c["seq"], c["envelope"]) for c in page["changes"]]
        after = page["next"]
        if not page["more"]:
            return seen


def _team_rows(server: Server, team: str) -> dict[str, list[tuple]]:
    rows = {}
    for table, columns, _ in TABLES:
        key = "id" if table == "teams" else "team"
        order = ", ".join(columns)
        rows[table] = server.rows(f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = ? ORDER BY {order}",
                                  [team])
    return rows


async def test_a_team_moves_from_sqlite_to_postgresql_with_its_seqs(source: Server, pg_cluster: Cluster,
                                                                    tmp_path: Path) -> None:
    admin, workers = await _populate(source)
    other, _ = await _populate(source)  # another team, which stays behind
    before = await _pull(source.client, workers[0])
    assert [seq for seq, _ in before] == list(range(1, 3 * ROUNDS * PER_PUSH + 1))
    export = tmp_path / "team.jsonl"
    source.store.flush_access_log()  # the running server's queued access-log rows (it writes them within 50 ms)
    # ``--team=``: a team id may start with "-" (base64url), which argparse would take for an option
    exported = run("export", "--db", source.db_path, f"--team={admin.team}", str(export))
    assert exported.returncode == 0, exported.stderr
    assert f"{len(before)} changes" in exported.stdout and export.stat().st_mode & 0o777 == 0o600
    assert all(b64d(line["r"][4]) for line in map(json.loads, export.read_text().splitlines()[1:])
               if line["t"] == "changes")  # envelopes carried as they are, base64url

    url = pg_cluster.new_database()
    imported = run("import", "--db", url, str(export))
    assert imported.returncode == 0, imported.stderr
    target = Server(None, open_store(url, migrate=False), Clock(now_ms()), url)  # type: ignore[arg-type]
    try:
        assert _team_rows(target, admin.team) == _team_rows(source, admin.team)  # row for row
        assert target.count("teams") == 1 and not _team_rows(target, other.team)["changes"]

        proc, base = start(url)
        try:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                target.client = client
                worker = workers[0]
                paths = ("ledger", "heads", "grants", f"devices/{worker.id}/chain")
                kept = [(await source.client.get(f"/v1/teams/{admin.team}/{p}", headers=worker.auth)).json()
                        for p in paths]
                await target.login(worker)  # tokens did not move: the device logs in again
                assert await _pull(client, worker) == before  # the same seqs, the same bytes
                for path, then in zip(paths, kept, strict=True):
                    moved = await client.get(f"/v1/teams/{admin.team}/{path}", headers=worker.auth)
                    assert moved.status_code == 200 and moved.json() == then, path
                _, envelope = worker.envelope()  # the device's chain continues on the new server
                pushed = await target.push(worker, [envelope])
                assert pushed.status_code == 200, pushed.text
                assert pushed.json()["results"][0]["seq"] == len(before) + 1
        finally:
            stop(proc)
        again = run("import", "--db", url, str(export))
        assert again.returncode == 2 and again.stdout == ""
        assert again.stderr.strip().splitlines() == [
            "sync-server: de doeldatabase is niet leeg / the target database is not empty"]
    finally:
        target.store.close()


async def test_the_whole_server_moves_and_back(source: Server, pg_cluster: Cluster, tmp_path: Path) -> None:
    """Every team, PostgreSQL to SQLite as well: every moved table holds the same rows."""
    teams = [(await _populate(source))[0].team for _ in range(2)]
    url = pg_cluster.new_database()
    source.store.flush_access_log()  # the running server's queued access-log rows (it writes them within 50 ms)
    assert run("export", "--db", source.db_path, str(tmp_path / "all.jsonl")).returncode == 0
    assert run("import", "--db", url, str(tmp_path / "all.jsonl")).returncode == 0
    assert run("export", "--db", url, str(tmp_path / "back.jsonl")).returncode == 0
    back = str(tmp_path / "back.db")
    assert run("import", "--db", back, str(tmp_path / "back.jsonl")).returncode == 0
    moved = Server(None, open_store(url, migrate=False), Clock(), url)  # type: ignore[arg-type]
    returned = Server(None, open_store(back), Clock(), back)  # type: ignore[arg-type]
    try:
        for team in teams:
            assert _team_rows(moved, team) == _team_rows(source, team) == _team_rows(returned, team)
        # the access log's id counter continues after the imported rows
        next_id = source.rows("SELECT MAX(id) FROM access_log")[0][0] + 1
        moved.store.log_access(now_ms(), teams[0], "x", "test", "ok")
        assert moved.rows("SELECT MAX(id) FROM access_log")[0][0] == next_id
    finally:
        moved.store.close()


@pytest.mark.parametrize("content", ["", "{}\n", "not json\n"])
def test_what_is_not_an_export_is_refused_in_one_line(tmp_path: Path, content: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(content)
    refused = run("import", "--db", str(tmp_path / "t.db"), str(path))
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == ["sync-server: dit is geen Veldwerk-export / this is not a Veldwerk export"]


async def test_a_damaged_export_stores_nothing(source: Server, tmp_path: Path) -> None:
    await _populate(source)
    export = tmp_path / "e.jsonl"
    assert run("export", "--db", source.db_path, str(export)).returncode == 0
    lines = export.read_text().splitlines()
    lines[-3] = lines[-3][:-5]
    export.write_text("\n".join(lines) + "\n")
    target = str(tmp_path / "t.db")
    refused = run("import", "--db", target, str(export))
    assert refused.returncode == 2 and f"line {len(lines) - 2} of the export is damaged" in refused.stderr
    assert Server(None, open_store(target), Clock(), target).count("teams") == 0  # type: ignore[arg-type]


def test_export_refuses_an_unknown_team_and_an_existing_file(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    (tmp_path / "exists.jsonl").write_text("keep me")
    existing = run("export", "--db", db, str(tmp_path / "exists.jsonl"))
    assert existing.returncode == 2 and "already exists" in existing.stderr
    assert (tmp_path / "exists.jsonl").read_text() == "keep me"
    unknown = run("export", "--db", db, "--team", b64e(bytes(16)), str(tmp_path / "n.jsonl"))
    assert unknown.returncode == 2 and "unknown team" in unknown.stderr
    assert not (tmp_path / "n.jsonl").exists()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_every_table_either_moves_or_is_named_as_not_moved(kind: str, tmp_path: Path,
                                                           request: pytest.FixtureRequest) -> None:
    """A migration that adds a table or a column fails here until store/transfer.py says whether it moves."""
    db = request.getfixturevalue("pg_cluster").new_database() if kind == "postgres" else str(tmp_path / "s.db")
    store = open_store(db)
    server = Server(None, store, Clock(), db)  # type: ignore[arg-type]
    try:
        moved = {table: list(columns) for table, columns, _ in TABLES}
        if kind == "postgres":
            names = [r[0] for r in server.rows("SELECT table_name FROM information_schema.tables"
                                                " WHERE table_schema = 'public'")]
        else:
            names = [r[0] for r in server.rows("SELECT name FROM sqlite_master WHERE type = 'table'"
                                                " AND name NOT LIKE 'sqlite_%'")]
        assert set(names) == set(moved) | NOT_MOVED and not set(moved) & NOT_MOVED
        for table, columns in moved.items():
            assert sorted(server.columns(table)) == sorted(columns), table
    finally:
        store.close()
