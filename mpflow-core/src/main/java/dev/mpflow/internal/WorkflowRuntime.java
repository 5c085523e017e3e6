package dev.mpflow.internal;

import dev.failsafe.Failsafe;
import dev.mpflow.Agent;
import dev.mpflow.HaltPolicy;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
    private final InlineScheduler scheduler;
    private final WorkerPool pool;
    private final RetryPolicies policies = new RetryPolicies();
    private final WorkDefinitions definitions;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    /** Set once when the run halts (policy, deadline, shutdown): no task starts after it. */
    private volatile String haltReason;
    private final RunInfo run;
    private boolean runStarted;
    private boolean closed;

    public WorkflowRuntime(WorkflowConfig config) {
        this.config = config;
        this.masking = new Masking(config.secrets());
        List<WorkflowListener> all = new ArrayList<>(config.listeners());
        config.store().ifPresent(all::add);
        this.listeners = new Listeners(all, masking);
        Instant now = Instant.now();
        String runId = config.resumeRunId().orElseGet(() -> RUN_ID_TIME.format(now) + "-"
                + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000)));
        this.run = masking.run(new RunInfo(runId, config.name(), now, config.maxWorkers(),
                config.agents().stream().map(Agent::name).toList(), describeSettings(config),
                config.definitionHash(), config.resumeRunId().isPresent(), config.expectedTasks()));
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "mpflow-timer");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        this.scheduler = new InlineScheduler(t);
        log.info("workflow '{}' {} run {}: {}", run.workflowName(), run.resumed() ? "resuming" : "starting",
                run.runId(), run.settings());
        for (int i = 0; i < config.agents().size(); i++) {
            // The name only: a command line may hold values (tokens, passwords) that must not reach a log.
            log.info("agent {} of {}: {}", i + 1, config.agents().size(), config.agents().get(i).name());
        }
        this.pool = new WorkerPool(new PoolConfig(config.maxWorkers(), config.javaCommand(), config.classPath(),
                config.jvmOptions(), config.captureLimitBytes(), config.maxResultBytes(), Duration.ofSeconds(60), timer),
                start -> listeners.attemptStarted(run.runId(), start.job().task(), start.attempt(), start.workerPid()));
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

    /** One job running the task's function and then every agent in sequence. */
    public CompletableFuture<TaskResult> submitPipeline(Task task) {
        List<Agent> agents = config.agents();
        Optional<String> last = agents.isEmpty() ? Optional.empty() : Optional.of(agents.get(agents.size() - 1).name());
        return submit(task, agents, last);
    }

    /** One job per agent, each running the task's function (if any) and then that one agent. */
    public List<CompletableFuture<TaskResult>> submitFanOut(Task task) {
        if (config.agents().isEmpty()) {
            return List.of(submitPipeline(task));
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
        if (config.completed() != CompletedTasks.NONE) {
            String key = identity(task, agentLabel);
            if (config.completed().contains(key)) {
                // Done in an earlier run of this one: not run again, and nothing new to record.
                skipped.incrementAndGet();
                listeners.taskSubmitted(new SubmittedTask(run.runId(), task.name(), agentLabel, task.input(),
                        task.priority(), true));
                return CompletableFuture.completedFuture(masking.result(new TaskResult(task.name(), agentLabel,
                        task.input(), TaskStatus.SUCCEEDED, config.completed().valueText(key).orElse(null),
                        Optional.empty(), 0, 0, submitted, submitted, "", "")));
            }
        }
        // Before anything can finish it, so that listeners know every task that was submitted, started or not.
        listeners.taskSubmitted(new SubmittedTask(run.runId(), task.name(), agentLabel, task.input(), task.priority(),
                false));
        String halted = haltReason;
        if (halted != null) {
            TaskResult r = new TaskResult(task.name(), agentLabel, task.input(), TaskStatus.CANCELLED, null,
                    Optional.of(new TaskError(TaskCancelledException.class.getName(), halted, "")), 0, 0, submitted,
                    submitted, "", "");
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
                            stackTrace(e))), 0, 0, submitted, Instant.now(), "", "");
            return CompletableFuture.completedFuture(finish(r));
        }
        // A job's settings: the task's own, else its agent's when it runs one agent, else the workflow's.
        Optional<Agent> single = agents.size() == 1 ? Optional.of(agents.get(0)) : Optional.empty();
        Job job = new Job(task.name(), agentLabel, task.input(), task.priority(), sequence.incrementAndGet(),
                task.timeout().or(() -> single.flatMap(Agent::timeout)).or(config::timeout),
                task.retry().or(() -> single.flatMap(Agent::retry)).orElse(config.retry()), work,
                task.input().getBytes(StandardCharsets.UTF_8));
        // A result spans from the start of its first attempt (queueing excluded) to the end of its last.
        AtomicReference<Instant> firstStart = new AtomicReference<>();
        AtomicInteger attemptsDone = new AtomicInteger();
        return scheduler.starting(() -> Failsafe.with(policies.forSettings(job.retry())).with(scheduler)
                .getStageAsync(ctx -> pool.submit(job, ctx.getAttemptCount() + 1)
                        .whenComplete((outcome, failure) -> {
                            if (outcome != null) {
                                firstStart.compareAndSet(null, outcome.startedAt());
                                attemptsDone.incrementAndGet();
                                attemptFinished(job, outcome);
                            }
                        }))
                .handle((outcome, failure) -> {
                    definitions.release(work);
                    TaskResult r;
                    try {
                        r = failure == null ? toResult(job, outcome, firstStart.get())
                                : abandoned(job, failure, Optional.ofNullable(firstStart.get()).orElse(submitted),
                                        attemptsDone.get());
                    } catch (RuntimeException | Error e) {
                        // A future that completed exceptionally would leave its caller without a result.
                        log.error("internal error completing task {}", job.label(), e);
                        r = new TaskResult(job.task(), job.agent(), job.input(), TaskStatus.FAILED, null,
                                Optional.of(new TaskError(e.getClass().getName(), "internal error: " + e, "")),
                                Math.max(1, attemptsDone.get()), 0, submitted, Instant.now(), "", "");
                    }
                    return finish(r);
                }));
    }

    /**
     * The task's identity as the store records it: the key of its masked name, agent and input, which is that of
     * its (masked) result.
     */
    private String identity(Task task, Optional<String> agentLabel) {
        return TaskKey.of(masking.text(task.name()), masking.text(agentLabel), masking.text(task.input()));
    }

    private void attemptFinished(Job job, AttemptOutcome o) {
        if (!o.status().isSuccess()) {
            log.warn("task {} attempt {} {} on worker pid {}: {}", job.label(), o.attempt(), o.status().label(),
                    o.workerPid(), o.error().map(TaskError::summary).orElse(""));
        }
        listeners.attemptFinished(new AttemptRecord(run.runId(), job.task(), job.agent(), o.attempt(),
                o.workerPid(), o.startedAt(), o.endedAt(), o.status(), error(job, o), o.stdout(), o.stderr()));
    }

    private TaskResult toResult(Job job, AttemptOutcome o, Instant started) {
        Optional<String> agent = job.agent();
        if (!o.status().isSuccess()) {
            return new TaskResult(job.task(), agent, job.input(), o.status(), null, error(job, o), o.attempt(),
                    o.workerPid(), started, o.endedAt(), o.stdout(), o.stderr());
        }
        try {
            Object value = ValueCodec.decode(o.value());
            return new TaskResult(job.task(), agent, job.input(), TaskStatus.SUCCEEDED, value, Optional.empty(),
                    o.attempt(), o.workerPid(), started, o.endedAt(), o.stdout(), o.stderr(), o.value().length);
        } catch (Exception | LinkageError e) {
            // Whatever the value's class does while it is read back (it may even throw), the task gets a result.
            TaskError error = new TaskError(e.getClass().getName(), "result of task " + job.label()
                    + " cannot be read in the coordinator: " + e.getMessage(), stackTrace(e));
            return new TaskResult(job.task(), agent, job.input(), TaskStatus.FAILED, null, Optional.of(error),
                    o.attempt(), o.workerPid(), started, o.endedAt(), o.stdout(), o.stderr());
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

    /** The job never got a final outcome: the run halted or closed first, or workers cannot start. */
    private TaskResult abandoned(Job job, Throwable failure, Instant started, int attemptsDone) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TaskCancelledException c) {
            return new TaskResult(job.task(), job.agent(), job.input(), TaskStatus.CANCELLED, null,
                    Optional.of(new TaskError(TaskCancelledException.class.getName(), c.getMessage(), "")),
                    attemptsDone + (c.wasRunning() ? 1 : 0), 0, started, Instant.now(), "", "");
        }
        if (cause instanceof WorkflowClosedException) {
            return new TaskResult(job.task(), job.agent(), job.input(), TaskStatus.CANCELLED, null,
                    Optional.of(new TaskError(TaskCancelledException.class.getName(), cause.getMessage(), "")),
                    attemptsDone, 0, started, Instant.now(), "", "");
        }
        TaskError error = new TaskError(cause.getClass().getName(), String.valueOf(cause.getMessage()), stackTrace(cause));
        return new TaskResult(job.task(), job.agent(), job.input(), TaskStatus.FAILED, null, Optional.of(error),
                attemptsDone, 0, started, Instant.now(), "", "");
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
        if (!r.succeeded() && r.status() != TaskStatus.CANCELLED) {
            long f = failed.get();
            HaltPolicy policy = config.haltPolicy();
            if (policy.triggers(f, f + succeeded.get())) {
                halt("the run halted after " + f + " failed task" + (f == 1 ? "" : "s") + " (halt policy "
                        + policy + ")", policy.when() == HaltPolicy.When.NOW);
            }
        }
        return r;
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
        return new RunSummary(succeeded.get(), failed.get(), cancelled.get(), skipped.get(), retried.get(),
                Duration.between(run.startedAt(), Instant.now()), Optional.ofNullable(haltReason));
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
