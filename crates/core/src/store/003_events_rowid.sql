-- Farepoint schema v3: the timeline becomes an ordinary rowid table.
--
-- v1 made `events` a WITHOUT ROWID table. Such a table is a B-tree of whole rows, and SQLite
-- keeps at most about a quarter of a page (~1 KB with 4 KiB pages) of a row there: a longer
-- row — a provider exchange often is — spills into an overflow page of its own, mostly empty.
-- Measured over a million sample payments, ~3.3 KB of timeline per payment took ~7.2 KB on
-- disk. A rowid table keeps rows of up to a page inline, packed in insertion order; the
-- (payment_id, seq) key stays, unique, as the index every timeline read goes through.
--
-- Same columns, same checks, same append-only triggers: only the storage changes. The hash
-- chain covers the column values, which are copied unchanged.
--
-- SQLite's table-rebuild procedure (https://sqlite.org/lang_altertable.html#otheralter), run
-- inside the migration's transaction: no other table, view or trigger refers to `events`, so
-- foreign keys need not be switched off (and cannot be, inside a transaction); every copied
-- row is checked against `payments` again as it is inserted. Triggers go first so that
-- nothing can fire while the old table is dropped.

CREATE TABLE events_new (
    payment_id    TEXT NOT NULL REFERENCES payments (id),
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    at_ms         INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    status_before TEXT,
    status_after  TEXT,
    message       TEXT NOT NULL,
    data          TEXT NOT NULL CHECK (json_valid(data)),
    prev_hash     BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash          BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;

INSERT INTO events_new (payment_id, seq, at_ms, kind, status_before, status_after, message, data, prev_hash, hash)
    SELECT payment_id, seq, at_ms, kind, status_before, status_after, message, data, prev_hash, hash
    FROM events ORDER BY payment_id, seq;

DROP TRIGGER IF EXISTS events_no_update;
DROP TRIGGER IF EXISTS events_no_delete;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;

-- One timeline per payment, in order; a sequence number is never used twice.
CREATE UNIQUE INDEX events_payment_seq ON events (payment_id, seq);

-- The timeline is append-only; the hash chain catches edits made around these triggers.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only');
END;
