package dev.mpflow.fault;

import static dev.mpflow.fault.FaultyTasks.WORKER_ONLY_EXCEPTION;
import static dev.mpflow.fault.FaultyTasks.WORKER_ONLY_VALUE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.mpflow.Agent;
import dev.mpflow.CommandAgent;
import dev.mpflow.CommandFailedException;
import dev.mpflow.HaltPolicy;
import dev.mpflow.MpflowException;
import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.MultiProcessWorkflow.AgentMode;
import dev.mpflow.ResultTooLargeException;
import dev.mpflow.RetrySettings;
import dev.mpflow.Task;
import dev.mpflow.TaskCancelledException;
import dev.mpflow.TaskError;
import dev.mpflow.TaskFunction;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.event.AttemptRecord;
import dev.mpflow.internal.worker.Sessions;
import dev.mpflow.testing.NoProcessLeftBehind;
import dev.mpflow.testing.ProcessTree;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fault a task can inflict on its worker, injected for real into real worker JVMs: for each, the exact status,
 * attempt count, error type and message of the result, and that the pool still runs tasks afterwards on its full
 * number of workers. Then the machinery around faults: detection time, poison tasks, command clean-up, retry
 * filters, halt policies, the deadline and a graceful stop.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FaultInjectionIT {
    private static final String CANCELLED_TYPE = TaskCancelledException.class.getName();

    @TempDir
    Path tmp;

    private final AttemptLog log = new AttemptLog();

    /** Autosave off, the given workers, quick retries, and a listener recording every attempt. */
    private MultiProcessWorkflow.Builder workflow(int workers, int maxAttempts) {
        return MultiProcessWorkflow.builder().maxWorkers(workers).autosave(false).retry(quickRetries(maxAttempts))
                .listener(log);
    }

    private static RetrySettings quickRetries(int maxAttempts) {
        return RetrySettings.builder().maxAttempts(maxAttempts).delay(Duration.ofMillis(10)).multiplier(1).build();
    }

    private static TaskError error(TaskResult r) {
        assertThat(r.error()).as("error of %s", r).isPresent();
        return r.error().orElseThrow();
    }

    /** The statuses of the finished attempts of {@code task}, in attempt order. */
    private List<TaskStatus> attemptStatuses(String task) {
        return log.attemptsOf(task).stream().map(AttemptRecord::status).toList();
    }

    /**
     * The pool runs {@code workers} tasks at once on as many distinct, living workers, and reports exactly those as
     * its workers: holds whether workers start eagerly or only when work arrives.
     */
    private void assertFullPool(MultiProcessWorkflow wf, int workers) {
        String key = "pool-" + UUID.randomUUID();
        List<CompletableFuture<TaskResult>> parties = IntStream.range(0, workers)
                .mapToObj(i -> wf.submit(Task.builder(key + "-" + i).retry(RetrySettings.NONE)
                        .timeout(Duration.ofSeconds(60)) // not the workflow's, which may be short
                        .function(FaultyTasks.barrier(tmp, key, workers, 30_000)).build()))
                .toList();
        List<TaskResult> results = parties.stream().map(CompletableFuture::join).toList();
        assertThat(results).allSatisfy(r -> assertThat(r.status()).as("%s", r).isEqualTo(TaskStatus.SUCCEEDED));
        Set<Long> pids = new HashSet<>();
        results.forEach(r -> pids.add((Long) r.value()));
        assertThat(pids).as("distinct workers running at once").hasSize(workers);
        assertThat(pids).allSatisfy(p -> assertThat(ProcessTree.isAlive(p)).isTrue());
        await("the pool to report its " + workers + " workers").atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(wf.workerPids()).containsExactlyInAnyOrderElementsOf(pids));
    }

    private static void awaitDead(long pid) {
        await("worker " + pid + " to be dead").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> !ProcessTree.isAlive(pid));
    }

    // ==================================================================================== failures in user code

    @Test
    void failingTwiceThenSucceedingTakesExactlyThreeAttempts() throws IOException {
        try (MultiProcessWorkflow wf = workflow(2, 3).build()) {
            TaskResult r = wf.executeTask(Task.of("flaky", FaultyTasks.failTimesThenSucceed(tmp, "flaky", 2, "finally")));

            assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(r.value()).isEqualTo("finally");
            assertThat(r.attempts()).isEqualTo(3);
            assertThat(r.error()).isEmpty();
            assertThat(FaultyTasks.attemptsSeen(tmp, "flaky")).isEqualTo(3);
            assertThat(attemptStatuses("flaky"))
                    .containsExactly(TaskStatus.FAILED, TaskStatus.FAILED, TaskStatus.SUCCEEDED);
            assertThat(log.attemptsOf("flaky").get(1).error().orElseThrow().summary())
                    .isEqualTo("java.lang.IllegalStateException: planned failure 2 of 2 (flaky)");

            // One failure more than the attempts allow: it ends failed with the last attempt's error.
            TaskResult out = wf.executeTask(Task.builder("too-flaky").retry(quickRetries(2))
                    .function(FaultyTasks.failTimesThenSucceed(tmp, "too-flaky", 2, "never")).build());
            assertThat(out.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(out.attempts()).isEqualTo(2);
            assertThat(out.value()).isNull();
            assertThat(error(out).type()).isEqualTo("java.lang.IllegalStateException");
            assertThat(error(out).message()).isEqualTo("planned failure 2 of 2 (too-flaky)");
            assertThat(error(out).remoteStackTrace())
                    .startsWith("java.lang.IllegalStateException: planned failure 2 of 2 (too-flaky)")
                    .contains("at dev.mpflow.fault.FaultyTasks");
            assertFullPool(wf, 2);
        }
    }

    @Test
    void exceptionThatCannotBeSerializedArrivesAsTextAndIsRetried() {
        // The exception really cannot travel by Java serialization...
        assertThatThrownBy(() -> FaultyTasks.serialize(new FaultyTasks.UnserializableException("x", null)))
                .isInstanceOf(NotSerializableException.class).hasMessage("java.lang.Thread");
        try (MultiProcessWorkflow wf = workflow(2, 2).build()) {
            TaskResult r = wf.executeTask(Task.of("unserializable", FaultyTasks.throwUnserializable("cannot travel")));

            // ...but errors travel as text, so its type, message and stack trace (cause included) arrive intact.
            String type = FaultyTasks.UnserializableException.class.getName();
            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).isEqualTo(2);
            assertThat(error(r).type()).isEqualTo(type);
            assertThat(error(r).message()).isEqualTo("cannot travel");
            assertThat(error(r).remoteStackTrace()).startsWith(type + ": cannot travel")
                    .contains("at dev.mpflow.fault.FaultyTasks")
                    .contains("Caused by: java.io.IOException: the root cause");
            assertFullPool(wf, 2);
        }
    }

    @Test
    void exceptionWhoseClassExistsOnlyInTheWorkerArrivesWithTypeMessageAndStackTrace() {
        // The class does not exist in the coordinator: the worker defines it at run time from renamed bytes.
        assertThatThrownBy(() -> Class.forName(WORKER_ONLY_EXCEPTION)).isInstanceOf(ClassNotFoundException.class);
        try (MultiProcessWorkflow wf = workflow(2, 1).build()) {
            TaskResult r = wf.executeTask(Task.of("ghost", FaultyTasks.throwWorkerOnlyException("from nowhere")));

            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(error(r).type()).isEqualTo(WORKER_ONLY_EXCEPTION);
            assertThat(error(r).message()).isEqualTo("from nowhere");
            assertThat(error(r).remoteStackTrace()).startsWith(WORKER_ONLY_EXCEPTION + ": from nowhere")
                    .contains("at dev.mpflow.fault.FaultyTasks.lambda$throwWorkerOnlyException$");

            // Retry filters match it by name, and by the names of its supertypes sent along with it.
            TaskResult aborted = wf.executeTask(Task.builder("ghost-aborted")
                    .retry(quickRetries(3).toBuilder().abortOnTypeNames(List.of(WORKER_ONLY_EXCEPTION)).build())
                    .function(FaultyTasks.throwWorkerOnlyException("abort me")).build());
            assertThat(aborted.attempts()).isEqualTo(1);
            TaskResult retried = wf.executeTask(Task.builder("ghost-retried")
                    .retry(quickRetries(3).toBuilder().retryOn(RuntimeException.class).build())
                    .function(FaultyTasks.throwWorkerOnlyException("retry me")).build());
            assertThat(retried.attempts()).isEqualTo(3);
            assertThat(error(retried).summary()).isEqualTo(WORKER_ONLY_EXCEPTION + ": retry me");
            assertFullPool(wf, 2);
        }
    }

    @Test
    void valueWhoseClassExistsOnlyInTheWorkerFailsOnceWithClassNotFound() {
        assertThatThrownBy(() -> Class.forName(WORKER_ONLY_VALUE)).isInstanceOf(ClassNotFoundException.class);
        try (MultiProcessWorkflow wf = workflow(1, 3).build()) {
            TaskResult r = wf.executeTask(Task.of("ghost-value", FaultyTasks.returnWorkerOnlyValue("boo")));

            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).as("the worker succeeded: nothing to retry").isEqualTo(1);
            assertThat(error(r).type()).isEqualTo("java.lang.ClassNotFoundException");
            assertThat(error(r).message())
                    .isEqualTo("result of task 'ghost-value' cannot be read in the coordinator: " + WORKER_ONLY_VALUE);
            assertFullPool(wf, 1);
        }
    }

    @Test
    void stackOverflowFailsTheAttemptButNotTheWorker() {
        try (MultiProcessWorkflow wf = workflow(1, 1).build()) {
            TaskResult r = wf.executeTask(Task.of("deep", FaultyTasks.overflowStack()));

            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(error(r).type()).isEqualTo("java.lang.StackOverflowError");
            assertThat(error(r).message()).isEmpty();
            TaskResult next = wf.executeTask(Task.of("next", FaultyTasks.succeed("fine")));
            assertThat(next.value()).isEqualTo("fine");
            assertThat(next.workerPid()).as("the same worker goes on").isEqualTo(r.workerPid());
            assertFullPool(wf, 1);
        }
    }

    /**
     * An exception whose {@code getMessage()} throws. The worker describes a failure by calling it (and
     * {@code printStackTrace}, which calls it too); nothing may keep the attempt from ending.
     */
    @Test
    void exceptionThatCannotDescribeItselfStillEndsTheAttempt() throws Exception {
        try (MultiProcessWorkflow wf = workflow(1, 1).shutdownGrace(Duration.ZERO).build()) {
            CompletableFuture<TaskResult> f = wf.submit(Task.of("hostile", FaultyTasks.throwHostile()));
            TaskResult r;
            try {
                r = f.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("no result 10 s after a task threw an exception whose getMessage() throws: "
                        + "the attempt never ended (attempts finished: " + log.finished + ")");
            }
            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(error(r).type()).isEqualTo(FaultyTasks.HostileException.class.getName());
            assertFullPool(wf, 1);
        }
    }

    // ==================================================================================== the worker dies

    @Test
    void systemExitCrashesTheAttemptWithItsExitCodeAndTheRetrySucceedsOnANewWorker() throws IOException {
        try (MultiProcessWorkflow wf = workflow(2, 3).build()) {
            TaskResult r = wf.executeTask(Task.of("exit-once",
                    FaultyTasks.firstTimes(tmp, "exit-once", 1, FaultyTasks.exitWorker(7), FaultyTasks.succeed("back"))));

            assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(r.value()).isEqualTo("back");
            assertThat(r.attempts()).isEqualTo(2);
            List<AttemptRecord> attempts = log.attemptsOf("exit-once");
            assertThat(attempts).extracting(AttemptRecord::status).containsExactly(TaskStatus.CRASHED, TaskStatus.SUCCEEDED);
            long dead = attempts.get(0).workerPid();
            assertThat(attempts.get(0).error().orElseThrow().summary())
                    .isEqualTo("WorkerCrashed: worker process " + dead + " exited with code 7");
            assertThat(r.workerPid()).isNotEqualTo(dead);
            assertThat(ProcessTree.isAlive(dead)).isFalse();

            TaskResult always = wf.executeTask(Task.builder("exit-always").retry(RetrySettings.NONE)
                    .function(FaultyTasks.exitWorker(9)).build());
            assertThat(always.status()).isEqualTo(TaskStatus.CRASHED);
            assertThat(always.attempts()).isEqualTo(1);
            assertThat(error(always).type()).isEqualTo("WorkerCrashed");
            assertThat(error(always).message()).isEqualTo("worker process " + always.workerPid() + " exited with code 9");
            assertFullPool(wf, 2);
            assertThat(wf.workerPids()).doesNotContain(dead, always.workerPid());
        }
    }

    @Test
    void whatATaskPrintedBeforeItsWorkerExitedIsKeptWithTheCrash() {
        try (MultiProcessWorkflow wf = workflow(1, 1).build()) {
            TaskResult r = wf.executeTask(Task.of("last-words", FaultyTasks.printThenExit("ünïcødé farewell", 5)));

            assertThat(r.status()).isEqualTo(TaskStatus.CRASHED);
            assertThat(error(r).message()).isEqualTo("worker process " + r.workerPid() + " exited with code 5");
            assertThat(error(r).remoteStackTrace()).contains(
                    "task 'last-words' attempt 1 printed before the worker exited:",
                    "stdout: out: ünïcødé farewell", "stderr: err: ünïcødé farewell");
            assertThat(wf.executeTask(Task.of("after", FaultyTasks.succeed("fine"))).value()).isEqualTo("fine");
        }
    }

    @Test
    void runtimeHaltOnEveryAttemptEndsCrashedAfterEveryAttempt() {
        try (MultiProcessWorkflow wf = workflow(2, 2).build()) {
            TaskResult r = wf.executeTask(Task.of("halt", FaultyTasks.haltWorker(42)));

            assertThat(r.status()).isEqualTo(TaskStatus.CRASHED);
            assertThat(r.attempts()).isEqualTo(2);
            assertThat(attemptStatuses("halt")).containsExactly(TaskStatus.CRASHED, TaskStatus.CRASHED);
            assertThat(error(r).summary()).isEqualTo("WorkerCrashed: worker process " + r.workerPid()
                    + " exited with code 42");
            assertThat(log.attemptsOf("halt").get(0).workerPid()).isNotEqualTo(r.workerPid());
            assertFullPool(wf, 2);
        }
    }

    @Test
    void workerThatSigkillsItselfIsDetectedWithinOneSecondAndReplaced() throws IOException {
        try (MultiProcessWorkflow wf = workflow(2, 1).build()) {
            TaskResult r = wf.executeTask(Task.of("suicide", FaultyTasks.sigkillOwnWorker(tmp, "suicide")));
            FaultyTasks.KillRecord kill = FaultyTasks.readKillRecord(tmp, "suicide");

            assertThat(r.status()).isEqualTo(TaskStatus.CRASHED);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(r.workerPid()).isEqualTo(kill.pid());
            assertThat(error(r).type()).isEqualTo("WorkerCrashed");
            assertThat(error(r).message()).isEqualTo("worker process " + kill.pid() + " was killed by signal 9 (SIGKILL)");
            // Detected when the socket closed, not by polling: the attempt ends well within a second of the kill.
            Duration detection = Duration.between(kill.killedAt(), log.attemptsOf("suicide").get(0).endedAt());
            assertThat(detection).isPositive().isLessThan(Duration.ofSeconds(1));
            assertThat(Duration.between(kill.killedAt(), r.endedAt())).isLessThan(Duration.ofSeconds(1));
            assertFullPool(wf, 2);
            assertThat(wf.workerPids()).doesNotContain(kill.pid());
        }
    }

    @Test
    void heapExhaustionKillsTheWorkerWhichIsReportedAsCrashedWithTheJvmMessage() {
        try (MultiProcessWorkflow wf = workflow(2, 1).workerJvmOptions(List.of("-Xmx64m")).build()) {
            TaskResult r = wf.executeTask(Task.of("hog", FaultyTasks.exhaustHeap()));

            assertThat(r.status()).isEqualTo(TaskStatus.CRASHED);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(error(r).type()).isEqualTo("WorkerCrashed");
            // -XX:+ExitOnOutOfMemoryError exits with code 3 and says why in the worker's log, whose tail is the trace.
            assertThat(error(r).message()).isEqualTo("worker process " + r.workerPid() + " exited with code 3");
            assertThat(error(r).remoteStackTrace())
                    .contains("Terminating due to java.lang.OutOfMemoryError: Java heap space");
            assertFullPool(wf, 2);
        }
    }

    @Test
    void poisonTaskCrashesOnEveryAttemptWhileEveryOtherTaskOfTheRunSucceeds() {
        try (MultiProcessWorkflow wf = workflow(3, 3).build()) {
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                tasks.add(i == 5 ? Task.of("poison", FaultyTasks.haltWorker(13))
                        : Task.builder("ok-" + i).input(Integer.toString(i)).function(FaultyTasks.mixInput(20)).build());
            }
            List<TaskResult> results = wf.runAll(tasks).toList();

            assertThat(results).hasSize(24);
            TaskResult poison = results.get(5);
            assertThat(poison.task()).isEqualTo("poison");
            assertThat(poison.status()).isEqualTo(TaskStatus.CRASHED);
            assertThat(poison.attempts()).isEqualTo(3);
            assertThat(attemptStatuses("poison")).containsOnly(TaskStatus.CRASHED).hasSize(3);
            assertThat(log.attemptsOf("poison")).allSatisfy(a -> assertThat(a.error().orElseThrow().message())
                    .isEqualTo("worker process " + a.workerPid() + " exited with code 13"));
            for (int i = 0; i < 24; i++) {
                if (i == 5) {
                    continue;
                }
                TaskResult r = results.get(i);
                assertThat(r.task()).isEqualTo("ok-" + i);
                assertThat(r.status()).as("%s", r).isEqualTo(TaskStatus.SUCCEEDED);
                assertThat(r.attempts()).isEqualTo(1);
                assertThat(r.value()).isEqualTo(FaultyTasks.mix(i));
            }
            assertFullPool(wf, 3);
        }
    }

    // ==================================================================================== hangs

    @Test
    void taskSleepingForeverTimesOutOnEveryAttemptAndEachWorkerIsKilled() {
        try (MultiProcessWorkflow wf = workflow(2, 2).timeout(Duration.ofMillis(500)).build()) {
            long started = System.nanoTime();
            TaskResult r = wf.executeTask(Task.of("sleeper", FaultyTasks.sleepForever()));

            assertThat(r.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(r.attempts()).isEqualTo(2);
            assertThat(error(r).summary()).isEqualTo("Timeout: attempt exceeded its timeout of 500 ms");
            assertThat(attemptStatuses("sleeper")).containsExactly(TaskStatus.TIMED_OUT, TaskStatus.TIMED_OUT);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            log.attemptsOf("sleeper").forEach(a -> awaitDead(a.workerPid()));
            assertFullPool(wf, 2);
        }
    }

    @Test
    void taskIgnoringInterruptsIsStoppedByKillingItsWorker() {
        try (MultiProcessWorkflow wf = workflow(2, 1).build()) {
            TaskResult r = wf.executeTask(Task.builder("stubborn").timeout(Duration.ofMillis(700))
                    .function(FaultyTasks.ignoreInterrupts()).build());

            assertThat(r.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(error(r).summary()).isEqualTo("Timeout: attempt exceeded its timeout of 700 ms");
            awaitDead(r.workerPid());
            assertFullPool(wf, 2);
        }
    }

    // ==================================================================================== output and results

    @Test
    void millionLineFloodIsCappedAtTheCaptureLimitAndTheValueStillArrives() {
        int lines = 1_000_000;
        int limit = 1 << 20;
        try (MultiProcessWorkflow wf = workflow(1, 1).build()) {
            TaskResult r = wf.executeTask(Task.of("flood", FaultyTasks.floodStdout(lines)));

            assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(r.value()).isEqualTo(lines);
            assertThat(r.attempts()).isEqualTo(1);
            StringBuilder kept = new StringBuilder(limit + 32);
            for (int i = 0; kept.length() < limit; i++) {
                kept.append("line ").append(i).append('\n');
            }
            kept.setLength(limit);
            long dropped = FaultyTasks.floodBytes(lines) - limit;
            assertThat(r.stdout()).isEqualTo(kept + "\n[mpflow: " + dropped + " more bytes not kept]");
            assertThat(r.stderr()).isEmpty();
            assertFullPool(wf, 1);
        }
    }

    @Test
    void resultAboveMaxResultBytesFailsOnceWithoutRetryAndOneBelowArrives() {
        try (MultiProcessWorkflow wf = workflow(1, 3).maxResultBytes(1_000_000).workerJvmOptions(List.of("-Xmx64m"))
                .build()) {
            TaskResult r = wf.executeTask(Task.of("huge", FaultyTasks.hugeResult(2_000_000)));

            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).as("it would be as large the next time").isEqualTo(1);
            assertThat(error(r).type()).isEqualTo(ResultTooLargeException.class.getName());
            assertThat(error(r).message()).isEqualTo("result of task 'huge' is larger than the limit of 1000000 bytes");

            TaskResult fits = wf.executeTask(Task.of("fits", FaultyTasks.hugeResult(900_000)));
            assertThat(fits.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat((byte[]) fits.value()).hasSize(900_000);
            assertThat(fits.workerPid()).as("the worker survived").isEqualTo(r.workerPid());
            assertFullPool(wf, 1);
        }
    }

    /** A value that serializes in the worker but throws when the coordinator reads it back. */
    @Test
    void valueThatCannotBeReadBackIsAFailedResultNotAnException() {
        try (MultiProcessWorkflow wf = workflow(1, 3).build()) {
            TaskResult r;
            try {
                r = wf.executeTask(Task.of("unreadable", FaultyTasks.returnUnreadable()));
            } catch (MpflowException e) {
                throw new AssertionError("executeTask threw instead of returning a failed result: " + e, e);
            }
            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(error(r).type()).isEqualTo("java.lang.IllegalStateException");
            assertThat(error(r).message()).contains("this value refuses to be read");
            assertThat(log.results).extracting(TaskResult::task).contains("unreadable");
            assertFullPool(wf, 1);
        }
    }

    /** The same value in {@code runAll} with a callback: the call must still end, with one result per task. */
    @Test
    void valueThatCannotBeReadBackDoesNotHangRunAll() throws Exception {
        try (MultiProcessWorkflow wf = workflow(1, 1).shutdownGrace(Duration.ZERO).build()) {
            List<TaskResult> delivered = new ArrayList<>();
            CompletableFuture<Void> call = new CompletableFuture<>();
            Thread caller = new Thread(() -> {
                try {
                    wf.runAll(List.of(Task.of("before", FaultyTasks.succeed(1)),
                            Task.of("unreadable", FaultyTasks.returnUnreadable()),
                            Task.of("after", FaultyTasks.succeed(2))), AgentMode.PIPELINE, delivered::add);
                    call.complete(null);
                } catch (Throwable t) {
                    call.completeExceptionally(t);
                }
            }, "runAll-caller");
            caller.setDaemon(true);
            caller.start();
            try {
                call.get(15, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                caller.interrupt();
                throw new AssertionError("runAll(tasks, mode, onResult) still waits 15 s later; delivered: "
                        + delivered.stream().map(TaskResult::task).toList() + "; finished attempts: "
                        + log.finished.stream().map(a -> a.task() + "=" + a.status()).toList());
            }
            assertThat(delivered).extracting(TaskResult::task).containsExactlyInAnyOrder("before", "unreadable", "after");
        }
    }

    // ==================================================================================== commands

    /**
     * Workers keep a terminal's Ctrl-C to themselves (the coordinator decides what it means), but the programs they
     * start must see SIGINT and SIGTERM as any program does: a script that ends its children with kill, or is
     * ended with it, depends on it.
     */
    @Test
    void programsStartWithSigintAndSigtermAsAnyProgramHasThem() {
        CommandAgent signals = CommandAgent.of("signals", "sh", "-c",
                "grep SigIgn /proc/self/status; sleep 30 & child=$!; kill -TERM $child; wait $child; echo $?");
        try (MultiProcessWorkflow wf = workflow(1, 1).agents(List.of(signals)).build()) {
            TaskResult r = wf.executeTask(Task.ofInput("signals", ""));
            assertThat(r.status()).as("%s", r.error()).isEqualTo(TaskStatus.SUCCEEDED);
            String[] lines = ((String) r.value()).split("\n");
            assertThat(lines).hasSize(2);
            long ignored = Long.parseLong(lines[0].replace("SigIgn:", "").strip(), 16);
            long sigint = 1L << (2 - 1);
            long sigterm = 1L << (15 - 1);
            assertThat(ignored & (sigint | sigterm)).as("ignored signals %s", lines[0]).isZero();
            assertThat(lines[1]).isEqualTo("143"); // 128 + SIGTERM: the sleep was ended by it, at once
        }
    }

    /**
     * A program that forks twice leaves its worker's descendants (init adopts it) but not the worker's session: a
     * timeout ends it too, and what a command that succeeded left running ends with its worker.
     */
    @Test
    void programsThatForkedAwayFromTheirWorkerEndWithItsSession() {
        CommandAgent away = CommandAgent.of("away", "sh", "-c",
                "(sleep 1000 &); if [ \"$0\" = hang ]; then sleep 1000; fi; echo started", "{}")
                .withTimeout(Duration.ofSeconds(2));
        List<Long> sessions = new ArrayList<>();
        try {
            try (MultiProcessWorkflow wf = workflow(1, 1).agents(List.of(away)).build()) {
                TaskResult hung = wf.executeTask(Task.ofInput("hung", "hang"));
                sessions.add(hung.workerPid());
                assertThat(hung.status()).isEqualTo(TaskStatus.TIMED_OUT);
                await("the timed-out worker's session to end").atMost(Duration.ofSeconds(2))
                        .pollInterval(Duration.ofMillis(20)).until(() -> Sessions.members(hung.workerPid()).isEmpty());

                TaskResult done = wf.executeTask(Task.ofInput("done", "go"));
                long worker = done.workerPid();
                sessions.add(worker);
                assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
                assertThat(done.value()).isEqualTo("started");
                // Its sleep, adopted by init, is still running in the worker's session while the worker lives.
                List<ProcessHandle> sleeps = Sessions.members(worker).stream()
                        .filter(p -> p.pid() != worker).toList();
                assertThat(sleeps).hasSize(1);
                assertThat(sleeps.get(0).parent().map(ProcessHandle::pid)).isNotEqualTo(Optional.of(worker));
            }
            await("the closed workflow's sessions to end").atMost(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(20)).until(() -> Sessions.members(sessions.get(1)).isEmpty());
        } finally {
            sessions.forEach(sid -> Sessions.members(sid).forEach(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    void timedOutCommandLeavesNoneOfItsProcessesBehind() {
        CommandAgent sleepy = CommandAgent.of("sleepy", "sh", "-c", "sleep 1000 & sleep 1000")
                .withTimeout(Duration.ofSeconds(3));
        List<ProcessHandle> tree = new ArrayList<>();
        try (MultiProcessWorkflow wf = workflow(1, 1).agents(List.of(sleepy)).build()) {
            CompletableFuture<TaskResult> f = wf.submit(Task.ofInput("cmd", ""));
            long worker = log.awaitWorkerOf("cmd", 1);
            await("both sleeps to run").atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> ProcessTree.descendantsRunning(worker, "sleep").size() == 2);
            tree.addAll(ProcessTree.descendantsOf(worker)); // the two sleeps, and sh unless it exec'd the last one
            assertThat(tree).hasSizeBetween(2, 3);

            TaskResult r = f.join();
            assertThat(r.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(r.agent()).contains("sleepy");
            assertThat(error(r).summary()).isEqualTo("Timeout: attempt exceeded its timeout of 3000 ms");
            ProcessTree.awaitAllDead("the timed-out command's processes", tree, Duration.ofSeconds(2));
            awaitDead(worker);
        } finally {
            ProcessTree.killAll(tree);
        }
    }

    /**
     * A worker SIGKILLed from outside while its command runs cannot clean up after itself; the command must not
     * outlive it anyway. (The processes would be orphans of init, invisible to {@link NoProcessLeftBehind}.)
     */
    @Test
    void workerKilledFromOutsideWhileItsCommandRunsLeavesNoCommandBehind() {
        // The sleeps start a moment after the shell, by when the worker has told the coordinator the shell's pid:
        // a worker killed in the instant between starting a program and telling would leave it behind.
        CommandAgent sleepy = CommandAgent.of("sleepy", "sh", "-c", "sleep 0.3; sleep 1000 & sleep 1000");
        List<ProcessHandle> tree = new ArrayList<>();
        try (MultiProcessWorkflow wf = workflow(1, 1).agents(List.of(sleepy)).build()) {
            CompletableFuture<TaskResult> f = wf.submit(Task.ofInput("cmd", ""));
            long worker = log.awaitWorkerOf("cmd", 1);
            await("both sleeps to run").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> ProcessTree.descendantsRunning(worker, "sleep").size() == 2);
            tree.addAll(ProcessTree.descendantsOf(worker));

            assertThat(ProcessTree.sigkill(worker)).isTrue();
            TaskResult r = f.join();
            assertThat(r.status()).isEqualTo(TaskStatus.CRASHED);
            assertThat(error(r).message()).isEqualTo("worker process " + worker + " was killed by signal 9 (SIGKILL)");
            ProcessTree.awaitAllDead("the command of the killed worker", tree, Duration.ofSeconds(3));
        } finally {
            ProcessTree.killAll(tree);
        }
    }

    // ==================================================================================== retry filters

    @Test
    void abortOnATypeStopsAfterOneAttemptEvenForItsSubtypes() throws IOException {
        RetrySettings abortOnBadArgument = quickRetries(3).toBuilder().abortOn(IllegalArgumentException.class).build();
        try (MultiProcessWorkflow wf = workflow(1, 3).retry(abortOnBadArgument).build()) {
            TaskResult r = wf.executeTask(Task.of("nfe", counted("nfe",
                    FaultyTasks.throwing(NumberFormatException.class, "not a number"))));

            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(FaultyTasks.attemptsSeen(tmp, "nfe")).isEqualTo(1);
            assertThat(error(r).summary()).isEqualTo("java.lang.NumberFormatException: not a number");

            TaskResult other = wf.executeTask(Task.of("ise", counted("ise",
                    FaultyTasks.throwing(IllegalStateException.class, "retried"))));
            assertThat(other.attempts()).isEqualTo(3);
            assertThat(FaultyTasks.attemptsSeen(tmp, "ise")).isEqualTo(3);
        }
    }

    @Test
    void retryOnATypeRetriesOnlyThatTypeAndItsSubtypes() throws IOException {
        RetrySettings onlyIo = quickRetries(3).toBuilder().retryOn(IOException.class).build();
        try (MultiProcessWorkflow wf = workflow(1, 3).retry(onlyIo).build()) {
            TaskResult notRetried = wf.executeTask(Task.of("ise", counted("ise",
                    FaultyTasks.throwing(IllegalStateException.class, "not io"))));
            assertThat(notRetried.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(notRetried.attempts()).isEqualTo(1);
            assertThat(FaultyTasks.attemptsSeen(tmp, "ise")).isEqualTo(1);
            assertThat(error(notRetried).summary()).isEqualTo("java.lang.IllegalStateException: not io");

            TaskResult retried = wf.executeTask(Task.of("fnf", counted("fnf",
                    FaultyTasks.throwing(FileNotFoundException.class, "gone"))));
            assertThat(retried.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(retried.attempts()).isEqualTo(3);
            assertThat(FaultyTasks.attemptsSeen(tmp, "fnf")).isEqualTo(3);
            assertThat(error(retried).summary()).isEqualTo("java.io.FileNotFoundException: gone");
        }
    }

    /** {@code function} behind an attempt counter that never runs out: counts the attempts that really ran. */
    private TaskFunction counted(String key, TaskFunction function) {
        return FaultyTasks.firstTimes(tmp, key, Integer.MAX_VALUE, function, FaultyTasks.succeed("unreachable"));
    }

    @Test
    void exitCodeFiltersDecideWhichFailedCommandsAreRetried() throws IOException {
        RetrySettings abort3 = quickRetries(3).toBuilder().abortOnExitCodes(List.of(3)).build();
        assertCommandAttempts(abort3, Map.of("abort-3-exit-3", 3, "abort-3-exit-4", 4),
                Map.of("abort-3-exit-3", 1, "abort-3-exit-4", 3));
        RetrySettings only75 = quickRetries(3).toBuilder().retryOnExitCodes(List.of(75)).build();
        assertCommandAttempts(only75, Map.of("only-75-exit-75", 75, "only-75-exit-1", 1),
                Map.of("only-75-exit-75", 3, "only-75-exit-1", 1));
    }

    /** Runs one task through command agents exiting with the given codes; checks attempts reported and really run. */
    private void assertCommandAttempts(RetrySettings retry, Map<String, Integer> exitCodes,
            Map<String, Integer> expectedAttempts) throws IOException {
        List<Agent> agents = exitCodes.entrySet().stream()
                .map(e -> (Agent) countingCommand(e.getKey(), e.getValue())).toList();
        try (MultiProcessWorkflow wf = workflow(2, 1).agents(agents).build()) {
            List<TaskResult> results = wf.run(Task.builder("cmd").retry(retry).build());

            assertThat(results).hasSize(exitCodes.size());
            for (TaskResult r : results) {
                String agent = r.agent().orElseThrow();
                int code = exitCodes.get(agent);
                assertThat(r.status()).as(agent).isEqualTo(TaskStatus.FAILED);
                assertThat(r.attempts()).as(agent).isEqualTo(expectedAttempts.get(agent));
                assertThat(Files.readAllLines(tmp.resolve(agent + ".runs"))).as(agent)
                        .hasSize(expectedAttempts.get(agent));
                assertThat(error(r).type()).isEqualTo(CommandFailedException.class.getName());
                assertThat(error(r).message()).isEqualTo("sh -c echo run >> " + tmp.resolve(agent + ".runs")
                        + "; exit " + code + " exited with code " + code);
            }
        }
    }

    /** Settings of an agent's own travel with it to the worker, as the agent's other fields do. */
    @Test
    void agentWithItsOwnRetrySettingsCanBeSentToAWorker() throws IOException {
        CommandAgent own = countingCommand("own-retry", 4).withRetry(quickRetries(2));
        try (MultiProcessWorkflow wf = workflow(1, 3).agents(List.of(own)).build()) {
            TaskResult r = wf.executeTask(Task.ofInput("cmd", ""));

            assertThat(error(r).summary()).as("the job must reach a worker")
                    .doesNotContain("cannot be sent to a worker");
            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).as("the agent's own maxAttempts").isEqualTo(2);
            assertThat(Files.readAllLines(tmp.resolve("own-retry.runs"))).hasSize(2);
        }
    }

    private CommandAgent countingCommand(String name, int exitCode) {
        return CommandAgent.of(name, "sh", "-c", "echo run >> " + tmp.resolve(name + ".runs") + "; exit " + exitCode);
    }

    @Test
    void crashesAndTimeoutsAreNotRetriedWhenSwitchedOff() {
        RetrySettings noCrashRetry = quickRetries(3).toBuilder().retryCrashes(false).build();
        RetrySettings noTimeoutRetry = quickRetries(3).toBuilder().retryTimeouts(false).build();
        try (MultiProcessWorkflow wf = workflow(2, 3).build()) {
            TaskResult crash = wf.executeTask(Task.builder("crash").retry(noCrashRetry)
                    .function(FaultyTasks.haltWorker(5)).build());
            assertThat(crash.status()).isEqualTo(TaskStatus.CRASHED);
            assertThat(crash.attempts()).isEqualTo(1);

            TaskResult timeout = wf.executeTask(Task.builder("hang").retry(noTimeoutRetry).timeout(Duration.ofMillis(300))
                    .function(FaultyTasks.sleepForever()).build());
            assertThat(timeout.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(timeout.attempts()).isEqualTo(1);
            assertFullPool(wf, 2);
        }
    }

    // ==================================================================================== stopping early

    @Test
    void haltNowAfterOneFailureCancelsRunningAndQueuedTasksAtOnce() {
        List<String> runners = List.of("long-1", "long-2");
        List<Task> tasks = new ArrayList<>();
        tasks.add(Task.of("bad", FaultyTasks.afterStarted(tmp, runners, 60_000, FaultyTasks.alwaysFail("bad input"))));
        runners.forEach(n -> tasks.add(Task.of(n, FaultyTasks.markStarted(tmp, n, FaultyTasks.sleepForever()))));
        for (int i = 0; i < 5; i++) {
            tasks.add(Task.of("queued-" + i, FaultyTasks.sleepForever()));
        }
        try (MultiProcessWorkflow wf = workflow(3, 1).haltPolicy(HaltPolicy.parse("now,fail=1")).build()) {
            List<TaskResult> results = wf.runAll(tasks).toList();

            String reason = "the run halted after 1 failed task (halt policy now,fail=1)";
            TaskResult bad = results.get(0);
            assertThat(bad.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(bad.attempts()).isEqualTo(1);
            assertThat(error(bad).summary()).isEqualTo("java.lang.IllegalStateException: bad input");
            for (TaskResult r : results.subList(1, results.size())) {
                boolean wasRunning = runners.contains(r.task());
                assertThat(r.status()).as(r.task()).isEqualTo(TaskStatus.CANCELLED);
                assertThat(r.attempts()).as(r.task()).isEqualTo(wasRunning ? 1 : 0);
                assertThat(error(r).type()).isEqualTo(CANCELLED_TYPE);
                assertThat(error(r).message()).isEqualTo(reason);
                assertThat(Duration.between(bad.endedAt(), r.endedAt())).as(r.task()).isLessThan(Duration.ofSeconds(1));
            }
            assertThat(results).hasSize(8);
            assertThat(wf.haltReason()).contains(reason);
            runners.forEach(n -> awaitDead(log.awaitWorkerOf(n, 1)));
        }
    }

    @Test
    void haltSoonAfterOneFailureLetsRunningTasksFinishAndCancelsQueuedOnes() {
        List<String> runners = List.of("long-1", "long-2");
        List<Task> tasks = new ArrayList<>();
        tasks.add(Task.of("bad", FaultyTasks.afterStarted(tmp, runners, 60_000, FaultyTasks.alwaysFail("bad input"))));
        runners.forEach(n -> tasks.add(Task.of(n, FaultyTasks.markStarted(tmp, n, FaultyTasks.sleepThen(1500, n + " done")))));
        for (int i = 0; i < 5; i++) {
            tasks.add(Task.of("queued-" + i, FaultyTasks.succeed("never")));
        }
        try (MultiProcessWorkflow wf = workflow(3, 1).haltPolicy(HaltPolicy.parse("soon,fail=1")).build()) {
            List<TaskResult> results = wf.runAll(tasks).toList();

            assertThat(results).extracting(TaskResult::task).startsWith("bad", "long-1", "long-2");
            assertThat(results.get(0).status()).isEqualTo(TaskStatus.FAILED);
            for (TaskResult r : results.subList(1, 3)) {
                assertThat(r.status()).as(r.task()).isEqualTo(TaskStatus.SUCCEEDED);
                assertThat(r.value()).isEqualTo(r.task() + " done");
                assertThat(r.attempts()).isEqualTo(1);
            }
            // runAll stops taking tasks once halted; every queued one it took is cancelled without running.
            for (TaskResult r : results.subList(3, results.size())) {
                assertThat(r.status()).as(r.task()).isEqualTo(TaskStatus.CANCELLED);
                assertThat(r.attempts()).isZero();
                assertThat(error(r).message()).isEqualTo("the run halted after 1 failed task (halt policy soon,fail=1)");
            }
            assertThat(log.started).extracting(AttemptLog.Started::task).doesNotContain("queued-0", "queued-4");
        }
    }

    @Test
    void deadlineCancelsWhatIsUnfinishedWhenItPasses() {
        try (MultiProcessWorkflow wf = workflow(2, 3).deadline(Duration.ofSeconds(4)).build()) {
            long started = System.nanoTime();
            List<TaskResult> results = wf.runAll(List.of(
                    Task.of("quick", FaultyTasks.succeed("in time")),
                    Task.of("sleeper-1", FaultyTasks.markStarted(tmp, "sleeper-1", FaultyTasks.sleepForever())),
                    Task.of("sleeper-2", FaultyTasks.markStarted(tmp, "sleeper-2", FaultyTasks.ignoreInterrupts())),
                    Task.of("queued", FaultyTasks.succeed("never")))).toList();
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(results.get(0).status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(results.get(0).value()).isEqualTo("in time");
            for (TaskResult r : results.subList(1, 4)) {
                assertThat(r.status()).as(r.task()).isEqualTo(TaskStatus.CANCELLED);
                assertThat(error(r).summary()).isEqualTo(CANCELLED_TYPE + ": the run's deadline of 4000 ms passed");
            }
            assertThat(results.get(1).attempts()).isEqualTo(1);
            assertThat(results.get(2).attempts()).isEqualTo(1);
            assertThat(results.get(3).attempts()).isZero();
            assertThat(took).isBetween(Duration.ofMillis(3900), Duration.ofSeconds(8));
            awaitDead(log.awaitWorkerOf("sleeper-1", 1));
            awaitDead(log.awaitWorkerOf("sleeper-2", 1));
        }
    }

    @Test
    void stopWithGraceLetsTheTaskThatFinishesInTimeSucceedAndCancelsTheOther() throws Exception {
        try (MultiProcessWorkflow wf = workflow(2, 3).build()) {
            CompletableFuture<TaskResult> finishing = wf.submit(Task.of("finishing",
                    FaultyTasks.markStarted(tmp, "finishing", FaultyTasks.sleepThen(1000, "made it"))));
            CompletableFuture<TaskResult> stubborn = wf.submit(Task.of("stubborn",
                    FaultyTasks.markStarted(tmp, "stubborn", FaultyTasks.ignoreInterrupts())));
            CompletableFuture<TaskResult> queued = wf.submit(Task.of("queued", FaultyTasks.succeed("never")));
            await("both attempts to run").atMost(Duration.ofSeconds(30))
                    .until(() -> FaultyTasks.started(tmp, "finishing") && FaultyTasks.started(tmp, "stubborn"));
            long stubbornWorker = log.awaitWorkerOf("stubborn", 1);

            long before = System.nanoTime();
            wf.stop(Duration.ofSeconds(3));
            Duration stopTook = Duration.ofNanos(System.nanoTime() - before);

            assertThat(stopTook).as("stop waits out its grace for the task that does not finish")
                    .isBetween(Duration.ofMillis(2900), Duration.ofSeconds(5));
            TaskResult ok = finishing.get(5, TimeUnit.SECONDS);
            assertThat(ok.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(ok.value()).isEqualTo("made it");
            TaskResult cancelled = stubborn.get(5, TimeUnit.SECONDS);
            assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(cancelled.attempts()).isEqualTo(1);
            assertThat(error(cancelled).summary()).isEqualTo(CANCELLED_TYPE + ": the run was stopped");
            TaskResult never = queued.get(5, TimeUnit.SECONDS);
            assertThat(never.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(never.attempts()).isZero();
            awaitDead(stubbornWorker);
            assertThat(wf.haltReason()).contains("the run was stopped");

            TaskResult late = wf.executeTask(Task.of("late", FaultyTasks.succeed("never")));
            assertThat(late.status()).isEqualTo(TaskStatus.CANCELLED);
            assertThat(late.attempts()).isZero();
        }
    }

    @Test
    void stopReturnsAsSoonAsRunningTasksFinish() throws Exception {
        try (MultiProcessWorkflow wf = workflow(1, 1).build()) {
            CompletableFuture<TaskResult> running = wf.submit(Task.of("short",
                    FaultyTasks.markStarted(tmp, "short", FaultyTasks.sleepThen(800, "done"))));
            await().atMost(Duration.ofSeconds(30)).until(() -> FaultyTasks.started(tmp, "short"));

            long before = System.nanoTime();
            wf.stop(Duration.ofSeconds(20));
            assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(3));
            assertThat(running.get(1, TimeUnit.SECONDS).value()).isEqualTo("done");
        }
    }

    @Test
    void closeStopsATaskThatIgnoresInterruptsAfterTheShutdownGrace() throws Exception {
        CompletableFuture<TaskResult> stubborn;
        long worker;
        long before;
        try (MultiProcessWorkflow wf = workflow(1, 1).shutdownGrace(Duration.ofMillis(500)).build()) {
            stubborn = wf.submit(Task.of("stubborn", FaultyTasks.markStarted(tmp, "stubborn", FaultyTasks.ignoreInterrupts())));
            await().atMost(Duration.ofSeconds(30)).until(() -> FaultyTasks.started(tmp, "stubborn"));
            worker = log.awaitWorkerOf("stubborn", 1);
            before = System.nanoTime();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(4));
        TaskResult r = stubborn.get(5, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(r.attempts()).isEqualTo(1);
        assertThat(error(r).message()).isEqualTo("the workflow was closed");
        assertThat(ProcessTree.isAlive(worker)).isFalse();
    }

    // ==================================================================================== outside kills

    /**
     * Workers SIGKILLed from outside before they connect (an OOM killer during a start storm, an operator's
     * {@code kill}) are not JVMs that cannot start: the pool must not give up on them.
     */
    @Test
    void workersKilledFromOutsideWhileStartingDoNotBreakThePool() {
        try (MultiProcessWorkflow wf = workflow(1, 3).build()) {
            // Work arrives, so a worker is launched; it is killed before it can connect, three times in a row.
            CompletableFuture<TaskResult> f = wf.submit(Task.of("after-kills", FaultyTasks.succeed("still here")));
            Set<Long> killed = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                long fresh = await("a new worker to be launched").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(1))
                        .until(() -> wf.workerPids().stream().filter(p -> !killed.contains(p)).findFirst(),
                                java.util.Optional::isPresent).orElseThrow();
                assertThat(log.started).as("a JVM needs far longer than this loop to connect").isEmpty();
                killed.add(fresh);
                assertThat(ProcessTree.sigkill(fresh)).isTrue();
            }

            TaskResult r = f.join();
            assertThat(r.error().map(TaskError::summary)).isEmpty();
            assertThat(r.value()).isEqualTo("still here");
            assertFullPool(wf, 1);
        }
    }
}
