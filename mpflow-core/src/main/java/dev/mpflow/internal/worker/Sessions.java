package dev.mpflow.internal.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The processes of a worker's session. A worker started in a session of its own is its leader, and every process
 * its tasks start stays in it (unless it makes a session of its own), however it was started: a program that forks
 * twice leaves its parent and its worker's descendants, but not the session. Ending a worker's session ends those
 * too. Linux only (read from {@code /proc}); elsewhere a session has no members that can be found.
 */
public final class Sessions {
    private static final Path PROC = Path.of("/proc");

    private Sessions() {
    }

    /** The live processes of the session {@code sessionId} (the pid of its leader), its leader included. */
    public static List<ProcessHandle> members(long sessionId) {
        List<ProcessHandle> members = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path dir : all) {
                OptionalLong session = sessionOf(dir);
                if (session.isPresent() && session.getAsLong() == sessionId) {
                    ProcessHandle.of(Long.parseLong(dir.getFileName().toString())).ifPresent(members::add);
                }
            }
        } catch (IOException | RuntimeException e) {
            // No /proc (not Linux), or it cannot be read: nothing to find.
        }
        return members;
    }

    /**
     * Ends every process of the session {@code sessionId} but this one, at once. Twice: a process found forking
     * the first time is ended then, and its new child the second.
     */
    public static void end(long sessionId) {
        long self = ProcessHandle.current().pid();
        for (int pass = 0; pass < 2; pass++) {
            for (ProcessHandle p : members(sessionId)) {
                if (p.pid() != self) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** The session of the process of {@code /proc/PID}, or empty when it is gone or cannot be read. */
    private static OptionalLong sessionOf(Path dir) {
        try {
            String stat = new String(Files.readAllBytes(dir.resolve("stat")), StandardCharsets.US_ASCII);
            // PID (COMM) STATE PPID PGRP SESSION ...: the name may hold spaces and parentheses, so after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 5);
            return OptionalLong.of(Long.parseLong(fields[3]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
