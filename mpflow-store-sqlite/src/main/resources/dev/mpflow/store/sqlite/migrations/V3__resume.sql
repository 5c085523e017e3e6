-- Resumable runs with exactly-once recording.
--
-- results and attempts carry the task's identity, dev.mpflow.TaskKey of its name, agent and input: the same in
-- every run, so a resumed run can tell which tasks are done. A run holds at most one final result per task
-- (UNIQUE (run_id, task_key)); the store writes results as upserts, a later one replacing the earlier.
--
-- mpflow_task_key(task, agent, input) is a function the store registers on its connection before migrating; it
-- computes TaskKey.of in Java.

ALTER TABLE results ADD COLUMN task_key TEXT;
ALTER TABLE attempts ADD COLUMN task_key TEXT;

UPDATE results SET task_key = mpflow_task_key(task, agent, input) WHERE task_key IS NULL;

-- Before this version, a resumed run recorded a second final result for a task that failed and then ran again:
-- keep only the latest one of each task.
DELETE FROM results WHERE id NOT IN (SELECT max(id) FROM results GROUP BY run_id, task_key);

-- The unique index starts with run_id, so it serves the queries by run as well.
DROP INDEX results_run_id;
CREATE UNIQUE INDEX results_run_task_key ON results (run_id, task_key);

-- Attempts carry no input: an old attempt takes the key of the result with the same run, task and agent when
-- exactly one key matches, and stays NULL otherwise. The index only speeds this statement up.
CREATE INDEX results_run_task ON results (run_id, task);
UPDATE attempts SET task_key = (
    SELECT CASE WHEN count(DISTINCT r.task_key) = 1 THEN min(r.task_key) END
    FROM results r
    WHERE r.run_id = attempts.run_id AND r.task = attempts.task AND r.agent IS attempts.agent);
DROP INDEX results_run_task;

-- New attempts get their key when their task's result is written; this index holds only those still waiting.
CREATE INDEX attempts_unkeyed ON attempts (run_id, task) WHERE task_key IS NULL;

-- runs gain the status 'halted', which the CHECK constraint of version 1 refuses. SQLite cannot change a
-- constraint in place, so the table is rebuilt (the migration runs with foreign keys off, so that dropping the old
-- table does not cascade to results and attempts).
--   status: running = started (or resumed) and not ended, including runs whose process died;
--           finished = every task reached a final result and nothing halted the run;
--           halted = a halt policy, deadline or interruption stopped it (halt_reason says which), or tasks of it
--           remain cancelled
--   succeeded, failed, retried, cancelled: totals over the run's final results, across resumes, written when the
--           run ends
--   skipped: tasks the last process of the run did not run because an earlier one had done them
--   definition_hash: the hash of the workflow definition the run was started (or last resumed) with, if given
CREATE TABLE runs_v3 (
    run_id          TEXT    NOT NULL PRIMARY KEY,
    workflow        TEXT    NOT NULL,
    started_at      TEXT    NOT NULL,
    ended_at        TEXT,
    status          TEXT    NOT NULL CHECK (status IN ('running', 'finished', 'halted')),
    host            TEXT    NOT NULL,
    max_workers     INTEGER NOT NULL,
    agents          TEXT    NOT NULL DEFAULT '[]',
    settings        TEXT    NOT NULL DEFAULT '',
    succeeded       INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0,
    retried         INTEGER NOT NULL DEFAULT 0,
    cancelled       INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    halt_reason     TEXT,
    definition_hash TEXT
);

-- A finished run with cancelled tasks was stopped early: it becomes halted, so that it can be resumed, with a
-- reason saying that the real one was not recorded.
INSERT INTO runs_v3 (run_id, workflow, started_at, ended_at, status, host, max_workers, agents, settings,
                     succeeded, failed, retried, cancelled, halt_reason)
SELECT run_id, workflow, started_at, ended_at,
       CASE WHEN status = 'finished' AND cancelled > 0 THEN 'halted' ELSE status END,
       host, max_workers, agents, settings, succeeded, failed, retried, cancelled,
       CASE WHEN status = 'finished' AND cancelled > 0
            THEN 'tasks were cancelled (the reason was not recorded by this older run)' END
FROM runs;

DROP TABLE runs;
ALTER TABLE runs_v3 RENAME TO runs;
