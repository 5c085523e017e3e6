package dev.mpflow.bench;

import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.Task;
import dev.mpflow.TaskFunction;
import dev.mpflow.TaskResult;
import dev.mpflow.event.WorkflowListener;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * mpflow's side of each library workload, one per run of this program, printing one JSON line as the Python
 * contenders do: {@code Contender WORKLOAD COUNT WORKERS [options]}. The pool is started and warmed up before
 * the clock starts, as the peers' are.
 */
public final class Contender {
    /** The benchmark's tiny task: the square of its input. One object for every task, so it is sent once. */
    static final TaskFunction SQUARE = in -> {
        long x = Long.parseLong(in);
        return x * x;
    };

    /** A fixed amount of pure computation; returns something that depends on all of it, so none is skipped. */
    static long burn(long iterations, long seed) {
        long x = seed;
        for (long i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    private Contender() {
    }

    public static void main(String[] args) throws Exception {
        String workload = args[0];
        int count = Integer.parseInt(args[1]);
        int workers = Integer.parseInt(args[2]);
        String result = switch (workload) {
            case "submit" -> submit(count, workers, false);
            case "submit-autosave" -> submit(count, workers, true);
            case "map" -> map(count, workers);
            case "cpu" -> cpu(count, workers, Long.parseLong(args[3]));
            case "queued" -> queued(count, workers);
            case "first" -> first();
            case "store" -> store(count);
            default -> throw new IllegalArgumentException("unknown workload " + workload);
        };
        System.out.println(result);
    }

    private static MultiProcessWorkflow.Builder workflow(int workers, boolean autosave) throws IOException {
        Path dir = Files.createTempDirectory("mpflow-bench");
        dir.toFile().deleteOnExit();
        return MultiProcessWorkflow.builder().maxWorkers(workers).autosave(autosave).store(dir.resolve("runs.db"));
    }

    /** Workloads 1 and 5: tiny tasks submitted one by one; the rate of the best of three rounds after warm-up. */
    private static String submit(int count, int workers, boolean autosave) throws Exception {
        try (MultiProcessWorkflow wf = workflow(workers, autosave).build()) {
            long deadline = System.nanoTime() + 8_000_000_000L;
            int round = 0;
            while (System.nanoTime() < deadline || round < 3) {
                roundOfTasks(wf, Math.min(count, 50_000), round++);
            }
            double best = 0;
            for (int r = 0; r < 3; r++) {
                best = Math.max(best, roundOfTasks(wf, count, round++));
            }
            return json("perSecond", best);
        }
    }

    private static double roundOfTasks(MultiProcessWorkflow wf, int count, int round) {
        long start = System.nanoTime();
        List<CompletableFuture<TaskResult>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            futures.add(wf.submit(Task.builder("square-" + round + "-" + i).function(SQUARE).input(Integer.toString(i))
                    .build()));
        }
        long sum = 0;
        for (CompletableFuture<TaskResult> f : futures) {
            sum += (Long) f.join().orThrow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        check(sum, count);
        return count / seconds;
    }

    private static void check(long sum, long count) {
        long expected = (count - 1) * count * (2 * count - 1) / 6;
        if (sum != expected) {
            throw new IllegalStateException("wrong sum " + sum + ", expected " + expected);
        }
    }

    /** Workload 2: map over COUNT longs; the best of three after warm-up. */
    private static String map(int count, int workers) throws Exception {
        List<Long> elements = LongStream.range(0, count).boxed().toList();
        try (MultiProcessWorkflow wf = workflow(workers, false).build()) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline) {
                wf.map(x -> x * x, elements);
            }
            double best = Double.MAX_VALUE;
            for (int r = 0; r < 3; r++) {
                long start = System.nanoTime();
                List<Long> squares = wf.map(x -> x * x, elements);
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
                check(squares.stream().mapToLong(Long::longValue).sum(), count);
            }
            return json("seconds", best);
        }
    }

