package dev.mpflow.store.sqlite;

import dev.mpflow.spi.MaskingLoggers;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * Which runs of a store are live, that is being run by a process that is still alive.
 *
 * <p>The process running a run holds an operating-system lock ({@link FileChannel#tryLock()}) on a file of that
 * run, {@code RUN_ID.lock} in a hidden directory beside the store ({@code .runs.db.locks} for {@code runs.db}),
 * from before the run starts or resumes until its store is closed. The system releases the lock when the process
 * dies, however it dies (SIGKILL included), so a run whose row still says {@code running} but whose lock is free
 * is one whose process died. Whoever wants to resume or delete a run takes the same lock first: a free one is
 * theirs, which is what makes two processes racing for one run never both win.
 *
 * <p>The file says who holds it ({@code PID HOST}), for messages. Its holder deletes it when the run ends. Opening
 * a run's file and locking it, and deleting it, are done under a short lock on the directory's {@code guard} file:
 * a process that opened the file just before its holder deleted it would otherwise lock a file nobody else can see,
 * beside the new one of a third process, and both would win. The guard file stays; the run files go.
 *
 * <p>POSIX releases a process's locks on a file when it closes any channel to that file, so this JVM never opens a
 * second channel to a file it holds: the files held here are kept in one map for the whole JVM, which also settles
 * races between stores of this JVM. On a file system without locks, or a directory that cannot be written, every
 * run is taken as not live (and a claim holds nothing), as before runs were claimed; a debug line says so.
 */
final class RunLocks {
    private static final Logger log = MaskingLoggers.of(RunLocks.class);

    /** Run ids used as file names as they are; any other is named by its hash. */
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    /** How long a claim or a release waits for another process to let go of the guard, at most. */
    private static final long GUARD_WAIT_MILLIS = 10_000;
    /** One monitor per guard file: a JVM must not lock one file twice (that throws), so its threads take turns. */
    private static final ConcurrentHashMap<Path, Object> GUARDS = new ConcurrentHashMap<>();
    /** The lock files this JVM holds (or is taking), by path. */
    private static final ConcurrentHashMap<Path, Claim> HELD = new ConcurrentHashMap<>();

    private static volatile String hostName;

    private final Path directory;

    /** The locks of the runs of the store at {@code storeFile} (absolute). */
    RunLocks(Path storeFile) {
        this.directory = storeFile.resolveSibling("." + storeFile.getFileName() + ".locks");
    }

    /** The hidden directory holding the lock files. */
    Path directory() {
        return directory;
    }

    /** The lock file of {@code runId}. */
    Path file(String runId) {
        Objects.requireNonNull(runId, "runId");
        return directory.resolve((PLAIN_ID.matcher(runId).matches() ? runId : "run-" + sha256(runId)) + ".lock");
    }

    /** What {@link #tryClaim} found: the claim, or who holds the run. */
    sealed interface Outcome permits Claim, Holder {
    }

    /**
     * A live run's holder.
     *
     * @param pid its process, or -1 when the file does not say (yet)
     * @param host that process's host, or {@code null} when unknown
     */
    record Holder(String runId, long pid, String host) implements Outcome {
    }

    /** Takes the lock of {@code runId} if it is free; otherwise says who holds it. Never waits for a run. */
    Outcome tryClaim(String runId) {
        Path file = file(runId);
        Claim claim = new Claim(this, file);
        if (HELD.putIfAbsent(file, claim) != null) {
            return new Holder(runId, ProcessHandle.current().pid(), host());
        }
        try {
            return guarded(() -> {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                try {
                    FileLock lock = channel.tryLock();
                    if (lock == null) {
                        HELD.remove(file, claim);
                        return holder(runId, channel);
                    }
                    channel.truncate(0);
                    channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + " " + host())
                            .getBytes(StandardCharsets.UTF_8)), 0);
                    claim.hold(channel, lock);
                    return claim;
                } finally {
                    // Unless it is the claim's now: a channel to a file locked elsewhere, or one that failed.
                    if (!claim.holds(channel)) {
                        channel.close();
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            log.debug("run {}: cannot lock {} ({}); the run is taken as not live elsewhere", runId, file,
                    SqliteSupport.oneLine(e));
            return claim;
        }
    }

    /**
     * Whether any run of the store is live: held by this JVM, or by another process (its file locked). Looks only,
     * under the guard; a file it tries is held for that instant, so a claim of that run at the same moment may be
     * refused.
     */
    boolean anyLive() {
        if (!Files.isDirectory(directory)) {
            return false;
        }
        try {
            return guarded(() -> {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.lock")) {
                    for (Path file : files) {
                        if (HELD.containsKey(file)) {
                            return true;
                        }
                        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
                                StandardOpenOption.WRITE)) {
                            FileLock lock = channel.tryLock();
                            if (lock == null) {
                                return true;
                            }
                            lock.release();
                        } catch (NoSuchFileException e) {
                            // Deleted by its holder as the run ended.
                        }
                    }
                }
                return false;
            });
        } catch (IOException | RuntimeException e) {
            log.debug("cannot tell whether runs of {} are live ({}); taken as none", directory,
                    SqliteSupport.oneLine(e));
            return false;
        }
    }

    @FunctionalInterface
    private interface Guarded<T> {
        T run() throws IOException;
    }

    /** Runs {@code work} holding the directory's guard lock, waiting for it at most {@value #GUARD_WAIT_MILLIS} ms. */
    private <T> T guarded(Guarded<T> work) throws IOException {
        Path guard = directory.resolve("guard");
        synchronized (GUARDS.computeIfAbsent(guard, g -> new Object())) {
            Files.createDirectories(directory);
            try (FileChannel channel = FileChannel.open(guard, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GUARD_WAIT_MILLIS);
                FileLock lock;
                while ((lock = channel.tryLock()) == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("its guard " + guard + " stayed locked for " + GUARD_WAIT_MILLIS
                                + " ms");
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while waiting for " + guard, e);
                    }
                }
                try {
                    return work.run();
                } finally {
                    lock.release();
                }
            }
        }
    }

    private static Holder holder(String runId, FileChannel channel) {
        try {
            ByteBuffer bytes = ByteBuffer.allocate(512);
            while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0) {
                // Reads until the end of the file, or 512 bytes: a holder writes far fewer.
            }
            String[] fields = new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8).split(" ");
            if (fields.length == 2) {
                return new Holder(runId, Long.parseLong(fields[0]), fields[1]);
            }
        } catch (IOException | NumberFormatException e) {
            log.debug("run {}: cannot read who holds it: {}", runId, SqliteSupport.oneLine(e));
        }
        // Just taken, and not written yet.
        return new Holder(runId, -1, null);
    }

    /** This machine's name, looked up once: the same as the store records with every run. */
    private static String host() {
        String name = hostName;
        if (name == null) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                name = "unknown";
            }
            // A name with a space would not read back; none has one, but a field must not be split.
            name = name.replace(' ', '_');
            hostName = name;
        }
        return name;
    }

    private static String sha256(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * A run held by this process: until {@link #close()}, other processes see it as live. One that holds nothing
     * (the file system has no locks) still keeps the run from other claims of this JVM.
     */
    static final class Claim implements Outcome, AutoCloseable {
        private final RunLocks locks;
        private final Path file;
        private FileChannel channel;
        private FileLock lock;
        private boolean closed;

        private Claim(RunLocks locks, Path file) {
            this.locks = locks;
            this.file = file;
        }

        private synchronized void hold(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        private synchronized boolean holds(FileChannel c) {
            return channel == c;
        }

        /** Deletes the lock file, then releases the lock (under the guard: see {@link RunLocks}). Idempotent. */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (channel != null) {
                try {
                    locks.guarded(() -> {
                        Files.deleteIfExists(file);
                        release();
                        return null;
                    });
                } catch (IOException | RuntimeException e) {
                    // The file stays behind; free, it does not make the run look live.
                    log.debug("cannot delete the lock file {}: {}", file, SqliteSupport.oneLine(e));
                } finally {
                    try {
                        release();
                    } catch (IOException e) {
                        // Closing the channel released the lock in any case.
                        log.debug("closing the lock file {}: {}", file, SqliteSupport.oneLine(e));
                    }
                }
            }
            HELD.remove(file, this);
        }

        private void release() throws IOException {
            if (channel.isOpen()) {
                try {
                    lock.release();
                } finally {
                    channel.close();
                }
            }
        }
    }
}
