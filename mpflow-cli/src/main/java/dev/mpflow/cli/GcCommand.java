package dev.mpflow.cli;

import dev.mpflow.MpflowException;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mpflow gc --keep N}: removes old runs. */
@Command(name = "gc",
        mixinStandardHelpOptions = true,
        versionProvider = MpflowCommand.Version.class,
        description = {
            "Removes old runs from a store.",
            "Every run but the newest N goes, with its results and attempts, and the space they took is given "
                    + "back (the file is rewritten without it, unless a run is going). A run still going in a "
                    + "process (running, or being resumed) is kept, and named; one whose process died goes.",
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
        SqliteRunHistory.Deletion deletion;
        long before;
        long size;
        boolean live;
        try (SqliteRunHistory history = History.open(store)) {
            before = sizeOf(history.location());
            deletion = history.deleteRunsKeepingNewest(keep);
            // Deleted rows only free pages inside the file; without this, the file would never shrink. But the
            // rewrite holds the write lock while it copies the whole file, and a live run's writer that waits too
            // long for it gives up: not while a run is going.
            live = history.hasLiveRuns();
            if (!live) {
                history.reclaimSpace();
            }
            size = sizeOf(history.location());
        } catch (MpflowException e) {
            throw new UsageException(e.getMessage());
        }
        // On disk, as people measure it: the emptied write-ahead log counts too.
        long freed = Math.max(0, before - size);
        PrintStream out = History.out();
        String space = live ? "space not given back while a run is going (gc again once none is), the store is "
                : freed > 0 ? "freed " + History.bytes(freed) + ", the store is now "
                : "nothing to free, the store is ";
        int removed = deletion.deleted();
        out.println("removed " + removed + (removed == 1 ? " run" : " runs") + ", kept the newest " + keep
                + live(deletion.keptLive()) + "; " + space + History.bytes(size));
        out.flush();
        return ExitCode.OK;
    }

    /** The live runs kept besides the newest: {@code  and 1 still running (RUN in process 12 on host h)}. */
    private static String live(List<SqliteRunHistory.LiveRun> runs) {
        if (runs.isEmpty()) {
            return "";
        }
        return " and " + runs.size() + " still running (" + runs.stream().map(GcCommand::describe)
                .collect(Collectors.joining(", ")) + ")";
    }

    private static String describe(SqliteRunHistory.LiveRun run) {
        if (run.pid().isEmpty()) {
            return run.runId() + " in another process";
        }
        return run.runId() + " in process " + run.pid().getAsLong() + run.host().map(h -> " on host " + h).orElse("");
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
