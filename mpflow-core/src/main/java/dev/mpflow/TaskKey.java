package dev.mpflow;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The identity of a task across runs: a hash of its name, its agent (for a job that runs one agent, or the last
 * agent of a pipeline), its input and its occurrence. A reordered or extended list of tasks keeps each task's key,
 * which is what lets a resumed run skip exactly the tasks that were done.
 *
 * <p>The same name, agent and input may be given more than once in a run (the same input line twice, as xargs and
 * GNU parallel allow): each time is a task of its own, told apart by its occurrence, 1 for the first time in the run,
 * 2 for the second, and so on. A run that is resumed counts again from its start, so its n-th occurrence is the same
 * task as the n-th before. The first occurrence's key is that of the name, agent and input alone.
 */
public final class TaskKey {
    /** One digest per thread: looking one up costs more than hashing a short key, and keys are taken by the million. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    private TaskKey() {
    }

    /** The key of a task's first occurrence: 32 lower-case hex digits (half a SHA-256 of the three parts). */
    public static String of(String task, Optional<String> agent, String input) {
        return of(task, agent, input, 1);
    }

    /**
     * The key of a task's {@code occurrence}-th occurrence in its run: 32 lower-case hex digits (half a SHA-256 of
     * the parts). The first occurrence's is {@link #of(String, Optional, String)}; each later one has a key of its
     * own.
     *
     * @throws IllegalArgumentException when {@code occurrence} is less than 1
     */
    public static String of(String task, Optional<String> agent, String input, int occurrence) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(input, "input");
        if (occurrence < 1) {
            throw new IllegalArgumentException("occurrence must be at least 1, was " + occurrence);
        }
        MessageDigest sha = SHA_256.get();
        sha.reset();
        update(sha, task);
        update(sha, agent.orElse("\u0000none"));
        update(sha, input);
        if (occurrence > 1) {
            // A fourth part only for later occurrences, so that first occurrences keep the keys runs already hold.
            update(sha, Integer.toString(occurrence));
        }
        byte[] digest = sha.digest();
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    /** Length first, so that no two different lists of parts hash the same bytes. */
    private static void update(MessageDigest sha, String part) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) ':');
        sha.update(bytes);
    }
}
