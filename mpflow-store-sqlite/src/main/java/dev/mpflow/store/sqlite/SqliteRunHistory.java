package dev.mpflow.store.sqlite;

import dev.mpflow.MpflowException;
import dev.mpflow.TaskError;
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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the runs, results and attempts of a store written by {@link SqliteResultStore}, for tests and the command
 * line. The file is opened read-only and never created or migrated; it may be read while a store writes to it.
 * Methods may be called from several threads.
 */
public final class SqliteRunHistory implements AutoCloseable {
    private static final String RUN_COLUMNS = "run_id, workflow, started_at, ended_at, status, host, max_workers, "
            + "settings, succeeded, failed, cancelled, retried";
    private static final String RESULT_COLUMNS = "id, run_id, task, agent, input, status, value_text, value_type, "
            + "error_type, error_message, error_stack, attempts, worker_pid, started_at, ended_at, duration_ms, "
            + "stdout, stderr";
    private static final String ATTEMPT_COLUMNS = "id, run_id, task, agent, attempt, worker_pid, started_at, "
            + "ended_at, status, error_type, error_message, error_stack";

    private final Path location;
    private final Connection connection;
    private boolean closed;

    private SqliteRunHistory(Path location, Connection connection) {
        this.location = location;
        this.connection = connection;
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

    /** Every run, newest first. */
    public synchronized List<StoredRun> runs() {
        String sql = "SELECT " + RUN_COLUMNS + " FROM runs ORDER BY started_at DESC, run_id DESC";
        return query(() -> {
            List<StoredRun> runs = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql);
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    runs.add(run(rows, List.of()));
                }
            }
            // Agents second: a run is inserted with its agents at once, so every run read above has them by now.
            Map<String, List<String>> agents = agents(null);
            List<StoredRun> withAgents = new ArrayList<>(runs.size());
            for (StoredRun r : runs) {
                withAgents.add(new StoredRun(r.runId(), r.workflow(), r.startedAt(), r.endedAt(), r.status(),
                        r.host(), r.maxWorkers(), agents.getOrDefault(r.runId(), List.of()), r.settings(),
                        r.succeeded(), r.failed(), r.cancelled(), r.retried()));
            }
            return withAgents;
        });
    }

    /** The run with this id, if the store has it. */
    public synchronized Optional<StoredRun> run(String runId) {
        Objects.requireNonNull(runId, "runId");
        String sql = "SELECT " + RUN_COLUMNS + " FROM runs WHERE run_id = ?";
        return query(() -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, runId);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(run(rows, agents(runId).getOrDefault(runId, List.of())));
                }
            }
        });
    }

    /** The final results of a run, in the order they were recorded; empty for an unknown run. */
    public synchronized List<StoredResult> results(String runId) {
        Objects.requireNonNull(runId, "runId");
        String sql = "SELECT " + RESULT_COLUMNS + " FROM results WHERE run_id = ? ORDER BY id";
        return query(() -> {
            List<StoredResult> results = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, runId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        results.add(result(rows));
                    }
                }
            }
            return results;
        });
    }

    /** Every attempt of a run, in the order they were recorded; empty for an unknown run. */
    public synchronized List<StoredAttempt> attempts(String runId) {
        Objects.requireNonNull(runId, "runId");
        String sql = "SELECT " + ATTEMPT_COLUMNS + " FROM attempts WHERE run_id = ? ORDER BY id";
        return query(() -> {
            List<StoredAttempt> attempts = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, runId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        attempts.add(attempt(rows));
                    }
                }
            }
            return attempts;
        });
    }

    /** Closes the database. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeQuietly(connection);
        }
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
        StoredRun.Status runStatus;
        try {
            runStatus = StoredRun.Status.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MpflowException("cannot read store " + location + ": unknown run status '" + status + "'", e);
        }
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
                rows.getLong("succeeded"),
                rows.getLong("failed"),
                rows.getLong("cancelled"),
                rows.getLong("retried"));
    }

    private StoredResult result(ResultSet rows) throws SQLException {
        return new StoredResult(
                rows.getLong("id"),
                rows.getString("run_id"),
                rows.getString("task"),
                Optional.ofNullable(rows.getString("agent")),
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
                rows.getString("stderr"));
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
                error(rows));
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
