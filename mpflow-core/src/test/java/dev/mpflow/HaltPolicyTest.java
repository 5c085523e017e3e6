package dev.mpflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** When a halt policy with a share triggers: against the run's total when known, else from the 10th result on. */
class HaltPolicyTest {
    private static final OptionalLong UNKNOWN = OptionalLong.empty();
    private final HaltPolicy tenPercent = HaltPolicy.parse("soon,fail=10%");

    @Test
    void aShareOfResultsSoFarIsJudgedFromTheTenthResultOn() {
        assertThat(HaltPolicy.MIN_RESULTS_FOR_SHARE).isEqualTo(10);
        assertThat(tenPercent.triggers(2, 9, UNKNOWN)).isFalse();
        assertThat(tenPercent.triggers(2, 10, UNKNOWN)).isTrue();
        assertThat(tenPercent.triggers(1, 10, UNKNOWN)).isTrue();
        assertThat(tenPercent.triggers(1, 11, UNKNOWN)).isFalse();
        assertThat(tenPercent.triggers(3, 30, UNKNOWN)).isTrue();
        assertThat(tenPercent.triggers(2, 30, UNKNOWN)).isFalse();
    }

    @Test
    void aKnownTotalSmallerThanTheMinimumIsJudgedAgainstItsShareOfAllTasks() {
        assertThat(tenPercent.triggers(1, 1, OptionalLong.of(10))).isTrue();
        assertThat(tenPercent.triggers(0, 5, OptionalLong.of(10))).isFalse();
        HaltPolicy half = HaltPolicy.parse("now,fail=50%");
        assertThat(half.triggers(2, 2, OptionalLong.of(5))).isFalse();
        assertThat(half.triggers(2, 5, OptionalLong.of(5))).isFalse();
        assertThat(half.triggers(3, 3, OptionalLong.of(5))).isTrue();
    }

    @Test
    void aKnownTotalHaltsOnceTheShareOfAllTasksHasFailedBeforeTheMinimum() {
        // 10% of 30 is 3 failures, although 0.1 * 30 is 3.0000000000000004 in floating point.
        assertThat(tenPercent.triggers(3, 3, OptionalLong.of(30))).isTrue();
        assertThat(tenPercent.triggers(2, 5, OptionalLong.of(30))).isFalse();
        assertThat(tenPercent.triggers(2, 10, OptionalLong.of(30))).isTrue();
    }

    @Test
    void aCountIgnoresTheTotal() {
        HaltPolicy two = HaltPolicy.parse("now,fail=2");
        assertThat(two.triggers(1, 1, OptionalLong.of(2))).isFalse();
        assertThat(two.triggers(2, 2, UNKNOWN)).isTrue();
        assertThat(HaltPolicy.never().triggers(5, 5, OptionalLong.of(5))).isFalse();
    }
}
