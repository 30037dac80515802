"""Numbered schema migrations of the device database, applied in order, each once.

Rule for every table: no name, note text or date in a clear column, index or file name. Clear columns
hold only random ids, server sequence numbers, counters and sealed blobs.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- sealed under the local key; name is a fixed label ("identity", "profile", "epoch:N")
        CREATE TABLE keyring (name TEXT PRIMARY KEY, blob BLOB NOT NULL);
        -- every operation this device knows, sealed under the local key
        CREATE TABLE ops (
            op_id BLOB PRIMARY KEY,
            position INTEGER NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('local', 'remote')),
            seq INTEGER,
            blob BLOB NOT NULL
        );
        CREATE UNIQUE INDEX ops_position ON ops (position);
        -- operations waiting to reach the server: a finished envelope, or (before the team key arrived)
        -- the operation sealed under the local key, to be enveloped later in the same order
        CREATE TABLE outbox (
            op_id BLOB PRIMARY KEY,
            position INTEGER NOT NULL,
            envelope BLOB,
            waiting_blob BLOB,
            CHECK ((envelope IS NULL) != (waiting_blob IS NULL))
        );
        -- pulled envelopes that cannot be opened yet (key not granted, sender not yet in the ledger)
        CREATE TABLE pending (op_id BLOB PRIMARY KEY, seq INTEGER NOT NULL, envelope BLOB NOT NULL,
                              reason TEXT NOT NULL);
        -- envelopes that will never open (tampered, forged): kept, counted, never applied
        CREATE TABLE rejected (op_id BLOB PRIMARY KEY, seq INTEGER NOT NULL, envelope BLOB NOT NULL);
        CREATE TABLE ledger (idx INTEGER PRIMARY KEY, entry TEXT NOT NULL);
        -- counters and cursors (integers and hashes only)
        CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- half-typed forms, sealed; slot is an HMAC of the slot name under the local key
        CREATE TABLE drafts (slot TEXT PRIMARY KEY, blob BLOB NOT NULL);
        """,
    ),
    (
        2,
        """
        -- what this device saw of the team's envelopes (for replay/rollback detection): the SHA-256 of the
        -- envelope applied at each team seq, and its place in its sender's chain (device, device_seq)
        CREATE TABLE seen (
            seq INTEGER PRIMARY KEY,
            device BLOB NOT NULL,
            device_seq INTEGER NOT NULL,
            hash BLOB NOT NULL
        );
        CREATE UNIQUE INDEX seen_chain ON seen (device, device_seq);
        """,
    ),
    (
        3,
        """
        -- the outbox in order, and the entries still waiting for a key, without reading every envelope
        CREATE UNIQUE INDEX outbox_position ON outbox (position);
        CREATE INDEX outbox_waiting ON outbox (position) WHERE waiting_blob IS NOT NULL;
        """,
    ),
    (
        4,
        """
        -- 1 for the user's own work, 0 for what travels alongside it without being work to send (access-log
        -- entries, the device's member announcement): the pending counter counts only the first, also
        -- while the device is locked. A flag only; what an entry is stays sealed in its envelope.
        ALTER TABLE outbox ADD COLUMN counts INTEGER NOT NULL DEFAULT 1;
        """,
    ),
    (
        5,
        """
        -- the sealed projection snapshot (store/snapshot.py): parts of one generation, each sealed under the
        -- local key and bound to its place and to the ops it was made from; which generation is current is
        -- the clear state row "snapshot" (numbers only)
        CREATE TABLE snapshot (gen INTEGER NOT NULL, part INTEGER NOT NULL, blob BLOB NOT NULL,
                               PRIMARY KEY (gen, part));
        """,
    ),
    (
        6,
        """
        -- issue #11: the envelopes this device delivered, as it sealed them (sealed under the team key and
        -- signed; no clear content), to deliver again when the server's copy is damaged. Bounded in
        -- field_app/store/kept.py.
        CREATE TABLE kept (op_id BLOB PRIMARY KEY, envelope BLOB NOT NULL);
        -- own operations the server has not confirmed with a seq (the record's sync state), without a scan
        CREATE INDEX ops_unconfirmed ON ops (op_id) WHERE seq IS NULL AND origin = 'local';
        -- why a received envelope was refused, for the sync sheet (a code: damaged, context, unreadable,
        -- not_allowed; rows from before say damaged)
        ALTER TABLE rejected ADD COLUMN reason TEXT NOT NULL DEFAULT 'damaged';
        """,
    ),
    (
        7,
        """
        -- the team seq the server answered for a delivered envelope (a number): the operation counts as
        -- confirmed from then on, and its own row gets the seq once, when the envelope is pulled back,
        -- instead of being written again at delivery too (issue #11: the push's write volume)
        ALTER TABLE kept ADD COLUMN seq INTEGER;
        """,
    ),
]
