package dev.mpflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.mpflow.event.AttemptRecord;
import dev.mpflow.event.SubmittedTask;
import dev.mpflow.event.WorkflowListener;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The library end to end, with real worker JVMs. */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class MultiProcessWorkflowIT {

    @TempDir
    Path tmp;

    private static MultiProcessWorkflow.Builder workflow(int workers) {
        return MultiProcessWorkflow.builder().maxWorkers(workers).autosave(false);
    }

    private static long pid() {
        return ProcessHandle.current().pid();
    }

    @Test
    void runFansOutOverAgentsInParallelWorkerProcessesInAgentOrder() {
        List<Agent> agents = List.of(
                Agent.of("first", in -> "first:" + in.value()),
                Agent.of("second", in -> "second:" + in.value()),
                Agent.of("third", in -> "third:" + in.value()));
        try (MultiProcessWorkflow wf = workflow(3).agents(agents).build()) {
            long started = System.nanoTime();
            List<TaskResult> results = wf.run(Task.of("slow", in -> {
                Thread.sleep(1000);
                return "pid" + ProcessHandle.current().pid();
            }));

            assertThat(results).extracting(r -> r.agent().orElseThrow()).containsExactly("first", "second", "third");
            assertThat(results).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED);
                assertThat(r.attempts()).isEqualTo(1);
                assertThat(r.workerPid()).isNotEqualTo(pid());
                assertThat(r.value()).isEqualTo(r.agent().orElseThrow() + ":pid" + r.workerPid());
            });
            assertThat(results.stream().map(TaskResult::workerPid).collect(Collectors.toSet())).hasSize(3);
            assertThat(wf.workerPids()).containsAll(results.stream().map(TaskResult::workerPid).toList());
            // Three one-second jobs in parallel, not one after the other.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2900));
        }
    }

    @Test
    void executeTaskPipesTheValueThroughAgentsInSequence() {
        List<Agent> agents = List.of(
                Agent.of("upper", in -> in.valueText().toUpperCase()),
                Agent.of("exclaim", in -> in.valueText() + "!"),
                Agent.of("describe", in -> in.task() + "/" + in.input() + " -> " + in.value()));
        try (MultiProcessWorkflow wf = workflow(2).agents(agents).build()) {
            TaskResult r = wf.executeTask(Task.builder("greet").input("hello").function(s -> s + " world").build());

            assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(r.value()).isEqualTo("greet/hello -> HELLO WORLD!");
            assertThat(r.agent()).contains("describe");
            assertThat(r.attempts()).isEqualTo(1);
        }
    }

    @Test
    void aFailingAgentInAPipelineIsNamedWhileTheResultKeepsThePipelinesAgent() {
        List<Agent> agents = List.of(
                Agent.of("first", in -> in.valueText() + "1"),
                Agent.of("breaks", in -> {
                    throw new IllegalArgumentException("cannot take " + in.value());
                }),
                Agent.of("last", in -> in.valueText() + "3"));
        try (MultiProcessWorkflow wf = workflow(1).retry(RetrySettings.NONE).agents(agents).build()) {
            TaskResult r = wf.executeTask(Task.ofInput("p", "x"));
            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.agent()).contains("last");
            assertThat(r.error().orElseThrow().summary())
                    .isEqualTo("java.lang.IllegalArgumentException: in agent breaks: cannot take x1");
        }
    }

    @Test
    void runAllReturnsResultsInTaskOrderFromSeveralWorkers() {
        try (MultiProcessWorkflow wf = workflow(3).build()) {
            List<Task> tasks = IntStream.range(0, 30).mapToObj(i -> Task.builder("t" + i).input(Integer.toString(i))
                    .function(in -> {
                        int n = Integer.parseInt(in);
                        Thread.sleep((30 - n) * 3L); // later tasks finish sooner: order must not follow completion
                        return n * n;
                    }).build()).toList();

            List<TaskResult> results = wf.runAll(tasks).toList();

            assertThat(results).extracting(TaskResult::task)
                    .containsExactlyElementsOf(IntStream.range(0, 30).mapToObj(i -> "t" + i).toList());
            assertThat(results).extracting(TaskResult::value)
                    .containsExactlyElementsOf(IntStream.range(0, 30).mapToObj(i -> (Object) (i * i)).toList());
            assertThat(results.stream().map(TaskResult::workerPid).distinct().count()).isGreaterThan(1);
        }
    }

    @Test
    void runAllWithACallbackDeliversEveryResultOnce() {
        try (MultiProcessWorkflow wf = workflow(2).maxPending(4).build()) {
            List<Task> tasks = IntStream.range(0, 50)
                    .mapToObj(i -> Task.builder("t" + i).input(Integer.toString(i)).function(Integer::parseInt).build())
                    .toList();
            List<Object> values = new CopyOnWriteArrayList<>();

            var summary = wf.runAll(tasks, MultiProcessWorkflow.AgentMode.PIPELINE, r -> values.add(r.value()));

            assertThat(values).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 50).boxed().toList());
            assertThat(summary.succeeded()).isEqualTo(50);
            assertThat(summary.failed()).isZero();
        }
    }

    @Test
    void higherPriorityRunsFirstAndEqualPrioritiesRunInOrder() throws Exception {
        try (MultiProcessWorkflow wf = workflow(1).build()) {
            // Occupy the only worker so that the next tasks queue up together.
            CompletableFuture<TaskResult> blocker = wf.submit(Task.of("blocker", in -> {
                Thread.sleep(700);
                return 0L;
            }));
            List<CompletableFuture<TaskResult>> queued = List.of(
                    wf.submit(Task.builder("low-1").priority(0).function(in -> System.nanoTime()).build()),
                    wf.submit(Task.builder("high").priority(5).function(in -> System.nanoTime()).build()),
                    wf.submit(Task.builder("low-2").priority(0).function(in -> System.nanoTime()).build()));
            blocker.get();
            List<TaskResult> done = queued.stream().map(CompletableFuture::join).toList();
            List<String> byStart = done.stream().sorted((a, b) -> Long.compare((Long) a.value(), (Long) b.value()))
                    .map(TaskResult::task).toList();
            assertThat(byStart).containsExactly("high", "low-1", "low-2");
        }
    }

    @Test
    void printingTaskDoesNotCorruptResultsAndItsOutputIsCaptured() {
        try (MultiProcessWorkflow wf = workflow(1).build()) {
            TaskResult r = wf.executeTask(Task.of("noisy", in -> {
                for (int i = 0; i < 1000; i++) {
                    System.out.println("line " + i);
                }
                System.out.write(new byte[] {0, 0, 0, 9, 3, 1, 2, 3}); // looks like a frame header
                System.out.flush();
                System.err.println("warning ✓");
                return "clean";
            }));

            assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(r.value()).isEqualTo("clean");
            assertThat(r.stdout()).startsWith("line 0\nline 1\n").contains("line 999\n");
            assertThat(r.stderr()).isEqualTo("warning ✓\n");
            // The pool still works after the noise.
            assertThat(wf.executeTask(Task.of("next", in -> 42)).value()).isEqualTo(42);
        }
    }

    @Test
    void capturedOutputIsKeptUpToTheLimitWithANoteOfWhatWasDropped() {
        try (MultiProcessWorkflow wf = workflow(1).captureLimitBytes(10).build()) {
            TaskResult r = wf.executeTask(Task.of("flood", in -> {
                System.out.print("0123456789ABCDEFGHIJ");
                return 1;
            }));
            assertThat(r.stdout()).isEqualTo("0123456789\n[mpflow: 10 more bytes not kept]");
        }
    }

    @Test
    void everyJobIsReportedSubmittedBeforeItsAttemptsAndEachAttemptKeepsItsOwnOutput() throws Exception {
        Path marker = tmp.resolve("failed-once");
        String markerPath = marker.toString();
        List<String> events = new CopyOnWriteArrayList<>();
        List<SubmittedTask> submitted = new CopyOnWriteArrayList<>();
        List<AttemptRecord> attempts = new CopyOnWriteArrayList<>();
        WorkflowListener listener = new WorkflowListener() {
            @Override
            public void taskSubmitted(SubmittedTask task) {
                submitted.add(task);
                events.add("submitted " + task.task() + " " + task.agent().orElseThrow());
            }

            @Override
            public void attemptFinished(AttemptRecord attempt) {
                attempts.add(attempt);
                events.add("attempt " + attempt.task() + " " + attempt.agent().orElseThrow());
            }

            @Override
            public void taskFinished(String runId, TaskResult result) {
                events.add("finished " + result.task() + " " + result.agent().orElseThrow());
            }
        };
        List<Agent> agents = List.of(
                Agent.of("echo", in -> {
                    System.out.println("echo says " + in.value());
                    return "echo:" + in.value();
                }),
                Agent.of("flaky", in -> {
                    Path m = Path.of(markerPath);
                    if (!Files.exists(m)) {
                        Files.createFile(m);
                        System.err.println("first try fails");
                        throw new IllegalStateException("once");
                    }
                    System.out.println("second try works");
                    return "flaky:" + in.value();
                }));
        List<Task> tasks = List.of(Task.builder("a").input("x").priority(3).build(), Task.ofInput("b", "y"));
        List<TaskResult> results;
        try (MultiProcessWorkflow wf = workflow(1).agents(agents).listener(listener)
                .retry(RetrySettings.builder().maxAttempts(2).delay(Duration.ofMillis(1)).build()).build()) {
            results = wf.runAll(tasks, MultiProcessWorkflow.AgentMode.FAN_OUT).toList();
            assertThat(submitted).allSatisfy(t -> assertThat(t.runId()).isEqualTo(wf.runId()));
        }

        assertThat(submitted).extracting(SubmittedTask::task, t -> t.agent().orElseThrow(), SubmittedTask::input,
                SubmittedTask::priority, SubmittedTask::doneEarlier).containsExactly(
                        tuple("a", "echo", "x", 3, false), tuple("a", "flaky", "x", 3, false),
                        tuple("b", "echo", "y", 0, false), tuple("b", "flaky", "y", 0, false));
        assertThat(submitted.get(0).key()).isEqualTo(results.get(0).key());
        // Each job's submission comes before anything else about it.
        for (SubmittedTask t : submitted) {
            String job = t.task() + " " + t.agent().orElseThrow();
            assertThat(events.indexOf("submitted " + job)).isLessThan(events.indexOf("attempt " + job))
                    .isLessThan(events.indexOf("finished " + job));
        }
        AttemptRecord failed = attempts.stream().filter(a -> a.status() == TaskStatus.FAILED).findFirst()
                .orElseThrow();
        assertThat(failed.stderr()).isEqualTo("first try fails\n");
        AttemptRecord retry = attempts.stream().filter(a -> a.task().equals(failed.task())
                && a.agent().equals(failed.agent()) && a.attempt() == 2).findFirst().orElseThrow();
        assertThat(retry.stdout()).isEqualTo("second try works\n");
        assertThat(retry.stderr()).isEmpty();
        assertThat(attempts).filteredOn(a -> a.agent().orElseThrow().equals("echo"))
                .extracting(AttemptRecord::stdout).containsExactlyInAnyOrder("echo says x\n", "echo says y\n");
        // A value's size is that of the value itself: a string's UTF-8 bytes, none of the codec's.
        assertThat(results).allSatisfy(r -> assertThat(r.valueSize())
                .isEqualTo(((String) r.value()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
    }

    @Test
    void workerThatCallsSystemExitIsReplacedAndTheTaskSucceedsOnRetry() throws IOException {
        Path marker = tmp.resolve("exited-once");
        String markerPath = marker.toString();
        List<AttemptRecord> attempts = new CopyOnWriteArrayList<>();
        WorkflowListener listener = new WorkflowListener() {
            @Override
            public void attemptFinished(AttemptRecord attempt) {
                attempts.add(attempt);
            }
        };
        try (MultiProcessWorkflow wf = workflow(2).listener(listener).build()) {
            TaskResult r = wf.executeTask(Task.of("exit-once", in -> {
                Path m = Path.of(markerPath);
                if (!Files.exists(m)) {
                    Files.writeString(m, Long.toString(ProcessHandle.current().pid()));
                    System.exit(7);
                }
                return "second time lucky";
            }));

            assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(r.value()).isEqualTo("second time lucky");
            assertThat(r.attempts()).isEqualTo(2);
            long deadPid = Long.parseLong(Files.readString(marker));
            assertThat(r.workerPid()).isNotEqualTo(deadPid);
            assertThat(attempts).extracting(AttemptRecord::status).containsExactly(TaskStatus.CRASHED, TaskStatus.SUCCEEDED);
            assertThat(attempts.get(0).workerPid()).isEqualTo(deadPid);
            assertThat(attempts.get(0).error().orElseThrow().message()).isEqualTo("worker process " + deadPid
                    + " exited with code 7");
            // The result spans both attempts: from the first one's start to the last one's end.
            assertThat(r.startedAt()).isEqualTo(attempts.get(0).startedAt());
            assertThat(r.endedAt()).isEqualTo(attempts.get(1).endedAt());
            assertThat(wf.workerPids()).doesNotContain(deadPid).contains(r.workerPid());
        }
    }

    @Test
    void workerKilledWithSigkillMidTaskIsDetectedReplacedAndTheTaskRetried() {
        List<Long> startedOn = new CopyOnWriteArrayList<>();
        WorkflowListener listener = new WorkflowListener() {
            @Override
            public void attemptStarted(String runId, String task, int attempt, long workerPid) {
                startedOn.add(workerPid);
            }
        };
        Path marker = tmp.resolve("started");
        String markerPath = marker.toString();
        try (MultiProcessWorkflow wf = workflow(1).listener(listener).build()) {
            CompletableFuture<TaskResult> f = wf.submit(Task.of("victim", in -> {
                Path m = Path.of(markerPath);
                if (!Files.exists(m)) {
                    Files.createFile(m);
                    Thread.sleep(60_000);
                }
                return "survived";
            }));
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(marker));
            long victim = startedOn.get(0);
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();

            TaskResult r = f.join();
            assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(r.value()).isEqualTo("survived");
            assertThat(r.attempts()).isEqualTo(2);
            assertThat(r.workerPid()).isNotEqualTo(victim);
        }
    }

    @Test
    void crashOnEveryAttemptEndsAsCrashedWithTheExitCode() {
        try (MultiProcessWorkflow wf = workflow(1).retry(RetrySettings.builder().maxAttempts(2).delay(Duration.ZERO).build()).build()) {
            TaskResult r = wf.executeTask(Task.of("poison", in -> {
                System.err.println("about to die");
                Runtime.getRuntime().halt(42);
                return null;
            }));
            assertThat(r.status()).isEqualTo(TaskStatus.CRASHED);
            assertThat(r.attempts()).isEqualTo(2);
            assertThat(r.error().orElseThrow().type()).isEqualTo("WorkerCrashed");
            assertThat(r.error().orElseThrow().message()).matches("worker process \\d+ exited with code 42");
            assertThat(wf.executeTask(Task.of("after", in -> "fine")).value()).isEqualTo("fine");
        }
    }

    @Test
    void taskPastItsTimeoutIsKilledAndReportedAsTimedOut() {
        try (MultiProcessWorkflow wf = workflow(1).retry(RetrySettings.NONE).build()) {
            long started = System.nanoTime();
            TaskResult r = wf.executeTask(Task.builder("sleeper").timeout(Duration.ofMillis(500)).function(in -> {
                Thread.sleep(60_000);
                return "never";
            }).build());

            assertThat(r.status()).isEqualTo(TaskStatus.TIMED_OUT);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(r.error().orElseThrow().summary()).isEqualTo("Timeout: attempt exceeded its timeout of 500 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            long killed = r.workerPid();
            await("the timed-out worker to die").atMost(Duration.ofSeconds(2))
                    .until(() -> !ProcessHandle.of(killed).map(ProcessHandle::isAlive).orElse(false));
            TaskResult next = wf.executeTask(Task.of("next", in -> "ok"));
            assertThat(next.value()).isEqualTo("ok");
            assertThat(next.workerPid()).isNotEqualTo(killed);
        }
    }

    /** Deliberately not serializable. */
    static final class Opaque {
        @Override
        public String toString() {
            return "opaque";
        }
    }

    @Test
    void resultThatCannotBeSerializedFailsClearlyAndTheNextTaskRuns() {
        try (MultiProcessWorkflow wf = workflow(1).build()) {
            TaskResult r = wf.executeTask(Task.of("opaque", in -> new Opaque()));

            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(r.error().orElseThrow().type()).isEqualTo(NotSerializableValueException.class.getName());
            assertThat(r.error().orElseThrow().message()).isEqualTo("result of task 'opaque' cannot be sent back: "
                    + "class dev.mpflow.MultiProcessWorkflowIT$Opaque is not serializable");
            assertThat(wf.executeTask(Task.of("next", in -> "still working")).value()).isEqualTo("still working");
        }
    }

    @Test
    void functionThatCannotBeSerializedFailsWithoutReachingAWorker() {
        Opaque captured = new Opaque();
        try (MultiProcessWorkflow wf = workflow(1).build()) {
            TaskResult r = wf.executeTask(Task.of("captures", in -> captured.toString()));
            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).isZero();
            assertThat(r.error().orElseThrow().message()).isEqualTo("task 'captures' cannot be sent to a worker: "
                    + "class dev.mpflow.MultiProcessWorkflowIT$Opaque is not serializable");
        }
    }

    @Test
    void failingTaskIsRetriedAndEndsFailedWithTheRemoteError() {
        try (MultiProcessWorkflow wf = workflow(1).retry(RetrySettings.builder().maxAttempts(3).delay(Duration.ofMillis(10)).build()).build()) {
            TaskResult r = wf.executeTask(Task.of("boom", in -> {
                throw new IllegalStateException("boom in " + in.length());
            }));

            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).isEqualTo(3);
            TaskError e = r.error().orElseThrow();
            assertThat(e.type()).isEqualTo("java.lang.IllegalStateException");
            assertThat(e.message()).isEqualTo("boom in 0");
            assertThat(e.remoteStackTrace()).startsWith("java.lang.IllegalStateException: boom in 0")
                    .contains("at dev.mpflow.MultiProcessWorkflowIT");
            assertThat(r.value()).isNull();
            assertThat(r.succeeded()).isFalse();
        }
    }

    @Test
    void commandAgentRunsProgramsWithPlaceholderOrStdinAndReportsNonZeroExit() {
        List<Agent> agents = List.of(
                CommandAgent.of("echo", "echo", "got {}"),
                CommandAgent.of("rev", "rev"),
                CommandAgent.of("fail", "sh", "-c", "echo bad thing >&2; exit 3"));
        try (MultiProcessWorkflow wf = workflow(3).retry(RetrySettings.NONE).agents(agents).build()) {
            List<TaskResult> results = wf.run(Task.ofInput("t", "abc"));

            assertThat(results.get(0).value()).isEqualTo("got abc");
            assertThat(results.get(1).value()).isEqualTo("cba");
            TaskResult failed = results.get(2);
            assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(failed.agent()).contains("fail");
            assertThat(failed.error().orElseThrow().type()).isEqualTo(CommandFailedException.class.getName());
            assertThat(failed.error().orElseThrow().message())
                    .isEqualTo("sh -c echo bad thing >&2; exit 3 exited with code 3: bad thing");
            assertThat(failed.stderr()).isEqualTo("bad thing\n");
        }
    }

    @Test
    void whatAFailedCommandPrintedIsItsCapturedStdout() {
        List<Agent> agents = List.of(
                CommandAgent.of("fail", "sh", "-c", "echo half done; exit 3"),
                CommandAgent.of("flood", "sh", "-c", "head -c 5000 /dev/zero | tr '\\0' y").withMaxOutputBytes(100));
        try (MultiProcessWorkflow wf = workflow(2).retry(RetrySettings.NONE).captureLimitBytes(10).agents(agents)
                .build()) {
            List<TaskResult> results = wf.run(Task.ofInput("t", "abc"));

            assertThat(results.get(0).status()).isEqualTo(TaskStatus.FAILED);
            assertThat(results.get(0).stdout()).isEqualTo("half done\n");
            // Past its output limit: the first bytes, within the capture limit, and how many more it kept.
            assertThat(results.get(1).error().orElseThrow().type())
                    .isEqualTo(CommandOutputTooLargeException.class.getName());
            assertThat(results.get(1).stdout()).isEqualTo("yyyyyyyyyy\n[mpflow: 90 more bytes not kept]");
        }
    }

    @Test
    void aCommandFloodingStderrKeepsItsLastMebibyteAndItsLastWords() {
        CommandAgent chatty = CommandAgent.of("chatty", "sh", "-c",
                "head -c 3000000 /dev/zero | tr '\\0' x >&2; echo >&2; echo last words >&2; exit 3");
        try (MultiProcessWorkflow wf = workflow(1).retry(RetrySettings.NONE).agents(List.of(chatty)).build()) {
            TaskResult r = wf.executeTask(Task.ofInput("flood", ""));

            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            // The message has the last 2,000 characters of stderr; the result all of its last mebibyte.
            String message = r.error().orElseThrow().message();
            assertThat(message).startsWith("sh -c ").contains(" exited with code 3: ...xxx").endsWith("xxx\nlast words");
            assertThat(message.substring(message.indexOf(": ...") + 5)).hasSize(2000);
            assertThat(r.stderr()).hasSize(1 << 20).endsWith("xxx\nlast words\n");
        }
    }

    @Test
    void workersStartOnlyAsWorkNeedsThemUpToMaxWorkers() {
        try (MultiProcessWorkflow wf = workflow(4).build()) {
            assertThat(wf.workerPids()).isEmpty();
            assertThat(wf.executeTask(Task.of("one", in -> 1)).value()).isEqualTo(1);
            assertThat(wf.workerPids()).hasSize(1);
            // Each task waits until four tasks run at once, which only four workers can do.
            String barrier = tmp.toString();
            List<Task> four = IntStream.range(0, 4).mapToObj(i -> Task.of("t" + i, in -> {
                long pid = ProcessHandle.current().pid();
                Files.createFile(Path.of(barrier, Long.toString(pid)));
                for (int n = 0; n < 3000; n++) {
                    try (var files = Files.list(Path.of(barrier))) {
                        if (files.count() >= 4) {
                            return pid;
                        }
                    }
                    Thread.sleep(10);
                }
                throw new IllegalStateException("fewer than four tasks ran at once");
            })).toList();
            List<TaskResult> results = wf.runAll(four).toList();
            assertThat(results).allSatisfy(r -> assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED));
            assertThat(results.stream().map(TaskResult::value).collect(Collectors.toSet())).hasSize(4);
            assertThat(wf.workerPids()).hasSize(4);
        }
    }

    @Test
    void commandOutputThatIsNotUtf8ArrivesAsTheExactBytesAndFlowsOnAsBytes() {
        List<Agent> agents = List.of(
                CommandAgent.of("latin1", "printf", "caf\\351 ✓\\n"),
                CommandAgent.of("hex", "od", "-An", "-tx1"));
        try (MultiProcessWorkflow wf = workflow(1).agents(agents).build()) {
            List<TaskResult> fanned = wf.run(Task.ofInput("t", ""));
            assertThat(fanned.get(0).value()).isEqualTo(new byte[] {'c', 'a', 'f', (byte) 0xe9, ' ',
                (byte) 0xe2, (byte) 0x9c, (byte) 0x93});
            TaskResult piped = wf.executeTask(Task.ofInput("t", ""));
            // The first agent's trailing newline was dropped, as for text; the rest reached the second agent whole.
            assertThat(piped.value()).isEqualTo(" 63 61 66 e9 20 e2 9c 93");
        }
    }

    @Test
    void closeStopsEveryWorkerAndFurtherWorkIsRefused() {
        MultiProcessWorkflow wf = workflow(3).build();
        wf.run(Task.of("warm", in -> 0));
        List.of(wf.submit(Task.of("a", in -> { Thread.sleep(200); return 1; })),
                wf.submit(Task.of("b", in -> { Thread.sleep(200); return 2; })),
                wf.submit(Task.of("c", in -> { Thread.sleep(200); return 3; }))).forEach(CompletableFuture::join);
        assertThat(wf.workerPids()).hasSize(3);
        Set<Long> pids = Set.copyOf(wf.workerPids());
        wf.close();
        wf.close();
        assertThat(pids).allSatisfy(p -> assertThat(ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).isFalse());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> wf.executeTask(Task.of("late", in -> 1)))
                .isInstanceOf(WorkflowClosedException.class).hasMessage("workflow 'workflow' is closed");
    }

    record Point(int x, int y) implements Serializable {
    }

    @Test
    void valuesOfUserClassesTravelBothWays() {
        try (MultiProcessWorkflow wf = workflow(1).build()) {
            Point p = new Point(3, 4);
            TaskResult r = wf.executeTask(Task.of("point", in -> new Point(p.x() * 2, p.y() * 2)));
            assertThat(r.valueAs(Point.class)).isEqualTo(new Point(6, 8));
        }
    }
}
