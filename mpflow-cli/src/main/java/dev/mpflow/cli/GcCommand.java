package dev.mpflow.cli;

import dev.mpflow.MpflowException;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mpflow gc --keep N}: removes old runs. */
@Command(name = "gc",
        mixinStandardHelpOptions = true,
        versionProvider = MpflowCommand.Version.class,
        description = {
            "Removes old runs from a store.",
            "Every run but the newest N goes, with its results and attempts, and the space they took is given "
                    + "back (the file is rewritten without it). Do not run it while an older run is still going.",
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
        long before;
        long size;
        try (SqliteRunHistory history = History.open(store)) {
            before = sizeOf(history.location());
            removed = history.deleteRunsKeepingNewest(keep);
            // Deleted rows only free pages inside the file; without this, the file would never shrink.
            history.reclaimSpace();
            size = sizeOf(history.location());
        } catch (MpflowException e) {
            throw new UsageException(e.getMessage());
        }
        // On disk, as people measure it: the emptied write-ahead log counts too.
        long freed = Math.max(0, before - size);
        PrintStream out = History.out();
        String space = freed > 0 ? "freed " + History.bytes(freed) + ", the store is now "
                : "nothing to free, the store is ";
        out.println("removed " + removed + (removed == 1 ? " run" : " runs") + ", kept the newest " + keep + "; "
                + space + History.bytes(size));
        out.flush();
        return ExitCode.OK;
    }

    /** The store's size on disk, its write-ahead log included (another process may be writing to it). */
    private static long sizeOf(Path file) {
        long size = 0;
        for (Path p : new Path[] {file, Path.of(file + "-wal")}) {
            try {
                size += Files.size(p);
            } catch (IOException e) {
                // No log, or gone: nothing to count.
            }
        }
        return size;
    }

    static final class Keep implements picocli.CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) FlagValues.wholeNumber(value, 0, Integer.MAX_VALUE);
        }
    }
}
