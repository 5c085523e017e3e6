package dev.mpflow.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SqliteSupportTest {
    private static final DateTimeFormatter ISO_NINE_DIGITS =
            new DateTimeFormatterBuilder().appendInstant(9).toFormatter(Locale.ROOT);

    @Test
    void writesTimesWithNineFractionalDigitsInUtc() {
        assertThat(SqliteSupport.instantText(Instant.parse("2025-03-01T10:00:00.123456789Z")))
                .isEqualTo("2025-03-01T10:00:00.123456789Z");
        assertThat(SqliteSupport.instantText(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00.000000000Z");
        assertThat(SqliteSupport.instantText(Instant.parse("1969-12-31T23:59:59.999999999Z")))
                .isEqualTo("1969-12-31T23:59:59.999999999Z");
        assertThat(SqliteSupport.instantText(Instant.parse("2024-02-29T23:59:59.000000001Z")))
                .isEqualTo("2024-02-29T23:59:59.000000001Z");
    }

    @Test
    void writesEveryTimeAsTheIsoFormatterDoesAndReadsItBack() {
        Instant[] edges = {Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
            Instant.parse("-0001-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"),
            Instant.MIN, Instant.MAX};
        for (Instant t : edges) {
            assertThat(SqliteSupport.instantText(t)).as("%s", t).isEqualTo(ISO_NINE_DIGITS.format(t));
        }
        SplittableRandom random = new SplittableRandom(20261204);
        long from = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(from, to + 1), random.nextInt(1_000_000_000));
            String text = SqliteSupport.instantText(t);
            assertThat(text).as("%s", t).isEqualTo(ISO_NINE_DIGITS.format(t));
            assertThat(SqliteSupport.instant(text, Path.of("runs.db"))).isEqualTo(t);
        }
    }
}
