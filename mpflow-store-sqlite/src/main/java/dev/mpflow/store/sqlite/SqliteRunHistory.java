package dev.mpflow.store.sqlite;

import dev.mpflow.MpflowException;
import dev.mpflow.TaskError;
import dev.mpflow.TaskKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads the runs, tasks, results and attempts of a store written by {@link SqliteResultStore}, for tests and the command
 * line. The file is opened read-only and never created or migrated; it may be read while stores write to it. Only
 * {@link #deleteRunsKeepingNewest} writes, on a connection of its own. Methods may be called from several threads.
 *
 * <p>Where a method takes a run id, an unknown one reads as empty. {@link #run(String)} also takes
 * {@value #LATEST}, the run that started last.
 */
public final class SqliteRunHistory implements AutoCloseable {
    /** What {@link #run(String)} takes for the run that started last. */
    public static final String LATEST = "latest";

    private static final String NEWEST_FIRST = " ORDER BY started_at DESC, run_id DESC";
    // Counts of a running run come from its results, so that a live run, or one whose process died, shows its
    // progress; an ended run's were written at its end from the same rows.
    private static final String RUN_COLUMNS = "run_id, workflow, started_at, ended_at, status, host, max_workers, "
            + "settings, skipped, halt_reason, definition_hash, "
            // The tasks rows, and what the process of a live (or dead) run has not submitted of what it expected.
            + "CASE WHEN status = 'running' THEN (SELECT count(*) FROM tasks x WHERE x.run_id = runs.run_id) "
            + "+ max(0, coalesce(expected_tasks - submitted, 0)) ELSE tasks END AS tasks, "
            + liveCount("succeeded", "x.status = 'succeeded'") + ", "
            + liveCount("failed", "x.status NOT IN ('succeeded', 'cancelled')") + ", "
            + liveCount("cancelled", "x.status = 'cancelled'") + ", "
            + liveCount("retried", "x.attempts > 1");
    private static final String RESULT_COLUMNS = "id, run_id, task, agent, input, status, value_text, value_type, "
            + "error_type, error_message, error_stack, attempts, worker_pid, started_at, ended_at, duration_ms, "
            + "stdout, stderr, task_key, value_size";
    private static final String ATTEMPT_COLUMNS = "id, run_id, task, agent, attempt, worker_pid, started_at, "
            + "ended_at, status, error_type, error_message, error_stack, task_key, stdout, stderr";
    private static final String TASK_COLUMNS = "id, run_id, task, agent, input, priority, task_key";
    /** The runs beyond the newest {@code ?}, oldest included: what {@link #deleteRunsKeepingNewest} removes. */
    private static final String OLD_RUNS = "SELECT run_id FROM runs" + NEWEST_FIRST + " LIMIT -1 OFFSET ?";
    /** Runs claimed and deleted at once by {@link #deleteRunsKeepingNewest}: bounds the lock files held open. */
    private static final int DELETE_BATCH = 256;

    private final Path location;
    private final Connection connection;
    private boolean closed;

    private SqliteRunHistory(Path location, Connection connection) {
        this.location = location;
        this.connection = connection;
    }

    private static String liveCount(String column, String condition) {
        return "CASE WHEN status = 'running' THEN (SELECT count(*) FROM results x WHERE x.run_id = runs.run_id AND "
                + condition + ") ELSE " + column + " END AS " + column;
    }

    /**
     * Opens the store at {@code location} for reading.
     *
     * @throws MpflowException naming the location when it does not exist, is not an mpflow store, or has a schema
     *     version other than this code's
     */
    public static SqliteRunHistory open(Path location) {
        Objects.requireNonNull(location, "location");
        Path file = location.toAbsolutePath().normalize();
        // Checked here because SQLite would report a missing file only as "unable to open database file".
        if (!Files.exists(file)) {
            throw new MpflowException("cannot read store " + file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new MpflowException("cannot read store " + file + ": not a regular file");
        }
        Connection connection = null;
        try {
            connection = SqliteSupport.connect(file, true);
            // A writer may hold the lock briefly (checkpoints); wait for it rather than fail.
            SqliteSupport.execute(connection, "PRAGMA busy_timeout = " + SqliteSupport.BUSY_TIMEOUT_MILLIS);
            Migrations.checkReadable(connection, file);
            return new SqliteRunHistory(file, connection);
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new MpflowException("cannot read store " + file + ": " + SqliteSupport.oneLine(e), e);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** The absolute path of the database file. */
    public Path location() {
        return location;
    }

    /**
     * Every run, newest (by start) first. The counts of a {@link StoredRun.Status#RUNNING running} run are those
     * of the results committed so far.
     */
    public synchronized List<StoredRun> runs() {
        return query(() -> readRuns("SELECT " + RUN_COLUMNS + " FROM runs" + NEWEST_FIRST, null));
    }

    /**
     * The run with this id, or with {@value #LATEST} the run that started last; empty when the store has none.
     */
    public synchronized Optional<StoredRun> run(String runId) {
        Objects.requireNonNull(runId, "runId");
        if (runId.equals(LATEST)) {
            return query(() -> first(readRuns("SELECT " + RUN_COLUMNS + " FROM runs" + NEWEST_FIRST + " LIMIT 1",
                    null)));
        }
        return query(() -> first(readRuns("SELECT " + RUN_COLUMNS + " FROM runs WHERE run_id = ?", runId)));
    }

    /**
     * The run that {@code --resume} without a run id continues: the newest (by start) run of {@code workflow} that
     * is unfinished, that is {@link StoredRun.Status#RUNNING running} (its process died, or it is still going
     * elsewhere, which a resume then refuses) or {@link StoredRun.Status#HALTED halted} (a halt policy, deadline or
     * interruption stopped it, or tasks were cancelled). A {@link StoredRun.Status#FINISHED finished} run is never
     * picked, even when tasks of it failed: every task reached a final result, and re-running the failed ones is
     * what {@code --retry-failed} asks for explicitly.
     *
     * @param workflow the workflow's name, as the runs record it
     */
    public synchronized Optional<StoredRun> latestUnfinishedRun(String workflow) {
        Objects.requireNonNull(workflow, "workflow");
        String sql = "SELECT " + RUN_COLUMNS + " FROM runs WHERE workflow = ? AND status IN ('running', 'halted')"
                + NEWEST_FIRST + " LIMIT 1";
        return query(() -> first(readRuns(sql, workflow)));
    }

    /**
     * The hash of the workflow definition the run was started (or last resumed) with; empty when the run gave
     * none, or the store has no such run.
     */
    public synchronized Optional<String> definitionHash(String runId) {
        Objects.requireNonNull(runId, "runId");
        return query(() -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT definition_hash FROM runs WHERE run_id = ?")) {
                statement.setString(1, runId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /**
     * Every task of a run, started or not, in the order they were first submitted; empty for an unknown run. Tasks
     * of a run recorded before stores kept tasks are those with a result.
     */
    public synchronized List<StoredTask> tasks(String runId) {
        Objects.requireNonNull(runId, "runId");
        return query(() -> readTasks("SELECT " + TASK_COLUMNS + " FROM tasks WHERE run_id = ? ORDER BY id", runId));
    }

    /**
     * The tasks named {@code taskName} in a run, started or not, in the order they were first submitted: one per
     * agent for a task run by several agents on their own, one per input when tasks share a name.
     */
    public synchronized List<StoredTask> tasks(String runId, String taskName) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(taskName, "taskName");
        return query(() -> readTasks("SELECT " + TASK_COLUMNS + " FROM tasks WHERE run_id = ? AND task = ? "
                + "ORDER BY id", runId, taskName));
    }

    /** The final results of a run, one per task, in the order they were recorded; empty for an unknown run. */
    public synchronized List<StoredResult> results(String runId) {
        Objects.requireNonNull(runId, "runId");
        return query(() -> readResults("SELECT " + RESULT_COLUMNS + " FROM results WHERE run_id = ? ORDER BY id",
                runId));
    }

    /**
     * The final results of the tasks named {@code taskName} in a run, in the order they were recorded: one per
     * agent for a task run by several agents on their own, one per input when tasks share a name; empty when there
     * is none.
     */
    public synchronized List<StoredResult> results(String runId, String taskName) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(taskName, "taskName");
        return query(() -> readResults("SELECT " + RESULT_COLUMNS + " FROM results WHERE run_id = ? AND task = ? "
                + "ORDER BY id", runId, taskName));
    }

    /**
     * The final result of the task named {@code taskName} in a run; empty when there is none.
     *
     * @throws MpflowException when the name does not tell one result: several agents ran the task on their own,
     *     or tasks share the name (use {@link #results(String, String)})
     */
    public synchronized Optional<StoredResult> result(String runId, String taskName) {
        List<StoredResult> found = results(runId, taskName);
        if (found.size() > 1) {
            throw new MpflowException("run " + runId + " has " + found.size() + " results of task '" + taskName
                    + "' (" + describe(found) + ")");
        }
        return found.stream().findFirst();
    }

    /** Every attempt of a run, in the order they were recorded; empty for an unknown run. */
    public synchronized List<StoredAttempt> attempts(String runId) {
        Objects.requireNonNull(runId, "runId");
        return query(() -> readAttempts("SELECT " + ATTEMPT_COLUMNS + " FROM attempts WHERE run_id = ? ORDER BY id",
                runId));
    }

    /**
     * The attempts of the tasks named {@code taskName} in a run, across all its processes, in the order they were
     * recorded; empty when there is none.
     */
    public synchronized List<StoredAttempt> attempts(String runId, String taskName) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(taskName, "taskName");
        return query(() -> readAttempts("SELECT " + ATTEMPT_COLUMNS + " FROM attempts WHERE run_id = ? AND task = ? "
                + "ORDER BY id", runId, taskName));
    }

    /**
     * Deletes every run but the newest {@code keep} (by start), with their tasks, results and attempts:
     * {@code mpflow gc --keep N}. Runs of any status go, except those still live in a process (running, or being
     * resumed): their process holds their lock ({@link RunLocks}), and they are kept and reported. A run whose
     * process died (its row still says running) goes. Each run is claimed before it is deleted, so no process can
     * start resuming it meanwhile; runs are deleted in transactions of up to {@value #DELETE_BATCH}. The file does
     * not shrink by this alone (SQLite reuses the freed pages); {@link #reclaimSpace()} gives them back.
     *
     * @param keep how many runs to keep, 0 or more (live runs are kept besides)
     * @return how many runs were deleted, and the live runs kept although old enough to go
     * @throws MpflowException naming the store when it cannot be written
     */
    public synchronized Deletion deleteRunsKeepingNewest(int keep) {
        if (keep < 0) {
            throw new IllegalArgumentException("keep must not be negative, was " + keep);
        }
        return write("cannot delete old runs from", writer -> {
            List<String> old = new ArrayList<>();
            try (PreparedStatement statement = writer.prepareStatement(OLD_RUNS)) {
                statement.setInt(1, keep);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        old.add(rows.getString(1));
                    }
                }
            }
            RunLocks locks = new RunLocks(location);
            List<LiveRun> live = new ArrayList<>();
            int deleted = 0;
            for (int from = 0; from < old.size(); from += DELETE_BATCH) {
                List<RunLocks.Claim> claims = new ArrayList<>();
                List<String> claimed = new ArrayList<>();
                try {
                    for (String runId : old.subList(from, Math.min(old.size(), from + DELETE_BATCH))) {
                        RunLocks.Outcome outcome = locks.tryClaim(runId);
                        if (outcome instanceof RunLocks.Holder h) {
                            live.add(new LiveRun(runId, h.pid() < 0 ? OptionalLong.empty() : OptionalLong.of(h.pid()),
                                    Optional.ofNullable(h.host())));
                        } else {
                            claims.add((RunLocks.Claim) outcome);
                            claimed.add(runId);
                        }
                    }
                    deleted += deleteRuns(writer, claimed);
                } finally {
                    claims.forEach(RunLocks.Claim::close);
                }
            }
            return new Deletion(deleted, live);
        });
    }

    /** Deletes {@code runIds} with their rows, in one transaction; returns how many runs were deleted. */
    private static int deleteRuns(Connection writer, List<String> runIds) throws SQLException {
        if (runIds.isEmpty()) {
            return 0;
        }
        // IMMEDIATE: the write lock first, so that no writer adds rows to these runs between the statements.
        SqliteSupport.execute(writer, "BEGIN IMMEDIATE");
        try {
            int deleted = 0;
            for (String table : List.of("attempts", "results", "tasks", "runs")) {
                try (PreparedStatement statement = writer.prepareStatement(
                        "DELETE FROM " + table + " WHERE run_id = ?")) {
                    for (String runId : runIds) {
                        statement.setString(1, runId);
                        statement.addBatch();
                    }
                    int[] counts = statement.executeBatch();
                    if (table.equals("runs")) {
                        for (int n : counts) {
                            deleted += Math.max(0, n);
                        }
                    }
                }
            }
            SqliteSupport.execute(writer, "COMMIT");
            return deleted;
        } catch (SQLException | RuntimeException e) {
            SqliteSupport.rollbackQuietly(writer);
            throw e;
        }
    }

    /**
     * What {@link #deleteRunsKeepingNewest} did.
     *
     * @param deleted how many runs it deleted
     * @param keptLive the runs old enough to go that it kept because their process is still running them, oldest
     *     last (newest first, as {@link #runs()} lists them)
     */
    public record Deletion(int deleted, List<LiveRun> keptLive) {
        public Deletion {
            keptLive = List.copyOf(keptLive);
        }
    }

    /**
     * A run that a live process holds.
     *
     * @param runId the run
     * @param pid that process, when known
     * @param host that process's host, when known
     */
    public record LiveRun(String runId, OptionalLong pid, Optional<String> host) {
        public LiveRun {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(pid, "pid");
            Objects.requireNonNull(host, "host");
        }
    }

    /**
     * Whether a run of this store is live: being run (or resumed) by a process that is still alive, this one
     * included. {@link #reclaimSpace()} is for when none is.
     */
    public synchronized boolean hasLiveRuns() {
        return new RunLocks(location).anyLive();
    }

    /**
     * Gives the space of deleted rows back to the file system: {@code VACUUM} rewrites the database without its
     * free pages (and packs pages that deletions left part empty), and a checkpoint moves the result into the file
     * and empties the write-ahead log. The rewrite holds the write lock while it copies the whole database, and
     * needs as much free disk space again: what {@code mpflow gc} does after deleting runs, not something to do
     * while runs go on.
     *
     * @return how many bytes the database shrank by
     * @throws MpflowException naming the store when it cannot be written
     */
    public synchronized long reclaimSpace() {
        return write("cannot reclaim the free space of", writer -> {
            long pageSize = Long.parseLong(SqliteSupport.queryText(writer, "PRAGMA page_size"));
            long before = Long.parseLong(SqliteSupport.queryText(writer, "PRAGMA page_count"));
            SqliteSupport.execute(writer, "VACUUM");
            long after = Long.parseLong(SqliteSupport.queryText(writer, "PRAGMA page_count"));
            // In WAL mode the rewritten pages sit in the log until a checkpoint copies them back and truncates the
            // file; TRUNCATE also empties the log, which the rewrite made as large as the database.
            SqliteSupport.execute(writer, "PRAGMA wal_checkpoint(TRUNCATE)");
            return (before - after) * pageSize;
        });
    }

    /** Work on a connection of its own that may write. */
    @FunctionalInterface
    private interface Write<T> {
        T run(Connection writer) throws SQLException;
    }

    /** Runs {@code work} on a writing connection opened for it; a failure names the store after {@code what}. */
    private <T> T write(String what, Write<T> work) {
        if (closed) {
            throw new MpflowException("store " + location + " is closed");
        }
        Connection writer = null;
        try {
            writer = SqliteSupport.connect(location, false);
            SqliteSupport.execute(writer, "PRAGMA busy_timeout = " + SqliteSupport.BUSY_TIMEOUT_MILLIS);
            Migrations.checkReadable(writer, location);
            return work.run(writer);
        } catch (SQLException e) {
            throw new MpflowException(what + " store " + location + ": " + SqliteSupport.oneLine(e), e);
        } finally {
            closeQuietly(writer);
        }
    }

    /** Closes the database. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeQuietly(connection);
        }
    }

    private List<StoredRun> readRuns(String sql, String parameter) throws SQLException {
        List<StoredRun> runs = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (parameter != null) {
                statement.setString(1, parameter);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    runs.add(run(rows, List.of()));
                }
            }
        }
        if (runs.isEmpty()) {
            return runs;
        }
        // Agents second: a run is inserted with its agents at once, so every run read above has them by now.
        Map<String, List<String>> agents = agents(runs.size() == 1 ? runs.get(0).runId() : null);
        List<StoredRun> withAgents = new ArrayList<>(runs.size());
        for (StoredRun r : runs) {
            withAgents.add(new StoredRun(r.runId(), r.workflow(), r.startedAt(), r.endedAt(), r.status(), r.host(),
                    r.maxWorkers(), agents.getOrDefault(r.runId(), List.of()), r.settings(), r.tasks(),
                    r.succeeded(), r.failed(), r.cancelled(), r.retried(), r.skipped(), r.haltReason(),
                    r.definitionHash()));
        }
        return withAgents;
    }

    private List<StoredResult> readResults(String sql, String... parameters) throws SQLException {
        List<StoredResult> results = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    results.add(result(rows));
                }
            }
        }
        return results;
    }

    private List<StoredTask> readTasks(String sql, String... parameters) throws SQLException {
        List<StoredTask> tasks = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    int value = rows.getInt("priority");
                    // wasNull speaks of the column read last: ask it right away.
                    OptionalInt priority = rows.wasNull() ? OptionalInt.empty() : OptionalInt.of(value);
                    tasks.add(new StoredTask(rows.getLong("id"), rows.getString("run_id"), rows.getString("task"),
                            Optional.ofNullable(rows.getString("agent")), rows.getString("input"), priority,
                            rows.getString("task_key")));
                }
            }
        }
        return tasks;
    }

    private List<StoredAttempt> readAttempts(String sql, String... parameters) throws SQLException {
        List<StoredAttempt> attempts = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    attempts.add(attempt(rows));
                }
            }
        }
        return attempts;
    }

    private static <T> Optional<T> first(List<T> items) {
        return items.stream().findFirst();
    }

    private static String describe(List<StoredResult> results) {
        StringBuilder text = new StringBuilder();
        for (StoredResult r : results) {
            if (text.length() > 0) {
                text.append("; ");
            }
            text.append(r.agent().map(a -> "agent " + a + ", ").orElse("")).append("input '")
                    .append(r.input().length() > 40 ? r.input().substring(0, 40) + "..." : r.input()).append('\'');
        }
        return text.toString();
    }

    /** The agents of one run ({@code runId}) or of all runs ({@code null}), by run id, in order. */
    private Map<String, List<String>> agents(String runId) throws SQLException {
        // The column holds a JSON array; SQLite's json_each unpacks it, so no JSON parser is needed here.
        String sql = "SELECT r.run_id, j.value FROM runs r, json_each(r.agents) j"
                + (runId == null ? "" : " WHERE r.run_id = ?") + " ORDER BY r.run_id, j.key";
        Map<String, List<String>> agents = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            if (runId != null) {
                statement.setString(1, runId);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    agents.computeIfAbsent(rows.getString(1), id -> new ArrayList<>()).add(rows.getString(2));
                }
            }
        }
        return agents;
    }

    private StoredRun run(ResultSet rows, List<String> agents) throws SQLException {
        String status = rows.getString("status");
        StoredRun.Status runStatus = StoredRun.Status.ofWireName(status).orElseThrow(() -> new MpflowException(
                "cannot read store " + location + ": unknown run status '" + status + "'"));
        return new StoredRun(
                rows.getString("run_id"),
                rows.getString("workflow"),
                SqliteSupport.instant(rows.getString("started_at"), location),
                SqliteSupport.optionalInstant(rows.getString("ended_at"), location),
                runStatus,
                rows.getString("host"),
                rows.getInt("max_workers"),
                agents,
                rows.getString("settings"),
                rows.getLong("tasks"),
                rows.getLong("succeeded"),
                rows.getLong("failed"),
                rows.getLong("cancelled"),
                rows.getLong("retried"),
                rows.getLong("skipped"),
                Optional.ofNullable(rows.getString("halt_reason")),
                Optional.ofNullable(rows.getString("definition_hash")));
    }

    private StoredResult result(ResultSet rows) throws SQLException {
        String key = rows.getString("task_key");
        Optional<String> agent = Optional.ofNullable(rows.getString("agent"));
        return new StoredResult(
                rows.getLong("id"),
                rows.getString("run_id"),
                rows.getString("task"),
                agent,
                rows.getString("input"),
                SqliteSupport.taskStatus(rows.getString("status"), location),
                Optional.ofNullable(rows.getString("value_text")),
                Optional.ofNullable(rows.getString("value_type")),
                error(rows),
                rows.getInt("attempts"),
                rows.getLong("worker_pid"),
                SqliteSupport.instant(rows.getString("started_at"), location),
                SqliteSupport.instant(rows.getString("ended_at"), location),
                Duration.ofMillis(rows.getLong("duration_ms")),
                rows.getString("stdout"),
                rows.getString("stderr"),
                // Every row has one since migration V3; computed the same way should one not.
                key != null ? key : TaskKey.of(rows.getString("task"), agent, rows.getString("input")),
                valueSize(rows));
    }

    private StoredAttempt attempt(ResultSet rows) throws SQLException {
        return new StoredAttempt(
                rows.getLong("id"),
                rows.getString("run_id"),
                rows.getString("task"),
                Optional.ofNullable(rows.getString("agent")),
                rows.getInt("attempt"),
                rows.getLong("worker_pid"),
                SqliteSupport.instant(rows.getString("started_at"), location),
                SqliteSupport.instant(rows.getString("ended_at"), location),
                SqliteSupport.taskStatus(rows.getString("status"), location),
                error(rows),
                Optional.ofNullable(rows.getString("task_key")),
                Objects.requireNonNullElse(rows.getString("stdout"), ""),
                Objects.requireNonNullElse(rows.getString("stderr"), ""));
    }

    private static OptionalLong valueSize(ResultSet rows) throws SQLException {
        long size = rows.getLong("value_size");
        return rows.wasNull() ? OptionalLong.empty() : OptionalLong.of(size);
    }

    /** The error columns as one {@link TaskError}; {@code error_type} is NULL exactly when there was no error. */
    private static Optional<TaskError> error(ResultSet rows) throws SQLException {
        String type = rows.getString("error_type");
        if (type == null) {
            return Optional.empty();
        }
        return Optional.of(new TaskError(type, rows.getString("error_message"), rows.getString("error_stack")));
    }

    private interface Query<T> {
        T run() throws SQLException;
    }

    private <T> T query(Query<T> query) {
        if (closed) {
            throw new MpflowException("store " + location + " is closed");
        }
        try {
            return query.run();
        } catch (SQLException e) {
            throw new MpflowException("cannot read store " + location + ": " + SqliteSupport.oneLine(e), e);
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Read-only: nothing can be lost by a failed close.
            }
        }
    }
}
