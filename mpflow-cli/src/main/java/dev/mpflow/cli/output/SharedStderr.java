package dev.mpflow.cli.output;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Standard error shared by a progress bar and everything else written there (warnings, the summary), so that
 * they never share a line: the bar is drawn on a line of its own with a carriage return; before anything else is
 * written, the bar's line is cleared, and the bar is drawn again below on its next refresh. Everything but the
 * bar writes through {@link #others()}, which the caller installs as {@code System.err} for the run.
 */
public final class SharedStderr {
    /** Carriage return, then ANSI "erase the whole line". */
    private static final String CLEAR_LINE = "\r\u001b[2K";

    private final PrintStream terminal;
    private final PrintStream others;
    private final Object lock = new Object();
    private boolean barShown;
    private boolean atLineStart = true;

    /** @param terminal the real standard error, a terminal */
    public SharedStderr(PrintStream terminal) {
        this.terminal = Objects.requireNonNull(terminal, "terminal");
        this.others = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (len == 0) {
                    return;
                }
                synchronized (lock) {
                    if (barShown) {
                        terminal.print(CLEAR_LINE);
                        barShown = false;
                    }
                    terminal.write(b, off, len);
                    atLineStart = b[off + len - 1] == '\n';
                }
            }

            @Override
            public void flush() {
                terminal.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }

    /** Where everything but the bar writes. */
    public PrintStream others() {
        return others;
    }

    /** Draws the bar over its line; skipped while another writer is in the middle of a line. */
    void drawBar(String text) {
        synchronized (lock) {
            if (!atLineStart) {
                return;
            }
            terminal.print('\r');
            terminal.print(text);
            terminal.flush();
            barShown = true;
        }
    }

    /** Leaves the bar's last drawing on its line and moves below it. */
    void endBar() {
        synchronized (lock) {
            if (barShown) {
                terminal.println();
                terminal.flush();
                barShown = false;
            }
        }
    }
}
