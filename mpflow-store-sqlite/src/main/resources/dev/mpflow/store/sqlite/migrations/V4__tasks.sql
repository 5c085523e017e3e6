-- Every task of a run, started or not; what each attempt printed; the size of each result's value.
--
-- tasks: one row per job of a run as it was submitted (a task, or a task and one agent in a fan-out), keyed like
-- results by dev.mpflow.TaskKey (UNIQUE (run_id, task_key)), so that a task submitted again on resume keeps its row.
-- A task without a result never started, or its process died before it ended. priority is NULL where it is not
-- known: rows made here from older results, and tasks whose result was recorded without their submission.
CREATE TABLE tasks (
    id       INTEGER PRIMARY KEY,
    run_id   TEXT    NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    task_key TEXT    NOT NULL,
    task     TEXT    NOT NULL,
    agent    TEXT,
    input    TEXT    NOT NULL,
    priority INTEGER
);

CREATE UNIQUE INDEX tasks_run_task_key ON tasks (run_id, task_key);

-- Every task with a result is a task of its run; before this version only those were known.
INSERT INTO tasks (run_id, task_key, task, agent, input)
SELECT run_id, task_key, task, agent, input FROM results WHERE task_key IS NOT NULL ORDER BY id;

-- The captured output of each attempt (within the capture limit); NULL for attempts recorded before this version,
-- whose output only their task's last attempt kept, in results.
ALTER TABLE attempts ADD COLUMN stdout TEXT;
ALTER TABLE attempts ADD COLUMN stderr TEXT;

-- The size in bytes of a succeeded task's value as its worker sent it; NULL when there was none to measure (a
-- failed task) and for results recorded before this version.
ALTER TABLE results ADD COLUMN value_size INTEGER;

-- runs:
--   expected_tasks: how many jobs the run's last process said it was going to submit; NULL when it did not say
--   submitted: how many it has submitted so far, done-earlier ones included; with expected_tasks, the tasks it has
--           not submitted yet
--   tasks: the run's tasks (rows of tasks, plus those not submitted yet), written when the run ends, like the
--           other counts
ALTER TABLE runs ADD COLUMN expected_tasks INTEGER;
ALTER TABLE runs ADD COLUMN submitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN tasks INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET tasks = (SELECT count(*) FROM tasks t WHERE t.run_id = runs.run_id);
