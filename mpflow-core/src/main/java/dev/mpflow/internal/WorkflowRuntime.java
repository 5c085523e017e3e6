package dev.mpflow.internal;

import dev.failsafe.Failsafe;
import dev.mpflow.Agent;
import dev.mpflow.HaltPolicy;
import dev.mpflow.MapFunction;
import dev.mpflow.NotSerializableValueException;
import dev.mpflow.TaskCancelledException;
import dev.mpflow.TaskKey;
import dev.mpflow.TaskError;
import dev.mpflow.Task;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.WorkflowClosedException;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.RunInfo;
import dev.mpflow.event.RunSummary;
import dev.mpflow.event.SubmittedTask;
import dev.mpflow.event.WorkflowListener;
import dev.mpflow.internal.worker.AttemptCallback;
import dev.mpflow.internal.worker.PoolConfig;
import dev.mpflow.spi.CompletedTasks;
import dev.mpflow.internal.worker.WorkerPool;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * The machinery behind {@link dev.mpflow.MultiProcessWorkflow}: turns tasks into jobs, runs each job's attempts in
 * the worker pool under its Failsafe retry policy, turns the last outcome into a {@link TaskResult} and tells the
 * listeners (the store among them) about every step.
 *
 * <p>The life of a task: {@code Task} → one or more {@link Job}s (serialized once) → attempt queued in the pool →
 * sent to an idle worker → reply, crash or timeout → outcome → retried while the policy says so → final result →
 * {@code taskFinished} to listeners → returned to the caller.
 */
public final class WorkflowRuntime implements AutoCloseable {
    private static final Logger log = MaskedLogging.logger(WorkflowRuntime.class);
    private static final DateTimeFormatter RUN_ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final WorkflowConfig config;
    /** What every event, result and log line of the run goes through on its way out. */
    private final Masking masking;
    private final Listeners listeners;
    private final ScheduledExecutorService timer;
    private final WorkerPool pool;
    private final RetryPolicies policies = new RetryPolicies();
    private final WorkDefinitions definitions;
    private final Occurrences occurrences = new Occurrences();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong leftOut = new AtomicLong();
    /** Jobs submitted to run in this process: each ends in {@link #finish}. */
    private final AtomicLong jobs = new AtomicLong();
    /** Sources of tasks ({@code runAll}'s) still being read: while one is, the run's total is not known. */
    private final AtomicInteger openSources = new AtomicInteger();
    /**
     * Whether the jobs submitted so far are all there are: set when a source ends or the caller says so
     * ({@link #noMoreTasks()}), cleared by a task given on its own ({@code executeTask}, {@code submit}, {@code run}).
     */
    private volatile boolean allSubmitted;
    /** Set once when the run halts (policy, deadline, shutdown): no task starts after it. */
    private volatile String haltReason;
    private final RunInfo run;
    private boolean runStarted;
    private boolean closed;

    /** A new run's id: the time it is made, to the second, and four random hex digits. */
    public static String newRunId(Instant now) {
        return RUN_ID_TIME.format(now) + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    public WorkflowRuntime(WorkflowConfig config) {
        this.config = config;
        this.masking = new Masking(config.secrets());
        List<WorkflowListener> all = new ArrayList<>(config.listeners());
        config.store().ifPresent(all::add);
        this.listeners = new Listeners(all, masking);
        Instant now = Instant.now();
        String runId = config.runId();
        // A run that retries failed tasks runs none but those it has: what it does not have is left out, not pending,
        // so a count of what the caller submits says nothing of its tasks.
        this.run = masking.run(new RunInfo(runId, config.name(), now, config.maxWorkers(),
                config.agents().stream().map(Agent::name).toList(), describeSettings(config),
                config.definitionHash(), config.resumeRunId().isPresent(),
                config.onlyFailed() ? OptionalLong.empty() : config.expectedTasks()));
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "mpflow-timer");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        log.info("workflow '{}' {} run {}: {}", run.workflowName(), run.resumed() ? "resuming" : "starting",
                run.runId(), run.settings());
        for (int i = 0; i < config.agents().size(); i++) {
            // The name only: a command line may hold values (tokens, passwords) that must not reach a log.
            log.info("agent {} of {}: {}", i + 1, config.agents().size(), config.agents().get(i).name());
        }
        this.pool = new WorkerPool(new PoolConfig(config.maxWorkers(), config.javaCommand(), config.classPath(),
                config.jvmOptions(), config.captureLimitBytes(), config.maxResultBytes(), Duration.ofSeconds(60), PoolConfig.AHEAD_BUDGET,
                PoolConfig.defaultArchiveDirectory(), timer),
                start -> {
                    if (start.job().kind() == Job.Kind.TASK) {
                        listeners.attemptStarted(run.runId(), start.job().task(), start.attempt(), start.workerPid());
                    }
                });
        this.definitions = new WorkDefinitions(pool::forget);
    }

