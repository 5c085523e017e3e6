package dev.mpflow.cli;

import dev.mpflow.HaltPolicy;
import dev.mpflow.cli.workflow.Durations;
import dev.mpflow.cli.workflow.Sizes;
import java.math.BigInteger;
import java.time.Duration;
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

    static long wholeNumber(String value, long min, long max, String expected) {
        BigInteger n;
        try {
            n = new BigInteger(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException(expected + ", was " + quoted(value));
        }
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new TypeConversionException(expected + ", was " + value.strip());
        }
        return n.longValueExact();
    }

    private static String quoted(String value) {
        return '"' + value + '"';
    }

    /** A duration longer than zero: {@code --timeout}, {@code --deadline}, {@code --retry-max-delay}. */
    static final class PositiveDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = duration(value);
            if (d.isZero()) {
                throw new TypeConversionException("must be longer than zero, was " + value.strip());
            }
            return d;
        }
    }

    /** A duration of zero or more: {@code --grace}, {@code --retry-delay}. */
    static final class Duration0 implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return duration(value);
        }
    }

    /** At least one worker. */
    static final class Workers implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) wholeNumber(value, 1, Integer.MAX_VALUE, "must be a whole number of at least 1");
        }
    }

    /** Retries after the first attempt: 0 or more, and one attempt more must still be counted. */
    static final class Retries implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) wholeNumber(value, 0, Integer.MAX_VALUE - 1,
                    "must be a whole number from 0 to " + (Integer.MAX_VALUE - 1));
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
