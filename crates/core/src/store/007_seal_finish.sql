-- Farepoint schema v7, second half (after the hook has sealed every event).

-- Appends ask for the newest place; "verify" walks the places in order to find gaps.
CREATE UNIQUE INDEX events_gseq ON events (gseq);

-- The timeline is append-only; the seals catch edits made around these triggers.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only');
END;
