package dev.mpflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TaskKeyTest {

    @Test
    void sameTaskAgentAndInputGiveTheSameKeyEveryTime() {
        assertThat(TaskKey.of("t", Optional.of("a"), "in")).isEqualTo(TaskKey.of("t", Optional.of("a"), "in"))
                .matches("[0-9a-f]{32}");
    }

    @Test
    void anyDifferenceGivesAnotherKeyEvenWhenTheConcatenationIsTheSame() {
        String base = TaskKey.of("ab", Optional.of("c"), "d");
        assertThat(TaskKey.of("a", Optional.of("bc"), "d")).isNotEqualTo(base);
        assertThat(TaskKey.of("ab", Optional.of("cd"), "")).isNotEqualTo(base);
        assertThat(TaskKey.of("ab", Optional.empty(), "d")).isNotEqualTo(base);
        assertThat(TaskKey.of("ab", Optional.empty(), "d")).isNotEqualTo(TaskKey.of("ab", Optional.of(""), "d"));
    }

    @Test
    void aResultsKeyIsItsTasksKey() {
        TaskResult r = new TaskResult("t", Optional.of("a"), "in", TaskStatus.SUCCEEDED, 1, Optional.empty(), 1, 7,
                java.time.Instant.EPOCH, java.time.Instant.EPOCH, "", "");
        assertThat(r.key()).isEqualTo(TaskKey.of("t", Optional.of("a"), "in"));
    }
}
