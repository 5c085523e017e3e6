package dev.mpflow;

import dev.mpflow.event.RunSummary;
import dev.mpflow.event.WorkflowListener;
import dev.mpflow.internal.MaskedLogging;
import dev.mpflow.internal.TaskFeeder;
import dev.mpflow.internal.WorkflowConfig;
import dev.mpflow.internal.WorkflowRuntime;
import dev.mpflow.spi.CompletedTasks;
import dev.mpflow.spi.ResultStore;
import dev.mpflow.spi.ResultStoreProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Runs tasks concurrently in a pool of worker processes (separate JVMs), retrying what fails, killing what hangs,
 * surviving workers that crash, and autosaving every result.
 *
 * <pre>{@code
 * try (MultiProcessWorkflow workflow = new MultiProcessWorkflow(3, true, List.of(agent1, agent2))) {
 *     List<TaskResult> results = workflow.run(Task.of("now", in -> Instant.now().toString()));
 * }
 * }</pre>
 *
 * <p>The worker processes start as work needs them, up to {@code maxWorkers}: none runs right after the workflow
 * is built ({@link #workerPids()} is empty), the first task starts the first. Once started they are reused by every
 * call until {@link #close()}, which stops them all. Workers also end by themselves if this process dies. Every call returns
 * {@link TaskResult}s: a task that fails is a result with its error, never an exception and never a silent
 * {@code null}.
 *
 * <p>With {@code autosave} on (the default), every attempt and result is written to a SQLite file,
 * {@code .mpflow/runs.db} under the working directory unless {@link Builder#store(Path)} says otherwise; this needs
 * the {@code mpflow-store-sqlite} module on the class path.
 *
 * <p>Every call on one workflow belongs to one run. A task given again in the run (the same name, agent and input)
 * is a task of its own: it runs again and has a result of its own, told apart by its
 * {@linkplain TaskResult#occurrence() occurrence} (see {@link TaskKey}). To tell them apart, the workflow remembers
 * a 64-bit hash of each task identity it has been given, some 11 to 21 bytes each.
 *
 * <p>Values marked secret ({@link Builder#secret(String)}) are masked in everything the workflow reports: results,
 * events, the store and its log lines.
 *
 * <p>Thread-safe: any number of threads may submit work at once.
 */
public final class MultiProcessWorkflow implements AutoCloseable {
    /** The default number of worker processes. */
    public static final int DEFAULT_MAX_WORKERS = 5;
    /** The default store file, relative to the working directory. */
    public static final Path DEFAULT_STORE = Path.of(".mpflow", "runs.db");

    private final WorkflowRuntime runtime;
    private final boolean autosave;
    private final Optional<Path> storePath;
    private final Secrets secrets;

    /** Five workers, autosave on, no agents. */
    public MultiProcessWorkflow() {
        this(builder());
    }

    /**
     * The specification's constructor.
     *
     * @param maxWorkers the number of worker processes, at least 1
     * @param autosave whether every result is written to the store as it completes
     * @param agents the agents, in order; empty for none
     */
    public MultiProcessWorkflow(int maxWorkers, boolean autosave, List<? extends Agent> agents) {
        this(builder().maxWorkers(maxWorkers).autosave(autosave).agents(agents));
    }

    private MultiProcessWorkflow(Builder b) {
        this.autosave = b.autosave;
        this.storePath = b.autosave ? Optional.of(b.store.toAbsolutePath().normalize()) : Optional.empty();
        this.secrets = b.secrets;
        // Before anything can log (opening the store, starting workers), until close().
        MaskedLogging.register(secrets);
        try {
            this.runtime = start(b);
        } catch (RuntimeException e) {
            MaskedLogging.unregister(secrets);
            throw e;
        }
    }

    private WorkflowRuntime start(Builder b) {
        if (b.resumeRunId != null && !b.autosave) {
            throw new IllegalArgumentException("resuming run " + b.resumeRunId + " needs autosave: the store holds "
                    + "what the run has done");
        }
        if (b.resumeLatest && !b.autosave) {
            throw new IllegalArgumentException("resuming the latest unfinished run of workflow '" + b.name
                    + "' needs autosave: the store holds what the run has done");
        }
        Optional<ResultStore> store = storePath.map(MultiProcessWorkflow::openStore);
        CompletedTasks completed = CompletedTasks.NONE;
        String resumed = b.resumeRunId;
        String runId;
        try {
            if (resumed == null && b.resumeLatest) {
                resumed = store.orElseThrow().latestUnfinishedRun(b.name).orElse(null);
            }
            runId = resumed != null ? resumed : WorkflowRuntime.newRunId(Instant.now());
            // Before anything of the run is read: a run another process still works on is refused here, and once
            // claimed, no other process resumes or deletes it until this workflow's store is closed.
            if (store.isPresent()) {
                store.get().claimRun(runId);
            }
            if (resumed != null) {
                completed = store.orElseThrow().completedTasks(resumed);
                Optional<String> before = store.orElseThrow().definitionHash(resumed);
                if (!b.force && b.definitionHash != null && before.isPresent() && !before.get().equals(b.definitionHash)) {
                    throw new MpflowException("run " + resumed + " of workflow '" + b.name + "' was started from "
                            + "another definition (hash " + before.get() + ", now " + b.definitionHash
                            + "); force() continues it anyway");
                }
            }
        } catch (RuntimeException e) {
            store.ifPresent(ResultStore::close);
            throw e;
        }
        String javaCommand = b.javaCommand != null ? b.javaCommand
                : Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = b.classPath != null ? b.classPath : System.getProperty("java.class.path");
        int maxPending = b.maxPending > 0 ? b.maxPending : Math.max(64, b.maxWorkers * 16);
        try {
            return new WorkflowRuntime(new WorkflowConfig(b.name, b.maxWorkers, b.agents, b.retry,
                    Optional.ofNullable(b.timeout), store, storePath.map(Path::toString).orElse("none"),
                    b.listeners, javaCommand, classPath, b.jvmOptions, b.captureLimitBytes, b.maxResultBytes, maxPending,
                    b.haltPolicy, Optional.ofNullable(b.deadline), b.shutdownGrace,
                    runId, Optional.ofNullable(resumed), completed, b.onlyFailed && resumed != null,
                    Optional.ofNullable(b.definitionHash),
                    b.expectedTasks < 0 ? OptionalLong.empty() : OptionalLong.of(b.expectedTasks), b.secrets));
        } catch (RuntimeException e) {
            store.ifPresent(ResultStore::close);
            throw e;
        }
    }

    private static ResultStore openStore(Path location) {
        Iterator<ResultStoreProvider> providers = ServiceLoader.load(ResultStoreProvider.class).iterator();
        if (!providers.hasNext()) {
            throw new MpflowException("autosave is on but no result store is on the class path: add the "
                    + "mpflow-store-sqlite module, or turn autosave off");
        }
        return providers.next().open(location);
    }

    /** Starts a builder with the defaults: 5 workers, autosave on, no agents, 3 attempts, no timeout. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs one task in one worker process: its function, then each agent in sequence, each fed the previous
     * output. Retries failed attempts as the retry settings allow. Blocks until the task has its final result.
     *
     * @return the final result: succeeded with the last agent's output (or the function's, without agents), or
     *     failed / timed out / crashed with its error
     */
    public TaskResult executeTask(Task task) {
        Objects.requireNonNull(task, "task");
        return join(runtime.submitPipeline(task, false));
    }

    /** Like {@link #executeTask(Task)} without waiting. */
    public CompletableFuture<TaskResult> submit(Task task) {
        Objects.requireNonNull(task, "task");
        return runtime.submitPipeline(task, false);
    }

    /**
     * Says that the tasks given so far with {@link #executeTask}, {@link #submit} and {@link #run} are all there
     * will be, so that a {@link HaltPolicy} share is judged against their number from now on, as in a run of known
     * size ({@code runAll} knows when its tasks end by itself). A task given after it makes the total unknown
     * again, until this is called again. Thread-safe.
     */
    public void noMoreTasks() {
        runtime.noMoreTasks();
    }

    /**
     * Runs the task once per agent, each job in its own worker process and in parallel (at most
     * {@code maxWorkers} at once). Without agents, runs the task's function once.
     *
     * @return one result per agent, in agent order
     */
    public List<TaskResult> run(Task task) {
        Objects.requireNonNull(task, "task");
        List<TaskResult> results = new ArrayList<>();
        for (CompletableFuture<TaskResult> f : runtime.submitFanOut(task, false)) {
            results.add(join(f));
        }
        return results;
    }

    /**
     * Applies {@code function} to every element in worker processes and returns the results in element order, as
     * Python's {@code Pool.map} does: the elements are split into chunks (about four per worker), each chunk runs
     * in one attempt, and the function is sent to each worker once. A chunk that fails is retried whole under the
     * workflow's retry settings, and timed out under its timeout. The agents are not used, and the results are
     * not autosaved: a map is one computation whose results come back to the caller, not a run of tasks.
     *
     * @param elements serializable values; strings, numbers, booleans and byte arrays travel fastest
     * @return the results, one per element, in order
     * @throws TaskFailedException when a chunk did not succeed after its attempts; its result's error names the
     *     failing element's index within the chunk, whose name ({@code map[FROM..TO]}) gives the chunk's place
     */
    public <T, R> List<R> map(MapFunction<? super T, ? extends R> function, List<? extends T> elements) {
        Objects.requireNonNull(elements, "elements");
        int chunks = 4 * maxWorkers();
        return map(function, elements, Math.max(1, (elements.size() + chunks - 1) / chunks));
    }

    /**
     * Like {@link #map(MapFunction, List)} with chunks of {@code chunkSize} elements: larger chunks cost less per
     * element, smaller ones spread uneven work better.
     */
    @SuppressWarnings("unchecked")
    public <T, R> List<R> map(MapFunction<? super T, ? extends R> function, List<? extends T> elements, int chunkSize) {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(elements, "elements");
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
        }
        List<R> results = new ArrayList<>(elements.size());
        for (CompletableFuture<TaskResult> chunk : runtime.submitMap(function, elements, chunkSize)) {
            TaskResult r = join(chunk);
            if (!r.succeeded()) {
                throw new TaskFailedException(r);
            }
            results.addAll((List<R>) r.value());
        }
        return results;
    }

    /**
     * Runs many tasks through the pool, each through the agents in sequence ({@link AgentMode#PIPELINE}).
     *
     * @return the results in task order, lazily: tasks are taken from {@code tasks} only as results are consumed,
     *     so memory stays bounded however many there are
     */
    public Stream<TaskResult> runAll(Iterable<? extends Task> tasks) {
        return runAll(tasks, AgentMode.PIPELINE);
    }

    /**
     * Runs many tasks through the pool. In {@link AgentMode#FAN_OUT} each task yields one result per agent.
     *
     * @return the results in task order (then agent order), lazily, with at most {@link Builder#maxPending(int)}
     *     jobs pending at once
     */
    public Stream<TaskResult> runAll(Iterable<? extends Task> tasks, AgentMode mode) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(mode, "mode");
        Iterator<TaskResult> ordered = new Iterator<>() {
            private TaskFeeder feeder;
            private TaskResult next;
            private boolean ended;

            @Override
            public boolean hasNext() {
                if (next == null && !ended) {
                    if (feeder == null) {
                        feeder = feed(tasks, mode);
                    }
                    TaskFeeder.Event event = takeEvent(feeder);
                    if (event instanceof TaskFeeder.Submitted s) {
                        next = join(s.future());
                        feeder.release();
                    } else {
                        ended = true;
                        RuntimeException failure = ((TaskFeeder.End) event).failure();
                        if (failure != null) {
                            throw failure;
                        }
                    }
                }
                return next != null;
            }

            @Override
            public TaskResult next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                TaskResult r = next;
                next = null;
                return r;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(ordered,
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /**
     * Runs many tasks through the pool and hands each result to {@code onResult} as soon as it completes (in
     * completion order), on the calling thread. Tasks are taken from {@code tasks} on a thread of its own, so a
     * slow source never delays results. Blocks until every task taken has its final result; an exception thrown by
     * the source is rethrown then.
     *
     * @return the counts of this call's results
     */
    public RunSummary runAll(Iterable<? extends Task> tasks, AgentMode mode, Consumer<? super TaskResult> onResult) {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(onResult, "onResult");
        long started = System.nanoTime();
        TaskFeeder feeder = feed(tasks, mode);
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        // Results and the feeder's events meet in one queue, so the caller waits on one thing.
        Thread relay = new Thread(() -> {
            while (true) {
                TaskFeeder.Event e;
                try {
                    e = feeder.take();
                } catch (InterruptedException ie) {
                    return;
                }
                if (e instanceof TaskFeeder.Submitted s) {
                    events.add(e);
                    s.future().thenAccept(events::add);
                } else {
                    events.add(e);
                    return;
                }
            }
        }, "mpflow-results");
        relay.setDaemon(true);
        relay.start();
        long submitted = 0;
        long delivered = 0;
        boolean ended = false;
        RuntimeException failure = null;
        long ok = 0;
        long bad = 0;
        long cancelled = 0;
        long skipped = 0;
        long leftOut = 0;
        long retried = 0;
        boolean interrupted = false;
        while (!(ended && delivered == submitted)) {
            Object event;
            try {
                event = events.take();
            } catch (InterruptedException e) {
                interrupted = true;
                interrupt();
                continue;
            }
            if (event instanceof TaskFeeder.Submitted) {
                submitted++;
                continue;
            }
            if (event instanceof TaskFeeder.End end) {
                ended = true;
                failure = end.failure();
                continue;
            }
            TaskResult r = (TaskResult) event;
            delivered++;
            feeder.release();
            switch (r.status()) {
                case SUCCEEDED -> {
                    if (r.fromEarlierRun()) {
                        skipped++;
                    } else {
                        ok++;
                    }
                }
                case CANCELLED -> cancelled++;
                case SKIPPED -> leftOut++;
                default -> bad++;
            }
            if (r.retried()) {
                retried++;
            }
            onResult.accept(r);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
        return new RunSummary(ok, bad, cancelled, skipped, leftOut, retried,
                Duration.ofNanos(System.nanoTime() - started), runtime.haltReason());
    }

    private TaskFeeder feed(Iterable<? extends Task> tasks, AgentMode mode) {
        int jobsPerTask = mode == AgentMode.FAN_OUT ? Math.max(1, agents().size()) : 1;
        Iterator<? extends Task> source = tasks.iterator();
        runtime.sourceStarted();
        return TaskFeeder.start(source, jobsPerTask, task -> submitAll(task, mode),
                () -> runtime.haltReason().isPresent(), runtime.config().maxPending(), runtime::sourceEnded);
    }

    private TaskFeeder.Event takeEvent(TaskFeeder feeder) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return feeder.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                    interrupt();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private List<CompletableFuture<TaskResult>> submitAll(Task task, AgentMode mode) {
        Objects.requireNonNull(task, "a task in the input is null");
        return mode == AgentMode.FAN_OUT ? runtime.submitFanOut(task, true) : List.of(runtime.submitPipeline(task, true));
    }

    /**
     * Waits for a result. An interrupt of the waiting thread shuts the workflow down as {@link #close()} would
     * (nothing new starts, running tasks get the grace period), then the wait goes on: the result arrives, cancelled
     * if it did not finish, and the thread's interrupt flag is set again.
     */
    private TaskResult join(CompletableFuture<TaskResult> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    interrupt();
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new MpflowException("internal error while running a task: " + e.getCause(), e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void interrupt() {
        runtime.shutdown("the run was interrupted", runtime.config().shutdownGrace());
    }

    /**
     * Stops the run early, as Ctrl-C does on the command line: nothing new starts; running tasks get up to
     * {@code grace} to finish, then are stopped. Every unfinished task ends as {@link TaskStatus#CANCELLED}. Blocks
     * up to {@code grace}. The workflow accepts no more work afterwards (tasks submitted later are cancelled), but
     * must still be closed.
     */
    public void stop(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        runtime.shutdown("the run was stopped", grace);
    }

    /**
     * Halts the run for {@code reason}, as a halt policy with {@code soon} does: nothing new starts, running tasks
     * may finish, and tasks that have not started end as {@link TaskStatus#CANCELLED}. The run is recorded as
     * halted with the reason, so that it can be resumed; the first reason given (by this, a halt policy, the
     * deadline or a stop) stays. For a caller whose own source of tasks failed part way through (an input that
     * cannot become a task), when some tasks ran already. Returns at once.
     */
    public void halt(String reason) {
        Objects.requireNonNull(reason, "reason");
        runtime.halt(reason, false);
    }

    /** Why the run stopped early (halt policy, deadline, stop, interruption, {@link #halt}), if it did. */
    public Optional<String> haltReason() {
        return runtime.haltReason();
    }

    /** The id of this workflow's run in the store (and in logs). */
    public String runId() {
        return runtime.run().runId();
    }

    public String name() {
        return runtime.config().name();
    }

    public int maxWorkers() {
        return runtime.config().maxWorkers();
    }

    public boolean autosave() {
        return autosave;
    }

    /** The store file, when autosave is on. */
    public Optional<Path> store() {
        return storePath;
    }

    public List<Agent> agents() {
        return runtime.config().agents();
    }

    /** The process ids of the worker processes alive now. */
    public List<Long> workerPids() {
        return runtime.workerPids();
    }

    /** Counts of the results so far, over every call on this workflow. */
    public RunSummary summary() {
        return runtime.summary();
    }

    /**
     * Ends the run: queued tasks are cancelled, running ones get the shutdown grace period (default 10 s) to
     * finish, then every worker process is stopped and the store closed after writing everything it buffered.
     * Idempotent.
     */
    @Override
    public void close() {
        try {
            runtime.close();
        } finally {
            MaskedLogging.unregister(secrets);
        }
    }

    /** The values this workflow masks in everything it reports. */
    public Secrets secrets() {
        return secrets;
    }

    /** How {@link #runAll(Iterable, AgentMode)} uses the agents. */
    public enum AgentMode {
        /** Each task goes through the agents in sequence: one result per task. */
        PIPELINE,
        /** Every agent runs every task in parallel: one result per task and agent. */
        FAN_OUT
    }

    /** Builds a {@link MultiProcessWorkflow}. Setters validate their argument and name it on error. Not thread-safe. */
    public static final class Builder {
        private String name = "workflow";
        private int maxWorkers = DEFAULT_MAX_WORKERS;
        private boolean autosave = true;
        private Path store = DEFAULT_STORE;
        private final List<Agent> agents = new ArrayList<>();
        private RetrySettings retry = RetrySettings.DEFAULT;
        private Duration timeout;
        private final List<String> jvmOptions = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xshare:auto"));
        private int captureLimitBytes = 1 << 20;
        private long maxResultBytes = 64L << 20;
        private int maxPending;
        private final List<WorkflowListener> listeners = new ArrayList<>();
        private String javaCommand;
        private String classPath;
        private HaltPolicy haltPolicy = HaltPolicy.never();
        private Duration deadline;
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private String resumeRunId;
        private boolean resumeLatest;
        private boolean force;
        private boolean onlyFailed;
        private String definitionHash;
        private long expectedTasks = -1;
        private Secrets secrets = Secrets.NONE;

        private Builder() {
        }

        /**
         * Marks {@code value} secret: it is replaced by {@value Secrets#MASK} wherever the workflow reports it, in
         * results (name, input, value, error, captured output), in the events its listeners and the store get, and
         * in its log lines; tasks and agents still get the real value. A value of a type other than text, bytes,
         * numbers and booleans whose text holds a secret is replaced by its masked text. A task's identity (for
         * resume) is that of its masked name, agent, input and occurrence; occurrences are counted over the masked
         * identity, so that two tasks that differ only in their secrets remain tasks of their own.
         *
         * @throws IllegalArgumentException when {@code value} has fewer than {@value Secrets#MIN_LENGTH}
         *     characters
         */
        public Builder secret(String value) {
            Objects.requireNonNull(value, "value");
            this.secrets = secrets.and(Secrets.of(value));
            return this;
        }

        /** Marks every one of {@code secrets} secret, as {@link #secret(String)} does. */
        public Builder secrets(Secrets secrets) {
            this.secrets = this.secrets.and(Objects.requireNonNull(secrets, "secrets"));
            return this;
        }

        /**
         * How many jobs this workflow is going to be given, when the caller knows in advance: one per result, so a
         * task run by three agents in {@link AgentMode#FAN_OUT} counts three, and tasks a resumed run skips count
         * too. Recorded with the run, so that its history counts the tasks not submitted yet (a run killed half
         * way through its inputs) as pending; also the total that a {@link HaltPolicy} share is judged against
         * until every task has been submitted. Default: unknown. A wrong count misleads only these. Not used
         * with {@link #retryFailed(String)}: every task such a run runs is one the run has already, and those it
         * does not have are left out, not pending.
         */
        public Builder expectedTasks(long count) {
            if (count < 0) {
                throw new IllegalArgumentException("expectedTasks must not be negative, was " + count);
            }
            this.expectedTasks = count;
            return this;
        }

        /**
         * Continues run {@code runId} of the store instead of starting a new run: tasks whose success that run
         * committed are not run again (they come back as results with 0 attempts, {@link TaskResult#fromEarlierRun()});
         * failed, cancelled and never-started ones run. Tasks are matched by {@link TaskKey}, their occurrence
         * included: the n-th time a task is given in the resumed run is the n-th time it was given before. Needs
         * autosave. Replaces an earlier {@link #retryFailed(String)}. A run that another process is still running
         * is refused: two processes would both run its pending tasks.
         *
         * @throws MpflowException from {@link #build()} when the store holds no such run; a
         *     {@link RunActiveException} when another process is still running it
         */
        public Builder resume(String runId) {
            Objects.requireNonNull(runId, "runId");
            if (runId.isBlank()) {
                throw new IllegalArgumentException("runId must not be blank");
            }
            this.resumeRunId = runId;
            this.resumeLatest = false;
            this.onlyFailed = false;
            return this;
        }

        /**
         * Continues run {@code runId} of the store to run again only its tasks that did not succeed: those whose
         * committed final result there is failed, timed out, crashed or cancelled. Every other task is not run:
         * one that succeeded there comes back as with {@link #resume(String)} (0 attempts,
         * {@link TaskResult#fromEarlierRun()}), and one the run has no result of (such as an input added since)
         * comes back {@link TaskStatus#SKIPPED}; neither is recorded again. Replaces an earlier {@code resume}.
         * Needs autosave. Refused, as with {@code resume}, while another process is still running the run.
         *
         * @throws MpflowException from {@link #build()} when the store holds no such run; a
         *     {@link RunActiveException} when another process is still running it
         */
        public Builder retryFailed(String runId) {
            resume(runId);
            this.onlyFailed = true;
            return this;
        }

        /**
         * Continues the newest run of this workflow (by {@link #name}) that did not finish, its process having died
         * or a halt having stopped it, as {@link #resume(String)} would; starts a new run when there is none, so
         * that a program run again and again picks up where it stopped. {@link MultiProcessWorkflow#runId()} and the
         * run's {@link dev.mpflow.event.RunInfo#resumed()} tell which happened. Needs autosave. When that run is
         * still going in another process, {@link #build()} throws a {@link RunActiveException}.
         */
        public Builder resumeLatestUnfinished() {
            this.resumeLatest = true;
            this.resumeRunId = null;
            this.onlyFailed = false;
            return this;
        }

        /**
         * Resumes even when the run was started from another definition ({@link #definitionHash}); without it,
         * {@link #build()} refuses such a resume with an {@link MpflowException} naming both hashes.
         */
        public Builder force() {
            this.force = true;
            return this;
        }

        /**
         * A hash of the workflow's definition, recorded with the run so that a resume can detect a change: a resume
         * of a run recorded with another hash is refused unless {@link #force()}.
         */
        public Builder definitionHash(String hash) {
            this.definitionHash = Objects.requireNonNull(hash, "hash");
            return this;
        }

        /**
         * When failures stop the run early; default {@link HaltPolicy#never()}. A share is judged against the run's
         * total when it is known: once every {@code runAll} source has ended (and no task was given on its own),
         * or from {@link #expectedTasks(long)}.
         */
        public Builder haltPolicy(HaltPolicy haltPolicy) {
            this.haltPolicy = Objects.requireNonNull(haltPolicy, "haltPolicy");
            return this;
        }

        /**
         * How long the whole run may take, from the first task on; past it, running attempts are stopped and
         * every unfinished task ends as {@link TaskStatus#CANCELLED}. Default: no limit.
         */
        public Builder deadline(Duration deadline) {
            this.deadline = RetrySettings.requirePositive("deadline", deadline);
            return this;
        }

        /**
         * How long running attempts may take to finish when the workflow is closed or its caller interrupted,
         * before they are stopped; default 10 s. Zero stops them at once.
         */
        public Builder shutdownGrace(Duration grace) {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must not be negative, was " + grace);
            }
            this.shutdownGrace = grace;
            return this;
        }

        /** The name shown in logs and recorded in the store; default {@code workflow}. */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** The number of worker processes, at least 1; default 5. */
        public Builder maxWorkers(int maxWorkers) {
            if (maxWorkers < 1) {
                throw new IllegalArgumentException("maxWorkers must be at least 1, was " + maxWorkers);
            }
            this.maxWorkers = maxWorkers;
            return this;
        }

        /** Whether results are written to the store as they complete; default true. */
        public Builder autosave(boolean autosave) {
            this.autosave = autosave;
            return this;
        }

        /** The store file; default {@code .mpflow/runs.db} under the working directory. */
        public Builder store(Path store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Replaces the agents. */
        public Builder agents(List<? extends Agent> agents) {
            Objects.requireNonNull(agents, "agents");
            List<Agent> copy = new ArrayList<>();
            for (Agent a : agents) {
                copy.add(Objects.requireNonNull(a, "agents must not contain null"));
            }
            long distinct = copy.stream().map(Agent::name).distinct().count();
            if (distinct != copy.size()) {
                throw new IllegalArgumentException("agent names must be unique, were "
                        + copy.stream().map(Agent::name).toList());
            }
            this.agents.clear();
            this.agents.addAll(copy);
            return this;
        }

        /** Retry settings for every task that has none of its own; default {@link RetrySettings#DEFAULT}. */
        public Builder retry(RetrySettings retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** The per-attempt timeout for tasks that have none of their own; default none. */
        public Builder timeout(Duration timeout) {
            this.timeout = RetrySettings.requirePositive("timeout", timeout);
            return this;
        }

        /** Adds JVM options for the worker processes, such as {@code -Xmx512m}. */
        public Builder workerJvmOptions(List<String> options) {
            Objects.requireNonNull(options, "options");
            options.forEach(o -> jvmOptions.add(Objects.requireNonNull(o, "options must not contain null")));
            return this;
        }

        /** How many bytes of standard output, and as many of standard error, each attempt keeps; default 1 MiB. */
        public Builder captureLimitBytes(int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("captureLimitBytes must not be negative, was " + limit);
            }
            this.captureLimitBytes = limit;
            return this;
        }

        /**
         * The largest result a task may return, in bytes of the value itself; default 64 MiB. What is measured is
         * what {@link TaskResult#valueSize()} reports: the UTF-8 bytes of a {@link String}, the bytes of a
         * {@code byte[]}, 4 for an {@link Integer}, 8 for a {@link Long} or {@link Double}, 1 for a
         * {@link Boolean}, 0 for {@code null}, and the Java-serialized form of any other value; never the few bytes
         * the value travels with. For {@code map}, the results of one chunk together. A larger result fails the
         * attempt with a {@link ResultTooLargeException}, which is not retried.
         */
        public Builder maxResultBytes(long maxResultBytes) {
            if (maxResultBytes < 1) {
                throw new IllegalArgumentException("maxResultBytes must be at least 1, was " + maxResultBytes);
            }
            this.maxResultBytes = maxResultBytes;
            return this;
        }

        /** How many jobs {@code runAll} keeps pending at once; default 16 per worker, at least 64. */
        public Builder maxPending(int maxPending) {
            if (maxPending < 1) {
                throw new IllegalArgumentException("maxPending must be at least 1, was " + maxPending);
            }
            this.maxPending = maxPending;
            return this;
        }

        /** Adds a listener for the workflow's events. */
        public Builder listener(WorkflowListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The {@code java} executable for workers; default the one running this JVM. */
        public Builder javaCommand(String javaCommand) {
            this.javaCommand = Objects.requireNonNull(javaCommand, "javaCommand");
            return this;
        }

        /** The workers' class path; default this JVM's, so that every task and agent class is found there. */
        public Builder classPath(String classPath) {
            this.classPath = Objects.requireNonNull(classPath, "classPath");
            return this;
        }

        /**
         * Opens the store and claims the run in it (so that no other process resumes or deletes it while it goes
         * on). Starts no worker process: they start as work needs them.
         *
         * @throws MpflowException when the store cannot be opened; a {@link RunActiveException} when the run to
         *     resume is still going in another process
         */
        public MultiProcessWorkflow build() {
            return new MultiProcessWorkflow(this);
        }
    }
}
