package dev.mpflow.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether standard output and standard error are terminals. The launcher script knows for sure ({@code [ -t 1 ]})
 * and passes {@code -Dmpflow.stdout.tty} and {@code -Dmpflow.stderr.tty}; without it, the file descriptor's link
 * under {@code /proc} tells on Linux.
 */
final class Terminal {
    private Terminal() {
    }

    static boolean stdoutIsTerminal() {
        return check("mpflow.stdout.tty", 1);
    }

    static boolean stderrIsTerminal() {
        return check("mpflow.stderr.tty", 2);
    }

    private static boolean check(String property, int fd) {
        String told = System.getProperty(property);
        if (told != null) {
            return Boolean.parseBoolean(told);
        }
        try {
            Path target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd));
            String t = target.toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }

    /** The terminal's width from {@code COLUMNS}, else 120. */
    static int width() {
        try {
            int w = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "120"));
            return w >= 40 ? w : 120;
        } catch (NumberFormatException e) {
            return 120;
        }
    }
}
