package dev.mpflow.cli;

import dev.mpflow.TaskError;
import dev.mpflow.cli.output.Columns;
import dev.mpflow.cli.output.ResultValues;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredAttempt;
import dev.mpflow.store.sqlite.StoredResult;
import dev.mpflow.store.sqlite.StoredRun;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mpflow show RUN [TASK]}: a run, or one task of it, in detail. */
@Command(name = "show",
        mixinStandardHelpOptions = true,
        versionProvider = MpflowCommand.Version.class,
        description = {
            "Shows a run, or one task of it, in detail.",
            "A run: its workflow, status, times, counts, halt reason, host and settings, then one line per task "
                    + "(status, attempts, duration, result or error).",
            "With TASK, that task's results with every attempt (number, worker pid, times, outcome, error) and "
                    + "the output its last attempt captured.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  mpflow show latest",
            "  mpflow show latest a.txt",
            "  mpflow show 3f2c9a1e-... --store results/runs.db",
        })
final class ShowCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN", description = "A run id, or latest.")
    String runId;

    @Parameters(index = "1", paramLabel = "TASK", arity = "0..1", description = "A task's name.")
    String task;

    @Option(names = "--store", paramLabel = "PATH", description = "The store file (default: .mpflow/runs.db).")
    String store;

    @Override
    public Integer call() throws Exception {
        PrintStream out = History.out();
        // Cut long lines to a terminal's width only; a pipe or file gets them whole, as with ls and git.
        int width = Terminal.stdoutIsTerminal() ? Terminal.width() : 0;
        try (SqliteRunHistory history = History.open(store)) {
            StoredRun run = History.run(history, runId);
            if (task == null) {
                showRun(out, run, history.results(run.runId()), width);
            } else {
                List<StoredResult> results = history.results(run.runId(), task);
                if (results.isEmpty()) {
                    throw new UsageException("no task '" + task + "' in run " + run.runId());
                }
                showTask(out, results, history.attempts(run.runId(), task), width);
            }
        }
        out.flush();
        return ExitCode.OK;
    }

    private static void showRun(PrintStream out, StoredRun run, List<StoredResult> results, int width) {
        Columns header = new Columns();
        header.add("run", run.runId());
        header.add("workflow", run.workflow());
        header.add("status", run.status().wireName());
        header.add("started", History.localTime(run.startedAt()));
        header.add("ended", run.endedAt().map(History::localTime).orElse("-"));
        header.add("duration", History.duration(History.duration(run)));
        header.add("tasks", run.succeeded() + " succeeded, " + run.failed() + " failed, " + run.cancelled()
                + " cancelled, " + run.retried() + " retried" + (run.skipped() > 0
                        ? ", " + run.skipped() + " skipped (done earlier)" : ""));
        run.haltReason().ifPresent(reason -> header.add("halted", reason));
        header.add("host", run.host());
        header.add("agents", run.agents().isEmpty() ? "-" : String.join(", ", run.agents()));
        header.add("settings", run.settings());
        header.lines(width).forEach(out::println);
        out.println();
        Columns tasks = new Columns(false, true, true, false, false);
        tasks.add("STATUS", "ATTEMPTS", "DURATION", "TASK", "RESULT");
        for (StoredResult r : results) {
            tasks.add(r.status().wireName(), Integer.toString(r.attempts()), History.duration(r.duration()),
                    r.task() + r.agent().map(a -> " [" + a + "]").orElse(""), outcome(r));
        }
        tasks.lines(width).forEach(out::println);
    }

    private static String outcome(StoredResult r) {
        return r.error().map(TaskError::summary).orElseGet(() -> value(r).orElse(""));
    }

    /** The value as people read it: bytes stored in base64 as text, with a note of their size. */
    private static Optional<String> value(StoredResult r) {
        return r.valueBytes().map(ResultValues::humanText).or(r::valueText);
    }

    private static void showTask(PrintStream out, List<StoredResult> results, List<StoredAttempt> attempts,
            int width) {
        boolean first = true;
        for (StoredResult r : results) {
            if (!first) {
                out.println();
            }
            first = false;
            Columns header = new Columns();
            header.add("task", r.task());
            r.agent().ifPresent(a -> header.add("agent", a));
            header.add("input", r.input());
            header.add("status", r.status().wireName());
            header.add("attempts", Integer.toString(r.attempts()));
            header.add("started", History.localTime(r.startedAt()));
            header.add("ended", History.localTime(r.endedAt()));
            header.add("duration", History.duration(r.duration()));
            header.add("worker", r.workerPid() == 0 ? "-" : "pid " + r.workerPid());
            value(r).ifPresent(v -> header.add("result", v));
            r.error().ifPresent(e -> header.add("error", e.summary()));
            header.lines(width).forEach(out::println);
            List<StoredAttempt> mine = attempts.stream()
                    .filter(a -> a.agent().equals(r.agent()))
                    .filter(a -> a.taskKey().isEmpty() || a.taskKey().get().equals(r.taskKey()))
                    .toList();
            if (!mine.isEmpty()) {
                out.println();
                Columns table = new Columns(true, true, false, false, true, false, false);
                table.add("ATTEMPT", "PID", "STARTED", "ENDED", "DURATION", "OUTCOME", "ERROR");
                for (StoredAttempt a : mine) {
                    table.add(Integer.toString(a.attempt()), Long.toString(a.workerPid()),
                            History.localTime(a.startedAt()), History.localTime(a.endedAt()),
                            History.duration(java.time.Duration.between(a.startedAt(), a.endedAt())),
                            a.status().wireName(), a.error().map(TaskError::summary).orElse(""));
                }
                table.lines(width).forEach(out::println);
            }
            captured(out, "stdout", r.stdout());
            captured(out, "stderr", r.stderr());
        }
    }

    /** Captured output as it was printed, each line indented; nothing when there was none. */
    private static void captured(PrintStream out, String name, String text) {
        if (text.isEmpty()) {
            return;
        }
        out.println();
        out.println(name + ":");
        text.lines().forEach(line -> out.println("  " + line));
    }
}
