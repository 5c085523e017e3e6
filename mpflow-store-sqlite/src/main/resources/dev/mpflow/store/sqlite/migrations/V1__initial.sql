-- Initial schema: runs, the attempts of their tasks, and the final results.
-- Times are ISO-8601 UTC text with nine fractional digits, so that text order is time order.

CREATE TABLE runs (
    run_id      TEXT    NOT NULL PRIMARY KEY,
    workflow    TEXT    NOT NULL,
    started_at  TEXT    NOT NULL,
    ended_at    TEXT,
    status      TEXT    NOT NULL CHECK (status IN ('running', 'finished')),
    host        TEXT    NOT NULL,
    max_workers INTEGER NOT NULL,
    -- a JSON array of the agents' names, in order
    agents      TEXT    NOT NULL DEFAULT '[]',
    settings    TEXT    NOT NULL DEFAULT '',
    succeeded   INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    retried     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE attempts (
    id            INTEGER PRIMARY KEY,
    run_id        TEXT    NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    task          TEXT    NOT NULL,
    agent         TEXT,
    attempt       INTEGER NOT NULL,
    worker_pid    INTEGER NOT NULL,
    started_at    TEXT    NOT NULL,
    ended_at      TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    error_type    TEXT,
    error_message TEXT,
    error_stack   TEXT
);

CREATE INDEX attempts_run_id ON attempts (run_id);

CREATE TABLE results (
    id            INTEGER PRIMARY KEY,
    run_id        TEXT    NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    task          TEXT    NOT NULL,
    agent         TEXT,
    input         TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    value_text    TEXT,
    value_type    TEXT,
    error_type    TEXT,
    error_message TEXT,
    error_stack   TEXT,
    attempts      INTEGER NOT NULL,
    worker_pid    INTEGER NOT NULL,
    started_at    TEXT    NOT NULL,
    ended_at      TEXT    NOT NULL,
    duration_ms   INTEGER NOT NULL,
    stdout        TEXT    NOT NULL,
    stderr        TEXT    NOT NULL
);

CREATE INDEX results_run_id ON results (run_id);
