package dev.mpflow.cli.workflow;

import dev.mpflow.RetrySettings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The retry settings that one place of a workflow file sets (the top level, one agent or one task entry): each one
 * present
 * replaces the same setting of the settings it is applied to, and what is left out is kept. A list replaces the
 * whole list.
 *
 * @param retries          retries after the first attempt
 * @param delay            the wait before the first retry
 * @param maxDelay         the longest wait
 * @param multiplier       the factor applied to the wait after each retry
 * @param jitter           the share of each wait, 0 to 1, by which it varies at random
 * @param retryOn          exception class names to retry (only these)
 * @param abortOn          exception class names never to retry
 * @param retryOnExitCodes exit codes to retry (only these)
 * @param abortOnExitCodes exit codes never to retry
 * @param retryTimeouts    whether attempts that time out are retried
 * @param retryCrashes     whether attempts whose worker dies are retried
 */
public record RetryOverrides(OptionalInt retries, Optional<Duration> delay, Optional<Duration> maxDelay,
        OptionalDouble multiplier, OptionalDouble jitter, Optional<List<String>> retryOn,
        Optional<List<String>> abortOn, Optional<List<Integer>> retryOnExitCodes,
        Optional<List<Integer>> abortOnExitCodes, Optional<Boolean> retryTimeouts, Optional<Boolean> retryCrashes) {

    /** Sets nothing. */
    public static final RetryOverrides NONE = new RetryOverrides(OptionalInt.empty(), Optional.empty(),
            Optional.empty(), OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** Checks that no component is null and copies the lists. */
    public RetryOverrides {
        Objects.requireNonNull(retries, "retries");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(multiplier, "multiplier");
        Objects.requireNonNull(jitter, "jitter");
        retryOn = retryOn.map(List::copyOf);
        abortOn = abortOn.map(List::copyOf);
        retryOnExitCodes = retryOnExitCodes.map(List::copyOf);
        abortOnExitCodes = abortOnExitCodes.map(List::copyOf);
        Objects.requireNonNull(retryTimeouts, "retryTimeouts");
        Objects.requireNonNull(retryCrashes, "retryCrashes");
    }

    /** Whether nothing is set. */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /** Whether the setting of this name ({@code delay}, {@code retryOn}, ... as written in a file) is set. */
    boolean sets(String field) {
        return switch (field) {
            case "retries" -> retries.isPresent();
            case "delay" -> delay.isPresent();
            case "maxDelay" -> maxDelay.isPresent();
            case "multiplier" -> multiplier.isPresent();
            case "jitter" -> jitter.isPresent();
            case "retryOn" -> retryOn.isPresent();
            case "abortOn" -> abortOn.isPresent();
            case "retryOnExitCodes" -> retryOnExitCodes.isPresent();
            case "abortOnExitCodes" -> abortOnExitCodes.isPresent();
            case "retryTimeouts" -> retryTimeouts.isPresent();
            case "retryCrashes" -> retryCrashes.isPresent();
            default -> false;
        };
    }

    /**
     * {@code base} with every setting present here replaced.
     *
     * @throws IllegalArgumentException when the result contradicts itself (a delay longer than the longest delay,
     *                                  a type or exit code both retried and aborted on)
     */
    public RetrySettings applyTo(RetrySettings base) {
        RetrySettings.Builder b = RetrySettings.builder()
                .maxAttempts(retries.isPresent() ? retries.getAsInt() + 1 : base.maxAttempts())
                .delay(delay.orElse(base.delay()))
                .maxDelay(maxDelay.orElse(base.maxDelay()))
                .multiplier(multiplier.orElse(base.multiplier()))
                .jitter(jitter.orElse(base.jitter()))
                .retryTimeouts(retryTimeouts.orElse(base.retryTimeouts()))
                .retryCrashes(retryCrashes.orElse(base.retryCrashes()));
        b.retryOnTypeNames(retryOn.map(List::copyOf).orElseGet(() -> List.copyOf(base.retryOn())));
        b.abortOnTypeNames(abortOn.map(List::copyOf).orElseGet(() -> List.copyOf(base.abortOn())));
        b.retryOnExitCodes(retryOnExitCodes.map(List::copyOf).orElseGet(() -> List.copyOf(base.retryOnExitCodes())));
        b.abortOnExitCodes(abortOnExitCodes.map(List::copyOf).orElseGet(() -> List.copyOf(base.abortOnExitCodes())));
        return b.build();
    }
}
