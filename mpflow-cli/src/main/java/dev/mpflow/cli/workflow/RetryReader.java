package dev.mpflow.cli.workflow;

import dev.mpflow.RetrySettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** Combines {@code retries} and the {@code retry} block of a workflow file into {@link RetrySettings}. */
final class RetryReader {
    static final List<String> FIELDS = List.of("delay", "maxDelay", "multiplier");

    private RetryReader() {
    }

    /** The retry settings, or empty when the file sets neither {@code retries} nor {@code retry}. */
    static Optional<RetrySettings> read(Fields top, OptionalInt retries) throws WorkflowFileException {
        if (retries.isEmpty() && !top.has("retry")) {
            return Optional.empty();
        }
        RetrySettings.Builder settings = RetrySettings.builder();
        if (retries.isPresent()) {
            settings.maxAttempts(retries.getAsInt() + 1);
        }
        if (top.has("retry")) {
            Fields block = top.child("retry", "a mapping with " + String.join(", ", FIELDS));
            block.allowOnly(FIELDS);
            Optional<Duration> delay = block.duration("delay", true);
            Optional<Duration> maxDelay = block.duration("maxDelay", false);
            OptionalDouble multiplier = block.number("multiplier", 1);
            checkDelays(block, delay, maxDelay);
            delay.ifPresent(settings::delay);
            maxDelay.ifPresent(settings::maxDelay);
            multiplier.ifPresent(settings::multiplier);
        }
        try {
            return Optional.of(settings.build());
        } catch (IllegalArgumentException e) {
            throw top.error("retry", e.getMessage());
        }
    }

    /** Rejects a first delay longer than the longest one, whether either is given or left to its default. */
    private static void checkDelays(Fields block, Optional<Duration> delay, Optional<Duration> maxDelay)
            throws WorkflowFileException {
        Duration first = delay.orElse(RetrySettings.DEFAULT.delay());
        Duration longest = maxDelay.orElse(RetrySettings.DEFAULT.maxDelay());
        if (first.compareTo(longest) <= 0) {
            return;
        }
        if (delay.isPresent()) {
            throw block.error("delay", "must not exceed maxDelay (" + Durations.format(longest)
                    + (maxDelay.isEmpty() ? " by default" : "") + "), was " + Durations.format(first));
        }
        throw block.error("maxDelay", "must be at least delay (" + Durations.format(first) + " by default), was "
                + Durations.format(longest));
    }
}
