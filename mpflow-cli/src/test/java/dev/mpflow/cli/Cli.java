package dev.mpflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Runs the real {@code mpflow} command line in a process of its own (a JVM on the test class path running
 * {@link Main}), with its own working directory, standard input, exit code, stdout and stderr.
 */
final class Cli {
    private Cli() {
    }

    record Result(int exitCode, String stdout, String stderr) {
        List<String> stdoutLines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
        }

        List<String> stderrLines() {
            return stderr.isEmpty() ? List.of() : List.of(stderr.split("\n"));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JSON lines a run printed on stdout, one object a line. */
    static List<JsonNode> jsonLines(Result r) {
        return r.stdoutLines().stream().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    static ProcessBuilder builder(Path workDir, String... args) {
        return builder(workDir, List.of(), args);
    }

    /** With JVM options for the mpflow process, such as {@code -Dmpflow.stderr.tty=true}. */
    static ProcessBuilder builder(Path workDir, List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workDir.toFile());
    }

    /**
     * Like {@link #builder(Path, String...)}, but the process starts with the default handling of SIGINT and
     * SIGTERM even when this JVM was started with them ignored (as a background job of a shell without job
     * control is), so that a test can interrupt it the way Ctrl-C does.
     */
    static ProcessBuilder interruptible(Path workDir, String... args) {
        ProcessBuilder pb = builder(workDir, args);
        if (envResetsSignals()) {
            List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM"));
            command.addAll(pb.command());
            pb.command(command);
        }
        return pb;
    }

    private static Boolean envResets;

    private static synchronized boolean envResetsSignals() {
        if (envResets == null) {
            try {
                Process p = new ProcessBuilder("env", "--default-signal=INT,TERM", "true")
                        .redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                envResets = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                envResets = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                envResets = false;
            }
        }
        return envResets;
    }

    static Result run(Path workDir, String stdin, String... args) {
        return run(builder(workDir, args), stdin, Duration.ofSeconds(120));
    }

    static Result run(ProcessBuilder pb, String stdin, Duration limit) {
        return run(pb, stdin.getBytes(StandardCharsets.UTF_8), limit);
    }

    static Result run(ProcessBuilder pb, byte[] stdin, Duration limit) {
        Running r = Running.start(pb);
        try (OutputStream in = r.process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException closedEarly) {
            // The command did not read its input: fine.
        }
        return r.await(limit);
    }

    static Thread pump(InputStream in, OutputStream out) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (out) {
                        out.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                // The process was killed and its pipe closed under us: what was read is what there is.
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A running mpflow process whose output can be watched as it comes. */
    static final class Running implements AutoCloseable {
        final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Thread outPump;
        private final Thread errPump;

        private Running(Process process, boolean pumpStdout) {
            this.process = process;
            this.outPump = pumpStdout ? pump(process.getInputStream(), out) : null;
            this.errPump = pump(process.getErrorStream(), err);
        }

        static Running start(ProcessBuilder pb) {
            return start(pb, true);
        }

        /** With {@code pumpStdout} false, the test reads (and may close) the process's stdout itself. */
        static Running start(ProcessBuilder pb, boolean pumpStdout) {
            try {
                return new Running(pb.start(), pumpStdout);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        long pid() {
            return process.pid();
        }

        String stdout() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String stderr() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        /** Sends a signal by name, such as {@code INT}, as {@code kill -s} does. */
        void signal(String name) {
            try {
                Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(pid())).inheritIO().start();
                if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                    throw new AssertionError("kill -s " + name + " " + pid() + " failed");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** Waits until {@code condition} holds, failing with the output so far after {@code limit}. */
        void until(String what, Duration limit, Callable<Boolean> condition) {
            Awaitility.await(what + "; stderr so far: " + stderr()).atMost(limit).pollInterval(Duration.ofMillis(50))
                    .until(condition);
        }

        Result await(Duration limit) {
            try {
                if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    close();
                    throw new AssertionError("mpflow did not finish within " + limit + "; stderr so far: "
                            + stderr());
                }
                if (outPump != null) {
                    outPump.join();
                }
                errPump.join();
                return new Result(process.exitValue(), stdout(), stderr());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** Kills the process and everything it started, if still running: the clean-up of a failed test. */
        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** Whether the process ignores SIGINT, from its {@code /proc} status. */
    static boolean ignoresSigint(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
                    return (mask & (1L << (2 - 1))) != 0;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
