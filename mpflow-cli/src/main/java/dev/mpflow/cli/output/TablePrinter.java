package dev.mpflow.cli.output;

import dev.mpflow.TaskResult;
import java.io.PrintStream;

/**
 * A readable table for people at a terminal: one row per result as it arrives, the result (or the error) cut to
 * fit the terminal's width. Control characters in values are shown as {@code ?}, never sent to the terminal, and
 * columns are measured in terminal columns, so wide characters keep the table aligned. A result that is bytes
 * rather than text is shown as {@link ResultValues#humanText(byte[])} has it.
 */
public final class TablePrinter implements ResultPrinter {
    private static final int TASK = 24;
    private static final int AGENT = 12;
    private static final int STATUS = 9;
    private static final int TRY = 3;
    private static final int TIME = 8;
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
            row("TASK", "AGENT", "STATUS", "TRY", "TIME", "RESULT");
            headerPrinted = true;
        }
        String shown = r.succeeded() ? ResultValues.humanText(r.value()) : r.error().map(e -> e.summary()).orElse("");
        int room = Math.max(20, width - 64);
        row(DisplayText.tail(DisplayText.printable(r.task()), TASK),
                DisplayText.tail(DisplayText.printable(r.agent().orElse("-")), AGENT),
                r.status().wireName(), Integer.toString(r.attempts()), seconds(r.duration().toMillis()),
                DisplayText.head(DisplayText.printable(shown), room));
        out.flush();
    }

    private void row(String task, String agent, String status, String attempts, String time, String result) {
        out.print(DisplayText.pad(task, TASK) + ' ' + DisplayText.pad(agent, AGENT) + ' '
                + DisplayText.pad(status, STATUS) + ' ' + DisplayText.padLeft(attempts, TRY) + ' '
                + DisplayText.padLeft(time, TIME) + "  " + result + '\n');
    }

    private static String seconds(long millis) {
        return millis < 1000 ? millis + "ms" : String.format("%.1fs", millis / 1000.0);
    }

    @Override
    public boolean failed() {
        return out.checkError();
    }

    @Override
    public void close() {
        out.flush();
    }
}
