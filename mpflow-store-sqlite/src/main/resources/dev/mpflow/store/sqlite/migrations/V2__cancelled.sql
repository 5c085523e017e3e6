-- Runs count the results of tasks cancelled because the run stopped first (halt, deadline, interruption,
-- close) apart from the failed ones. Runs recorded before this migration had no such results: they read as 0.

ALTER TABLE runs ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