    public RunInfo run() {
        return run;
    }

    public WorkflowConfig config() {
        return config;
    }

    public List<Long> workerPids() {
        return pool.workerPids();
    }

    /**
     * One job running the task's function and then every agent in sequence.
     *
     * @param fromSource whether the task comes from a source opened with {@link #sourceStarted()}; a task that
     *     does not may be followed by any number of others, so the run's total is not known from then on, until
     *     {@link #noMoreTasks()}
     */
    public CompletableFuture<TaskResult> submitPipeline(Task task, boolean fromSource) {
        if (!fromSource) {
            allSubmitted = false;
        }
        List<Agent> agents = config.agents();
        Optional<String> last = agents.isEmpty() ? Optional.empty() : Optional.of(agents.get(agents.size() - 1).name());
        return submit(task, agents, last);
    }

    /** One job per agent, each running the task's function (if any) and then that one agent. */
    public List<CompletableFuture<TaskResult>> submitFanOut(Task task, boolean fromSource) {
        if (config.agents().isEmpty()) {
            return List.of(submitPipeline(task, fromSource));
        }
        if (!fromSource) {
            allSubmitted = false;
        }
        List<CompletableFuture<TaskResult>> futures = new ArrayList<>(config.agents().size());
        for (Agent agent : config.agents()) {
            futures.add(submit(task, List.of(agent), Optional.of(agent.name())));
        }
        return futures;
    }

