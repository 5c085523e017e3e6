package dev.mpflow.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OccurrencesTest {
    private final Occurrences occurrences = new Occurrences();

    @Test
    void countsEachHashFromOne() {
        assertThat(occurrences.next(42)).isEqualTo(1);
        assertThat(occurrences.next(7)).isEqualTo(1);
        assertThat(occurrences.next(42)).isEqualTo(2);
        assertThat(occurrences.next(42)).isEqualTo(3);
        assertThat(occurrences.next(7)).isEqualTo(2);
    }

    @Test
    void theHashZeroAndNegativeHashesCountLikeAnyOther() {
        assertThat(occurrences.next(0)).isEqualTo(1);
        assertThat(occurrences.next(0)).isEqualTo(2);
        assertThat(occurrences.next(-1)).isEqualTo(1);
        assertThat(occurrences.next(Long.MIN_VALUE)).isEqualTo(1);
        assertThat(occurrences.next(-1)).isEqualTo(2);
    }

    @Test
    void keepsCountingRightAsTheTableGrows() {
        SplittableRandom random = new SplittableRandom(4);
        List<Long> hashes = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            long h = random.nextLong();
            hashes.add(h);
            assertThat(occurrences.next(h)).isEqualTo(1);
        }
        for (long h : hashes) {
            assertThat(occurrences.next(h)).isEqualTo(2);
        }
        assertThat(occurrences.next(hashes.get(0))).isEqualTo(3);
    }
}
