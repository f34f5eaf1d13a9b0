-- Farepoint schema v8: the provider list leaves the schema.
--
-- Up to v7 `payments.provider` carried CHECK (provider IN (...)) naming the four providers, so a
-- fifth meant a schema change beside its code. The provider is validated in Rust instead
-- (`Provider::from_str` when a payment is read; only a `Provider` can be written), so this
-- rebuilds `payments` without that CHECK. Nothing else changes: every column, value and `pid`
-- is copied as it is, so the seals — which cover a payment's own columns — verify unchanged,
-- and the search index (keyed by `pid`) stays valid and is not rebuilt.
--
-- Foreign keys stay on. Attempts, tickets, events and refunds refer to `payments (pid)` by
-- name, so the table is dropped and made again under the same name rather than renamed (a
-- rename would rewrite those references). The drop leaves them pointing at nothing for a
-- moment; `defer_foreign_keys` lets that wait until commit, and putting each payment back
-- under the new table settles it before then (the migration's `foreign_key_check` also checks).

PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE payments_v7 AS SELECT * FROM payments;

-- Drops its indexes and its triggers with it; the view and the other tables' triggers that read
-- it are kept and read the new table once it takes the name.
DROP TABLE payments;

CREATE TABLE payments (
    pid               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    reference         TEXT NOT NULL UNIQUE,
    provider          TEXT NOT NULL,
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

-- Before the search index's triggers are made again: its rows for these payments are there.
INSERT INTO payments (pid, id, reference, provider, profile, status, amount_minor, currency, customer,
                      subject, subject_key, card_brand, card_last4, card_holder, card_expiry_month,
                      card_expiry_year, created_at_ms, updated_at_ms)
    SELECT pid, id, reference, provider, profile, status, amount_minor, currency, customer,
           subject, subject_key, card_brand, card_last4, card_holder, card_expiry_month,
           card_expiry_year, created_at_ms, updated_at_ms
    FROM payments_v7 ORDER BY pid;
DROP TABLE payments_v7;

-- As 004_compact_finish.sql made them, word for word.
CREATE INDEX payments_newest ON payments (created_at_ms);
CREATE INDEX payments_status ON payments (status, created_at_ms);
CREATE INDEX payments_totals ON payments (created_at_ms, provider, currency, status, amount_minor);
CREATE INDEX payments_open ON payments (provider, subject_key)
    WHERE status IN ('Submitting', 'Unknown', 'NeedsReview', 'Ticketing');

CREATE TRIGGER payments_fts_insert AFTER INSERT ON payments
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text WHERE pid = new.pid;
END;
CREATE TRIGGER payments_fts_before_update BEFORE UPDATE OF reference, customer, subject_key, subject ON payments
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text WHERE pid = old.pid;
END;
CREATE TRIGGER payments_fts_after_update AFTER UPDATE OF reference, customer, subject_key, subject ON payments
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text WHERE pid = new.pid;
END;
CREATE TRIGGER payments_fts_delete BEFORE DELETE ON payments
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text WHERE pid = old.pid;
END;

PRAGMA defer_foreign_keys = OFF;