    private CompletableFuture<TaskResult> submit(Task task, List<Agent> agents, Optional<String> agentLabel) {
        startRunOnce();
        Instant submitted = Instant.now();
        // The same task given again in this run is a task of its own, known by its occurrence. Counted over the
        // identity as it is reported (masked), so that two tasks that differ only in a secret, which the store
        // cannot tell apart, are two occurrences with keys of their own.
        int occurrence = occurrences.next(Occurrences.identityHash(masking.text(task.name()),
                masking.text(agentLabel), masking.text(task.input())));
        CompletedTasks earlier = config.completed();
        if (earlier != CompletedTasks.NONE) {
            String key = key(task.name(), agentLabel, task.input(), occurrence);
            if (earlier.contains(key)) {
                // Done in an earlier run of this one: not run again, and nothing new to record but its submission.
                skipped.incrementAndGet();
                listeners.taskSubmitted(new SubmittedTask(run.runId(), task.name(), agentLabel, task.input(),
                        task.priority(), true, occurrence));
                return CompletableFuture.completedFuture(masking.result(new TaskResult(task.name(), agentLabel,
                        task.input(), TaskStatus.SUCCEEDED, earlier.value(key).orElse(null), Optional.empty(), 0, 0,
                        submitted, submitted, "", "", occurrence, 0)));
            }
            if (config.onlyFailed() && !earlier.failed(key)) {
                // Not a task of the run whose failures are retried: not run, and not recorded as one of its tasks
                // (not even as submitted).
                leftOut.incrementAndGet();
                return CompletableFuture.completedFuture(masking.result(new TaskResult(task.name(), agentLabel,
                        task.input(), TaskStatus.SKIPPED, null, Optional.of(new TaskError(TaskStatus.SKIPPED_ERROR_TYPE,
                                "not run: only the failed tasks of run " + run.runId() + " are run again, and it has "
                                + "no result of this task", "")), 0, 0, submitted, submitted, "", "", occurrence, 0)));
            }
        }
        jobs.incrementAndGet();
        // Before anything can finish it, so that listeners know every task that was submitted, started or not.
        listeners.taskSubmitted(new SubmittedTask(run.runId(), task.name(), agentLabel, task.input(), task.priority(),
                false, occurrence));
        String halted = haltReason;
        if (halted != null) {
            TaskResult r = new TaskResult(task.name(), agentLabel, task.input(), TaskStatus.CANCELLED, null,
                    Optional.of(new TaskError(TaskCancelledException.class.getName(), halted, "")), 0, 0, submitted,
                    submitted, "", "", occurrence, 0);
            return CompletableFuture.completedFuture(finish(r));
        }
        WorkDefinition work;
        try {
            work = definitions.acquire(task.function().orElse(null), agents, task.name());
        } catch (NotSerializableValueException e) {
            // Nothing was sent to a worker: a result with zero attempts, and the pool goes on.
            log.warn("{}", e.getMessage());
            TaskResult r = new TaskResult(task.name(), agentLabel, task.input(), TaskStatus.FAILED, null,
                    Optional.of(new TaskError(NotSerializableValueException.class.getName(), e.getMessage(),
                            stackTrace(e))), 0, 0, submitted, Instant.now(), "", "", occurrence, 0);
            return CompletableFuture.completedFuture(finish(r));
        }
        // A job's settings: the task's own, else its agent's when it runs one agent, else the workflow's.
        Optional<Agent> single = agents.size() == 1 ? Optional.of(agents.get(0)) : Optional.empty();
        Job job = Job.task(task.name(), agentLabel, task.input(), task.priority(), sequence.incrementAndGet(),
                task.timeout().or(() -> single.flatMap(Agent::timeout)).or(config::timeout),
                task.retry().or(() -> single.flatMap(Agent::retry)).orElse(config.retry()), work, occurrence);
        return run(job);
    }

    /**
     * The task's identity as the store records it: the {@link TaskKey} of its masked name, agent and input and its
     * occurrence, which is that of its (masked) result. Computed when needed, never kept with a queued job: a
     * million queued jobs would otherwise hold a million keys.
     */
    private String key(String task, Optional<String> agent, String input, int occurrence) {
        if (masking.isEmpty()) {
            return TaskKey.of(task, agent, input, occurrence);
        }
        return TaskKey.of(masking.text(task), masking.text(agent), masking.text(input), occurrence);
    }

    /**
     * Submits the chunks of a {@code map}: one job per chunk of at most {@code chunkSize} elements, each running
     * {@code function} over its elements in one attempt. The function is serialized once for all of them. Chunks
     * are retried and timed out like tasks, but not recorded and not reported to listeners: they are not tasks of
     * the run. Their results are masked like a task's, each element's value on its own.
     *
     * @return one future per chunk, in order; each result's value is the list of the chunk's results
     */
    public List<CompletableFuture<TaskResult>> submitMap(MapFunction<?, ?> function, List<?> elements, int chunkSize) {
        startRunOnce();
        Instant submitted = Instant.now();
        List<CompletableFuture<TaskResult>> chunks = new ArrayList<>(elements.size() / chunkSize + 1);
        for (int from = 0; from < elements.size(); from += chunkSize) {
            int to = Math.min(elements.size(), from + chunkSize);
            String name = "map[" + from + ".." + (to - 1) + "]";
            String halted = haltReason;
            if (halted != null) {
                chunks.add(CompletableFuture.completedFuture(masking.result(new TaskResult(name, Optional.empty(),
                        "", TaskStatus.CANCELLED, null, Optional.of(new TaskError(
                                TaskCancelledException.class.getName(), halted, "")), 0, 0, submitted, submitted, "",
                        ""))));
                continue;
            }
            WorkDefinition work;
            byte[] argument;
            try {
                work = definitions.acquireMap(function, name);
                try {
                    argument = ValueCodec.encodeList(elements.subList(from, to), Long.MAX_VALUE);
                } catch (java.io.IOException e) {
                    definitions.release(work);
                    throw new NotSerializableValueException("an element of " + name + " cannot be sent to a worker: "
                            + (e instanceof java.io.NotSerializableException ? "class " + e.getMessage()
                                    + " is not serializable" : e.toString()), e);
                }
            } catch (NotSerializableValueException e) {
                chunks.add(CompletableFuture.completedFuture(masking.result(new TaskResult(name, Optional.empty(),
                        "", TaskStatus.FAILED, null, Optional.of(new TaskError(
                                NotSerializableValueException.class.getName(), e.getMessage(), stackTrace(e))), 0, 0,
                        submitted, Instant.now(), "", ""))));
                continue;
            }
            Job job = Job.chunk(name, sequence.incrementAndGet(), config.timeout(), config.retry(), work, argument);
            chunks.add(run(job));
        }
        return chunks;
    }

