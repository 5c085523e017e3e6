package dev.mpflow.cli.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void decimalAndBinaryUnits() {
        assertThat(Sizes.parse("0B")).isZero();
        assertThat(Sizes.parse("500B")).isEqualTo(500);
        assertThat(Sizes.parse("500KB")).isEqualTo(500_000);
        assertThat(Sizes.parse("1MB")).isEqualTo(1_000_000);
        assertThat(Sizes.parse("2GB")).isEqualTo(2_000_000_000L);
        assertThat(Sizes.parse("1TB")).isEqualTo(1_000_000_000_000L);
        assertThat(Sizes.parse("1KiB")).isEqualTo(1024);
        assertThat(Sizes.parse("64MiB")).isEqualTo(64L << 20);
        assertThat(Sizes.parse("3GiB")).isEqualTo(3L << 30);
        assertThat(Sizes.parse("1TiB")).isEqualTo(1L << 40);
    }

    @Test
    void spacesCaseAndFractions() {
        assertThat(Sizes.parse(" 10 mb ")).isEqualTo(10_000_000);
        assertThat(Sizes.parse("1.5MB")).isEqualTo(1_500_000);
        assertThat(Sizes.parse("0.5KiB")).isEqualTo(512);
        assertThat(Sizes.parse("1.0005KB")).isEqualTo(1001);
    }

    @Test
    void zeroNeedsNoUnit() {
        assertThat(Sizes.parse("0")).isZero();
        assertThat(Sizes.parse(" 0.0 ")).isZero();
    }

    @Test
    void aMissingUnitIsAnError() {
        assertThatThrownBy(() -> Sizes.parse("1024")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"1024\" is not a size: the unit is required, such as 500KB, 1MB or 64MiB");
    }

    @Test
    void anUnknownUnitIsAnError() {
        assertThatThrownBy(() -> Sizes.parse("1M")).hasMessage(
                "\"1M\" is not a size: the unit must be B, KB, MB, GB, TB, KiB, MiB, GiB or TiB");
        assertThatThrownBy(() -> Sizes.parse("5 parsecs")).hasMessage(
                "\"5 parsecs\" is not a size: the unit must be B, KB, MB, GB, TB, KiB, MiB, GiB or TiB");
    }

    @Test
    void somethingElseIsAnError() {
        assertThatThrownBy(() -> Sizes.parse("")).hasMessage(
                "\"\" is not a size: use a number and a unit, such as 500KB, 1MB or 64MiB");
        assertThatThrownBy(() -> Sizes.parse("-1MB")).hasMessage(
                "\"-1MB\" is not a size: use a number and a unit, such as 500KB, 1MB or 64MiB");
        assertThatThrownBy(() -> Sizes.parse("MB")).hasMessage(
                "\"MB\" is not a size: use a number and a unit, such as 500KB, 1MB or 64MiB");
    }

    @Test
    void tooLarge() {
        assertThatThrownBy(() -> Sizes.parse("9000000TiB")).hasMessage("\"9000000TiB\" is too large a size");
    }

    @Test
    void formatAndDescribe() {
        assertThat(Sizes.format(64L << 20)).isEqualTo("64MiB");
        assertThat(Sizes.format(1536)).isEqualTo("1536B");
        assertThat(Sizes.format(0)).isEqualTo("0B");
        assertThat(Sizes.parse(Sizes.format(3L << 30))).isEqualTo(3L << 30);
        assertThat(Sizes.describe(1)).isEqualTo("1 byte");
        assertThat(Sizes.describe(Integer.MAX_VALUE)).isEqualTo("2147483647 bytes");
        assertThat(Sizes.describe(1L << 20)).isEqualTo("1MiB");
    }
}
