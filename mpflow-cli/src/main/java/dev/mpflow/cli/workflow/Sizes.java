package dev.mpflow.cli.workflow;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses sizes written as a number and a unit: {@code 500B}, {@code 500KB}, {@code 1MB}, {@code 64MiB},
 * {@code 1.5GB}. Decimal units ({@code KB}, {@code MB}, {@code GB}, {@code TB}) are powers of 1000, binary units
 * ({@code KiB}, {@code MiB}, {@code GiB}, {@code TiB}) powers of 1024; {@code B} is bytes. Units are read without
 * regard to case; a space between the number and the unit is allowed, a missing unit is not, except for zero
 * ({@code 0}), which is the same in every unit. Used by workflow files and by the command-line flags alike.
 */
public final class Sizes {
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]+)");
    private static final String EXAMPLES = "such as 500KB, 1MB or 64MiB";
    private static final String UNITS = "B, KB, MB, GB, TB, KiB, MiB, GiB or TiB";

    private Sizes() {
    }

    /**
     * Parses {@code text} into a number of bytes. Leading and trailing white space is ignored; a fraction that
     * does not come to whole bytes is rounded to the nearest byte.
     *
     * @throws IllegalArgumentException when the text is not a number followed by one of the units, or is too
     *                                  large for a {@code long}, with a message that quotes the text
     */
    public static long parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.strip();
        if (NUMBER.matcher(trimmed).matches()) {
            // Zero is zero in every unit: asking for one would only be in the way.
            if (new BigDecimal(trimmed).signum() == 0) {
                return 0L;
            }
            throw new IllegalArgumentException(quoted(text) + " is not a size: the unit is required, " + EXAMPLES);
        }
        Matcher m = NUMBER_AND_UNIT.matcher(trimmed);
        if (!m.matches()) {
            throw new IllegalArgumentException(quoted(text) + " is not a size: use a number and a unit, " + EXAMPLES);
        }
        long unit = bytesPerUnit(m.group(2));
        if (unit == 0) {
            throw new IllegalArgumentException(quoted(text) + " is not a size: the unit must be " + UNITS);
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        try {
            return bytes.setScale(0, RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(quoted(text) + " is too large a size", e);
        }
    }

    /** Writes {@code bytes} in the largest binary unit that expresses it exactly, as {@link #parse} reads it back. */
    public static String format(long bytes) {
        String[] units = {"TiB", "GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (units.length - i));
            if (bytes != 0 && bytes % unit == 0) {
                return bytes / unit + units[i];
            }
        }
        return bytes + "B";
    }

    /** {@code bytes} for a message: {@code 64MiB} when a binary unit expresses it exactly, else {@code 1000 bytes}. */
    public static String describe(long bytes) {
        String formatted = format(bytes);
        if (formatted.endsWith("iB")) {
            return formatted;
        }
        return bytes == 1 ? "1 byte" : bytes + " bytes";
    }

    /** The bytes in one {@code unit}, or 0 when it is not a unit. */
    private static long bytesPerUnit(String unit) {
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "b" -> 1L;
            case "kb" -> 1000L;
            case "mb" -> 1000_000L;
            case "gb" -> 1000_000_000L;
            case "tb" -> 1000_000_000_000L;
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            case "tib" -> 1L << 40;
            default -> 0L;
        };
    }

    private static String quoted(String text) {
        return '"' + text + '"';
    }
}
