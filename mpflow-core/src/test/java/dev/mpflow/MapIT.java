package dev.mpflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link MultiProcessWorkflow#map}: chunks of elements through real worker JVMs, results in element order. */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class MapIT {
    @TempDir
    Path tmp;

    record Pair(int left, String right) implements Serializable {
    }

    private static MultiProcessWorkflow.Builder workflow(int workers) {
        return MultiProcessWorkflow.builder().maxWorkers(workers).autosave(false)
                .retry(RetrySettings.builder().maxAttempts(2).delay(Duration.ZERO).build());
    }

    @Test
    void resultsComeBackInElementOrderFromSeveralWorkers() {
        List<Long> elements = LongStream.range(0, 100_000).boxed().toList();
        try (MultiProcessWorkflow wf = workflow(2).build()) {
            List<Long> squares = wf.map(x -> x * x, elements);
            assertThat(squares).hasSize(100_000);
            for (int i = 0; i < squares.size(); i++) {
                assertThat(squares.get(i)).isEqualTo((long) i * i);
            }
            // Chunks of one run in parallel: each of two waits until both have started, so they must run in two
            // workers at once; each says which worker computed it.
            String dir = tmp.toString();
            List<Long> pids = wf.map(x -> {
                java.nio.file.Files.createFile(Path.of(dir, "arrived-" + x));
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (Path.of(dir).toFile().list().length < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                return ProcessHandle.current().pid();
            }, elements.subList(0, 2), 1);
            assertThat(Set.copyOf(pids)).hasSize(2).isEqualTo(Set.copyOf(wf.workerPids()));
        }
    }

    @Test
    void anyChunkSizeAndAnySerializableElementOrResult() {
        List<Pair> pairs = IntStream.range(0, 1001).mapToObj(i -> new Pair(i, "p" + i)).toList();
        try (MultiProcessWorkflow wf = workflow(2).build()) {
            for (int chunk : new int[] {1, 7, 1000, 1001, 5000}) {
                List<Pair> swapped = wf.map(p -> new Pair(-p.left(), p.right() + "!"), pairs, chunk);
                assertThat(swapped).as("chunks of %d", chunk)
                        .isEqualTo(pairs.stream().map(p -> new Pair(-p.left(), p.right() + "!")).toList());
            }
            List<String> mixed = new ArrayList<>();
            mixed.add(null);
            mixed.add("ünïcødé ✓");
            assertThat(wf.<String, Object>map(s -> s == null ? null : s.length(), mixed)).containsExactly(null, 9);
            assertThat(wf.map(x -> x, List.of())).isEmpty();
        }
    }

    @Test
    void aFailingElementFailsItsChunkAfterItsAttemptsAndIsNamed() {
        List<Integer> elements = IntStream.range(0, 100).boxed().toList();
        try (MultiProcessWorkflow wf = workflow(2).build()) {
            TaskFailedException e = catchThrowableOfType(() -> wf.map(x -> {
                if (x == 42) {
                    throw new IllegalStateException("no " + x);
                }
                return x;
            }, elements, 10), TaskFailedException.class);

            TaskResult r = e.result();
            assertThat(r.task()).isEqualTo("map[40..49]");
            assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(r.attempts()).isEqualTo(2);
            assertThat(r.error().orElseThrow().summary())
                    .isEqualTo("java.lang.IllegalStateException: element 2 of the chunk: no 42");
            assertThat(wf.map(x -> x + 1, List.of(1, 2))).containsExactly(2, 3);
        }
    }

    @Test
    void anElementThatCannotBeSentFailsClearlyWithoutAnAttempt() {
        List<Object> elements = List.of(1, new Object(), 3);
        try (MultiProcessWorkflow wf = workflow(1).build()) {
            TaskFailedException e = catchThrowableOfType(() -> wf.map(Object::hashCode, elements), TaskFailedException.class);
            assertThat(e.result().attempts()).isZero();
            assertThat(e.result().error().orElseThrow().message())
                    .isEqualTo("an element of map[1..1] cannot be sent to a worker: class java.lang.Object is not serializable");
        }
    }

    @Test
    void aChunkIsNotATaskOfTheRun() {
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        dev.mpflow.event.WorkflowListener listener = new dev.mpflow.event.WorkflowListener() {
            @Override
            public void taskSubmitted(dev.mpflow.event.SubmittedTask task) {
                events.add("submitted " + task.task());
            }

            @Override
            public void attemptStarted(String runId, String task, int attempt, long workerPid) {
                events.add("started " + task);
            }

            @Override
            public void attemptFinished(dev.mpflow.event.AttemptRecord attempt) {
                events.add("ended " + attempt.task());
            }

            @Override
            public void taskFinished(String runId, TaskResult result) {
                events.add("finished " + result.task());
            }
        };
        try (MultiProcessWorkflow wf = workflow(1).listener(listener).build()) {
            assertThat(wf.map(x -> x * 2, List.of(1, 2, 3))).containsExactly(2, 4, 6);
            assertThat(wf.executeTask(Task.of("a task", in -> "done")).value()).isEqualTo("done");
            assertThat(wf.summary().succeeded()).isEqualTo(1);
        }
        // Listeners, the store among them, hear of tasks only.
        assertThat(events).containsExactly("submitted a task", "started a task", "ended a task", "finished a task");
    }

    @Test
    void aBadChunkSizeIsRefused() {
        try (MultiProcessWorkflow wf = workflow(1).build()) {
            assertThatThrownBy(() -> wf.map(x -> x, List.of(1), 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("chunkSize must be at least 1, was 0");
        }
    }
}
