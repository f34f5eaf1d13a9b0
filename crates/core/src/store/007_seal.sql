-- Farepoint schema v7: the timeline is sealed with a key the file does not hold (seal.rs).
--
-- Each event gains its place in the whole history (`gseq`), which its seal covers, so a payment
-- deleted with all its events leaves a gap. `seal` keeps one row: the seal of a fixed text under
-- the history's key, so a different key is known at once.
--
-- This file makes room; the migration's hook (store/sealing.rs) checks every old chain, seals
-- every event and records the sealing in each timeline; 007_seal_finish.sql then indexes `gseq`
-- and puts the append-only guard back.

DROP TRIGGER IF EXISTS events_no_update;
ALTER TABLE events ADD COLUMN gseq INTEGER;
-- Places whose events moved to another history (an older shared file's Sandbox payments), each
-- sealed ("moved out <gseq>") so that a deletion cannot pass for a move.
CREATE TABLE moved_out (
    gseq INTEGER PRIMARY KEY,
    seal BLOB NOT NULL
) STRICT;
CREATE TABLE seal (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    key_check BLOB NOT NULL CHECK (length(key_check) = 32)
) STRICT;
