package dev.mpflow.store.sqlite;

import dev.mpflow.MpflowException;
import dev.mpflow.RunActiveException;
import dev.mpflow.TaskError;
import dev.mpflow.TaskKey;
import dev.mpflow.TaskResult;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
import dev.mpflow.event.SubmittedTask;
import dev.mpflow.spi.CompletedTasks;
import dev.mpflow.spi.MaskingLoggers;
import dev.mpflow.spi.ResultStore;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A {@link ResultStore} writing runs, tasks, attempts and results to a SQLite file.
 *
 * <p>The listener methods only put the event on a queue and return. One daemon thread, {@value #WRITER_THREAD_NAME},
 * takes everything queued at once and writes it in a single transaction (group commit), so the cost of a commit is
 * shared by all the rows that arrived meanwhile. {@link #close()} writes whatever is still queued before it returns.
 *
 * <p>Every task is recorded as it is submitted ({@link #taskSubmitted}), in the same group commits, so that the
 * file knows the tasks that never started; with the count the caller expected ({@link RunInfo#expectedTasks()}),
 * it also knows how many were not submitted yet. A run's tasks are therefore its succeeded, failed and pending
 * ones (never started, unfinished or cancelled), which add up.
 *
 * <p>A result counts as done only once its transaction is committed: {@link #completedTasks} reads committed rows
 * only, so after any crash every task is either committed as done or runs again on resume (at-least-once
 * execution). Recording is exactly-once: a run holds at most one final result per task ({@link TaskKey} of its
 * name, agent, input and occurrence, unique per run), a later result of the same task replacing the earlier one;
 * an attempt is recorded with its task's key when it carries one.
 *
 * <p>A run's row follows it across resumes: a {@code runStarted} for a run the file holds keeps its start and sets
 * it running again; {@code runFinished} writes counts computed from the run's results (so they cover every process
 * that worked on it) and the status: {@code halted} when the summary gives a halt reason (halt policy, deadline,
 * interruption, or a close that cut work short), or tasks of the run remain cancelled; {@code finished} otherwise.
 * A run whose process died stays {@code running}. While a process runs a run, its store holds the run's lock
 * ({@link #claimRun}, {@link RunLocks}), which tells a live run from one whose process died.
 *
 * <p>A write that fails is logged and remembered, and {@link #close()} then throws an {@link MpflowException} naming
 * the file and the first error: results are never dropped silently.
 *
 * <p>Several stores, in this or other processes, may write to the same file: the database is in WAL mode and waits
 * up to ten seconds for another writer's lock.
 */
public final class SqliteResultStore implements ResultStore {
    /** The name of the thread that writes to the database. */
    public static final String WRITER_THREAD_NAME = "mpflow-store-writer";

    private static final Logger log = MaskingLoggers.of(SqliteResultStore.class);

    /** The most events written in one transaction: bounds how long another writer of the file waits for the lock. */
    private static final int MAX_BATCH = 20_000;
    /**
     * Events waiting for the writer at most; past it, whoever reports one waits until the writer has caught up.
     * Without it, a workflow faster than the disk would fill the memory with events not yet written.
     */
    private static final int MAX_QUEUED = 200_000;
    /** How often a batch is tried when the database stays locked by another writer beyond the busy timeout. */
    private static final int BUSY_TRIES = 3;
    /** The pause between tries to switch a new file to WAL while another connection opens it too. */
    private static final long WAL_RETRY_PAUSE_MILLIS = 20;
    /** Failed events logged one by one; beyond that they are only counted, so a full disk does not flood the log. */
    private static final int LOGGED_FAILURES = 10;

    // A start of a run the store already holds is a resume: the run keeps its id, start and workflow name, and is
    // running again; the settings are those of the process that resumed it.
    // The counts of submissions start again with each process: expected_tasks is that process's.
    private static final String INSERT_RUN = """
            INSERT INTO runs (run_id, workflow, started_at, ended_at, status, host, max_workers, agents, settings,
                              definition_hash, expected_tasks, submitted)
            VALUES (?, ?, ?, NULL, 'running', ?, ?, ?, ?, ?, ?, 0)
            ON CONFLICT (run_id) DO UPDATE SET ended_at = NULL, status = 'running', halt_reason = NULL, skipped = 0,
                host = excluded.host, max_workers = excluded.max_workers, agents = excluded.agents,
                settings = excluded.settings,
                definition_hash = coalesce(excluded.definition_hash, runs.definition_hash),
                expected_tasks = excluded.expected_tasks, submitted = 0""";
    // An upsert, so that the end of a run is kept even if its start was never recorded here. The counts and the
    // status follow from the results, in the next two statements.
    private static final String FINISH_RUN = """
            INSERT INTO runs (run_id, workflow, started_at, ended_at, status, host, max_workers, agents, settings,
                              skipped, definition_hash, expected_tasks)
            VALUES (?, ?, ?, ?, 'finished', ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (run_id) DO UPDATE SET ended_at = excluded.ended_at, skipped = excluded.skipped,
                definition_hash = coalesce(excluded.definition_hash, runs.definition_hash)""";
    // Totals over every process of the run: the results table holds one final result per task of the run, the tasks
    // table one row per task; what the last process did not submit of what it expected is counted on top.
    private static final String COUNT_RUN = """
            UPDATE runs SET (succeeded, failed, cancelled, retried) = (
                SELECT coalesce(sum(status = 'succeeded'), 0),
                       coalesce(sum(status NOT IN ('succeeded', 'cancelled')), 0),
                       coalesce(sum(status = 'cancelled'), 0),
                       coalesce(sum(attempts > 1), 0)
                FROM results WHERE results.run_id = runs.run_id),
                tasks = (SELECT count(*) FROM tasks WHERE tasks.run_id = runs.run_id)
                        + max(0, coalesce(expected_tasks - submitted, 0))
            WHERE run_id = ?""";
    // Halted: this process stopped early (?1, the summary's halt reason), or tasks of the run remain cancelled (by
    // an earlier process, whose tasks this one was not all given again).
    private static final String SETTLE_RUN = """
            UPDATE runs SET
                status = CASE WHEN ?1 IS NOT NULL OR cancelled > 0 THEN 'halted' ELSE 'finished' END,
                halt_reason = CASE WHEN ?1 IS NOT NULL THEN ?1
                                   WHEN cancelled > 0 THEN cancelled || ' task(s) of the run remain cancelled'
                              END
            WHERE run_id = ?2""";
    // A task submitted again (a resume) keeps its row, with the priority it has now.
    private static final String INSERT_TASK = """
            INSERT INTO tasks (run_id, task_key, task, agent, input, priority) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (run_id, task_key) DO UPDATE SET priority = excluded.priority""";
    // A result makes its task a task of the run even when its submission was never reported (a caller of the SPI
    // that reports results alone), so that a run's results are always among its tasks.
    private static final String INSERT_RESULT_TASK = """
            INSERT INTO tasks (run_id, task_key, task, agent, input) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (run_id, task_key) DO NOTHING""";
    private static final String COUNT_SUBMITTED = "UPDATE runs SET submitted = submitted + ? WHERE run_id = ?";
    private static final String INSERT_ATTEMPT = """
            INSERT INTO attempts (run_id, task, agent, attempt, worker_pid, started_at, ended_at, status,
                                  error_type, error_message, error_stack, task_key, stdout, stderr)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
    // At most one final result per task of a run: a later one replaces the earlier (and gets a new id, so that ids
    // keep the order in which results were recorded).
    private static final String INSERT_RESULT = """
            INSERT OR REPLACE INTO results (run_id, task, agent, input, status, value_text, value_type,
                                 error_type, error_message, error_stack, attempts, worker_pid,
                                 started_at, ended_at, duration_ms, stdout, stderr, task_key, value_size)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
    // An attempt that does not carry its task's key gets it when the result arrives: every attempt of that run,
    // task and agent still without a key that ended by then (an earlier process's attempts included).
    private static final String KEY_ATTEMPTS = """
            UPDATE attempts SET task_key = ?
            WHERE run_id = ? AND task = ? AND agent IS ? AND task_key IS NULL AND ended_at <= ?""";

    private final Path location;
    private final Connection connection;
    private final PreparedStatement insertRun;
    private final PreparedStatement finishRun;
    private final PreparedStatement countRun;
    private final PreparedStatement settleRun;
    private final PreparedStatement insertTask;
    private final PreparedStatement insertResultTask;
    private final PreparedStatement countSubmitted;
    private final PreparedStatement insertAttempt;
    private final PreparedStatement insertResult;
    private final PreparedStatement keyAttempts;
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final Thread writer;

    /** Guards {@link #accepting}, so that nothing can be queued behind the stop marker. */
    private final Object intake = new Object();
    private boolean accepting = true;

    /** Guards {@link #reader} and {@link #readerClosed}. */
    private final Object reading = new Object();
    /** The read-only connection of {@link #completedTasks}, opened at its first use. */
    private Connection reader;
    private boolean readerClosed;

    /** Serialises {@link #close()} so that a second caller waits for the first to finish; guards {@link #claims}. */
    private final Object closing = new Object();
    private boolean closed;
    /** The runs this store claimed, released when it closes. */
    private final Map<String, RunLocks.Claim> claims = new HashMap<>();
    private final RunLocks locks;

    // Written by the writer thread only; read by close() after joining it (join orders the accesses).
    private String hostName;
    /**
     * The runs whose submissions this store was told of: their results need no task row of their own, which saves
     * a statement per result. A listener that reports submissions reports every one, before the task's result.
     */
    private final Set<String> runsWithSubmissions = new HashSet<>();
    /**
     * Whether some attempt rows may lack their task's key (written by an older version, or reported without one),
     * so that each result must key them: an UPDATE per result otherwise spent for nothing. Writer thread only.
     */
    private boolean unkeyedAttempts;
    private int keyedAttempts;
    private long failedEvents;
    private String firstFailure;
    private Throwable firstFailureCause;

    private SqliteResultStore(Path location, Connection connection) throws SQLException {
        this.location = location;
        this.connection = connection;
        this.locks = new RunLocks(location);
        this.insertRun = connection.prepareStatement(INSERT_RUN);
        this.finishRun = connection.prepareStatement(FINISH_RUN);
        this.countRun = connection.prepareStatement(COUNT_RUN);
        this.settleRun = connection.prepareStatement(SETTLE_RUN);
        this.insertTask = connection.prepareStatement(INSERT_TASK);
        this.insertResultTask = connection.prepareStatement(INSERT_RESULT_TASK);
        this.countSubmitted = connection.prepareStatement(COUNT_SUBMITTED);
        this.insertAttempt = connection.prepareStatement(INSERT_ATTEMPT);
        this.insertResult = connection.prepareStatement(INSERT_RESULT);
        this.keyAttempts = connection.prepareStatement(KEY_ATTEMPTS);
        this.unkeyedAttempts = !"0".equals(SqliteSupport.queryText(connection,
                "SELECT EXISTS (SELECT 1 FROM attempts WHERE task_key IS NULL)"));
        this.writer = new Thread(this::writeLoop, WRITER_THREAD_NAME);
        writer.setDaemon(true);
    }

    /**
     * Opens the store at {@code location}, creating the file and its parent directories when missing and bringing
     * its schema up to date.
     *
     * @throws StoreOpenException naming the location when it cannot be created, opened or written, or holds a
     *     database written by a newer version
     */
    public static SqliteResultStore open(Path location) {
        Objects.requireNonNull(location, "location");
        Path file = location.toAbsolutePath().normalize();
        checkLocation(file);
        Connection connection = null;
        try {
            connection = SqliteSupport.connect(file, false);
            configure(connection, file);
            Migrations.migrate(connection, file);
            SqliteResultStore store = new SqliteResultStore(file, connection);
            store.writer.start();
            log.debug("store {} opened", file);
            return store;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw new StoreOpenException(file, SqliteSupport.oneLine(e), e);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /**
     * The committed final results of {@code runId}, by {@link TaskKey}: the successes, which a resume of that run
     * skips, and the others, which are what retrying its failed tasks runs again. Read on a
     * connection of its own, so it sees exactly what is committed (by this store, or any other process writing the
     * file) and nothing still queued: a success counts as done only once committed. The keys are read now; the
     * value when {@link CompletedTasks#value} asks for it, which works after {@link #close()} too.
     *
     * @throws MpflowException naming the run when the store holds no such run, or the store cannot be read
     */
    @Override
    public CompletedTasks completedTasks(String runId) {
        Objects.requireNonNull(runId, "runId");
        CommittedSuccesses.Builder done = new CommittedSuccesses.Builder();
        boolean known = readCommitted(runId, read -> {
            try (PreparedStatement q = read.prepareStatement("SELECT 1 FROM runs WHERE run_id = ?")) {
                q.setString(1, runId);
                try (ResultSet rows = q.executeQuery()) {
                    if (!rows.next()) {
                        return false;
                    }
                }
            }
            // One statement is one read transaction: the keys are one consistent snapshot of the committed rows.
            try (PreparedStatement q = read.prepareStatement("""
                    SELECT task_key, task, agent, input, value_text, status = 'succeeded' FROM results
                    WHERE run_id = ?""")) {
                q.setString(1, runId);
                try (ResultSet rows = q.executeQuery()) {
                    while (rows.next()) {
                        String key = rows.getString(1);
                        boolean succeeded = rows.getBoolean(6);
                        // Every row has a key since migration V3; should one lack it, compute it from the task,
                        // agent and input (and keep a success's value here, since it cannot be looked up by key).
                        String taskKey = key != null ? key : TaskKey.of(rows.getString(2),
                                Optional.ofNullable(rows.getString(3)), rows.getString(4));
                        if (!succeeded) {
                            done.addFailure(taskKey);
                        } else if (key != null) {
                            done.add(key);
                        } else {
                            done.addWithValue(taskKey, Optional.ofNullable(rows.getString(5)));
                        }
                    }
                }
            }
            return true;
        });
        if (!known) {
            throw new MpflowException("store " + location + " holds no run " + runId);
        }
        CommittedSuccesses successes = done.build(key -> readCommitted(runId, read -> {
            try (PreparedStatement q = read.prepareStatement("""
                    SELECT value_text, value_type FROM results
                    WHERE run_id = ? AND task_key = ? AND status = 'succeeded'""")) {
                q.setString(1, runId);
                q.setString(2, key);
                try (ResultSet rows = q.executeQuery()) {
                    return rows.next() ? storedValue(rows.getString(1), rows.getString(2)) : Optional.empty();
                }
            }
        }));
        log.debug("store {}: run {} has {} committed successes", location, runId, successes.size());
        return successes;
    }

    /** A value as {@link #bindResult} stored it: its text, or the bytes of a {@code byte[]}. */
    private static Optional<Object> storedValue(String text, String type) {
        if (text == null) {
            return Optional.empty();
        }
        if (StoredResult.BASE64_BYTES.equals(type)) {
            try {
                return Optional.of(Base64.getDecoder().decode(text));
            } catch (IllegalArgumentException e) {
                // Not written by this store: the text is all there is.
                return Optional.of(text);
            }
        }
        return Optional.of(text);
    }

    /** The absolute path of the database file. */
    public Path location() {
        return location;
    }

    /**
     * Claims the run until {@link #close()}: the lock that tells other processes it is live (see {@link RunLocks};
     * {@code mpflow gc} keeps it, a resume elsewhere is refused). Claiming a run this store holds already does
     * nothing.
     *
     * @throws dev.mpflow.RunActiveException when another process, or another store of this process, holds it
     * @throws MpflowException when the store is closed
     */
    @Override
    public void claimRun(String runId) {
        Objects.requireNonNull(runId, "runId");
        synchronized (closing) {
            if (closed) {
                throw new MpflowException("store " + location + " is closed");
            }
            if (claims.containsKey(runId)) {
                return;
            }
            RunLocks.Outcome outcome = locks.tryClaim(runId);
            if (outcome instanceof RunLocks.Holder h) {
                throw new RunActiveException(runId, h.pid(), h.host());
            }
            claims.put(runId, (RunLocks.Claim) outcome);
            log.debug("store {}: run {} claimed", location, runId);
        }
    }

    /** Records the run as running. */
    @Override
    public void runStarted(RunInfo run) {
        submit(new RunStarted(Objects.requireNonNull(run, "run")));
    }

    /** Records a task as submitted, started or not; a done-earlier one is only counted. */
    @Override
    public void taskSubmitted(SubmittedTask task) {
        submit(new TaskSubmitted(Objects.requireNonNull(task, "task")));
    }

    /** Records one finished attempt, with its captured output. */
    @Override
    public void attemptFinished(AttemptRecord attempt) {
        submit(new AttemptFinished(Objects.requireNonNull(attempt, "attempt")));
    }

    /** Records a task's final result. */
    @Override
    public void taskFinished(String runId, TaskResult result) {
        submit(new TaskFinished(Objects.requireNonNull(runId, "runId"), Objects.requireNonNull(result, "result")));
    }

    /** Records the run as finished, with its end time and counts. */
    @Override
    public void runFinished(RunInfo run, RunSummary summary) {
        submit(new RunFinished(Objects.requireNonNull(run, "run"), Objects.requireNonNull(summary, "summary")));
    }

    /**
     * Stops accepting events, writes everything already reported, closes the database, and then releases the runs
     * it claimed. Idempotent: later calls return at once (a concurrent call waits for the first to finish).
     *
     * @throws MpflowException naming the file and the first error if any event could not be written
     */
    @Override
    public void close() {
        synchronized (closing) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                closeDatabase();
            } finally {
                // Only once everything is written: until then the run is live.
                claims.values().forEach(RunLocks.Claim::close);
                claims.clear();
            }
        }
    }

    private void closeDatabase() {
        synchronized (intake) {
            accepting = false;
            enqueue(Stop.INSTANCE);
        }
        joinWriter();
        // Anything left means the writer thread died; count it rather than lose it quietly.
        long unwritten = queue.stream().filter(event -> event != Stop.INSTANCE).count();
        if (unwritten > 0) {
            failedEvents += unwritten;
            if (firstFailure == null) {
                firstFailure = "the writer thread stopped with " + unwritten + " events queued";
            }
            queue.clear();
        }
        closeQuietly(connection);
        synchronized (reading) {
            readerClosed = true;
            closeQuietly(reader);
            reader = null;
        }
        if (failedEvents > 0) {
            throw new MpflowException("store " + location + " could not record " + failedEvents
                    + " event(s); first error: " + firstFailure, firstFailureCause);
        }
    }

    private interface Read<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code read} on the store's read-only connection, opened at the first read; after {@link #close()}, on
     * one opened for this read alone.
     */
    @Override
    public Optional<String> latestUnfinishedRun(String workflow) {
        Objects.requireNonNull(workflow, "workflow");
        return readCommitted("of workflow '" + workflow + "'", read -> {
            // The same choice as the command line's --resume: the newest running or halted run of the workflow.
            try (PreparedStatement q = read.prepareStatement("SELECT run_id FROM runs WHERE workflow = ? AND status "
                    + "IN ('running', 'halted') ORDER BY started_at DESC, rowid DESC LIMIT 1")) {
                q.setString(1, workflow);
                try (ResultSet rows = q.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public Optional<String> definitionHash(String runId) {
        Objects.requireNonNull(runId, "runId");
        return readCommitted(runId, read -> {
            try (PreparedStatement q = read.prepareStatement("SELECT definition_hash FROM runs WHERE run_id = ?")) {
                q.setString(1, runId);
                try (ResultSet rows = q.executeQuery()) {
                    return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    private <T> T readCommitted(String runId, Read<T> read) {
        try {
            synchronized (reading) {
                if (!readerClosed) {
                    if (reader == null) {
                        reader = openReader();
                    }
                    return read.run(reader);
                }
            }
            try (Connection once = openReader()) {
                return read.run(once);
            }
        } catch (SQLException e) {
            throw new MpflowException("cannot read run " + runId + " from store " + location + ": "
                    + SqliteSupport.oneLine(e), e);
        }
    }

    private Connection openReader() throws SQLException {
        Connection c = SqliteSupport.connect(location, true);
        try {
            SqliteSupport.execute(c, "PRAGMA busy_timeout = " + SqliteSupport.BUSY_TIMEOUT_MILLIS);
            return c;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private void submit(Event event) {
        boolean lost;
        synchronized (intake) {
            lost = accepting && !enqueue(event);
            if (accepting && !lost) {
                return;
            }
        }
        if (lost) {
            // Counted where close() will find it (the writer, which counts the rest, is gone), and outside the
            // intake lock, which close() takes while it holds this one.
            synchronized (closing) {
                fail(1, "the writer thread has stopped", null);
            }
            return;
        }
        log.warn("store {} is closed; not recording the {}", location, event.describe());
    }

    /**
     * Queues an event, waiting while the queue is full; false if the writer has stopped, as nothing would ever make
     * room then.
     */
    private boolean enqueue(Event event) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (queue.offer(event, 100, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // the event is recorded all the same
                }
                if (!writer.isAlive()) {
                    return false;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void checkLocation(Path file) {
        Path parent = file.getParent();
        if (parent != null) {
            try {
                Files.createDirectories(parent);
            } catch (FileAlreadyExistsException e) {
                throw cannotOpen(file, "parent " + e.getFile() + " exists and is not a directory", e);
            } catch (IOException | SecurityException e) {
                throw cannotOpen(file, "cannot create parent directory " + parent + ": "
                        + SqliteSupport.fileProblem(e, parent), e);
            }
            // SQLite needs to create the -wal and -shm files next to the database, not only to write the file.
            if (!Files.isWritable(parent)) {
                throw cannotOpen(file, "parent directory is not writable", null);
            }
        }
        if (Files.isDirectory(file)) {
            throw cannotOpen(file, "it is a directory", null);
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw cannotOpen(file, "the file is not writable", null);
        }
    }

    private static StoreOpenException cannotOpen(Path file, String reason, Throwable cause) {
        return new StoreOpenException(file, reason, cause);
    }

    private static void configure(Connection connection, Path file) throws SQLException {
        // busy_timeout first: switching to WAL may have to wait for another process opening the same file.
        SqliteSupport.execute(connection, "PRAGMA busy_timeout = " + SqliteSupport.BUSY_TIMEOUT_MILLIS);
        String mode = switchToWal(connection);
        if (!"wal".equalsIgnoreCase(mode)) {
            // Some file systems (network shares) cannot do WAL; SQLite then keeps a rollback journal, which is
            // slower with concurrent readers but still correct.
            log.warn("store {}: WAL journal mode unavailable, using '{}'", file, mode);
        }
        SqliteSupport.execute(connection, "PRAGMA synchronous = NORMAL");
        // The results' and tasks' key indexes take rows in no order: keep their pages in memory (64 MiB at most).
        SqliteSupport.execute(connection, "PRAGMA cache_size = -65536");
        SqliteSupport.execute(connection, "PRAGMA wal_autocheckpoint = 16384");
        SqliteSupport.execute(connection, "PRAGMA foreign_keys = ON");
    }

    private static String switchToWal(Connection connection) throws SQLException {
        String mode = SqliteSupport.queryText(connection, "PRAGMA journal_mode");
        if ("wal".equalsIgnoreCase(mode)) {
            return mode; // WAL is persistent: only a new file needs switching.
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SqliteSupport.BUSY_TIMEOUT_MILLIS);
        while (true) {
            try {
                return SqliteSupport.queryText(connection, "PRAGMA journal_mode = WAL");
            } catch (SQLException e) {
                // Changing the journal mode needs the file to itself, and SQLite reports another connection
                // opening it at the same moment as SQLITE_BUSY at once, without the busy handler: wait here.
                if (!SqliteSupport.hasCode(e, SqliteSupport.SQLITE_BUSY) || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(WAL_RETRY_PAUSE_MILLIS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void joinWriter() {
        boolean interrupted = false;
        while (true) {
            try {
                writer.join();
                break;
            } catch (InterruptedException e) {
                // Giving up here would lose results already reported; finish the join and keep the interrupt.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the writer thread ----

    private void writeLoop() {
        List<Event> batch = new ArrayList<>();
        try {
            boolean stop = false;
            while (!stop) {
                batch.add(take());
                queue.drainTo(batch, MAX_BATCH - 1);
                // Nothing is queued after the stop marker, so when present it is the last event taken.
                if (batch.get(batch.size() - 1) == Stop.INSTANCE) {
                    batch.remove(batch.size() - 1);
                    stop = true;
                }
                if (!batch.isEmpty()) {
                    writeBatch(batch);
                }
                batch.clear();
            }
        } catch (Throwable e) {
            // Not expected (SQL failures are handled per batch); keep it for close() instead of dying unseen.
            fail(batch.size(), "writer thread failed: " + SqliteSupport.oneLine(e), e);
            log.error("store {}: writer thread failed", location, e);
        }
    }

    private Event take() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // Only close() stops the writer, through the stop marker: an interrupt must not lose the queue.
            }
        }
    }

    private void writeBatch(List<Event> batch) {
        SQLException failure = null;
        for (int attempt = 1; attempt <= BUSY_TRIES; attempt++) {
            try {
                writeTransaction(batch);
                return;
            } catch (SQLException e) {
                SqliteSupport.rollbackQuietly(connection);
                failure = e;
                boolean busy = SqliteSupport.hasCode(e, SqliteSupport.SQLITE_BUSY)
                        || SqliteSupport.hasCode(e, SqliteSupport.SQLITE_LOCKED);
                if (!busy) {
                    break;
                }
                log.warn("store {}: database still locked after {} ms, trying again", location,
                        SqliteSupport.BUSY_TIMEOUT_MILLIS);
            } catch (RuntimeException e) {
                SqliteSupport.rollbackQuietly(connection);
                writeOneByOne(batch);
                return;
            }
        }
        if (SqliteSupport.hasCode(failure, SqliteSupport.SQLITE_CONSTRAINT)) {
            // One bad row (say, an attempt of a run this store never saw start) must not take the whole batch
            // with it: retry each event alone to keep the good ones and name the bad one, even when the writer
            // happened to take it in a batch of its own.
            log.warn("store {}: a batch of {} events failed ({}); writing them one by one", location, batch.size(),
                    SqliteSupport.oneLine(failure));
            writeOneByOne(batch);
        } else {
            // The database itself refuses writes (disk full, read-only, I/O error): nothing in the batch is kept.
            fail(batch.size(), SqliteSupport.oneLine(failure), failure);
            log.error("store {}: could not write {} events: {}", location, batch.size(),
                    SqliteSupport.oneLine(failure));
        }
    }

    private void writeOneByOne(List<Event> batch) {
        for (Event event : batch) {
            try {
                writeTransaction(List.of(event));
            } catch (SQLException | RuntimeException e) {
                SqliteSupport.rollbackQuietly(connection);
                String reason = "the " + event.describe() + ": " + SqliteSupport.oneLine(e);
                fail(1, reason, e);
                if (failedEvents <= LOGGED_FAILURES) {
                    log.error("store {}: could not record {}", location, reason);
                } else if (failedEvents == LOGGED_FAILURES + 1) {
                    log.error("store {}: more events could not be recorded; they are counted but not logged",
                            location);
                }
            }
        }
    }

    /** Writes {@code events} in one transaction, with one batched statement per kind of row. */
    private void writeTransaction(List<Event> events) throws SQLException {
        int runs = 0;
        int tasks = 0;
        Map<String, Long> submissions = null;
        int ends = 0;
        int attempts = 0;
        int results = 0;
        int resultTasks = 0;
        keyedAttempts = 0;
        try {
            SqliteSupport.execute(connection, "BEGIN IMMEDIATE");
            for (Event event : events) {
                if (event instanceof RunStarted e) {
                    bindRunStarted(e.run());
                    runs++;
                } else if (event instanceof TaskSubmitted e) {
                    if (!e.task().doneEarlier()) {
                        bindTask(e.task());
                        tasks++;
                    }
                    if (submissions == null) {
                        submissions = new HashMap<>();
                    }
                    submissions.merge(e.task().runId(), 1L, Long::sum);
                    runsWithSubmissions.add(e.task().runId());
                } else if (event instanceof AttemptFinished e) {
                    bindAttempt(e.attempt());
                    attempts++;
                } else if (event instanceof TaskFinished e) {
                    bindResult(e.runId(), e.result());
                    results++;
                    if (!runsWithSubmissions.contains(e.runId())) {
                        bindResultTask(e.runId(), e.result());
                        resultTasks++;
                    }
                } else if (event instanceof RunFinished e) {
                    bindRunFinished(e.run(), e.summary());
                    ends++;
                }
            }
            // Rows referring to a run go after its insert, a task's submission before the row its result may add,
            // the keys of attempts after both the attempts and the results, and the run's end (whose counts come
            // from the tasks and results) after everything else, whatever the order of the events within the batch.
            if (runs > 0) {
                insertRun.executeBatch();
            }
            if (tasks > 0) {
                insertTask.executeBatch();
            }
            if (submissions != null) {
                // One statement per run and batch, however many tasks: submissions come by the hundred thousand.
                for (Map.Entry<String, Long> e : submissions.entrySet()) {
                    countSubmitted.setLong(1, e.getValue());
                    countSubmitted.setString(2, e.getKey());
                    countSubmitted.addBatch();
                }
                countSubmitted.executeBatch();
            }
            if (attempts > 0) {
                insertAttempt.executeBatch();
            }
            if (results > 0) {
                insertResult.executeBatch();
                if (resultTasks > 0) {
                    insertResultTask.executeBatch();
                }
                if (keyedAttempts > 0) {
                    keyAttempts.executeBatch();
                }
            }
            if (ends > 0) {
                finishRun.executeBatch();
                countRun.executeBatch();
                settleRun.executeBatch();
            }
            SqliteSupport.execute(connection, "COMMIT");
        } finally {
            for (PreparedStatement statement : List.of(insertRun, insertTask, countSubmitted, insertAttempt,
                    insertResult, insertResultTask, keyAttempts, finishRun, countRun, settleRun)) {
                statement.clearBatch();
            }
        }
    }

    private void bindRunStarted(RunInfo run) throws SQLException {
        PreparedStatement s = insertRun;
        s.setString(1, run.runId());
        s.setString(2, run.workflowName());
        s.setString(3, SqliteSupport.instantText(run.startedAt()));
        s.setString(4, hostName());
        s.setInt(5, run.maxWorkers());
        s.setString(6, SqliteSupport.agentsJson(run.agents()));
        s.setString(7, run.settings());
        setNullable(s, 8, run.definitionHash().orElse(null));
        setNullable(s, 9, run.expectedTasks());
        s.addBatch();
    }

    private void bindRunFinished(RunInfo run, RunSummary summary) throws SQLException {
        PreparedStatement s = finishRun;
        s.setString(1, run.runId());
        s.setString(2, run.workflowName());
        s.setString(3, SqliteSupport.instantText(run.startedAt()));
        // The end as the core measured it, rather than when this thread got round to writing it.
        Duration wallTime = summary.wallTime() == null ? Duration.ZERO : summary.wallTime();
        s.setString(4, SqliteSupport.instantText(run.startedAt().plus(wallTime)));
        s.setString(5, hostName());
        s.setInt(6, run.maxWorkers());
        s.setString(7, SqliteSupport.agentsJson(run.agents()));
        s.setString(8, run.settings());
        s.setLong(9, summary.skipped());
        setNullable(s, 10, run.definitionHash().orElse(null));
        setNullable(s, 11, run.expectedTasks());
        s.addBatch();

        countRun.setString(1, run.runId());
        countRun.addBatch();

        setNullable(settleRun, 1, summary.haltReason().orElse(null));
        settleRun.setString(2, run.runId());
        settleRun.addBatch();
    }

    private void bindTask(SubmittedTask t) throws SQLException {
        PreparedStatement s = insertTask;
        s.setString(1, t.runId());
        s.setString(2, t.key());
        s.setString(3, t.task());
        setNullable(s, 4, t.agent().orElse(null));
        s.setString(5, t.input());
        s.setInt(6, t.priority());
        s.addBatch();
    }

    private void bindAttempt(AttemptRecord a) throws SQLException {
        PreparedStatement s = insertAttempt;
        s.setString(1, a.runId());
        s.setString(2, a.task());
        setNullable(s, 3, a.agent().orElse(null));
        s.setInt(4, a.attempt());
        s.setLong(5, a.workerPid());
        s.setString(6, SqliteSupport.instantText(a.startedAt()));
        s.setString(7, SqliteSupport.instantText(a.endedAt()));
        s.setString(8, a.status().wireName());
        bindError(s, 9, a.error());
        setNullable(s, 12, a.taskKey().orElse(null));
        if (a.taskKey().isEmpty()) {
            unkeyedAttempts = true;
        }
        s.setString(13, a.stdout());
        s.setString(14, a.stderr());
        s.addBatch();
    }

    private void bindResult(String runId, TaskResult r) throws SQLException {
        PreparedStatement s = insertResult;
        Object value = r.succeeded() ? r.value() : null;
        s.setString(1, runId);
        s.setString(2, r.task());
        setNullable(s, 3, r.agent().orElse(null));
        s.setString(4, r.input());
        s.setString(5, r.status().wireName());
        setNullable(s, 6, valueText(value, r));
        setNullable(s, 7, valueType(value));
        bindError(s, 8, r.error());
        s.setInt(11, r.attempts());
        s.setLong(12, r.workerPid());
        s.setString(13, SqliteSupport.instantText(r.startedAt()));
        s.setString(14, SqliteSupport.instantText(r.endedAt()));
        s.setLong(15, r.duration().toMillis());
        s.setString(16, r.stdout());
        s.setString(17, r.stderr());
        String key = r.key();
        s.setString(18, key);
        if (r.succeeded() && r.valueSize() > 0) {
            s.setLong(19, r.valueSize());
        } else {
            s.setNull(19, Types.INTEGER);
        }
        s.addBatch();

        if (unkeyedAttempts) {
            PreparedStatement k = keyAttempts;
            k.setString(1, key);
            k.setString(2, runId);
            k.setString(3, r.task());
            setNullable(k, 4, r.agent().orElse(null));
            k.setString(5, SqliteSupport.instantText(r.endedAt()));
            k.addBatch();
            keyedAttempts++;
        }
    }

    private void bindResultTask(String runId, TaskResult r) throws SQLException {
        PreparedStatement t = insertResultTask;
        t.setString(1, runId);
        t.setString(2, r.key());
        t.setString(3, r.task());
        setNullable(t, 4, r.agent().orElse(null));
        t.setString(5, r.input());
        t.addBatch();
    }

    /** Binds the three error columns starting at {@code index}, all NULL when there is no error. */
    private static void bindError(PreparedStatement s, int index, Optional<TaskError> error) throws SQLException {
        setNullable(s, index, error.map(TaskError::type).orElse(null));
        setNullable(s, index + 1, error.map(TaskError::message).orElse(null));
        setNullable(s, index + 2, error.map(TaskError::remoteStackTrace).orElse(null));
    }

    private static void setNullable(PreparedStatement s, int index, OptionalLong value)
            throws SQLException {
        if (value.isPresent()) {
            s.setLong(index, value.getAsLong());
        } else {
            s.setNull(index, Types.INTEGER);
        }
    }

    private static void setNullable(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }

    private String valueText(Object value, TaskResult result) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] bytes) {
            // Bytes (a command's output that is not UTF-8) have no text of their own: keep them whole.
            return Base64.getEncoder().encodeToString(bytes);
        }
        try {
            return String.valueOf(value);
        } catch (RuntimeException e) {
            // The value's own toString() is user code; keep the rest of the result rather than fail it.
            log.warn("store {}: toString() of the value of task {} failed: {}", location, result.task(),
                    SqliteSupport.oneLine(e));
            return null;
        }
    }

    private static String valueType(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof byte[] ? StoredResult.BASE64_BYTES : value.getClass().getName();
    }

    /** This machine's name, looked up on the writer thread because a slow DNS must not delay the workflow. */
    private String hostName() {
        if (hostName == null) {
            try {
                hostName = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                hostName = "unknown";
            }
        }
        return hostName;
    }

    private void fail(long events, String reason, Throwable cause) {
        failedEvents += events;
        if (firstFailure == null) {
            firstFailure = reason;
            firstFailureCause = cause;
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("closing a store connection failed: {}", SqliteSupport.oneLine(e));
        }
    }

    // ---- the queued events ----

    private sealed interface Event permits RunStarted, TaskSubmitted, AttemptFinished, TaskFinished, RunFinished,
            Stop {
        /** What the event records, for messages. */
        String describe();
    }

    private record RunStarted(RunInfo run) implements Event {
        @Override
        public String describe() {
            return "start of run " + run.runId();
        }
    }

    private record TaskSubmitted(SubmittedTask task) implements Event {
        @Override
        public String describe() {
            return "submission of task " + task.task() + " in run " + task.runId();
        }
    }

    private record AttemptFinished(AttemptRecord attempt) implements Event {
        @Override
        public String describe() {
            return "attempt " + attempt.attempt() + " of task " + attempt.task() + " in run " + attempt.runId();
        }
    }

    private record TaskFinished(String runId, TaskResult result) implements Event {
        @Override
        public String describe() {
            return "result of task " + result.task() + " in run " + runId;
        }
    }

    private record RunFinished(RunInfo run, RunSummary summary) implements Event {
        @Override
        public String describe() {
            return "end of run " + run.runId();
        }
    }

    /** Queued last by {@link #close()}: the writer stops once everything before it is written. */
    private enum Stop implements Event {
        INSTANCE;

        @Override
        public String describe() {
            return "stop marker";
        }
    }
}
