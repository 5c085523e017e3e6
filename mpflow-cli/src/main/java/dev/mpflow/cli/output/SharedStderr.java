package dev.mpflow.cli.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The terminal of standard error, shared by a progress bar and everything else written there (warnings, the
 * summary, and results too when standard output is the same terminal), so that they never share a line: the bar
 * is drawn on a line of its own with a carriage return; before anything else is written, the bar's line is
 * cleared, and the bar is drawn again below on its next refresh. Everything but the bar writes through
 * {@link #others()}, which the caller installs as {@code System.err} for the run, or {@link #sameTerminal}.
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

    /**
     * {@code stdout} for results when it is the bar's terminal too: each write clears the bar's line first and
     * reaches the terminal before the bar is drawn again, so that no row is torn by the bar or drawn over.
     */
    public OutputStream sameTerminal(OutputStream stdout) {
        Objects.requireNonNull(stdout, "stdout");
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return;
                }
                synchronized (lock) {
                    if (barShown) {
                        terminal.print(CLEAR_LINE);
                        terminal.flush();
                        barShown = false;
                    }
                    // Flushed at once: the bar's next drawing, on the other stream, must come after it.
                    stdout.write(b, off, len);
                    stdout.flush();
                    atLineStart = b[off + len - 1] == '\n';
                }
                // A PrintStream keeps its failures to itself; the printer must still learn that stdout is gone.
                if (stdout instanceof PrintStream p && p.checkError()) {
                    throw new IOException("standard output is closed");
                }
            }

            @Override
            public void flush() throws IOException {
                stdout.flush();
            }
        };
    }

    /** Draws the bar over its line; skipped while another writer is in the middle of a line. */
    void drawBar(String text) {
        synchronized (lock) {
            if (!atLineStart) {
                return;
            }
            // Over the whole line: a shorter drawing leaves nothing of the one before.
            terminal.print(CLEAR_LINE);
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
