package dev.mpflow.cli.workflow;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written as a number and a unit: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, also with
 * a fraction such as {@code 1.5s}. The units are {@code ms} (milliseconds), {@code s} (seconds), {@code m}
 * (minutes) and {@code h} (hours); a space between the number and the unit is allowed, a missing unit is not,
 * except for zero ({@code 0}), which is the same in every unit. Whether zero is allowed is the setting's call: a
 * timeout or a deadline must be longer than zero (none is set by leaving it out). Used by workflow files and by the command-line
 * flags alike.
 */
public final class Durations {
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");
    private static final String EXAMPLES = "such as 500ms, 30s, 5m or 2h";

    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MINUTE = 60 * NANOS_PER_SECOND;
    private static final long NANOS_PER_HOUR = 60 * NANOS_PER_MINUTE;

    private Durations() {
    }

    /**
     * Parses {@code text}, such as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h} or {@code 1.5s}. Leading and
     * trailing white space is ignored. Zero ({@code 0s}, or {@code 0} alone) is accepted; whether it makes sense is
     * the caller's call.
     *
     * @throws IllegalArgumentException when the text is not a number followed by one of the units, with a message
     *                                  that quotes the text and shows the expected form
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.strip();
        if (NUMBER.matcher(trimmed).matches()) {
            // Zero is zero in every unit: asking for one would only be in the way.
            if (new BigDecimal(trimmed).signum() == 0) {
                return Duration.ZERO;
            }
            throw new IllegalArgumentException(quoted(text) + " is not a duration: the unit is required, " + EXAMPLES);
        }
        Matcher m = NUMBER_AND_UNIT.matcher(trimmed);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    quoted(text) + " is not a duration: use a number and a unit, " + EXAMPLES);
        }
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit(m.group(2))));
        try {
            return Duration.ofNanos(nanos.setScale(0, RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(quoted(text) + " is too long a duration", e);
        }
    }

    /**
     * For a message refusing a zero {@code timeout} or {@code deadline}: how to have none (leave it out, as there is
     * none unless one is set); empty for any other setting.
     */
    public static String noneUnlessSet(String setting) {
        return setting.equals("timeout") || setting.equals("deadline")
                ? "; there is no " + setting + " unless one is set, so for none leave it out" : "";
    }

    /** Writes {@code d} in the largest unit that expresses it exactly, as {@link #parse} reads it back. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos != 0 && nanos % NANOS_PER_HOUR == 0) {
            return nanos / NANOS_PER_HOUR + "h";
        }
        if (nanos != 0 && nanos % NANOS_PER_MINUTE == 0) {
            return nanos / NANOS_PER_MINUTE + "m";
        }
        if (nanos % NANOS_PER_SECOND == 0) {
            return nanos / NANOS_PER_SECOND + "s";
        }
        BigDecimal millis = BigDecimal.valueOf(nanos).movePointLeft(6).stripTrailingZeros();
        return millis.toPlainString() + "ms";
    }

    private static long nanosPerUnit(String unit) {
        return switch (unit) {
            case "ms" -> NANOS_PER_MILLI;
            case "s" -> NANOS_PER_SECOND;
            case "m" -> NANOS_PER_MINUTE;
            case "h" -> NANOS_PER_HOUR;
            default -> throw new IllegalStateException("unit " + unit);
        };
    }

    private static String quoted(String text) {
        return '"' + text + '"';
    }
}