    /** Runs a job's attempts under its retry policy; the future completes with its final result, never exceptionally. */
    private CompletableFuture<TaskResult> run(Job job) {
        JobRun run = new JobRun(job);
        pool.submit(job, 1, run);
        return run;
    }

    /**
     * One job on its way to its final result, and the caller's future of it. The first attempt goes straight to
     * the pool, with this as its callback; only when it did not succeed does Failsafe take over, with that outcome
     * as its first attempt, to decide on retries and space them. A queued job therefore costs the job, its attempt
     * and this object, and a task that succeeds at once never pays for a retry policy's machinery.
     */
    private final class JobRun extends CompletableFuture<TaskResult> implements AttemptCallback {
        private final Job job;

        JobRun(Job job) {
            this.job = job;
        }

        @Override
        public void completed(AttemptOutcome first) {
            attemptFinished(job, first);
            if (first.status().isSuccess() || job.retry().maxAttempts() < 2 || !RetryPolicies.retries(job.retry(), first)) {
                // Final now, on this thread: a failure that halts the run does so before anything else starts.
                finishWith(() -> toResult(job, first, first.startedAt()), 1);
            } else {
                retry(first);
            }
        }

        @Override
        public void failed(Throwable reason) {
            // It never started: its result spans no time, ending now.
            finishWith(() -> abandoned(job, reason, Instant.now(), 0, 0, false), 0);
        }

        @Override
        public void stopped(Throwable reason, long workerPid, Instant startedAt) {
            // It ran, on that worker, from then until now.
            finishWith(() -> abandoned(job, reason, startedAt, workerPid, 0, true), 1);
        }

        private void retry(AttemptOutcome first) {
            AtomicInteger attemptsDone = new AtomicInteger(1);
            // The worker of the last attempt that ran, finished or stopped: the result names it.
            AtomicLong lastPid = new AtomicLong(first.workerPid());
            AtomicBoolean stopped = new AtomicBoolean();
            // On the timer, which has one thread: Failsafe schedules a retry, then tidies up after the attempt
            // before, and a retry that ran in between would be cancelled by that tidying.
            Failsafe.with(policies.forSettings(job.retry())).with(timer)
                    .getStageAsync(ctx -> ctx.getAttemptCount() == 0 ? CompletableFuture.completedFuture(first)
                            : retryAttempt(ctx.getAttemptCount() + 1, attemptsDone, lastPid, stopped))
                    .handle((outcome, failure) -> {
                        int attempts = attemptsDone.get() + (stopped.get() ? 1 : 0);
                        finishWith(() -> failure == null ? toResult(job, outcome, first.startedAt())
                                : abandoned(job, failure, first.startedAt(), lastPid.get(), attemptsDone.get(),
                                        stopped.get()), attempts);
                        return null;
                    });
        }