    /** Workload 4: COUNT tasks of WORK iterations each; workers 0 runs them in a loop on this thread. */
    private static String cpu(int count, int workers, long work) throws Exception {
        if (workers == 0) {
            burn(work * 2, 1); // the same warm-up as the pool's
            long start = System.nanoTime();
            long x = 0;
            for (int i = 0; i < count; i++) {
                x += burn(work, i);
            }
            return json("seconds", (System.nanoTime() - start) / 1e9, "check", x);
        }
        TaskFunction task = in -> burn(work, Long.parseLong(in));
        try (MultiProcessWorkflow wf = workflow(workers, false).build()) {
            List<Task> warm = new ArrayList<>();
            for (int i = 0; i < 2 * workers; i++) {
                warm.add(Task.builder("warm-" + i).function(task).input("1").build());
            }
            wf.runAll(warm).forEach(TaskResult::orThrow);
            long start = System.nanoTime();
            List<Task> tasks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                tasks.add(Task.builder("cpu-" + i).function(task).input(Integer.toString(i)).build());
            }
            long x = wf.runAll(tasks).mapToLong(r -> (Long) r.orThrow()).sum();
            return json("seconds", (System.nanoTime() - start) / 1e9, "check", x);
        }
    }

    /**
     * Workload 6: COUNT tasks submitted before any has run (the workers are held until all are queued); results are
     * counted by a listener, not kept. Reports the heap the queued tasks hold (after a full collection, while all
     * are queued) and the process's peak resident memory.
     */
    private static String queued(int count, int workers) throws Exception {
        CountDownLatch done = new CountDownLatch(count);
        AtomicLong sum = new AtomicLong();
        WorkflowListener counter = new WorkflowListener() {
            @Override
            public void taskFinished(String runId, TaskResult result) {
                sum.addAndGet((Long) result.orThrow());
                done.countDown();
            }
        };
        Path gate = Files.createTempFile("mpflow-bench-gate", "");
        String gatePath = gate.toString();
        TaskFunction gated = in -> {
            while (Files.exists(Path.of(gatePath))) {
                Thread.sleep(10);
            }
            long x = Long.parseLong(in);
            return x * x;
        };
        try (MultiProcessWorkflow wf = workflow(workers, false).listener(counter).build()) {
            for (int i = 0; i < count; i++) {
                wf.submit(Task.builder("square").function(gated).input(Integer.toString(i)).build());
            }
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            Files.delete(gate);
            done.await();
            check(sum.get(), count);
            return json("queuedHeapMiB", heap / 1048576.0, "peakRssMiB", peakRssMiB());
        }
    }

    /** Workload 5, the store alone: the best of three runs of COUNT jobs reported and committed. */
    private static String store(int count) throws Exception {
        Path dir = Files.createTempDirectory("mpflow-bench-store");
        double best = 0;
        for (int round = 0; round < 4; round++) {
            double rate = StoreProbe.jobsPerSecond(dir.resolve("runs.db"), "run-" + round, count);
            best = round == 0 ? 0 : Math.max(best, rate); // the first round warms up
        }
        return json("perSecond", best);
    }

    /** Workload 6: from nothing (no worker JVM yet) to the first result. */
    private static String first() throws Exception {
        // The application's logging starts before the pool does; what is timed is the pool, from nothing.
        org.slf4j.LoggerFactory.getILoggerFactory();
        long start = System.nanoTime();
        try (MultiProcessWorkflow wf = workflow(2, false).build()) {
            Object value = wf.executeTask(Task.builder("first").function(SQUARE).input("7").build()).orThrow();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!Long.valueOf(49).equals(value)) {
                throw new IllegalStateException("wrong value " + value);
            }
            return json("seconds", seconds);
        }
    }

    private static double peakRssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return -1;
    }

    private static String json(Object... keysAndValues) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (i > 0) {
                b.append(", ");
            }
            b.append('"').append(keysAndValues[i]).append("\": ");
            Object v = keysAndValues[i + 1];
            b.append(v instanceof Double d ? String.format(Locale.ROOT, "%.6f", d) : String.valueOf(v));
        }
        return b.append('}').toString();
    }
}
