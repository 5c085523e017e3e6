package dev.mpflow.fault;

import dev.mpflow.TaskFunction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Task functions that misbehave in every way a worker can: they fail, exit, halt, SIGKILL their own worker, exhaust
 * its heap, hang, ignore interrupts, flood their output, return what cannot travel back, and throw what cannot
 * travel or does not exist in the coordinator. Each is a serializable {@link TaskFunction} capturing only strings and
 * numbers, so it runs in any worker whose class path holds this class.
 *
 * <p>Why here, in the core's test sources, and not in {@code mpflow-testing}: these functions need the core's
 * {@code TaskFunction}, and the core's tests depend on {@code mpflow-testing}. Giving {@code mpflow-testing} a
 * compile dependency on the core would make the build a cycle (Maven refuses one whatever the scopes), and a third
 * module would only exist for this class. {@code mpflow-testing} stays free of mpflow's own modules and holds what
 * any module can use ({@code NoProcessLeftBehind}, {@code ProcessTree}).
 *
 * <p>Faults that must happen on some attempts only keep their state in a file under a directory the test passes in
 * (a worker is a separate JVM and may be a different one on every attempt): {@link #firstTimes} counts the attempts
 * that reached the function in {@code DIR/KEY.attempts}, one byte per attempt.
 */
public final class FaultyTasks {
    /** The name of the exception class that {@link #throwWorkerOnlyException} defines inside the worker. */
    public static final String WORKER_ONLY_EXCEPTION = "dev.mpflow.fault.GhostWorkerOnlyFailure";
    /** The name of the value class that {@link #returnWorkerOnlyValue} defines inside the worker. */
    public static final String WORKER_ONLY_VALUE = "dev.mpflow.fault.GhostWorkerOnlyVal";

    private FaultyTasks() {
    }

    // ---------------------------------------------------------------- plain behaviour and composition

    /** Returns {@code value}. */
    public static TaskFunction succeed(Serializable value) {
        return in -> value;
    }

    /** Sleeps {@code millis}, then returns {@code value}. */
    public static TaskFunction sleepThen(long millis, Serializable value) {
        return in -> {
            Thread.sleep(millis);
            return value;
        };
    }

    /**
     * Runs {@code fault} on the first {@code times} attempts that reach it, {@code then} on every later one. The
     * attempts are counted in {@code DIR/KEY.attempts}; an attempt killed before it started the function is not
     * counted.
     */
    public static TaskFunction firstTimes(Path dir, String key, int times, TaskFunction fault, TaskFunction then) {
        String counter = counterFile(dir, key);
        Objects.requireNonNull(fault, "fault");
        Objects.requireNonNull(then, "then");
        return in -> countAttempt(counter) <= times ? fault.apply(in) : then.apply(in);
    }

    /** Fails the first {@code failures} attempts with an {@link IllegalStateException}, then returns {@code value}. */
    public static TaskFunction failTimesThenSucceed(Path dir, String key, int failures, Serializable value) {
        String counter = counterFile(dir, key);
        return in -> {
            int attempt = countAttempt(counter);
            if (attempt <= failures) {
                throw new IllegalStateException("planned failure " + attempt + " of " + failures + " (" + key + ")");
            }
            return value;
        };
    }

    /** How many attempts of {@link #firstTimes} or {@link #failTimesThenSucceed} with this key reached the function. */
    public static int attemptsSeen(Path dir, String key) throws IOException {
        Path counter = Path.of(counterFile(dir, key));
        return Files.exists(counter) ? (int) Files.size(counter) : 0;
    }

    private static String counterFile(Path dir, String key) {
        return dir.resolve(key + ".attempts").toAbsolutePath().toString();
    }

    private static int countAttempt(String counter) throws IOException {
        Path file = Path.of(counter);
        Files.write(file, new byte[] {'x'}, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return (int) Files.size(file);
    }

    /**
     * Writes its worker's pid to {@code DIR/KEY/PID}, then waits until {@code parties} files are there (at most
     * {@code maxMillis}) and returns the pid: {@code parties} of these running at once prove as many distinct
     * workers.
     */
    public static TaskFunction barrier(Path dir, String key, int parties, long maxMillis) {
        String where = dir.resolve(key).toAbsolutePath().toString();
        return in -> {
            Path d = Files.createDirectories(Path.of(where));
            long pid = ProcessHandle.current().pid();
            Files.writeString(d.resolve(Long.toString(pid)), "here");
            long deadline = System.nanoTime() + maxMillis * 1_000_000;
            while (true) {
                long arrived;
                try (var files = Files.list(d)) {
                    arrived = files.count();
                }
                if (arrived >= parties) {
                    return pid;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + arrived + " of " + parties + " parties met in "
                            + maxMillis + " ms");
                }
                Thread.sleep(10);
            }
        };
    }

    /** Writes the marker {@code DIR/KEY.started}, then runs {@code then}: lets a test know the attempt is running. */
    public static TaskFunction markStarted(Path dir, String key, TaskFunction then) {
        String marker = dir.resolve(key + ".started").toAbsolutePath().toString();
        Objects.requireNonNull(then, "then");
        return in -> {
            Files.writeString(Path.of(marker), Long.toString(ProcessHandle.current().pid()));
            return then.apply(in);
        };
    }

    /**
     * Waits until the attempts of every key in {@code keys} have started ({@link #markStarted}), at most
     * {@code maxMillis}, then runs {@code then}: orders faults across workers without timing guesses.
     */
    public static TaskFunction afterStarted(Path dir, List<String> keys, long maxMillis, TaskFunction then) {
        ArrayList<String> markers = new ArrayList<>();
        keys.forEach(k -> markers.add(dir.resolve(k + ".started").toAbsolutePath().toString()));
        Objects.requireNonNull(then, "then");
        return in -> {
            long deadline = System.nanoTime() + maxMillis * 1_000_000;
            while (!markers.stream().allMatch(m -> Files.exists(Path.of(m)))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not all of " + markers + " started within " + maxMillis + " ms");
                }
                Thread.sleep(10);
            }
            return then.apply(in);
        };
    }

    /** Whether the attempt of {@code key} has started ({@link #markStarted}). */
    public static boolean started(Path dir, String key) {
        return Files.exists(dir.resolve(key + ".started"));
    }

    // ---------------------------------------------------------------- exceptions

    /** Throws a new {@code type(message)}; the type needs a constructor taking a single String. */
    public static TaskFunction throwing(Class<? extends Exception> type, String message) {
        return in -> {
            throw type.getConstructor(String.class).newInstance(message);
        };
    }

    /** Always throws an {@link IllegalStateException} with {@code message}. */
    public static TaskFunction alwaysFail(String message) {
        return in -> {
            throw new IllegalStateException(message);
        };
    }

    /** Throws an {@link UnserializableException}: one that Java serialization cannot write. */
    public static TaskFunction throwUnserializable(String message) {
        return in -> {
            throw new UnserializableException(message, new IOException("the root cause"));
        };
    }

    /** Throws an exception whose {@code getMessage()} (and so {@code toString()}) throws in turn. */
    public static TaskFunction throwHostile() {
        return in -> {
            throw new HostileException();
        };
    }

    /** Recurses until the stack overflows. */
    public static TaskFunction overflowStack() {
        return in -> depth(0);
    }

    private static int depth(int n) {
        return depth(n + 1) + 1;
    }

    /**
     * Throws an exception of class {@link #WORKER_ONLY_EXCEPTION}, which the worker defines at run time in a class
     * loader of its own: the class exists in that worker JVM only, in no class path and not in the coordinator.
     */
    public static TaskFunction throwWorkerOnlyException(String message) {
        return in -> {
            Class<?> ghost = defineRenamed(GhostTemplateException.class, WORKER_ONLY_EXCEPTION);
            try {
                throw (RuntimeException) ghost.getConstructor(String.class).newInstance(message);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("cannot make the worker-only exception", e);
            }
        };
    }

    /** Returns a value of class {@link #WORKER_ONLY_VALUE}, which exists in that worker JVM only. */
    public static TaskFunction returnWorkerOnlyValue(String text) {
        return in -> defineRenamed(GhostTemplateValue.class, WORKER_ONLY_VALUE).getConstructor(String.class)
                .newInstance(text);
    }

    /**
     * Defines a copy of {@code template} named {@code newName} (of the same length, so that the class file's
     * constant pool keeps its layout) in a fresh class loader.
     */
    static Class<?> defineRenamed(Class<?> template, String newName) throws IOException {
        String oldInternal = template.getName().replace('.', '/');
        String newInternal = newName.replace('.', '/');
        if (oldInternal.length() != newInternal.length()) {
            throw new IllegalArgumentException(newName + " must be as long as " + template.getName());
        }
        byte[] bytes;
        try (InputStream in = template.getResourceAsStream(template.getSimpleName() + ".class")) {
            bytes = Objects.requireNonNull(in, "class file of " + template).readAllBytes();
        }
        byte[] from = oldInternal.getBytes(StandardCharsets.UTF_8);
        byte[] to = newInternal.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + from.length <= bytes.length; i++) {
            boolean match = true;
            for (int j = 0; j < from.length && match; j++) {
                match = bytes[i + j] == from[j];
            }
            if (match) {
                System.arraycopy(to, 0, bytes, i, to.length);
            }
        }
        return new ClassLoader(template.getClassLoader()) {
            Class<?> define() {
                return defineClass(newName, bytes, 0, bytes.length);
            }
        }.define();
    }

    // ---------------------------------------------------------------- the worker's death

    /** Calls {@code System.exit(code)}: the worker JVM exits, running its shutdown hooks. */
    public static TaskFunction exitWorker(int code) {
        return in -> {
            System.exit(code);
            return null;
        };
    }

    /** Prints its last words to both streams, then calls {@code System.exit(code)}. */
    public static TaskFunction printThenExit(String words, int code) {
        return in -> {
            System.out.println("out: " + words);
            System.err.println("err: " + words);
            System.exit(code);
            return null;
        };
    }

    /** Calls {@code Runtime.halt(code)}: the worker JVM ends at once, no hook, no finally. */
    public static TaskFunction haltWorker(int code) {
        return in -> {
            Runtime.getRuntime().halt(code);
            return null;
        };
    }

    /**
     * Sends SIGKILL to its own worker with {@code kill -9 PID}, after writing {@code PID KILL_INSTANT} to
     * {@code DIR/KEY.kill}, so that a test can tell when the worker died.
     */
    public static TaskFunction sigkillOwnWorker(Path dir, String key) {
        String record = dir.resolve(key + ".kill").toAbsolutePath().toString();
        return in -> {
            long pid = ProcessHandle.current().pid();
            Files.writeString(Path.of(record), pid + " " + Instant.now());
            new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor();
            Thread.sleep(60_000); // the signal may take a moment; never return
            throw new IllegalStateException("still alive after kill -9");
        };
    }

    /** What {@link #sigkillOwnWorker} wrote: the worker's pid and the instant just before it sent the signal. */
    public static KillRecord readKillRecord(Path dir, String key) throws IOException {
        String[] parts = Files.readString(dir.resolve(key + ".kill")).strip().split(" ");
        return new KillRecord(Long.parseLong(parts[0]), Instant.parse(parts[1]));
    }

    /** A worker killed by its own task, and when. */
    public record KillRecord(long pid, Instant killedAt) {
    }

    /**
     * Allocates megabyte blocks and keeps them until the heap is exhausted; workers run with
     * {@code -XX:+ExitOnOutOfMemoryError}, so the worker dies.
     */
    public static TaskFunction exhaustHeap() {
        return in -> {
            List<byte[]> hoard = new ArrayList<>();
            while (true) {
                hoard.add(new byte[1 << 20]);
            }
        };
    }

    // ---------------------------------------------------------------- hangs

    /** Sleeps forever (until interrupted or killed). */
    public static TaskFunction sleepForever() {
        return in -> {
            Thread.sleep(Long.MAX_VALUE);
            return null;
        };
    }

    /** Loops forever, swallowing every interrupt: only killing its worker stops it. */
    public static TaskFunction ignoreInterrupts() {
        return in -> {
            long ignored = 0;
            while (ignored >= 0) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    ignored++;
                }
            }
            return ignored;
        };
    }

    // ---------------------------------------------------------------- output and results

    /** Prints {@code lines} lines ("line 0", "line 1", ...) to standard output, then returns {@code lines}. */
    public static TaskFunction floodStdout(int lines) {
        return in -> {
            for (int i = 0; i < lines; i++) {
                System.out.println("line " + i);
            }
            return lines;
        };
    }

    /** The number of bytes {@link #floodStdout} prints. */
    public static long floodBytes(int lines) {
        long total = 0;
        for (int i = 0; i < lines; i++) {
            total += ("line " + i + "\n").getBytes(StandardCharsets.UTF_8).length;
        }
        return total;
    }

    /** Returns a byte array of {@code size} bytes: about as large serialized. */
    public static TaskFunction hugeResult(int size) {
        return in -> new byte[size];
    }

    /** Returns a value that serializes in the worker but throws when the coordinator reads it. */
    public static TaskFunction returnUnreadable() {
        return in -> new UnreadableValue();
    }

    // ---------------------------------------------------------------- the soak test's values

    /** A value derived from a number: what the soak test's tasks return and what it predicts. */
    public static String mix(long n) {
        long z = n + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return "v" + Long.toHexString(z ^ (z >>> 31));
    }

    /** Sleeps {@code millis}, then returns {@link #mix} of its input parsed as a number. */
    public static TaskFunction mixInput(long millis) {
        return in -> {
            Thread.sleep(millis);
            return mix(Long.parseLong(in));
        };
    }

    // ---------------------------------------------------------------- the misbehaving classes

    /** An exception that cannot be serialized: it holds a thread. */
    public static final class UnserializableException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unused")
        private final Thread owner = Thread.currentThread();

        public UnserializableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An exception that cannot even describe itself. */
    public static final class HostileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage refuses to answer");
        }
    }

    /** Serializes fine; reading it back throws. */
    public static final class UnreadableValue implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) {
            throw new IllegalStateException("this value refuses to be read");
        }
    }

    /** Serializes {@code o} as a worker would; for tests that prove a class cannot be written. */
    public static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }
}
