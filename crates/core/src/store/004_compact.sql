-- Farepoint schema v4: the same history in less than half the space.
--
-- Measured over a million sample payments, v3 took 5.7 KB a payment, three quarters of it the
-- timeline. What changes:
--
-- * Payments get a small integer key (`pid`, the rowid they always had, now kept explicitly so
--   VACUUM cannot renumber it — the search index already refers to payments by it). Attempts,
--   tickets and events point at `pid` instead of repeating the 36-character id in every row
--   and every index entry. The id stays the payment's public name.
-- * An event keeps what it says — kind, status change, message and redacted exchange — as one
--   zstd frame (`body`), compressed against a dictionary trained on provider exchanges
--   (store/codec.rs): ~370 bytes become ~70. The hash is still taken over each field as before
--   (the data as JSON text), so chains sealed before this version verify unchanged.
-- * `prev_hash` is no longer stored: it always equalled the hash of the event before, which
--   the reader has at hand. The chain is as strong as before — each hash still covers the
--   previous one.
-- * Events are keyed by (pid, seq) WITHOUT ROWID: a timeline is one contiguous run of rows and
--   needs no second index. (v3 moved events out of a WITHOUT ROWID table because uncompressed
--   exchanges spilled into overflow pages; compressed bodies fit inline.)
-- * Indexes read newest first are declared ascending: new payments then land at the end of
--   the index and pages fill up, where a descending index left each page half empty. SQLite
--   walks an index backwards as cheaply as forwards.
-- * The open-payment check's index holds only payments still open (a partial index); the
--   provider index goes (a provider is a quarter of the history: reading newest first and
--   skipping the others finds a page at once).
--
-- This file builds the new tables beside the old ones and copies all but the events; the
-- migration's hook (store.rs) then copies the events, compressing each body, and runs
-- 004_compact_finish.sql, which drops the old tables and renames the new ones — all in the
-- migration's one transaction. Foreign keys stay on: every copied row is checked as it goes
-- in, and each old table is dropped only once nothing refers to it.

-- The search index's triggers and view read the old tables: rebuilt at the end.
DROP TRIGGER payments_fts_insert;
DROP TRIGGER payments_fts_before_update;
DROP TRIGGER payments_fts_after_update;
DROP TRIGGER payments_fts_delete;
DROP TRIGGER tickets_fts_before_insert;
DROP TRIGGER tickets_fts_after_insert;
DROP TRIGGER tickets_fts_before_update;
DROP TRIGGER tickets_fts_after_update;
DROP TRIGGER tickets_fts_before_delete;
DROP TRIGGER tickets_fts_after_delete;
DROP TRIGGER attempts_fts_before_insert;
DROP TRIGGER attempts_fts_after_insert;
DROP TRIGGER attempts_fts_before_update;
DROP TRIGGER attempts_fts_after_update;
DROP TRIGGER attempts_fts_before_delete;
DROP TRIGGER attempts_fts_after_delete;
DROP VIEW payments_search_text;
-- IF EXISTS: someone who edited the timeline by hand may have dropped them; the upgrade must
-- still run (the edits are for "verify history" to report).
DROP TRIGGER IF EXISTS events_no_update;
DROP TRIGGER IF EXISTS events_no_delete;

CREATE TABLE payments_v4 (
    pid               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    reference         TEXT NOT NULL UNIQUE,
    provider          TEXT NOT NULL CHECK (provider IN ('atrip', 'travelport', 'holidayextras', 'heipay')),
    profile           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('Draft', 'Submitting', 'Paid', 'Ticketing', 'Ticketed',
                          'TicketingFailed', 'Declined', 'Unknown', 'NeedsReview', 'Refunded')),
    amount_minor      INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    customer          TEXT NOT NULL,
    subject           TEXT NOT NULL CHECK (json_valid(subject)),
    subject_key       TEXT NOT NULL,
    card_brand        TEXT,
    card_last4        TEXT CHECK (card_last4 IS NULL OR (length(card_last4) = 4 AND card_last4 NOT GLOB '*[^0-9]*')),
    card_holder       TEXT,
    card_expiry_month INTEGER CHECK (card_expiry_month IS NULL OR card_expiry_month BETWEEN 1 AND 12),
    card_expiry_year  INTEGER,
    created_at_ms     INTEGER NOT NULL,
    updated_at_ms     INTEGER NOT NULL
) STRICT;

-- The rowid is kept as `pid`: the search index refers to payments by it.
INSERT INTO payments_v4 (pid, id, reference, provider, profile, status, amount_minor, currency, customer,
                         subject, subject_key, card_brand, card_last4, card_holder, card_expiry_month,
                         card_expiry_year, created_at_ms, updated_at_ms)
    SELECT rowid, id, reference, provider, profile, status, amount_minor, currency, customer,
           subject, subject_key, card_brand, card_last4, card_holder, card_expiry_month,
           card_expiry_year, created_at_ms, updated_at_ms
    FROM payments ORDER BY rowid;

CREATE TABLE attempts_v4 (
    id               TEXT PRIMARY KEY NOT NULL,
    pid              INTEGER NOT NULL REFERENCES payments_v4 (pid),
    seq              INTEGER NOT NULL CHECK (seq >= 1),
    idempotency_key  TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('Draft', 'Submitting', 'Paid', 'Ticketing', 'Ticketed',
                         'TicketingFailed', 'Declined', 'Unknown', 'NeedsReview', 'Refunded')),
    provider_ref     TEXT,
    error_code       TEXT,
    error_message    TEXT,
    next_poll_at_ms  INTEGER,
    created_at_ms    INTEGER NOT NULL,
    updated_at_ms    INTEGER NOT NULL,
    UNIQUE (pid, seq)
) STRICT;

INSERT INTO attempts_v4 (id, pid, seq, idempotency_key, status, provider_ref, error_code, error_message,
                         next_poll_at_ms, created_at_ms, updated_at_ms)
    SELECT a.id, p.rowid, a.seq, a.idempotency_key, a.status, a.provider_ref, a.error_code, a.error_message,
           a.next_poll_at_ms, a.created_at_ms, a.updated_at_ms
    FROM attempts a JOIN payments p ON p.id = a.payment_id ORDER BY p.rowid, a.seq;

CREATE TABLE tickets_v4 (
    pid           INTEGER NOT NULL REFERENCES payments_v4 (pid),
    number        TEXT NOT NULL,
    passenger     TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('ticket', 'emd')),
    issued_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (pid, number)
) STRICT, WITHOUT ROWID;

INSERT INTO tickets_v4 (pid, number, passenger, kind, issued_at_ms)
    SELECT p.rowid, t.number, t.passenger, t.kind, t.issued_at_ms
    FROM tickets t JOIN payments p ON p.id = t.payment_id ORDER BY p.rowid, t.number;

CREATE TABLE events_v4 (
    pid           INTEGER NOT NULL REFERENCES payments_v4 (pid),
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    at_ms         INTEGER NOT NULL,
    -- zstd frame of the JSON array [kind, status_before, status_after, message, data]
    -- (store/codec.rs): a timeline is only ever read whole, through the store.
    body          BLOB NOT NULL,
    -- SHA-256 over the event's fields and the hash of the event before it (payment.rs).
    hash          BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (pid, seq)
) STRICT, WITHOUT ROWID;
