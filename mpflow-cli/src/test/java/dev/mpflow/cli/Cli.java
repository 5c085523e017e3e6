package dev.mpflow.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
    }

    static ProcessBuilder builder(Path workDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workDir.toFile());
    }

    static Result run(Path workDir, String stdin, String... args) {
        return run(builder(workDir, args), stdin, Duration.ofSeconds(120));
    }

    static Result run(ProcessBuilder pb, String stdin, Duration limit) {
        try {
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread o = pump(p.getInputStream(), out);
            Thread e = pump(p.getErrorStream(), err);
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException closedEarly) {
                // The command did not read its input: fine.
            }
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("mpflow did not finish within " + limit + "; stderr so far: " + err);
            }
            o.join();
            e.join();
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Thread pump(InputStream in, OutputStream out) {
        Thread t = new Thread(() -> {
            try (in) {
                in.transferTo(out);
            } catch (IOException e) {
                // The process was killed and its pipe closed under us: what was read is what there is.
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }
}
