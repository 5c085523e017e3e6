package dev.mpflow.cli;

import dev.mpflow.HaltPolicy;
import dev.mpflow.cli.workflow.Durations;
import dev.mpflow.cli.workflow.Sizes;
import java.math.BigInteger;
import java.time.Duration;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The converters of the {@code run} flags' values. Each checks the value's type and range and, when it is wrong,
 * says what is allowed; {@link Main} prefixes the message with the flag's names, so that every bad value reads
 * {@code mpflow: --timeout: must be longer than zero, was 0s}.
 */
final class FlagValues {
    private FlagValues() {
    }

    static Duration duration(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    static long size(String value) {
        try {
            return Sizes.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** A whole number as every integer flag takes it: ASCII digits, with an optional sign. */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]+");

    /**
     * The whole number every integer flag takes, from {@code min} to {@code max}: written with the digits 0 to 9
     * only, as in a workflow file (Java would read other scripts' digits too, such as {@code ４} or {@code ٣}).
     */
    static long wholeNumber(String value, long min, long max) {
        String text = value.strip();
        String range = "from " + min + " to " + max;
        if (!WHOLE_NUMBER.matcher(text).matches()) {
            boolean otherDigits = !text.isEmpty() && text.codePoints().allMatch(Character::isDigit);
            throw new TypeConversionException("must be a whole number " + range
                    + (otherDigits ? ", written with the digits 0 to 9" : "") + ", was " + quoted(value));
        }
        BigInteger n = new BigInteger(text);
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new TypeConversionException("out of range: must be " + range + ", was " + text);
        }
        return n.longValueExact();
    }

    /**
     * Every integer flag without a range of its own (registered for {@code int}, {@code Integer}, {@code long} and
     * {@code Long} on every command), so that none takes picocli's default, which reads other scripts' digits.
     */
    static final class AnyInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) wholeNumber(value, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
    }

    /** See {@link AnyInt}. */
    static final class AnyLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return wholeNumber(value, Long.MIN_VALUE, Long.MAX_VALUE);
        }
    }

    private static String quoted(String value) {
        return '"' + value + '"';
    }

    /** A duration longer than zero: {@code --timeout}, {@code --deadline}, {@code --retry-max-delay}. */
    static class PositiveDuration implements ITypeConverter<Duration> {
        private final String setting;

        PositiveDuration() {
            this("");
        }

        /** @param setting {@code timeout} or {@code deadline}, so that refusing zero says how to have none */
        PositiveDuration(String setting) {
            this.setting = setting;
        }

        @Override
        public Duration convert(String value) {
            Duration d = duration(value);
            if (d.isZero()) {
                throw new TypeConversionException("must be longer than zero, was " + value.strip()
                        + Durations.noneUnlessSet(setting));
            }
            return d;
        }
    }

    /** {@code --timeout}: longer than zero. */
    static final class Timeout extends PositiveDuration {
        Timeout() {
            super("timeout");
        }
    }

    /** {@code --deadline}: longer than zero. */
    static final class Deadline extends PositiveDuration {
        Deadline() {
            super("deadline");
        }
    }

    /** A duration of zero or more: {@code --grace}, {@code --retry-delay}. */
    static final class Duration0 implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return duration(value);
        }
    }

    /** At least one: {@code -j}, {@code runs --limit}. */
    static final class Workers implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) wholeNumber(value, 1, Integer.MAX_VALUE);
        }
    }

    /** Retries after the first attempt: 0 or more, and one attempt more must still be counted. */
    static final class Retries implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) wholeNumber(value, 0, Integer.MAX_VALUE - 1);
        }
    }

    /** A share of the delay, 0 to 1. */
    static final class Jitter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String text = value.strip();
            double d = text.matches("\\d+(?:\\.\\d+)?|\\.\\d+") ? Double.parseDouble(text) : Double.NaN;
            if (!(d >= 0 && d <= 1)) {
                throw new TypeConversionException("must be a number from 0 to 1, such as 0.2, was " + quoted(value));
            }
            return d;
        }
    }

    /** A halt policy in GNU parallel's notation. */
    static final class Halt implements ITypeConverter<HaltPolicy> {
        @Override
        public HaltPolicy convert(String value) {
            try {
                return HaltPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** How many bytes of output each attempt keeps: 0 to the largest {@code int}. */
    static final class CaptureLimit implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            long bytes = size(value);
            if (bytes > Integer.MAX_VALUE) {
                throw new TypeConversionException("must be at most " + Sizes.describe(Integer.MAX_VALUE)
                        + ", was " + value.strip());
            }
            return (int) bytes;
        }
    }

    /** The largest result: at least one byte. */
    static final class ResultSize implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long bytes = size(value);
            if (bytes < 1) {
                throw new TypeConversionException("must be at least 1 byte, was " + value.strip());
            }
            return bytes;
        }
    }
}
