package dev.mpflow.cli.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
    private static final List<String> FIELDS = List.of("name", "command", "maxWorkers", "maxDelay");

    @Test
    void distanceCountsEdits() {
        assertThat(DidYouMean.distance("comand", "command")).isEqualTo(1);
        assertThat(DidYouMean.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(DidYouMean.distance("", "abc")).isEqualTo(3);
        assertThat(DidYouMean.distance("same", "same")).isZero();
    }

    @Test
    void suggestsTheClosestWithinTwoEdits() {
        assertThat(DidYouMean.suggest("comand", FIELDS)).contains("command");
        assertThat(DidYouMean.suggest("maxWorker", FIELDS)).contains("maxWorkers");
        assertThat(DidYouMean.suggest("nmae", FIELDS)).contains("name");
    }

    @Test
    void caseDifferencesAlwaysMatch() {
        assertThat(DidYouMean.suggest("MAXWORKERS", FIELDS)).contains("maxWorkers");
    }

    @Test
    void nothingCloseMeansNoSuggestion() {
        assertThat(DidYouMean.suggest("colour", FIELDS)).isEmpty();
    }
}
