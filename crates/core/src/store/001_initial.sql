-- Farepoint schema v1. Card data is limited to brand, last 4, holder and expiry by design:
-- there is no column for a card number or a security code, and there must never be one.

CREATE TABLE payments (
    id                TEXT PRIMARY KEY NOT NULL,
    reference         TEXT NOT NULL UNIQUE,
    provider          TEXT NOT NULL CHECK (provider IN ('atrip', 'travelport', 'holidayextras', 'heipay')),
    profile           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('Draft', 'Submitting', 'Paid', 'Ticketing', 'Ticketed',
                          'TicketingFailed', 'Declined', 'Unknown', 'NeedsReview', 'Refunded')),
    amount_minor      INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    customer          TEXT NOT NULL,
    -- What is paid, in the provider's terms (JSON), and its one identifying key (ATRIP order
    -- number, Travelport locator, HeiPay reference, Holiday Extras payment reference): the
    -- engine refuses a second payment for a key that still has one in flight.
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

CREATE INDEX payments_newest ON payments (created_at_ms DESC, id DESC);
CREATE INDEX payments_status ON payments (status, created_at_ms DESC);
CREATE INDEX payments_provider ON payments (provider, created_at_ms DESC);
CREATE INDEX payments_subject ON payments (provider, subject_key);

CREATE TABLE attempts (
    id               TEXT PRIMARY KEY NOT NULL,
    payment_id       TEXT NOT NULL REFERENCES payments (id),
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
    UNIQUE (payment_id, seq)
) STRICT;

-- The poller asks "what is due?"; only attempts with a next poll time are in this index.
CREATE INDEX attempts_due ON attempts (next_poll_at_ms) WHERE next_poll_at_ms IS NOT NULL;
-- Start-up reconciliation asks for attempts left in flight.
CREATE INDEX attempts_open ON attempts (status) WHERE status IN ('Submitting', 'Unknown');

CREATE TABLE events (
    payment_id    TEXT NOT NULL REFERENCES payments (id),
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    at_ms         INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    status_before TEXT,
    status_after  TEXT,
    message       TEXT NOT NULL,
    data          TEXT NOT NULL CHECK (json_valid(data)),
    prev_hash     BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash          BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (payment_id, seq)
) STRICT, WITHOUT ROWID;

-- The timeline is append-only; the hash chain catches edits made around these triggers.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only');
END;

-- Tickets and EMDs issued for a payment, per passenger.
CREATE TABLE tickets (
    payment_id    TEXT NOT NULL REFERENCES payments (id),
    number        TEXT NOT NULL,
    passenger     TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('ticket', 'emd')),
    issued_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (payment_id, number)
) STRICT;

CREATE TABLE settings (
    profile       TEXT NOT NULL,
    key           TEXT NOT NULL,
    value         TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (profile, key)
) STRICT;
