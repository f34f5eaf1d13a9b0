-- Farepoint schema v4, second half (run by the migration's hook once the events are copied):
-- the old tables go, the new ones take their names, and the indexes, the search index's view
-- and triggers and the timeline's append-only triggers are made again over them.
--
-- Children first, so that no old row still refers to an old payment when `payments` goes.
-- Renaming `payments_v4` rewrites the REFERENCES clauses of the new tables to `payments`.

DROP TABLE events;
DROP TABLE tickets;
DROP TABLE attempts;
DROP TABLE payments;
ALTER TABLE payments_v4 RENAME TO payments;
ALTER TABLE attempts_v4 RENAME TO attempts;
ALTER TABLE tickets_v4 RENAME TO tickets;
ALTER TABLE events_v4 RENAME TO events;

-- The Payments list, newest first; ties in time go by `pid` (the rowid every index ends with).
CREATE INDEX payments_newest ON payments (created_at_ms);
CREATE INDEX payments_status ON payments (status, created_at_ms);
-- The totals read a date range by provider, currency and status: covered by this index alone.
CREATE INDEX payments_totals ON payments (created_at_ms, provider, currency, status, amount_minor);
-- "Is something for this order still open?" — only open payments are in it. The condition is
-- written exactly as store::open_payments_for asks it, so SQLite knows the index applies.
CREATE INDEX payments_open ON payments (provider, subject_key)
    WHERE status IN ('Submitting', 'Unknown', 'NeedsReview', 'Ticketing');

-- The poller asks "what is due?"; only attempts with a next poll time are in this index.
CREATE INDEX attempts_due ON attempts (next_poll_at_ms) WHERE next_poll_at_ms IS NOT NULL;
-- Start-up reconciliation asks for attempts left in flight.
CREATE INDEX attempts_open ON attempts (status) WHERE status IN ('Submitting', 'Unknown');

-- The timeline is append-only; the hash chain catches edits made around these triggers.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only');
END;

-- The search index's content, as in v2 (002_history.sql), joined by `pid`. The text is the same
-- word for word — tickets by number, references by attempt — so the index built over the old
-- tables stays valid and is not rebuilt.
CREATE VIEW payments_search_text (pid, terms) AS
SELECT p.pid,
       p.reference || ' ' || p.customer || ' ' || p.subject_key
       || ' ' || coalesce(json_extract(p.subject, '$.pnr_code'), '')
       || ' ' || coalesce((SELECT group_concat(t.number || ' ' || t.passenger, ' ')
                           FROM tickets t WHERE t.pid = p.pid), '')
       || ' ' || coalesce((SELECT group_concat(a.provider_ref, ' ')
                           FROM attempts a WHERE a.pid = p.pid AND a.provider_ref IS NOT NULL), '')
FROM payments p;

-- Payments. The engine never rewrites the indexed columns, but a hand edit must not leave the
-- index stale; status updates (the common write) do not touch it.
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

-- Tickets. The engine inserts them with INSERT OR IGNORE and sees the same ticket again on
-- later polls: an ignored insert fires no AFTER trigger, so the BEFORE trigger must not fire
-- either when the ticket is already there.
CREATE TRIGGER tickets_fts_before_insert BEFORE INSERT ON tickets
WHEN NOT EXISTS (SELECT 1 FROM tickets WHERE pid = new.pid AND number = new.number)
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text WHERE pid = new.pid;
END;
CREATE TRIGGER tickets_fts_after_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text WHERE pid = new.pid;
END;
CREATE TRIGGER tickets_fts_before_update BEFORE UPDATE ON tickets
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text WHERE pid IN (old.pid, new.pid);
END;
CREATE TRIGGER tickets_fts_after_update AFTER UPDATE ON tickets
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text WHERE pid IN (old.pid, new.pid);
END;
CREATE TRIGGER tickets_fts_before_delete BEFORE DELETE ON tickets
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text WHERE pid = old.pid;
END;
CREATE TRIGGER tickets_fts_after_delete AFTER DELETE ON tickets
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text WHERE pid = old.pid;
END;

-- Attempts: only their provider reference is indexed. The engine updates every attempt column
-- on each move, so the triggers fire only when the reference (or the owner) really changes.
CREATE TRIGGER attempts_fts_before_insert BEFORE INSERT ON attempts WHEN new.provider_ref IS NOT NULL
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text WHERE pid = new.pid;
END;
CREATE TRIGGER attempts_fts_after_insert AFTER INSERT ON attempts WHEN new.provider_ref IS NOT NULL
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text WHERE pid = new.pid;
END;
CREATE TRIGGER attempts_fts_before_update BEFORE UPDATE OF provider_ref, pid ON attempts
WHEN old.provider_ref IS NOT new.provider_ref OR old.pid IS NOT new.pid
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text WHERE pid IN (old.pid, new.pid);
END;
CREATE TRIGGER attempts_fts_after_update AFTER UPDATE OF provider_ref, pid ON attempts
WHEN old.provider_ref IS NOT new.provider_ref OR old.pid IS NOT new.pid
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text WHERE pid IN (old.pid, new.pid);
END;
CREATE TRIGGER attempts_fts_before_delete BEFORE DELETE ON attempts WHEN old.provider_ref IS NOT NULL
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text WHERE pid = old.pid;
END;
CREATE TRIGGER attempts_fts_after_delete AFTER DELETE ON attempts WHEN old.provider_ref IS NOT NULL
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text WHERE pid = old.pid;
END;
