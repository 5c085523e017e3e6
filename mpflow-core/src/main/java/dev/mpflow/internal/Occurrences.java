package dev.mpflow.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts how often each task identity has been given in a run, so that the n-th time the same task comes is a task
 * of its own (its {@link dev.mpflow.TaskKey} says which occurrence it is).
 *
 * <p>A run may have millions of tasks, so identities are remembered as 64-bit hashes, not as strings: an
 * open-addressing table of longs holds those seen once (about 11 bytes each at its fullest, 21 just after it
 * grows), and a map holds the counts of the few seen more often. Two identities whose hashes are equal (a few
 * chances in a million for ten million tasks) would be counted as one: the later task would then have a key of a later
 * occurrence, still one of its own, so no result is lost; only a reordering of the two would change their keys.
 *
 * <p>Thread-safe.
 */
final class Occurrences {
    private static final int INITIAL_CAPACITY = 1 << 10;

    /** The hashes seen, 0 marking a free slot; the hash 0 itself is kept in {@link #zeroSeen}. */
    private long[] table = new long[INITIAL_CAPACITY];
    private int size;
    private boolean zeroSeen;
    /** How often each hash seen more than once has been seen. */
    private final Map<Long, Integer> repeated = new HashMap<>();

    /**
     * A 64-bit hash of a task's identity (name, agent, input): cheap, as it is taken for every task submitted. Its
     * collisions only give a task a later occurrence (see above), never another task's key.
     */
    static long identityHash(String task, java.util.Optional<String> agent, String input) {
        long h = 0xcbf29ce484222325L;
        h = mix(h, task);
        h = mix(h, agent.orElse("\u0000none"));
        h = mix(h, input);
        return h;
    }

    /** FNV-1a over the characters, then the length, so that no two different lists of parts run together. */
    private static long mix(long h, String part) {
        for (int i = 0; i < part.length(); i++) {
            h = (h ^ part.charAt(i)) * 0x100000001b3L;
        }
        h = (h ^ part.length()) * 0x100000001b3L;
        return h ^ (h >>> 29);
    }

    /** Records one more occurrence of the identity with this hash and says which it is: 1 for the first. */
    synchronized int next(long hash) {
        if (!add(hash)) {
            return repeated.merge(hash, 2, (count, two) -> count + 1);
        }
        return 1;
    }

    /** Adds the hash to the table; false when it was there already. */
    private boolean add(long hash) {
        if (hash == 0) {
            boolean first = !zeroSeen;
            zeroSeen = true;
            return first;
        }
        int mask = table.length - 1;
        for (int i = slot(hash, mask); ; i = (i + 1) & mask) {
            if (table[i] == hash) {
                return false;
            }
            if (table[i] == 0) {
                table[i] = hash;
                // At most three quarters full, so that a probe ends soon.
                if (++size * 4L > table.length * 3L) {
                    grow();
                }
                return true;
            }
        }
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        int mask = table.length - 1;
        for (long hash : old) {
            if (hash != 0) {
                int i = slot(hash, mask);
                while (table[i] != 0) {
                    i = (i + 1) & mask;
                }
                table[i] = hash;
            }
        }
    }

    private static int slot(long hash, int mask) {
        // The hash is a hash already; mix it anyway in case its low bits are not spread.
        long x = hash * 0x9E3779B97F4A7C15L;
        return (int) (x ^ (x >>> 32)) & mask;
    }
}
