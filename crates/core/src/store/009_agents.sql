-- Farepoint schema v9: who did it (docs/agents.md).
--
-- A desk has named agents. They are the desk's, not a profile's, so the app keeps them in the
-- main file beside the settings of both profiles and its preferences; every history file gets
-- the table (one schema for all), and only the main file's is used.
--
-- Who took a payment, sent an attempt or asked for a refund is recorded on that row, as the
-- agent's id and their name at the time: a history file stands on its own (export, verify), and
-- renaming an agent later rewrites nothing. Rows from before this version, and rows of a desk
-- with no agents, have none. The same is in the sealed timeline event that records each act.

-- An agent's PIN is kept only as an Argon2id hash (a PHC string); a removed agent keeps their
-- row, so the history's ids still name someone. `name_key` is the name as compared (trimmed,
-- lower case): two agents at work at one desk never share it.
CREATE TABLE agents (
    id                TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    name_key          TEXT NOT NULL,
    supervisor        INTEGER NOT NULL DEFAULT 0 CHECK (supervisor IN (0, 1)),
    pin_hash          TEXT CHECK (pin_hash IS NULL OR pin_hash LIKE '$argon2id$%'),
    -- Wrong PINs in a row, and until when the next try must wait (agents.rs, `pin`).
    pin_failures      INTEGER NOT NULL DEFAULT 0 CHECK (pin_failures >= 0),
    pin_wait_until_ms INTEGER,
    removed_at_ms     INTEGER,
    created_at_ms     INTEGER NOT NULL,
    updated_at_ms     INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX agents_name_in_use ON agents (name_key) WHERE removed_at_ms IS NULL;

ALTER TABLE payments ADD COLUMN agent_id TEXT;
ALTER TABLE payments ADD COLUMN agent_name TEXT;
ALTER TABLE attempts ADD COLUMN agent_id TEXT;
ALTER TABLE attempts ADD COLUMN agent_name TEXT;
ALTER TABLE refunds ADD COLUMN agent_id TEXT;
ALTER TABLE refunds ADD COLUMN agent_name TEXT;

-- Payments filters by agent, newest first; the Summary adds up an agent's takings from this
-- index alone. Both hold only payments with an agent, so a desk without agents pays nothing.
CREATE INDEX payments_agent ON payments (agent_id, created_at_ms) WHERE agent_id IS NOT NULL;
CREATE INDEX payments_agent_totals ON payments (created_at_ms, agent_id, currency, status, amount_minor)
    WHERE agent_id IS NOT NULL;

-- Search finds a payment by the name of the agent who took it: the index's text gains it, so
-- the view is made again (as 004_compact_finish.sql made it, with the name at the end), the
-- payments' update triggers watch the new column, and the index is rebuilt for every payment.
DROP VIEW payments_search_text;
CREATE VIEW payments_search_text (pid, terms) AS
SELECT p.pid,
       p.reference || ' ' || p.customer || ' ' || p.subject_key
       || ' ' || coalesce(json_extract(p.subject, '$.pnr_code'), '')
       || ' ' || coalesce((SELECT group_concat(t.number || ' ' || t.passenger, ' ')
                           FROM tickets t WHERE t.pid = p.pid), '')
       || ' ' || coalesce((SELECT group_concat(a.provider_ref, ' ')
                           FROM attempts a WHERE a.pid = p.pid AND a.provider_ref IS NOT NULL), '')
       || ' ' || coalesce(p.agent_name, '')
FROM payments p;

DROP TRIGGER payments_fts_before_update;
DROP TRIGGER payments_fts_after_update;
CREATE TRIGGER payments_fts_before_update
BEFORE UPDATE OF reference, customer, subject_key, subject, agent_name ON payments
BEGIN
    INSERT INTO payments_fts (payments_fts, rowid, terms)
        SELECT 'delete', pid, terms FROM payments_search_text WHERE pid = old.pid;
END;
CREATE TRIGGER payments_fts_after_update
AFTER UPDATE OF reference, customer, subject_key, subject, agent_name ON payments
BEGIN
    INSERT INTO payments_fts (rowid, terms) SELECT pid, terms FROM payments_search_text WHERE pid = new.pid;
END;

INSERT INTO payments_fts (payments_fts) VALUES ('rebuild');
