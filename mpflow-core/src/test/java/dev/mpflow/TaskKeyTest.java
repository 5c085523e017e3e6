package dev.mpflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void eachOccurrenceHasAKeyOfItsOwnAndTheFirstKeepsTheKeyOfTheThreeParts() {
        String first = TaskKey.of("t", Optional.of("a"), "in");
        assertThat(TaskKey.of("t", Optional.of("a"), "in", 1)).isEqualTo(first);
        assertThat(TaskKey.of("t", Optional.of("a"), "in", 2)).isNotEqualTo(first).matches("[0-9a-f]{32}")
                .isEqualTo(TaskKey.of("t", Optional.of("a"), "in", 2))
                .isNotEqualTo(TaskKey.of("t", Optional.of("a"), "in", 3));
        // The occurrence is a part of its own, not text that could come from the input.
        assertThat(TaskKey.of("t", Optional.of("a"), "in", 2)).isNotEqualTo(TaskKey.of("t", Optional.of("a"), "in2"));
        assertThatThrownBy(() -> TaskKey.of("t", Optional.empty(), "", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("occurrence must be at least 1, was 0");
    }

    @Test
    void aResultsKeyIsThatOfItsOccurrence() {
        TaskResult second = new TaskResult("t", Optional.of("a"), "in", TaskStatus.SUCCEEDED, 1, Optional.empty(), 1,
                7, java.time.Instant.EPOCH, java.time.Instant.EPOCH, "", "", 2, 0);
        assertThat(second.key()).isEqualTo(TaskKey.of("t", Optional.of("a"), "in", 2));
    }

    @Test
    void aResultsKeyIsItsTasksKey() {
        TaskResult r = new TaskResult("t", Optional.of("a"), "in", TaskStatus.SUCCEEDED, 1, Optional.empty(), 1, 7,
                java.time.Instant.EPOCH, java.time.Instant.EPOCH, "", "");
        assertThat(r.key()).isEqualTo(TaskKey.of("t", Optional.of("a"), "in"));
    }
}
