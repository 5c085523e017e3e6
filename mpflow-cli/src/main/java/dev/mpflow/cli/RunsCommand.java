package dev.mpflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpflow.cli.output.Columns;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredRun;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mpflow runs}: the runs of a store, newest first, one line each. */
@Command(name = "runs",
        mixinStandardHelpOptions = true,
        versionProvider = MpflowCommand.Version.class,
        description = {
            "Lists the saved runs, newest first.",
            "One line per run: id, workflow, start (local time), duration, status, its tasks and how many of them "
                    + "succeeded, failed and are pending: not started (or not even read from the inputs, for a run "
                    + "cut short), unfinished or cancelled. They add up to the tasks; for a run still going, so far.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  mpflow runs",
            "  mpflow runs --limit 5 --store results/runs.db",
            "  mpflow runs --output jsonl",
        })
final class RunsCommand implements Callable<Integer> {
    enum Output { table, jsonl }

    @Option(names = "--store", paramLabel = "PATH", description = "The store file (default: .mpflow/runs.db).")
    String store;

    @Option(names = "--limit", paramLabel = "N", converter = FlagValues.Workers.class,
            description = "Show the newest N runs only.")
    Integer limit;

    @Option(names = "--output", paramLabel = "FORMAT", description = "table or jsonl (default: table).")
    Output output = Output.table;

    @Override
    public Integer call() throws Exception {
        List<StoredRun> runs;
        try (SqliteRunHistory history = History.open(store)) {
            runs = history.runs();
        }
        if (limit != null && runs.size() > limit) {
            runs = runs.subList(0, limit);
        }
        PrintStream out = History.out();
        if (output == Output.jsonl) {
            ObjectMapper mapper = new ObjectMapper();
            for (StoredRun r : runs) {
                out.println(mapper.writeValueAsString(fields(r)));
            }
        } else {
            Columns table = new Columns(false, false, false, true, false, true, true, true, true);
            table.add("RUN", "WORKFLOW", "STARTED", "DURATION", "STATUS", "TASKS", "SUCCEEDED", "FAILED", "PENDING");
            for (StoredRun r : runs) {
                table.add(r.runId(), r.workflow(), History.localTime(r.startedAt()),
                        History.duration(History.duration(r)), r.status().wireName(), Long.toString(r.tasks()),
                        Long.toString(r.succeeded()), Long.toString(r.failed()), Long.toString(r.pending()));
            }
            table.lines(0).forEach(out::println);
        }
        out.flush();
        return ExitCode.OK;
    }

    static Map<String, Object> fields(StoredRun r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", r.runId());
        m.put("workflow", r.workflow());
        m.put("status", r.status().wireName());
        m.put("startedAt", r.startedAt().toString());
        m.put("endedAt", r.endedAt().map(Object::toString).orElse(null));
        m.put("durationMs", History.duration(r).toMillis());
        m.put("tasks", r.tasks());
        m.put("succeeded", r.succeeded());
        m.put("failed", r.failed());
        m.put("pending", r.pending());
        m.put("cancelled", r.cancelled());
        m.put("retried", r.retried());
        m.put("skipped", r.skipped());
        m.put("haltReason", r.haltReason().orElse(null));
        m.put("host", r.host());
        m.put("definitionHash", r.definitionHash().orElse(null));
        return m;
    }
}
