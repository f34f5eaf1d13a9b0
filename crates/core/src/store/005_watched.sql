-- v5: how long Farepoint has actually watched each attempt, measured with the monotonic clock
-- and summed over runs. Grace periods and deadlines count this as well as the wall clock, so a
-- clock that jumps forward (a wrong time corrected, a laptop waking) cannot end them early.
ALTER TABLE attempts ADD COLUMN watched_ms INTEGER NOT NULL DEFAULT 0 CHECK (watched_ms >= 0);
