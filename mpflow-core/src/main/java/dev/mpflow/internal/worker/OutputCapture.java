package dev.mpflow.internal.worker;

import dev.mpflow.protocol.Captured;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Routes {@code System.out} and {@code System.err} of the worker to the attempt that prints, so that user code can
 * print anything without touching the protocol channel, and each attempt's output is captured on its own. Output
 * from threads outside any attempt goes to the worker's real standard error.
 */
final class OutputCapture {
    /** Inheritable, so that threads a task starts print into the task's capture. */
    private static final InheritableThreadLocal<Buffers> CURRENT = new InheritableThreadLocal<>();

    private OutputCapture() {
    }

    /** Replaces System.out and System.err for the whole worker; the real streams stay reachable through the result. */
    static PrintStream install() {
        PrintStream realErr = System.err;
        System.setOut(new PrintStream(new Router(true, realErr), true));
        System.setErr(new PrintStream(new Router(false, realErr), true));
        return realErr;
    }

    /** Starts capturing for the calling thread (and threads it starts). */
    static Buffers begin(int limitBytes) {
        Buffers b = new Buffers(limitBytes);
        CURRENT.set(b);
        return b;
    }

    static void end() {
        CURRENT.remove();
    }

    /** One attempt's stdout and stderr, each kept up to the limit. */
    static final class Buffers {
        final Buffer out;
        final Buffer err;

        Buffers(int limit) {
            this.out = new Buffer(limit);
            this.err = new Buffer(limit);
        }
    }

    /** Keeps the first {@code limit} bytes and counts the rest. */
    static final class Buffer {
        private final int limit;
        private byte[] bytes = new byte[0];
        private int size;
        private long dropped;

        Buffer(int limit) {
            this.limit = limit;
        }

        synchronized void write(byte[] b, int off, int len) {
            int keep = Math.min(len, limit - size);
            if (keep > 0) {
                if (size + keep > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(size + keep, Math.max(256, bytes.length * 2))));
                }
                System.arraycopy(b, off, bytes, size, keep);
                size += keep;
            }
            dropped += len - Math.max(keep, 0);
        }

        /** The last {@code max} bytes kept, at most. */
        synchronized byte[] tail(int max) {
            return Arrays.copyOfRange(bytes, Math.max(0, size - max), size);
        }

        synchronized Captured snapshot() {
            return new Captured(Arrays.copyOf(bytes, size), dropped);
        }
    }

    private static final class Router extends OutputStream {
        private final boolean stdout;
        private final PrintStream fallback;

        Router(boolean stdout, PrintStream fallback) {
            this.stdout = stdout;
            this.fallback = fallback;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Buffers current = CURRENT.get();
            if (current == null) {
                fallback.write(b, off, len);
            } else {
                (stdout ? current.out : current.err).write(b, off, len);
            }
        }
    }
}
