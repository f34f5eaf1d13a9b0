-- v6: a refund is a row of its own, journaled before it is sent, with a status of its own:
-- Sending (journaled; the request may be on its way), Refunded, Declined (nothing went back),
-- Unclear (it may or may not have been made: a person checks). A payment is Refunded only when
-- its Refunded rows add up to its amount; a part refund leaves it Paid.
CREATE TABLE refunds (
    id             TEXT PRIMARY KEY NOT NULL,
    pid            INTEGER NOT NULL REFERENCES payments (pid),
    seq            INTEGER NOT NULL CHECK (seq >= 1),
    amount_minor   INTEGER NOT NULL CHECK (amount_minor > 0),
    status         TEXT NOT NULL CHECK (status IN ('Sending', 'Refunded', 'Declined', 'Unclear')),
    provider_ref   TEXT,
    note           TEXT,
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL,
    UNIQUE (pid, seq)
) STRICT;

-- At most one refund of a payment that may still be moving money: a second cannot start while
-- one is being sent or is unclear, whatever the caller checked before.
CREATE UNIQUE INDEX refunds_one_open ON refunds (pid) WHERE status IN ('Sending', 'Unclear');

-- The ledger can never show more refunded (or possibly refunded) than was charged.
CREATE TRIGGER refunds_within_amount_insert BEFORE INSERT ON refunds
WHEN NEW.status IN ('Sending', 'Refunded', 'Unclear')
 AND (SELECT coalesce(sum(amount_minor), 0) FROM refunds
      WHERE pid = NEW.pid AND status IN ('Sending', 'Refunded', 'Unclear')) + NEW.amount_minor
     > (SELECT amount_minor FROM payments WHERE pid = NEW.pid)
BEGIN
    SELECT RAISE(ABORT, 'refunds would exceed the amount charged');
END;

CREATE TRIGGER refunds_within_amount_update BEFORE UPDATE OF status, amount_minor ON refunds
WHEN NEW.status IN ('Sending', 'Refunded', 'Unclear')
 AND (SELECT coalesce(sum(amount_minor), 0) FROM refunds
      WHERE pid = NEW.pid AND id <> NEW.id AND status IN ('Sending', 'Refunded', 'Unclear')) + NEW.amount_minor
     > (SELECT amount_minor FROM payments WHERE pid = NEW.pid)
BEGIN
    SELECT RAISE(ABORT, 'refunds would exceed the amount charged');
END;
