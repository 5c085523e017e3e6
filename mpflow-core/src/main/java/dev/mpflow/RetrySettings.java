package dev.mpflow;

import java.time.Duration;
import java.util.Objects;

/**
 * How failed attempts are retried: at most {@link #maxAttempts()} attempts, waiting {@link #delay()} before the
 * first retry and multiplying the wait by {@link #multiplier()} after each one, up to {@link #maxDelay()}.
 * Immutable; build with {@link #builder()}.
 *
 * <p>Failures, timeouts and worker crashes are retried. A result that cannot be serialized, or a task whose function
 * cannot be sent to a worker, is not: retrying would fail the same way.
 */
public final class RetrySettings {
    /** Three attempts, 100 ms before the first retry, doubling up to 5 s. */
    public static final RetrySettings DEFAULT = builder().build();
    /** A single attempt. */
    public static final RetrySettings NONE = builder().maxAttempts(1).build();

    private final int maxAttempts;
    private final Duration delay;
    private final Duration maxDelay;
    private final double multiplier;

    private RetrySettings(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.delay = b.delay;
        this.maxDelay = b.maxDelay;
        this.multiplier = b.multiplier;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code retries} retries after the first attempt, with the default delays. */
    public static RetrySettings retries(int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, was " + retries);
        }
        return builder().maxAttempts(retries + 1).build();
    }

    /** The most attempts, the first one included; at least 1. Default 3. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The wait before the first retry. Default 100 ms. */
    public Duration delay() {
        return delay;
    }

    /** The longest wait between two attempts. Default 5 s. */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** The factor applied to the wait after each retry; 1 means a fixed delay. Default 2. */
    public double multiplier() {
        return multiplier;
    }

    public Builder toBuilder() {
        return builder().maxAttempts(maxAttempts).delay(delay).maxDelay(maxDelay).multiplier(multiplier);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetrySettings r && r.maxAttempts == maxAttempts && r.delay.equals(delay)
                && r.maxDelay.equals(maxDelay) && r.multiplier == multiplier;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, delay, maxDelay, multiplier);
    }

    @Override
    public String toString() {
        return "RetrySettings[maxAttempts=" + maxAttempts + ", delay=" + delay.toMillis() + "ms, maxDelay="
                + maxDelay.toMillis() + "ms, multiplier=" + multiplier + "]";
    }

    static Duration requirePositive(String field, Duration d) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, was " + d);
        }
        return d;
    }

    /** Builds {@link RetrySettings}; each setter validates and names the field on error. Not thread-safe. */
    public static final class Builder {
        private int maxAttempts = 3;
        private Duration delay = Duration.ofMillis(100);
        private Duration maxDelay = Duration.ofSeconds(5);
        private double multiplier = 2.0;

        private Builder() {
        }

        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder delay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, was " + delay);
            }
            this.delay = delay;
            return this;
        }

        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = requirePositive("maxDelay", maxDelay);
            return this;
        }

        public Builder multiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("multiplier must be a finite number of at least 1, was " + multiplier);
            }
            this.multiplier = multiplier;
            return this;
        }

        /** @throws IllegalArgumentException when the delay exceeds the maximum delay */
        public RetrySettings build() {
            if (delay.compareTo(maxDelay) > 0) {
                throw new IllegalArgumentException("delay (" + delay.toMillis() + "ms) must not exceed maxDelay ("
                        + maxDelay.toMillis() + "ms)");
            }
            return new RetrySettings(this);
        }
    }
}
