package dev.mpflow;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How failed attempts are retried: at most {@link #maxAttempts()} attempts, waiting {@link #delay()} before the
 * first retry and multiplying the wait by {@link #multiplier()} after each one, up to {@link #maxDelay()}.
 * Immutable and serializable (agents carrying their own settings travel to workers); build with {@link #builder()}.
 *
 * <p>By default every failure, timeout and worker crash is retried. Filters narrow that down: {@link
 * Builder#retryOn} (only these exception types), {@link Builder#abortOn} (never these), and the same by exit code
 * for command agents; {@link Builder#retryTimeouts} and {@link Builder#retryCrashes} switch those off. Exception
 * types are matched by name against the thrown class and all its superclasses and interfaces, so
 * {@code retryOn(IOException.class)} also retries a {@code FileNotFoundException}. A result that cannot be
 * serialized, or a task whose function cannot be sent to a worker, is never retried: it would fail the same way.
 */
public final class RetrySettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Three attempts, 100 ms before the first retry, doubling up to 5 s. */
    public static final RetrySettings DEFAULT = builder().build();
    /** A single attempt. */
    public static final RetrySettings NONE = builder().maxAttempts(1).build();

    private final int maxAttempts;
    private final Duration delay;
    private final Duration maxDelay;
    private final double multiplier;
    private final double jitter;
    private final Set<String> retryOn;
    private final Set<String> abortOn;
    private final Set<Integer> retryOnExitCodes;
    private final Set<Integer> abortOnExitCodes;
    private final boolean retryTimeouts;
    private final boolean retryCrashes;

    private RetrySettings(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.delay = b.delay;
        this.maxDelay = b.maxDelay;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.retryOn = Set.copyOf(b.retryOn);
        this.abortOn = Set.copyOf(b.abortOn);
        this.retryOnExitCodes = Set.copyOf(b.retryOnExitCodes);
        this.abortOnExitCodes = Set.copyOf(b.abortOnExitCodes);
        this.retryTimeouts = b.retryTimeouts;
        this.retryCrashes = b.retryCrashes;
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

    /** The share of each delay, up to which it is randomly lengthened or shortened; 0 (the default) for none. */
    public double jitter() {
        return jitter;
    }

    /** Exception type names to retry; empty (the default) for every type. */
    public Set<String> retryOn() {
        return retryOn;
    }

    /** Exception type names never to retry; checked before {@link #retryOn()}. */
    public Set<String> abortOn() {
        return abortOn;
    }

    /** Command exit codes to retry; empty (the default) for every non-zero code. */
    public Set<Integer> retryOnExitCodes() {
        return retryOnExitCodes;
    }

    /** Command exit codes never to retry; checked before {@link #retryOnExitCodes()}. */
    public Set<Integer> abortOnExitCodes() {
        return abortOnExitCodes;
    }

    /** Whether an attempt that ran past its timeout is retried; default true. */
    public boolean retryTimeouts() {
        return retryTimeouts;
    }

    /** Whether an attempt whose worker process died is retried; default true. */
    public boolean retryCrashes() {
        return retryCrashes;
    }

    /**
     * Whether these settings retry a failed attempt (when attempts remain).
     *
     * @param status how the attempt ended
     * @param errorTypes the error's type followed by the names of its superclasses and interfaces
     * @param exitCode the exit code of a failed command, or -1
     */
    public boolean retries(TaskStatus status, List<String> errorTypes, int exitCode) {
        switch (status) {
            case SUCCEEDED:
                return false;
            case TIMED_OUT:
                return retryTimeouts;
            case CRASHED:
                return retryCrashes;
            default:
                break;
        }
        if (errorTypes.stream().anyMatch(abortOn::contains)) {
            return false;
        }
        if (exitCode >= 0 && abortOnExitCodes.contains(exitCode)) {
            return false;
        }
        if (!retryOn.isEmpty() && errorTypes.stream().noneMatch(retryOn::contains)) {
            return false;
        }
        return exitCode < 0 || retryOnExitCodes.isEmpty() || retryOnExitCodes.contains(exitCode);
    }

    public Builder toBuilder() {
        Builder b = builder().maxAttempts(maxAttempts).delay(delay).maxDelay(maxDelay).multiplier(multiplier)
                .jitter(jitter).retryTimeouts(retryTimeouts).retryCrashes(retryCrashes);
        b.retryOn.addAll(retryOn);
        b.abortOn.addAll(abortOn);
        b.retryOnExitCodes.addAll(retryOnExitCodes);
        b.abortOnExitCodes.addAll(abortOnExitCodes);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetrySettings r && r.maxAttempts == maxAttempts && r.delay.equals(delay)
                && r.maxDelay.equals(maxDelay) && r.multiplier == multiplier && r.jitter == jitter
                && r.retryOn.equals(retryOn) && r.abortOn.equals(abortOn)
                && r.retryOnExitCodes.equals(retryOnExitCodes) && r.abortOnExitCodes.equals(abortOnExitCodes)
                && r.retryTimeouts == retryTimeouts && r.retryCrashes == retryCrashes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, delay, maxDelay, multiplier, jitter, retryOn, abortOn, retryOnExitCodes,
                abortOnExitCodes, retryTimeouts, retryCrashes);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RetrySettings[maxAttempts=").append(maxAttempts)
                .append(", delay=").append(delay.toMillis()).append("ms, maxDelay=").append(maxDelay.toMillis())
                .append("ms, multiplier=").append(multiplier);
        if (jitter > 0) {
            s.append(", jitter=").append(jitter);
        }
        if (!retryOn.isEmpty()) {
            s.append(", retryOn=").append(new TreeSet<>(retryOn));
        }
        if (!abortOn.isEmpty()) {
            s.append(", abortOn=").append(new TreeSet<>(abortOn));
        }
        if (!retryOnExitCodes.isEmpty()) {
            s.append(", retryOnExitCodes=").append(new TreeSet<>(retryOnExitCodes));
        }
        if (!abortOnExitCodes.isEmpty()) {
            s.append(", abortOnExitCodes=").append(new TreeSet<>(abortOnExitCodes));
        }
        if (!retryTimeouts) {
            s.append(", retryTimeouts=false");
        }
        if (!retryCrashes) {
            s.append(", retryCrashes=false");
        }
        return s.append(']').toString();
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
        private double jitter;
        private final Set<String> retryOn = new LinkedHashSet<>();
        private final Set<String> abortOn = new LinkedHashSet<>();
        private final Set<Integer> retryOnExitCodes = new LinkedHashSet<>();
        private final Set<Integer> abortOnExitCodes = new LinkedHashSet<>();
        private boolean retryTimeouts = true;
        private boolean retryCrashes = true;

        private Builder() {
        }

        /** Randomly lengthens or shortens each delay by up to this share of it, 0 to 1; default 0. */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /** Retries only failures of these exception types (or their subtypes). */
        @SafeVarargs
        public final Builder retryOn(Class<? extends Throwable>... types) {
            for (Class<? extends Throwable> t : types) {
                retryOn.add(Objects.requireNonNull(t, "types must not contain null").getName());
            }
            return this;
        }

        /** Retries only failures of exception types with these fully qualified names (or their subtypes). */
        public Builder retryOnTypeNames(Collection<String> typeNames) {
            typeNames.forEach(n -> retryOn.add(requireTypeName("retryOn", n)));
            return this;
        }

        /** Never retries failures of these exception types (or their subtypes). */
        @SafeVarargs
        public final Builder abortOn(Class<? extends Throwable>... types) {
            for (Class<? extends Throwable> t : types) {
                abortOn.add(Objects.requireNonNull(t, "types must not contain null").getName());
            }
            return this;
        }

        /** Never retries failures of exception types with these fully qualified names (or their subtypes). */
        public Builder abortOnTypeNames(Collection<String> typeNames) {
            typeNames.forEach(n -> abortOn.add(requireTypeName("abortOn", n)));
            return this;
        }

        /** Retries a failed command only when it exits with one of these codes. */
        public Builder retryOnExitCodes(Collection<Integer> codes) {
            codes.forEach(c -> retryOnExitCodes.add(requireExitCode("retryOnExitCodes", c)));
            return this;
        }

        /** Never retries a failed command that exits with one of these codes. */
        public Builder abortOnExitCodes(Collection<Integer> codes) {
            codes.forEach(c -> abortOnExitCodes.add(requireExitCode("abortOnExitCodes", c)));
            return this;
        }

        /** Whether attempts that time out are retried; default true. */
        public Builder retryTimeouts(boolean retry) {
            this.retryTimeouts = retry;
            return this;
        }

        /** Whether attempts whose worker dies are retried; default true. */
        public Builder retryCrashes(boolean retry) {
            this.retryCrashes = retry;
            return this;
        }

        private static String requireTypeName(String field, String name) {
            Objects.requireNonNull(name, field + " must not contain null");
            if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(field + " must hold exception class names, was '" + name + "'");
            }
            return name;
        }

        private static int requireExitCode(String field, Integer code) {
            Objects.requireNonNull(code, field + " must not contain null");
            if (code < 1 || code > 255) {
                throw new IllegalArgumentException(field + " must hold exit codes from 1 to 255, was " + code);
            }
            return code;
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

        /**
         * @throws IllegalArgumentException when the delay exceeds the maximum delay, or a type or exit code is
         *     both retried and aborted on
         */
        public RetrySettings build() {
            for (String t : retryOn) {
                if (abortOn.contains(t)) {
                    throw new IllegalArgumentException("retryOn and abortOn both name " + t);
                }
            }
            for (Integer c : retryOnExitCodes) {
                if (abortOnExitCodes.contains(c)) {
                    throw new IllegalArgumentException("retryOnExitCodes and abortOnExitCodes both hold " + c);
                }
            }
            if (delay.compareTo(maxDelay) > 0) {
                throw new IllegalArgumentException("delay (" + delay.toMillis() + "ms) must not exceed maxDelay ("
                        + maxDelay.toMillis() + "ms)");
            }
            return new RetrySettings(this);
        }
    }
}