        /** One attempt after the first; counts it when it ran, and notes the worker it ran on. */
        private CompletableFuture<AttemptOutcome> retryAttempt(int attempt, AtomicInteger attemptsDone,
                AtomicLong lastPid, AtomicBoolean stopped) {
            CompletableFuture<AttemptOutcome> future = new CompletableFuture<>();
            pool.submit(job, attempt, new AttemptCallback() {
                @Override
                public void completed(AttemptOutcome outcome) {
                    attemptsDone.incrementAndGet();
                    lastPid.set(outcome.workerPid());
                    attemptFinished(job, outcome);
                    future.complete(outcome);
                }

                @Override
                public void failed(Throwable reason) {
                    future.completeExceptionally(reason);
                }

                @Override
                public void stopped(Throwable reason, long workerPid, Instant startedAt) {
                    lastPid.set(workerPid);
                    stopped.set(true);
                    future.completeExceptionally(reason);
                }
            });
            return future;
        }

        private void finishWith(java.util.function.Supplier<TaskResult> result, int attempts) {
            definitions.release(job.work());
            TaskResult r;
            try {
                r = result.get();
            } catch (RuntimeException | Error e) {
                // A caller left without a result would wait for ever.
                log.error("internal error completing task {}", job.label(), e);
                r = new TaskResult(job.task(), job.agent(), job.input(), TaskStatus.FAILED, null,
                        Optional.of(new TaskError(e.getClass().getName(), "internal error: " + e, "")),
                        Math.max(1, attempts), 0, Instant.now(), Instant.now(), "", "", job.occurrence(), 0);
            }
            // The caller gets what the listeners got: masked. A map chunk has no listeners to tell.
            complete(job.kind() == Job.Kind.TASK ? finish(r) : masking.chunkResult(r));
        }
    }

    private void attemptFinished(Job job, AttemptOutcome o) {
        if (!o.status().isSuccess()) {
            // The agent that failed, which in a pipeline need not be the one the result is named after.
            log.warn("task {} attempt {} {} on worker pid {}: {}", job.label(o.failedAgent().orElse(job.agent()
                    .orElse(null))), o.attempt(), o.status().label(), o.workerPid(),
                    o.error().map(TaskError::summary).orElse(""));
        }
        if (job.kind() != Job.Kind.TASK) {
            return;
        }
        listeners.attemptFinished(new AttemptRecord(run.runId(), job.task(), job.agent(), o.attempt(),
                o.workerPid(), o.startedAt(), o.endedAt(), o.status(), error(job, o), o.stdout(), o.stderr(),
                Optional.of(key(job.task(), job.agent(), job.input(), job.occurrence()))));
    }

    private TaskResult toResult(Job job, AttemptOutcome o, Instant started) {
        Optional<String> agent = job.agent();
        if (!o.status().isSuccess()) {
            return new TaskResult(job.task(), agent, job.input(), o.status(), null, error(job, o), o.attempt(),
                    o.workerPid(), started, o.endedAt(), o.stdout(), o.stderr(), job.occurrence(), 0);
        }
        try {
            Object value = job.kind() == Job.Kind.MAP_CHUNK ? ValueCodec.decodeList(o.value()) : ValueCodec.decode(o.value());
            return new TaskResult(job.task(), agent, job.input(), TaskStatus.SUCCEEDED, value, Optional.empty(),
                    o.attempt(), o.workerPid(), started, o.endedAt(), o.stdout(), o.stderr(), job.occurrence(),
                    job.kind() == Job.Kind.MAP_CHUNK ? o.value().length : ValueCodec.valueSize(o.value()));
        } catch (Exception | LinkageError e) {
            // Whatever the value's class does while it is read back (it may even throw), the task gets a result.
            TaskError error = new TaskError(e.getClass().getName(), "result of task " + job.label()
                    + " cannot be read in the coordinator: " + e.getMessage(), stackTrace(e));
            return new TaskResult(job.task(), agent, job.input(), TaskStatus.FAILED, null, Optional.of(error),
                    o.attempt(), o.workerPid(), started, o.endedAt(), o.stdout(), o.stderr(), job.occurrence(), 0);
        }
    }

