package dev.mpflow;

import dev.mpflow.internal.worker.AttemptContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An {@link Agent} that runs an external program in the worker process.
 *
 * <p>Every {@code {}} in the arguments is replaced by the value flowing into the agent (the task's input, or the
 * previous agent's output in a pipeline). When no argument contains {@code {}}, that value is written to the
 * program's standard input instead. The result is the program's standard output less one trailing newline (as a
 * shell's {@code $(...)} does): a {@code String} when it is valid UTF-8, else the raw {@code byte[]}, so that no
 * byte is lost. A value of {@code byte[]} flowing into a later agent is passed as is. A non-zero exit fails the
 * attempt with a
 * {@link CommandFailedException} carrying the exit code and the tail of standard error (in a worker, no more of it
 * than the attempt's capture limit keeps, with a note of how much was left out); the program's standard
 * error is also captured with the attempt's output, and so is its standard output when it failed (it is no result
 * then, but may say why). A value with a NUL byte cannot go into an argument: for {@code {}}, it fails the
 * attempt with a {@link CommandArgumentException}, never retried. Immutable.
 */
public final class CommandAgent implements Agent {
    private static final long serialVersionUID = 1L;
    /** How much of a failing program's standard error goes into the error message. */
    private static final int STDERR_TAIL_CHARS = 2000;
    private static final String PLACEHOLDER = "{}";
    /** How much of a program's standard error is kept (its end), so that a flood cannot exhaust the worker. */
    private static final int STDERR_KEEP_BYTES = 1 << 20;
    /**
     * Threads that read programs' stderr and feed their stdin while the attempt's thread reads stdout: pooled, as a
     * thread started for every program would cost more than many programs take to run.
     */
    private static final ExecutorService IO = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mpflow-command-io");
        t.setDaemon(true);
        return t;
    });

    /** The default limit of a program's standard output, which becomes the result. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 64L << 20;

    private final String name;
    private final List<String> command;
    private final RetrySettings retry;
    private final Duration timeout;
    private final long maxOutputBytes;

    private CommandAgent(String name, List<String> command, RetrySettings retry, Duration timeout,
            long maxOutputBytes) {
        this.name = FunctionAgent.requireName(name);
        Objects.requireNonNull(command, "command");
        if (command.isEmpty() || command.get(0).isBlank()) {
            throw new IllegalArgumentException("command of agent " + name + " must name a program");
        }
        this.command = List.copyOf(command);
        this.retry = retry;
        this.timeout = timeout;
        this.maxOutputBytes = maxOutputBytes;
    }

    /** An agent called {@code name} running {@code command} (program first, then its arguments). */
    public static CommandAgent of(String name, String... command) {
        return of(name, List.of(command));
    }

    /** An agent called {@code name} running {@code command} (program first, then its arguments). */
    public static CommandAgent of(String name, List<String> command) {
        return new CommandAgent(name, command, null, null, DEFAULT_MAX_OUTPUT_BYTES);
    }

    /** This agent with its own retry settings. */
    public CommandAgent withRetry(RetrySettings retry) {
        return new CommandAgent(name, command, Objects.requireNonNull(retry, "retry"), timeout, maxOutputBytes);
    }

    /** This agent with its own per-attempt timeout. */
    public CommandAgent withTimeout(Duration timeout) {
        return new CommandAgent(name, command, retry, RetrySettings.requirePositive("timeout", timeout),
                maxOutputBytes);
    }

    /**
     * This agent with another limit on the program's standard output (default 64 MiB); a program that prints
     * more is stopped and the attempt fails with a {@link CommandOutputTooLargeException}.
     */
    public CommandAgent withMaxOutputBytes(long maxOutputBytes) {
        if (maxOutputBytes < 1) {
            throw new IllegalArgumentException("maxOutputBytes must be at least 1, was " + maxOutputBytes);
        }
        return new CommandAgent(name, command, retry, timeout, maxOutputBytes);
    }

    @Override
    public Optional<RetrySettings> retry() {
        return Optional.ofNullable(retry);
    }

    @Override
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    @Override
    public String name() {
        return name;
    }

    /** The program and its arguments, with {@code {}} placeholders as given. */
    public List<String> command() {
        return command;
    }

    /** Whether the value is passed in the arguments ({@code {}}) rather than on standard input. */
    public boolean usesPlaceholder() {
        return command.stream().anyMatch(a -> a.contains(PLACEHOLDER));
    }

    @Override
    public Object run(AgentInput input) throws Exception {
        byte[] rawValue = input.value() instanceof byte[] b ? b : null;
        String value = rawValue != null ? new String(rawValue, StandardCharsets.UTF_8) : input.valueText();
        boolean placeholder = usesPlaceholder();
        if (placeholder && value.indexOf('\0') >= 0) {
            throw new CommandArgumentException(name);
        }
        List<String> argv = new ArrayList<>(command.size());
        for (String arg : command) {
            argv.add(arg.replace(PLACEHOLDER, value));
        }
        Process process = new ProcessBuilder(argv).start();
        // If the worker dies (SIGKILL) before it can end the program, the coordinator ends it instead.
        AttemptContext.reportSpawned(process.pid());
        try {
            // Drain both streams while feeding stdin, so that a program filling a pipe never deadlocks us.
            Future<StreamTail> stderr = IO.submit(new StreamTail(process.getErrorStream()));
            byte[] stdin = placeholder ? null : rawValue != null ? rawValue : value.getBytes(StandardCharsets.UTF_8);
            Future<?> feeder = stdin == null ? null : IO.submit(() -> feed(process.getOutputStream(), stdin));
            if (stdin == null) {
                process.getOutputStream().close();
            }
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            if (!readAtMost(process.getInputStream(), maxOutputBytes, read)) {
                keepAsCaptured(read);
                throw new CommandOutputTooLargeException(name, maxOutputBytes);
            }
            byte[] out = read.toByteArray();
            int exit = process.waitFor();
            if (feeder != null) {
                feeder.get();
            }
            StreamTail errTail = stderr.get();
            byte[] err = errTail.kept();
            if (err.length > 0) {
                System.err.write(err);
                System.err.flush();
            }
            if (exit != 0) {
                // No result, but what it printed may say why: kept as the attempt's stdout (within its limit).
                keepAsCaptured(read);
                throw new CommandFailedException(String.join(" ", argv), exit,
                        tail(err, errTail.printed(), AttemptContext.captureLimitBytes()));
            }
            return decode(out);
        } catch (ExecutionException e) {
            throw new IOException("cannot read the output of " + name + ": " + e.getCause(), e.getCause());
        } finally {
            // An interrupted or failing attempt must not leave the program, or what it started, behind. (Once it
            // has exited, what it left running is no longer its descendant: looking would only cost a scan of
            // every process on the machine.)
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    /**
     * Reads the whole stream into {@code bytes}; false as soon as it exceeds {@code limit} bytes, with the first
     * {@code limit} in {@code bytes}.
     */
    private static boolean readAtMost(InputStream in, long limit, ByteArrayOutputStream bytes) throws IOException {
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (total + n > limit) {
                bytes.write(buf, 0, (int) (limit - total));
                return false;
            }
            total += n;
            bytes.write(buf, 0, n);
        }
        return true;
    }

    /** Writes a failed program's output to the attempt's stdout, which the worker captures up to its limit. */
    private static void keepAsCaptured(ByteArrayOutputStream out) throws IOException {
        if (out.size() > 0) {
            out.writeTo(System.out);
            System.out.flush();
        }
    }

    private static void feed(OutputStream stdin, byte[] value) {
        try (stdin) {
            if (value != null) {
                stdin.write(value);
            }
        } catch (IOException e) {
            // The program closed its stdin early (it does not read it): not an error of ours.
        }
    }

    /** Text when the bytes are valid UTF-8; otherwise the bytes themselves, so that nothing is lost. */
    private static Object decode(byte[] out) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out)).toString();
            return stripOneNewline(text);
        } catch (CharacterCodingException e) {
            int end = out.length;
            if (end > 0 && out[end - 1] == '\n') {
                end -= end > 1 && out[end - 2] == '\r' ? 2 : 1;
            }
            return Arrays.copyOf(out, end);
        }
    }

    private static String stripOneNewline(String s) {
        if (s.endsWith("\r\n")) {
            return s.substring(0, s.length() - 2);
        }
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * The end of a failed program's standard error, for its error message: at most {@value #STDERR_TAIL_CHARS}
     * characters (after {@code ...} when there was more), and no more bytes than the attempt keeps of each stream
     * (its capture limit; 0 keeps none). When the limit is what cuts it, the note captured output gets of how much
     * was left out comes first instead of the {@code ...}.
     *
     * @param kept the end of what it printed
     * @param printed how many bytes it printed in all
     */
    static String tail(byte[] kept, long printed, int limitBytes) {
        String text = new String(kept, StandardCharsets.UTF_8).strip();
        boolean cut = text.length() > STDERR_TAIL_CHARS;
        String shown = cut ? text.substring(text.length() - STDERR_TAIL_CHARS) : text;
        byte[] bytes = shown.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= limitBytes) {
            return cut ? "..." + shown : shown;
        }
        int from = bytes.length - limitBytes;
        // Not in the middle of a character: skip UTF-8 continuation bytes.
        while (from < bytes.length && (bytes[from] & 0xC0) == 0x80) {
            from++;
        }
        String end = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8).strip();
        String note = "[mpflow: " + (printed - (bytes.length - from)) + " more bytes not kept]";
        return end.isEmpty() ? note : note + " " + end;
    }

    @Override
    public String toString() {
        return "CommandAgent[" + name + ": " + String.join(" ", command) + "]";
    }

    /**
     * Reads a stream to its end and keeps its last {@value #STDERR_KEEP_BYTES} bytes, in as little memory as the
     * stream needs: most programs print nothing on stderr.
     */
    private static final class StreamTail implements Callable<StreamTail> {
        private final InputStream in;
        private byte[] kept = new byte[256];
        private int size;
        private long printed;

        StreamTail(InputStream in) {
            this.in = in;
        }

        @Override
        public StreamTail call() throws IOException {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    printed += n;
                    append(buf, n);
                }
            }
            return this;
        }

        /** The end of the stream, at most {@value #STDERR_KEEP_BYTES} bytes; call after {@link #call()}. */
        byte[] kept() {
            return Arrays.copyOf(kept, size);
        }

        /** How many bytes the stream had in all. */
        long printed() {
            return printed;
        }

        private void append(byte[] buf, int n) {
            if (size + n > STDERR_KEEP_BYTES) {
                int drop = size + n - STDERR_KEEP_BYTES;
                System.arraycopy(kept, drop, kept, 0, size - drop);
                size -= drop;
            }
            if (size + n > kept.length) {
                kept = Arrays.copyOf(kept, Math.min(STDERR_KEEP_BYTES, Math.max(size + n, kept.length * 2)));
            }
            System.arraycopy(buf, 0, kept, size, n);
            size += n;
        }
    }
}
