package dev.mpflow.bench;

import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.Task;
import dev.mpflow.TaskFunction;
import dev.mpflow.TaskResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

public final class Probe {
    static final TaskFunction SQUARE = in -> {
        long x = Long.parseLong(in);
        return x * x;
    };

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        boolean autosave = Boolean.parseBoolean(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dir = Files.createTempDirectory("probe");
        try (MultiProcessWorkflow wf = MultiProcessWorkflow.builder().maxWorkers(2).autosave(autosave)
                .store(dir.resolve("runs.db"))
                .workerJvmOptions(System.getProperty("workerOpts", "").isBlank() ? List.of()
                        : java.util.Arrays.asList(System.getProperty("workerOpts").split(" "))).build()) {
            for (int round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                List<CompletableFuture<TaskResult>> fs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    fs.add(wf.submit(Task.builder("t" + round + "-" + i).function(SQUARE).input(Integer.toString(i)).build()));
                }
                long sum = 0;
                for (CompletableFuture<TaskResult> f : fs) {
                    sum += (Long) f.join().orThrow();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("round %d: %d tasks in %.2fs = %.0f/s (sum %d)%n", round, n, s, n / s, sum);
            }
        }
    }
}
