package dev.mpflow.internal.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class data sharing for worker JVMs: the classes a worker loads, parsed once into an archive that later workers map
 * when they start, which takes a good part off a worker's start. One archive per worker set-up (the {@code java},
 * its version, the class path with each entry's size and time, the JVM options), in a directory of the user's.
 *
 * <p>While there is none, one worker of a pool records one (HotSpot's {@code -XX:ArchiveClassesAtExit}): it exits
 * normally instead of halting, so that the JVM writes what it loaded, and the pool moves the file into place once
 * the worker has gone. Only one worker records at a time, across processes, claimed by a file of its own. A JVM
 * that cannot use an archive (another version, a damaged file) starts without it and says nothing, so an archive
 * can only ever save time.
 */
final class WorkerArchive {
    private static final Logger log = LoggerFactory.getLogger(WorkerArchive.class);
    /** Tells a worker that it records an archive, so must exit normally for the JVM to write it. */
    static final String RECORDING_PROPERTY = "mpflow.worker.archive";
    /** A claim older than this belongs to a recording that died with its process. */
    private static final Duration STALE_CLAIM = Duration.ofMinutes(2);
    /** How many archives are kept in the directory. */
    private static final int KEPT = 8;
    private static final List<String> QUIET = List.of("-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off");

    private final Path archive;
    private final Path claim;
    private boolean claimed;

    private WorkerArchive(Path archive) {
        this.archive = archive;
        this.claim = archive.resolveSibling(archive.getFileName() + ".recording");
    }

    /**
     * The archive for workers started with this set-up in {@code directory}, or empty when workers run another JVM
     * than this one (its options may not be understood) or the directory cannot be made.
     */
    static Optional<WorkerArchive> of(Path directory, String javaCommand, String classPath, List<String> jvmOptions) {
        Path thisJava = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            String vm = System.getProperty("java.vm.name", "");
            boolean hotspot = vm.contains("HotSpot") || vm.contains("OpenJDK");
            if (!hotspot || !Files.isSameFile(Path.of(javaCommand), thisJava)) {
                return Optional.empty();
            }
            Files.createDirectories(directory);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            update(sha, thisJava.toRealPath().toString());
            update(sha, System.getProperty("java.vm.version", ""));
            for (String entry : classPath.split(java.io.File.pathSeparator)) {
                Path p = Path.of(entry);
                if (Files.isDirectory(p)) {
                    // HotSpot refuses to start, recording, with a class path directory that has files in it;
                    // and what is in one can change unseen.
                    return Optional.empty();
                }
                update(sha, entry);
                if (Files.isRegularFile(p)) {
                    update(sha, Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
                }
            }
            jvmOptions.forEach(o -> update(sha, o));
            String name = "worker-" + HexFormat.of().formatHex(sha.digest(), 0, 12) + ".jsa";
            return Optional.of(new WorkerArchive(directory.resolve(name)));
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            log.debug("no class data sharing for workers: {}", e.toString());
            return Optional.empty();
        }
    }

    private static void update(MessageDigest sha, String part) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    Path path() {
        return archive;
    }

    /** Where worker {@code id} of this process records the archive, beside it so that it can be moved in whole. */
    Path recordingFor(int id) {
        return archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + "-" + id + ".tmp");
    }

    /**
     * The options for the next worker: the archive, if there is one; else, for one worker at a time, those that
     * record it into {@code recording}; else none beyond the quiet ones. Must be called under the pool's lock.
     */
    List<String> optionsForNextWorker(Path recording) {
        List<String> options = new ArrayList<>(QUIET);
        if (Files.isRegularFile(archive)) {
            options.add("-XX:SharedArchiveFile=" + archive);
        } else if (claim()) {
            options.add("-XX:ArchiveClassesAtExit=" + recording);
            options.add("-D" + RECORDING_PROPERTY + "=" + recording);
        }
        return options;
    }

    /** Whether a worker started with {@code options} records the archive. */
    static boolean records(List<String> options) {
        return options.stream().anyMatch(o -> o.startsWith("-D" + RECORDING_PROPERTY + "="));
    }

    private boolean claim() {
        if (claimed) {
            return false;
        }
        try {
            Files.createFile(claim);
            claimed = true;
            return true;
        } catch (FileAlreadyExistsException e) {
            try {
                FileTime at = Files.getLastModifiedTime(claim);
                if (at.toInstant().isBefore(Instant.now().minus(STALE_CLAIM))) {
                    Files.deleteIfExists(claim);
                }
            } catch (IOException ignored) {
                // Another process just took it or gave it up.
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Keeps the {@value #KEPT} newest archives: each build of an application makes one of its own. */
    private void pruneOthers() throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(archive.getParent())) {
            List<Path> all = new ArrayList<>(files.filter(f -> f.getFileName().toString().matches("worker-[0-9a-f]+\\.jsa"))
                    .toList());
            all.sort(java.util.Comparator.comparing((Path f) -> {
                try {
                    return Files.getLastModifiedTime(f);
                } catch (IOException e) {
                    return FileTime.fromMillis(0);
                }
            }).reversed());
            for (Path old : all.subList(Math.min(KEPT, all.size()), all.size())) {
                Files.deleteIfExists(old);
            }
        }
    }

    /**
     * The recording worker has gone: its archive, if the JVM wrote one (it does when the worker exits normally), is
     * moved into place; the claim is given up either way.
     */
    void recordingEnded(Path recording) {
        try {
            if (Files.isRegularFile(recording) && Files.size(recording) > 0) {
                try {
                    Files.move(recording, archive, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(recording, archive, StandardCopyOption.REPLACE_EXISTING);
                }
                log.debug("workers will start from class data archive {}", archive);
                pruneOthers();
            } else {
                Files.deleteIfExists(recording);
            }
        } catch (IOException e) {
            log.debug("cannot keep class data archive {}: {}", archive, e.toString());
        } finally {
            try {
                Files.deleteIfExists(claim);
            } catch (IOException ignored) {
                // A stale claim is taken over later.
            }
            claimed = false;
        }
    }
}
