package dev.mpflow.cli;

import dev.mpflow.MpflowException;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mpflow gc --keep N}: removes old runs. */
@Command(name = "gc",
        mixinStandardHelpOptions = true,
        versionProvider = MpflowCommand.Version.class,
        description = {
            "Removes old runs from a store.",
            "Every run but the newest N goes, with its results and attempts. Do not run it while an older run is "
                    + "still going.",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  mpflow gc --keep 10",
            "  mpflow gc --keep 0 --store results/runs.db",
        })
final class GcCommand implements Callable<Integer> {
    @Option(names = "--store", paramLabel = "PATH", description = "The store file (default: .mpflow/runs.db).")
    String store;

    @Option(names = "--keep", paramLabel = "N", required = true, converter = Keep.class,
            description = "How many of the newest runs to keep, 0 or more.")
    int keep;

    @Override
    public Integer call() throws Exception {
        int removed;
        try (SqliteRunHistory history = History.open(store)) {
            removed = history.deleteRunsKeepingNewest(keep);
        } catch (MpflowException e) {
            throw new UsageException(e.getMessage());
        }
        PrintStream out = History.out();
        out.println("removed " + removed + (removed == 1 ? " run" : " runs") + ", kept the newest " + keep);
        out.flush();
        return ExitCode.OK;
    }

    static final class Keep implements picocli.CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) FlagValues.wholeNumber(value, 0, Integer.MAX_VALUE, "must be a whole number of 0 or more");
        }
    }
}
