package dev.mpflow;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The identity of a task across runs: a hash of its name, its agent (for a job that runs one agent, or the last
 * agent of a pipeline) and its input. A reordered or extended list of tasks keeps each task's key, which is what
 * lets a resumed run skip exactly the tasks that were done.
 */
public final class TaskKey {
    private TaskKey() {
    }

    /** The key: 32 lower-case hex digits (the first half of a SHA-256 of the three parts). */
    public static String of(String task, Optional<String> agent, String input) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(input, "input");
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        // Lengths first, so that no two different triples hash the same bytes.
        for (String part : new String[] {task, agent.orElse("\u0000none"), input}) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) ':');
            sha.update(bytes);
        }
        byte[] digest = sha.digest();
        return HexFormat.of().formatHex(digest, 0, 16);
    }
}