    /**
     * The attempt's error; when an agent of a pipeline failed that is not the one the result is named after, the
     * message says which (the result keeps the job's agent, so that a task's identity does not change with it).
     */
    private static Optional<TaskError> error(Job job, AttemptOutcome o) {
        return o.error().map(e -> o.failedAgent().filter(a -> !job.agent().equals(Optional.of(a)))
                .map(a -> new TaskError(e.type(), "in agent " + a + ": " + e.message(), e.remoteStackTrace()))
                .orElse(e));
    }

    /**
     * The job never got a final outcome: the run halted or closed first, or workers cannot start.
     *
     * @param started when its first attempt started (now, when none did)
     * @param workerPid the worker of its last attempt that ran, 0 when none did
     * @param attemptsDone the attempts that finished
     * @param stoppedRunning whether one more attempt was running when it was stopped, on {@code workerPid}
     */
    private TaskResult abandoned(Job job, Throwable failure, Instant started, long workerPid, int attemptsDone,
            boolean stoppedRunning) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        int attempts = attemptsDone + (stoppedRunning ? 1 : 0);
        if (cause instanceof TaskCancelledException || cause instanceof WorkflowClosedException) {
            return new TaskResult(job.task(), job.agent(), job.input(), TaskStatus.CANCELLED, null,
                    Optional.of(new TaskError(TaskCancelledException.class.getName(), cause.getMessage(), "")),
                    attempts, workerPid, started, Instant.now(), "", "", job.occurrence(), 0);
        }
        TaskError error = new TaskError(cause.getClass().getName(), String.valueOf(cause.getMessage()), stackTrace(cause));
        return new TaskResult(job.task(), job.agent(), job.input(), TaskStatus.FAILED, null, Optional.of(error),
                attempts, workerPid, started, Instant.now(), "", "", job.occurrence(), 0);
    }

    /** Counts the result, masks it, tells the listeners and returns what they were told, for the caller. */
    private TaskResult finish(TaskResult unmasked) {
        TaskResult r = masking.result(unmasked);
        switch (r.status()) {
            case SUCCEEDED -> succeeded.incrementAndGet();
            case CANCELLED -> cancelled.incrementAndGet();
            default -> failed.incrementAndGet();
        }
        if (r.retried()) {
            retried.incrementAndGet();
        }
        listeners.taskFinished(run.runId(), r);
        // At every final result, a success too: a share is judged once enough results are in, whichever they are.
        HaltPolicy policy = config.haltPolicy();
        if (r.status() != TaskStatus.CANCELLED && !policy.equals(HaltPolicy.never()) && haltReason == null) {
            long f = failed.get();
            if (policy.triggers(f, f + succeeded.get(), knownTotal())) {
                halt("the run halted after " + f + " failed task" + (f == 1 ? "" : "s") + " (halt policy "
                        + policy + ")", policy.when() == HaltPolicy.When.NOW);
            }
        }
        return r;
    }

    /** A source of tasks ({@code runAll}'s) is being read: until it ends, the run's total is not known. */
    public void sourceStarted() {
        openSources.incrementAndGet();
    }

    /** The source has ended (or the run stopped reading it): no more tasks come from it. */
    public void sourceEnded() {
        allSubmitted = true;
        openSources.decrementAndGet();
    }

    /** The caller gives no more tasks on their own: those submitted so far are all there are, until another. */
    public void noMoreTasks() {
        allSubmitted = true;
    }

    /**
     * How many jobs run in this process in all, when that is known: every task has been submitted (no source is
     * being read, and the last task given on its own was followed by {@link #noMoreTasks()}), or else the caller
     * said how many to expect ({@code expectedTasks}, less those done earlier).
     */
    private OptionalLong knownTotal() {
        long submitted = jobs.get();
        if (allSubmitted && openSources.get() == 0) {
            return OptionalLong.of(submitted);
        }
        OptionalLong expected = run.expectedTasks();
        // Never fewer than were submitted: a wrong count must not halt a run on failures it does not have.
        return expected.isPresent() ? OptionalLong.of(Math.max(submitted, expected.getAsLong() - skipped.get()))
                : OptionalLong.empty();
    }

    /**
     * Stops the run: no task starts from now on, and every task that has not finished ends as cancelled with
     * {@code reason}; with {@code stopRunning}, running attempts are stopped at once. The first reason stays.
     */
    public void halt(String reason, boolean stopRunning) {
        synchronized (this) {
            if (haltReason == null) {
                haltReason = reason;
                log.warn("{}: no new task starts{}", reason, stopRunning ? ", running ones are stopped" : "");
            }
        }
        pool.halt(haltReason, stopRunning);
    }

    /** Whether any attempt is queued or running. */
    private boolean busy() {
        return pool.running() > 0 || pool.queued() > 0;
    }

    /** Why the run halted, if it did. */
    public Optional<String> haltReason() {
        return Optional.ofNullable(haltReason);
    }

    /**
     * Starts nothing new, gives running attempts up to {@code grace} to finish, then stops them. Waits for that,
     * at most {@code grace}.
     */
    public void shutdown(String reason, Duration grace) {
        halt(reason, grace.isZero());
        try {
            if (!pool.awaitIdle(grace)) {
                log.warn("{}: {} running task(s) did not finish within {} ms; stopping them", reason, pool.running(),
                        grace.toMillis());
                pool.halt(reason, true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.halt(reason, true);
        }
    }

    public RunSummary summary() {
        return new RunSummary(succeeded.get(), failed.get(), cancelled.get(), skipped.get(), leftOut.get(),
                retried.get(), Duration.between(run.startedAt(), Instant.now()), Optional.ofNullable(haltReason));
    }

    private synchronized void startRunOnce() {
        if (closed) {
            throw new WorkflowClosedException("workflow '" + run.workflowName() + "' is closed");
        }
        if (!runStarted) {
            runStarted = true;
            listeners.runStarted(run);
            config.deadline().ifPresent(d -> timer.schedule(() -> halt("the run's deadline of " + d.toMillis()
                    + " ms passed", true), d.toNanos(), TimeUnit.NANOSECONDS));
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter s = new StringWriter();
        t.printStackTrace(new PrintWriter(s));
        return s.toString();
    }

    private static String describeSettings(WorkflowConfig c) {
        return "maxWorkers=" + c.maxWorkers() + ", autosave=" + (c.store().isPresent() ? "on (" + c.storeLocation() + ")" : "off")
                + ", agents=" + c.agents().stream().map(Agent::name).toList() + ", retry=" + c.retry()
                + ", timeout=" + c.timeout().map(d -> d.toMillis() + "ms").orElse("none")
                + (c.haltPolicy().equals(HaltPolicy.never()) ? "" : ", halt=" + c.haltPolicy())
                + c.deadline().map(d -> ", deadline=" + d.toMillis() + "ms").orElse("")
                + (c.jvmOptions().isEmpty() ? "" : ", workerJvmOptions=" + c.jvmOptions());
    }

    /** Stops the workers, reports the end of the run and closes the store (writing what it buffered). Idempotent. */
    @Override
    public void close() {
        boolean started;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            started = runStarted;
        }
        try {
            // Closing after the work is done is the normal end, not a halt: only pending work makes it one.
            if (started && busy()) {
                shutdown("the workflow was closed", config.shutdownGrace());
            }
            pool.close();
        } finally {
            // Not shutdownNow: a retry waiting for its delay must still run, find the pool closed and complete
            // its caller's future, or that caller would wait forever.
            timer.shutdown();
            try {
                if (started) {
                    RunSummary s = summary();
                    log.info("workflow '{}' finished: {} succeeded, {} failed, {} cancelled, {} retried in {} ms",
                            run.workflowName(), s.succeeded(), s.failed(), s.cancelled(), s.retried(),
                            s.wallTime().toMillis());
                    listeners.runFinished(run, s);
                }
            } finally {
                config.store().ifPresent(store -> store.close());
            }
        }
    }
}
