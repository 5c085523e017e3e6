package dev.mpflow.cli;

import dev.mpflow.MpflowException;
import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.store.sqlite.SqliteRunHistory;
import dev.mpflow.store.sqlite.StoredRun;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** What the history commands ({@code runs}, {@code show}, {@code export}, {@code gc}) share. */
final class History {
    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss",
            Locale.ROOT).withZone(ZoneId.systemDefault());

    private History() {
    }

    /** Opens the store named by {@code --store} (default {@code .mpflow/runs.db}) for reading. */
    static SqliteRunHistory open(String store) throws UsageException {
        Path file;
        if (store == null) {
            file = MultiProcessWorkflow.DEFAULT_STORE;
        } else {
            if (store.isBlank()) {
                throw new UsageException("--store: must name a file, was \"" + store + "\"");
            }
            try {
                file = Path.of(store);
            } catch (InvalidPathException e) {
                throw new UsageException("--store: not a valid path: " + e.getMessage());
            }
        }
        if (!Files.exists(file)) {
            throw new UsageException("no store " + file + " (no run was saved there; see --store)");
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--store: " + file + " is not a file");
        }
        try {
            return SqliteRunHistory.open(file);
        } catch (MpflowException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The run with this id, or the latest; a usage error naming it when the store has none. */
    static StoredRun run(SqliteRunHistory history, String id) throws UsageException {
        return history.run(id).orElseThrow(() -> new UsageException(id.equals(SqliteRunHistory.LATEST)
                ? "no runs in " + history.location() : "no run '" + id + "' in " + history.location()));
    }

    static String localTime(Instant t) {
        return LOCAL_TIME.format(t);
    }

    /** {@code 0.4s}, {@code 12.0s}, {@code 3m05s}, {@code 2h07m}. */
    static String duration(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /** {@code 512 bytes}, {@code 40 KiB}, {@code 3.2 MiB}, {@code 1.5 GiB}: sizes for people, in binary units. */
    static String bytes(long n) {
        if (n < 1024) {
            return n == 1 ? "1 byte" : n + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return (unit == 0 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value))
                + " " + units[unit];
    }

    /** A run's duration: to its end, or to now while it runs. */
    static Duration duration(StoredRun r) {
        return Duration.between(r.startedAt(), r.endedAt().orElse(Instant.now()));
    }

    /** Standard output in UTF-8, whatever the locale says. */
    static PrintStream out() {
        return new PrintStream(System.out, false, StandardCharsets.UTF_8);
    }
}
