package dev.mpflow.cli.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @Test
    void parsesEachUnitExactly() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void acceptsFractionsSpacesAndZero() {
        assertThat(Durations.parse("0.25ms")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(Durations.parse("1.25h")).isEqualTo(Duration.ofMinutes(75));
        assertThat(Durations.parse(" 250 ms ")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void zeroNeedsNoUnit() {
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse(" 00.0 ")).isEqualTo(Duration.ZERO);
    }

    @Test
    void rejectsAnUnknownUnit() {
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parse("5 parsecs"))
                .withMessage("\"5 parsecs\" is not a duration: use a number and a unit, such as 500ms, 30s, 5m or 2h");
    }

    @Test
    void rejectsABareNumberSayingTheUnitIsRequired() {
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parse("30"))
                .withMessage("\"30\" is not a duration: the unit is required, such as 500ms, 30s, 5m or 2h");
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parse("1.5"))
                .withMessage("\"1.5\" is not a duration: the unit is required, such as 500ms, 30s, 5m or 2h");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "-5s", "5", "5 m s", "1e3s", "5M", "5sec", ".5s", "5.s", "1,5s", "PT5S"})
    void rejectsMalformedText(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parse(text))
                .withMessageStartingWith("\"" + text + "\" is not a duration: ");
    }

    @Test
    void rejectsADurationTooLongToHold() {
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parse("99999999999h"))
                .withMessage("\"99999999999h\" is too long a duration");
    }

    @Test
    void formatsInTheLargestExactUnit() {
        assertThat(Durations.format(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Durations.format(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofNanos(250_000))).isEqualTo("0.25ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Durations.parse(Durations.format(Duration.ofMillis(1234)))).isEqualTo(Duration.ofMillis(1234));
    }
}
