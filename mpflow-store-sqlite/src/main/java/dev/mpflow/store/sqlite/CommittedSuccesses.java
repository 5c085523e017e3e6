package dev.mpflow.store.sqlite;

import dev.mpflow.spi.CompletedTasks;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The committed successes of one run, as {@link SqliteResultStore#completedTasks} found them: what a resumed run
 * skips; and the keys of its committed results that are not successes, which are all that retrying its failed
 * tasks runs. Only the keys are held in memory, 16 bytes each, so that a run of millions of tasks resumes in little
 * memory; a value is read from the store when asked for, which happens once per skipped task. Immutable
 * once built, and so safe for use by several threads.
 */
final class CommittedSuccesses implements CompletedTasks {
    /** Reads the committed value of a task of the run, by key: its text, or the bytes of a {@code byte[]}. */
    interface ValueReader {
        Optional<Object> value(String key);
    }

    private final KeySet keys;
    private final Map<String, Optional<String>> heldValues;
    private final KeySet failures;
    private final ValueReader reader;

    private CommittedSuccesses(KeySet keys, Map<String, Optional<String>> heldValues, KeySet failures,
            ValueReader reader) {
        this.keys = keys;
        this.heldValues = Map.copyOf(heldValues);
        this.failures = failures;
        this.reader = reader;
    }

    /** How many tasks succeeded. */
    int size() {
        return keys.size() + heldValues.size();
    }

    @Override
    public boolean contains(String key) {
        Objects.requireNonNull(key, "key");
        return keys.contains(key) || heldValues.containsKey(key);
    }

    @Override
    public boolean failed(String key) {
        Objects.requireNonNull(key, "key");
        return failures.contains(key);
    }

    @Override
    public Optional<String> valueText(String key) {
        return value(key).map(v -> v instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes)
                : v.toString());
    }

    @Override
    public Optional<Object> value(String key) {
        Objects.requireNonNull(key, "key");
        Optional<String> held = heldValues.get(key);
        if (held != null) {
            return held.map(Object.class::cast);
        }
        return keys.contains(key) ? reader.value(key) : Optional.empty();
    }

    /** Collects the successes of a run. */
    static final class Builder {
        private final KeySet keys = new KeySet();
        private final Map<String, Optional<String>> heldValues = new HashMap<>();
        private final KeySet failures = new KeySet();

        /** A success whose value the store can look up by {@code key}. */
        void add(String key) {
            keys.add(key);
        }

        /** A success the store cannot look up by key (a row without one): its value is kept here. */
        void addWithValue(String key, Optional<String> valueText) {
            heldValues.put(key, valueText);
        }

        /** A task whose committed final result is not a success. */
        void addFailure(String key) {
            failures.add(key);
        }

        CommittedSuccesses build(ValueReader reader) {
            return new CommittedSuccesses(keys, heldValues, failures, reader);
        }
    }

    /**
     * A set of task keys. Keys in {@link dev.mpflow.TaskKey}'s form, 32 lower-case hex digits, are kept as two
     * longs in an open-addressing table; anything else (not expected) in a plain set.
     */
    static final class KeySet {
        private static final int KEY_LENGTH = 32;

        private long[] high = new long[16];
        private long[] low = new long[16];
        private boolean[] used = new boolean[16];
        private int size;
        private final Set<String> others = new HashSet<>();

        void add(String key) {
            if (!isHexKey(key)) {
                others.add(key);
                return;
            }
            if ((size + 1) * 2 > used.length) {
                grow();
            }
            if (insert(high, low, used, hex(key, 0), hex(key, 16))) {
                size++;
            }
        }

        boolean contains(String key) {
            if (!isHexKey(key)) {
                return others.contains(key);
            }
            long h = hex(key, 0);
            long l = hex(key, 16);
            int mask = used.length - 1;
            for (int i = slot(h, mask); used[i]; i = (i + 1) & mask) {
                if (high[i] == h && low[i] == l) {
                    return true;
                }
            }
            return false;
        }

        int size() {
            return size + others.size();
        }

        private void grow() {
            int capacity = used.length * 2;
            long[] h = new long[capacity];
            long[] l = new long[capacity];
            boolean[] u = new boolean[capacity];
            for (int i = 0; i < used.length; i++) {
                if (used[i]) {
                    insert(h, l, u, high[i], low[i]);
                }
            }
            high = h;
            low = l;
            used = u;
        }

        private static boolean insert(long[] high, long[] low, boolean[] used, long h, long l) {
            int mask = used.length - 1;
            int i = slot(h, mask);
            while (used[i]) {
                if (high[i] == h && low[i] == l) {
                    return false;
                }
                i = (i + 1) & mask;
            }
            used[i] = true;
            high[i] = h;
            low[i] = l;
            return true;
        }

        private static int slot(long h, int mask) {
            // The key is a hash already; mix anyway in case a caller's keys are not.
            long x = h * 0x9E3779B97F4A7C15L;
            return (int) (x ^ (x >>> 32)) & mask;
        }

        private static boolean isHexKey(String key) {
            if (key.length() != KEY_LENGTH) {
                return false;
            }
            for (int i = 0; i < KEY_LENGTH; i++) {
                char c = key.charAt(i);
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                    return false;
                }
            }
            return true;
        }

        private static long hex(String key, int from) {
            return Long.parseUnsignedLong(key, from, from + 16, 16);
        }
    }
}
