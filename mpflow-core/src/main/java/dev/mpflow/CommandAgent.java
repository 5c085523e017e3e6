package dev.mpflow;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An {@link Agent} that runs an external program in the worker process.
 *
 * <p>Every {@code {}} in the arguments is replaced by the value flowing into the agent (the task's input, or the
 * previous agent's output in a pipeline). When no argument contains {@code {}}, that value is written to the
 * program's standard input instead. The result is the program's standard output as text, less one trailing
 * newline (as a shell's {@code $(...)} does). A non-zero exit fails the attempt with a
 * {@link CommandFailedException} carrying the exit code and the tail of standard error; the program's standard
 * error is also captured with the attempt's output. Immutable.
 */
public final class CommandAgent implements Agent {
    private static final long serialVersionUID = 1L;
    /** How much of a failing program's standard error goes into the error message. */
    private static final int STDERR_TAIL_CHARS = 2000;
    private static final String PLACEHOLDER = "{}";

    private final String name;
    private final List<String> command;

    private CommandAgent(String name, List<String> command) {
        this.name = FunctionAgent.requireName(name);
        Objects.requireNonNull(command, "command");
        if (command.isEmpty() || command.get(0).isBlank()) {
            throw new IllegalArgumentException("command of agent " + name + " must name a program");
        }
        this.command = List.copyOf(command);
    }

    /** An agent called {@code name} running {@code command} (program first, then its arguments). */
    public static CommandAgent of(String name, String... command) {
        return new CommandAgent(name, List.of(command));
    }

    /** An agent called {@code name} running {@code command} (program first, then its arguments). */
    public static CommandAgent of(String name, List<String> command) {
        return new CommandAgent(name, command);
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
        String value = input.valueText();
        boolean placeholder = usesPlaceholder();
        List<String> argv = new ArrayList<>(command.size());
        for (String arg : command) {
            argv.add(arg.replace(PLACEHOLDER, value));
        }
        Process process = new ProcessBuilder(argv).start();
        try {
            // Drain both streams while feeding stdin, so that a program filling a pipe never deadlocks us.
            StreamDrain stderr = StreamDrain.start(process.getErrorStream(), "stderr of " + name);
            Thread feeder = new Thread(() -> feed(process.getOutputStream(), placeholder ? null : value),
                    "stdin of " + name);
            feeder.setDaemon(true);
            feeder.start();
            byte[] out = process.getInputStream().readAllBytes();
            int exit = process.waitFor();
            feeder.join();
            byte[] err = stderr.await();
            if (err.length > 0) {
                System.err.write(err);
                System.err.flush();
            }
            if (exit != 0) {
                throw new CommandFailedException(String.join(" ", argv), exit, tail(err));
            }
            return stripOneNewline(new String(out, StandardCharsets.UTF_8));
        } finally {
            // An interrupted or failing attempt must not leave the program, or what it started, behind.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static void feed(OutputStream stdin, String value) {
        try (stdin) {
            if (value != null) {
                stdin.write(value.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The program closed its stdin early (it does not read it): not an error of ours.
        }
    }

    private static String stripOneNewline(String s) {
        if (s.endsWith("\r\n")) {
            return s.substring(0, s.length() - 2);
        }
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static String tail(byte[] err) {
        String text = new String(err, StandardCharsets.UTF_8).strip();
        return text.length() <= STDERR_TAIL_CHARS ? text : "..." + text.substring(text.length() - STDERR_TAIL_CHARS);
    }

    @Override
    public String toString() {
        return "CommandAgent[" + name + ": " + String.join(" ", command) + "]";
    }

    /** Reads a stream to its end on a thread of its own. */
    private static final class StreamDrain {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        private StreamDrain(InputStream in, String threadName) {
            this.thread = new Thread(() -> {
                try (in) {
                    in.transferTo(bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, threadName);
            thread.setDaemon(true);
        }

        static StreamDrain start(InputStream in, String threadName) {
            StreamDrain d = new StreamDrain(in, threadName);
            d.thread.start();
            return d;
        }

        byte[] await() throws InterruptedException {
            thread.join();
            synchronized (bytes) {
                return bytes.toByteArray();
            }
        }
    }
}
