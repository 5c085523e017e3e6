package dev.mpflow.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mpflow.RetrySettings;
import dev.mpflow.internal.Job;
import dev.mpflow.internal.WorkDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AttemptQueueTest {
    private static final WorkDefinition WORK = new WorkDefinition(1, new byte[0]);
    private final AttemptQueue queue = new AttemptQueue();

    private static PendingAttempt attempt(long sequence, int priority) {
        return new PendingAttempt(sequence, Job.task("t" + sequence, Optional.empty(), "", priority, sequence,
                Optional.empty(), RetrySettings.DEFAULT, WORK, 1), 1, null);
    }

    private List<Long> drainInOrder() {
        List<Long> order = new ArrayList<>();
        PendingAttempt a;
        while ((a = queue.poll()) != null) {
            order.add(a.job.sequence());
        }
        return order;
    }

    @Test
    void higherPriorityFirstThenSubmissionOrder() {
        queue.add(attempt(1, 0));
        queue.add(attempt(2, 5));
        queue.add(attempt(3, 0));
        queue.add(attempt(4, 5));
        queue.add(attempt(5, -1));
        assertThat(queue.size()).isEqualTo(5);
        assertThat(drainInOrder()).containsExactly(2L, 4L, 1L, 3L, 5L);
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void attemptsThatComeBackKeepTheirJobsPlace() {
        for (long s = 10; s <= 14; s++) {
            queue.add(attempt(s, 0));
        }
        queue.add(attempt(7, 0)); // a retry of an older job
        queue.add(attempt(12, 0)); // an attempt taken back from a worker, between others
        queue.add(attempt(3, 0));
        queue.add(attempt(15, 0));
        assertThat(drainInOrder()).containsExactly(3L, 7L, 10L, 11L, 12L, 12L, 13L, 14L, 15L);
    }

    @Test
    void drainEmptiesEveryLevel() {
        queue.add(attempt(1, 0));
        queue.add(attempt(2, 3));
        queue.add(attempt(0, 3));
        assertThat(queue.drain()).extracting(a -> a.job.sequence()).containsExactlyInAnyOrder(0L, 1L, 2L);
        assertThat(queue.size()).isZero();
        assertThat(queue.poll()).isNull();
    }
}
