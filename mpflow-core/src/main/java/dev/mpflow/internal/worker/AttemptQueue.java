package dev.mpflow.internal.worker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Attempts waiting for a worker: higher priority first, then submission order (a retry, or an attempt taken back
 * from a worker, keeps its job's place). Not thread-safe: the pool's lock guards it.
 *
 * <p>New jobs arrive in submission order, so each priority keeps them in a plain FIFO, O(1) either way; only the
 * few attempts that come back out of order (retries, attempts taken back) go through a heap, merged at the head.
 */
final class AttemptQueue {
    private static final Comparator<PendingAttempt> BY_SEQUENCE = Comparator.comparingLong(a -> a.job.sequence());

    /** By priority, highest first. */
    private final TreeMap<Integer, Level> levels = new TreeMap<>(Comparator.reverseOrder());
    private int size;

    private static final class Level {
        final ArrayDeque<PendingAttempt> inOrder = new ArrayDeque<>();
        final PriorityQueue<PendingAttempt> returned = new PriorityQueue<>(BY_SEQUENCE);

        boolean isEmpty() {
            return inOrder.isEmpty() && returned.isEmpty();
        }
    }

    void add(PendingAttempt a) {
        Level level = levels.computeIfAbsent(a.job.priority(), p -> new Level());
        PendingAttempt last = level.inOrder.peekLast();
        if (last == null || a.job.sequence() > last.job.sequence()) {
            level.inOrder.addLast(a);
        } else {
            level.returned.add(a);
        }
        size++;
    }

    /** The next attempt to run, removed; null when empty. */
    PendingAttempt poll() {
        Map.Entry<Integer, Level> first = levels.firstEntry();
        if (first == null) {
            return null;
        }
        Level level = first.getValue();
        PendingAttempt inOrder = level.inOrder.peekFirst();
        PendingAttempt returned = level.returned.peek();
        PendingAttempt next = returned == null
                || (inOrder != null && inOrder.job.sequence() < returned.job.sequence())
                ? level.inOrder.pollFirst() : level.returned.poll();
        if (level.isEmpty()) {
            levels.pollFirstEntry();
        }
        size--;
        return next;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Removes and returns every attempt, in no particular order. */
    List<PendingAttempt> drain() {
        List<PendingAttempt> all = new ArrayList<>(size);
        for (Level level : levels.values()) {
            all.addAll(level.inOrder);
            all.addAll(level.returned);
        }
        levels.clear();
        size = 0;
        return all;
    }
}
