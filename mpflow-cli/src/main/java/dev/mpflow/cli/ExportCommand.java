package dev.mpflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpflow.cli.output.CsvWriter;
import dev.mpflow.cli.output.StoredFields;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredResult;
import dev.mpflow.store.sqlite.StoredRun;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mpflow export RUN}: a run's results for other tools. */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        versionProvider = MpflowCommand.Version.class,
        description = {
            "Writes a run's results as JSON lines or CSV.",
            "One record per result on stdout, with the fields of 'mpflow run --output jsonl': task, agent, input, "
                    + "status, result, resultEncoding, attempts, error, errorType, durationMs, workerPid, startedAt, "
                    + "endedAt, stdout. A result that is not UTF-8 text is written in base64, with resultEncoding "
                    + "base64 (empty otherwise). CSV has a header row and RFC 4180 quoting.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  mpflow export latest > results.jsonl",
            "  mpflow export 20261204-041845-a91e --format csv --store results/runs.db > results.csv",
        })
final class ExportCommand implements Callable<Integer> {
    enum Format { jsonl, csv }

    @Parameters(index = "0", paramLabel = "RUN", description = "A run id, or latest.")
    String runId;

    @Option(names = "--format", paramLabel = "FORMAT", description = "jsonl or csv (default: jsonl).")
    Format format = Format.jsonl;

    @Option(names = "--store", paramLabel = "PATH", description = "The store file (default: .mpflow/runs.db).")
    String store;

    @Override
    public Integer call() throws Exception {
        List<StoredResult> results;
        try (SqliteRunHistory history = History.open(store)) {
            StoredRun run = History.run(history, runId);
            results = history.results(run.runId());
        }
        PrintStream out = History.out();
        if (format == Format.csv) {
            out.print(CsvWriter.record(StoredFields.NAMES));
            for (StoredResult r : results) {
                out.print(CsvWriter.record(new ArrayList<>(StoredFields.fields(r).values())));
            }
        } else {
            ObjectMapper mapper = new ObjectMapper();
            for (StoredResult r : results) {
                out.print(mapper.writeValueAsString(StoredFields.fields(r)) + "\n");
            }
        }
        out.flush();
        // A failure to write is reported by Main, as for every command.
        return ExitCode.OK;
    }
}
