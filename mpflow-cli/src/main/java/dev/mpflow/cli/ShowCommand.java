package dev.mpflow.cli;

import dev.mpflow.TaskError;
import dev.mpflow.cli.output.Columns;
import dev.mpflow.cli.output.ResultValues;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredAttempt;
import dev.mpflow.store.sqlite.StoredResult;
import dev.mpflow.store.sqlite.StoredRun;
import dev.mpflow.store.sqlite.StoredTask;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
            "A run: its workflow, status, times, counts (its tasks: succeeded, failed and pending), halt reason, "
                    + "host and settings, then one line per task (status, attempts, duration, result or error); "
                    + "tasks that never finished are pending.",
            "With TASK, that task's results with every attempt (number, worker pid, times, outcome, error) and "
                    + "the output each attempt captured.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  mpflow show latest",
            "  mpflow show latest a.txt",
            "  mpflow show 20261204-041845-a91e --store results/runs.db",
        })
final class ShowCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN", description = "A run id, or latest.")
    String runId;

    @Parameters(index = "1", paramLabel = "TASK", arity = "0..1", description = "A task's name.")
    String task;

    @Option(names = "--store", paramLabel = "PATH", description = "The store file (default: .mpflow/runs.db).")
    String store;

    /** The status shown for a task without a final result. */
    private static final String PENDING = "pending";

    @Override
    public Integer call() throws Exception {
        PrintStream out = History.out();
        // Cut long lines to a terminal's width only; a pipe or file gets them whole, as with ls and git.
        int width = Terminal.stdoutIsTerminal() ? Terminal.width() : 0;
        try (SqliteRunHistory history = History.open(store)) {
            StoredRun run = History.run(history, runId);
            if (task == null) {
                showRun(out, run, history.results(run.runId()), history.tasks(run.runId()), width);
            } else {
                List<StoredResult> results = history.results(run.runId(), task);
                List<StoredTask> pending = withoutResult(history.tasks(run.runId(), task), results);
                if (results.isEmpty() && pending.isEmpty()) {
                    throw new UsageException("no task '" + task + "' in run " + run.runId());
                }
                showTask(out, results, pending, history.attempts(run.runId(), task), width);
            }
        }
        out.flush();
        return ExitCode.OK;
    }

    /** The tasks that have no final result: never started, or their process died before they ended. */
    private static List<StoredTask> withoutResult(List<StoredTask> tasks, List<StoredResult> results) {
        Set<String> done = new HashSet<>();
        results.forEach(r -> done.add(r.taskKey()));
        return tasks.stream().filter(t -> !done.contains(t.taskKey())).toList();
    }

    private static void showRun(PrintStream out, StoredRun run, List<StoredResult> results, List<StoredTask> tasks,
            int width) {
        Columns header = new Columns();
        header.add("run", run.runId());
        header.add("workflow", run.workflow());
        header.add("status", run.status().wireName());
        header.add("started", History.localTime(run.startedAt()));
        header.add("ended", run.endedAt().map(History::localTime).orElse("-"));
        header.add("duration", History.duration(History.duration(run)));
        header.add("tasks", run.tasks() + ": " + run.succeeded() + " succeeded, " + run.failed() + " failed, "
                + run.pending() + " pending" + (run.cancelled() > 0 ? " (" + run.cancelled() + " cancelled)" : "")
                + ", " + run.retried() + " retried"
                + (run.skipped() > 0 ? ", " + run.skipped() + " skipped (done earlier)" : ""));
        run.haltReason().ifPresent(reason -> header.add("halted", reason));
        header.add("host", run.host());
        header.add("agents", run.agents().isEmpty() ? "-" : String.join(", ", run.agents()));
        header.add("settings", run.settings());
        header.lines(width).forEach(out::println);
        out.println();
        Columns lines = new Columns(false, true, true, false, false);
        lines.add("STATUS", "ATTEMPTS", "DURATION", "TASK", "RESULT");
        for (StoredResult r : results) {
            lines.add(r.status().wireName(), Integer.toString(r.attempts()), History.duration(r.duration()),
                    r.task() + r.agent().map(a -> " [" + a + "]").orElse(""), outcome(r));
        }
        List<StoredTask> pending = withoutResult(tasks, results);
        for (StoredTask t : pending) {
            lines.add(PENDING, "-", "-", t.task() + t.agent().map(a -> " [" + a + "]").orElse(""), "");
        }
        lines.lines(width).forEach(out::println);
        // What the run's process had not even submitted when it stopped: known by count alone.
        long notSubmitted = run.tasks() - results.size() - pending.size();
        if (notSubmitted > 0) {
            out.println("and " + notSubmitted + " more pending task" + (notSubmitted == 1 ? "" : "s")
                    + ", not yet read from the inputs");
        }
    }

    private static String outcome(StoredResult r) {
        return r.error().map(TaskError::summary).orElseGet(() -> value(r).orElse(""));
    }

    /** The value as people read it: bytes stored in base64 as text, with a note of their size. */
    private static Optional<String> value(StoredResult r) {
        return r.valueBytes().map(ResultValues::humanText).or(r::valueText);
    }

    private static void showTask(PrintStream out, List<StoredResult> results, List<StoredTask> pending,
            List<StoredAttempt> attempts, int width) {
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
            r.valueSize().ifPresent(size -> header.add("size", size == 1 ? "1 byte" : size + " bytes"));
            r.error().ifPresent(e -> header.add("error", e.summary()));
            header.lines(width).forEach(out::println);
            List<StoredAttempt> mine = attemptsOf(attempts, r.agent(), r.taskKey());
            attemptTable(out, mine, width);
            // The last attempt's output is the result's, shown last; the earlier ones' before it.
            for (StoredAttempt a : mine) {
                if (a.attempt() != r.attempts()) {
                    captured(out, "stdout of attempt " + a.attempt(), a.stdout());
                    captured(out, "stderr of attempt " + a.attempt(), a.stderr());
                }
            }
            captured(out, "stdout", r.stdout());
            captured(out, "stderr", r.stderr());
        }
        for (StoredTask t : pending) {
            if (!first) {
                out.println();
            }
            first = false;
            Columns header = new Columns();
            header.add("task", t.task());
            t.agent().ifPresent(a -> header.add("agent", a));
            header.add("input", t.input());
            header.add("status", PENDING + " (not started, or its run stopped before it ended)");
            t.priority().ifPresent(p -> header.add("priority", Integer.toString(p)));
            header.lines(width).forEach(out::println);
            List<StoredAttempt> mine = attemptsOf(attempts, t.agent(), t.taskKey());
            attemptTable(out, mine, width);
            for (StoredAttempt a : mine) {
                captured(out, "stdout of attempt " + a.attempt(), a.stdout());
                captured(out, "stderr of attempt " + a.attempt(), a.stderr());
            }
        }
    }

    /**
     * The attempts of one task: same agent, and its key, or none yet (an attempt gets its task's key when the
     * result is recorded, so those of an unfinished task have none).
     */
    private static List<StoredAttempt> attemptsOf(List<StoredAttempt> attempts, Optional<String> agent,
            String taskKey) {
        return attempts.stream()
                .filter(a -> a.agent().equals(agent))
                .filter(a -> a.taskKey().isEmpty() || a.taskKey().get().equals(taskKey))
                .toList();
    }

    private static void attemptTable(PrintStream out, List<StoredAttempt> attempts, int width) {
        if (attempts.isEmpty()) {
            return;
        }
        out.println();
        Columns table = new Columns(true, true, false, false, true, false, false);
        table.add("ATTEMPT", "PID", "STARTED", "ENDED", "DURATION", "OUTCOME", "ERROR");
        for (StoredAttempt a : attempts) {
            table.add(Integer.toString(a.attempt()), Long.toString(a.workerPid()),
                    History.localTime(a.startedAt()), History.localTime(a.endedAt()),
                    History.duration(java.time.Duration.between(a.startedAt(), a.endedAt())),
                    a.status().wireName(), a.error().map(TaskError::summary).orElse(""));
        }
        table.lines(width).forEach(out::println);
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
