package dev.mpflow.cli.output;

import dev.mpflow.TaskResult;
import java.io.PrintStream;

/**
 * A readable table for people at a terminal: one row per result as it arrives, the result (or the error) cut to
 * fit the terminal's width.
 */
public final class TablePrinter implements ResultPrinter {
    private static final String ROW = "%-24s %-12s %-9s %3s %8s  %s%n";
    private final PrintStream out;
    private final int width;
    private boolean headerPrinted;

    public TablePrinter(PrintStream out, int width) {
        this.out = out;
        this.width = width;
    }

    @Override
    public void print(TaskResult r) {
        if (!headerPrinted) {
            out.printf(ROW, "TASK", "AGENT", "STATUS", "TRY", "TIME", "RESULT");
            headerPrinted = true;
        }
        String shown = r.succeeded() ? String.valueOf(r.value()) : r.error().map(e -> e.summary()).orElse("");
        int room = Math.max(20, width - 64);
        out.printf(ROW, cut(r.task(), 24), cut(r.agent().orElse("-"), 12), r.status().wireName(), r.attempts(),
                seconds(r.duration().toMillis()), head(shown.replace('\n', ' '), room));
        out.flush();
    }

    private static String seconds(long millis) {
        return millis < 1000 ? millis + "ms" : String.format("%.1fs", millis / 1000.0);
    }

    /** Keeps the end of long names (the file name of a path tells more than its start). */
    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        return "…" + s.substring(s.length() - (max - 1));
    }

    private static String head(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    @Override
    public void close() {
        out.flush();
    }
}
