package dev.mpflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mpflow.Task;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The end of a run's tasks, as the progress bar learns of it. */
class TaskFeedTest {
    private static Task task(String name) {
        return Task.builder(name).input(name).build();
    }

    @Test
    void theEndOfTheTasksIsToldOnceWithHowManyWereTaken() {
        TaskFeed feed = new TaskFeed(stopped -> List.of(task("a"), task("b"), task("c")));
        List<Long> told = new ArrayList<>();
        feed.whenEnded(told::add);

        Iterator<Task> it = feed.iterator();
        while (it.hasNext()) {
            it.next();
            assertThat(told).isEmpty();
        }
        assertThat(it.hasNext()).isFalse();
        assertThat(told).containsExactly(3L);
    }

    @Test
    void tasksThatEndByAFailureOrAStopHaveNoKnownEnd() {
        TaskFeed failing = new TaskFeed(stopped -> () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                throw new IllegalStateException("stdin:1: not valid UTF-8");
            }

            @Override
            public Task next() {
                throw new AssertionError();
            }
        });
        List<Long> told = new ArrayList<>();
        failing.whenEnded(told::add);
        assertThat(failing.iterator().hasNext()).isFalse();

        TaskFeed stoppedFeed = new TaskFeed(stopped -> List.of(task("a")));
        stoppedFeed.whenEnded(told::add);
        stoppedFeed.stop();
        assertThat(stoppedFeed.iterator().hasNext()).isFalse();

        assertThat(told).isEmpty();
        assertThat(failing.failure()).isPresent();
    }
}
