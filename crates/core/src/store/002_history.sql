-- Farepoint schema v2: the offline review of the history (search, filters, totals).
--
-- Search is one FTS5 index over what an agent types to find a payment: our reference, the
-- customer / guest / passenger names, what was paid (order number, locator, HX reference), the
-- ATRIP PNR, ticket and EMD numbers, and the provider's references (HX payment id, HeiPay
-- voucher link). Card data is never indexed: brand and last 4 are not search terms.
--
-- The index keeps no copy of the text (external content): its content is the view below, and
-- the triggers keep it in step. An external-content index must be told exactly what it indexed
-- before a row changes, so each change deletes the payment's old text in a BEFORE trigger (the
-- view still shows the old state) and indexes the new text in an AFTER trigger.
-- Everything here also parses in older SQLite tools (3.40): no newer syntax.

CREATE VIEW payments_search_text (pid, terms) AS
SELECT p.rowid,
       p.reference || ' ' || p.customer || ' ' || p.subject_key
       || ' ' || coalesce(json_extract(p.subject, '$.pnr_code'), '')
       || ' ' || coalesce((SELECT group_concat(t.number || ' ' || t.passenger, ' ')
                           FROM tickets t WHERE t.payment_id = p.id), '')
       || ' ' || coalesce((SELECT group_concat(a.provider_ref, ' ')
                           FROM attempts a WHERE a.payment_id = p.id AND a.provider_ref IS NOT NULL), '')
FROM payments p;

-- remove_diacritics 2: "Muñoz" and "Munoz" are the same token, either way round.
CREATE VIRTUAL TABLE payments_fts USING fts5 (
    terms,
    content = 'payments_search_text',
    content_rowid = 'pid',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Payments. The engine never rewrites the indexed columns, but a hand edit must not leave the
-- index stale; status updates (the common write) do not touch it.
CREATE TRIGGER payments_fts_insert AFTER INSERT ON payments
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text WHERE pid = new.rowid;
END;
CREATE TRIGGER payments_fts_before_update BEFORE UPDATE OF reference, customer, subject_key, subject ON payments
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text WHERE pid = old.rowid;
END;
CREATE TRIGGER payments_fts_after_update AFTER UPDATE OF reference, customer, subject_key, subject ON payments
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text WHERE pid = new.rowid;
END;
CREATE TRIGGER payments_fts_delete BEFORE DELETE ON payments
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text WHERE pid = old.rowid;
END;

-- Tickets. The engine inserts them with INSERT OR IGNORE and sees the same ticket again on
-- later polls: an ignored insert fires no AFTER trigger, so the BEFORE trigger must not fire
-- either when the ticket is already there.
CREATE TRIGGER tickets_fts_before_insert BEFORE INSERT ON tickets
WHEN NOT EXISTS (SELECT 1 FROM tickets WHERE payment_id = new.payment_id AND number = new.number)
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text
        WHERE pid = (SELECT rowid FROM payments WHERE id = new.payment_id);
END;
CREATE TRIGGER tickets_fts_after_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text
        WHERE pid = (SELECT rowid FROM payments WHERE id = new.payment_id);
END;
CREATE TRIGGER tickets_fts_before_update BEFORE UPDATE ON tickets
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text
        WHERE pid IN (SELECT rowid FROM payments WHERE id IN (old.payment_id, new.payment_id));
END;
CREATE TRIGGER tickets_fts_after_update AFTER UPDATE ON tickets
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text
        WHERE pid IN (SELECT rowid FROM payments WHERE id IN (old.payment_id, new.payment_id));
END;
CREATE TRIGGER tickets_fts_before_delete BEFORE DELETE ON tickets
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text
        WHERE pid = (SELECT rowid FROM payments WHERE id = old.payment_id);
END;
CREATE TRIGGER tickets_fts_after_delete AFTER DELETE ON tickets
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text
        WHERE pid = (SELECT rowid FROM payments WHERE id = old.payment_id);
END;

-- Attempts: only their provider reference is indexed. The engine updates every attempt column
-- on each move, so the triggers fire only when the reference (or the owner) really changes.
CREATE TRIGGER attempts_fts_before_insert BEFORE INSERT ON attempts WHEN new.provider_ref IS NOT NULL
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text
        WHERE pid = (SELECT rowid FROM payments WHERE id = new.payment_id);
END;
CREATE TRIGGER attempts_fts_after_insert AFTER INSERT ON attempts WHEN new.provider_ref IS NOT NULL
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text
        WHERE pid = (SELECT rowid FROM payments WHERE id = new.payment_id);
END;
CREATE TRIGGER attempts_fts_before_update BEFORE UPDATE OF provider_ref, payment_id ON attempts
WHEN old.provider_ref IS NOT new.provider_ref OR old.payment_id IS NOT new.payment_id
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text
        WHERE pid IN (SELECT rowid FROM payments WHERE id IN (old.payment_id, new.payment_id));
END;
CREATE TRIGGER attempts_fts_after_update AFTER UPDATE OF provider_ref, payment_id ON attempts
WHEN old.provider_ref IS NOT new.provider_ref OR old.payment_id IS NOT new.payment_id
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text
        WHERE pid IN (SELECT rowid FROM payments WHERE id IN (old.payment_id, new.payment_id));
END;
CREATE TRIGGER attempts_fts_before_delete BEFORE DELETE ON attempts WHEN old.provider_ref IS NOT NULL
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text
        WHERE pid = (SELECT rowid FROM payments WHERE id = old.payment_id);
END;
CREATE TRIGGER attempts_fts_after_delete AFTER DELETE ON attempts WHEN old.provider_ref IS NOT NULL
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text
        WHERE pid = (SELECT rowid FROM payments WHERE id = old.payment_id);
END;

-- The totals read a date range by provider, currency and status: covered by this index alone.
CREATE INDEX payments_totals ON payments (created_at_ms, provider, currency, status, amount_minor);

-- Payments taken before this version.
INSERT INTO payments_fts (payments_fts) VALUES ('rebuild');
