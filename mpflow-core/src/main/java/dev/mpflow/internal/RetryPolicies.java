package dev.mpflow.internal;

import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.mpflow.RetrySettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Turns {@link RetrySettings} into Failsafe retry policies over attempt outcomes. Policies are thread-safe and
 * reusable, so one is built per distinct settings and shared by every job that uses them.
 */
final class RetryPolicies {
    private static final Logger log = MaskedLogging.logger(RetryPolicies.class);
    private final Map<RetrySettings, RetryPolicy<AttemptOutcome>> policies = new ConcurrentHashMap<>();

    RetryPolicy<AttemptOutcome> forSettings(RetrySettings settings) {
        return policies.computeIfAbsent(settings, RetryPolicies::build);
    }

    /**
     * Whether {@code s} retries an attempt that ended as {@code outcome}, attempts left permitting: the one rule the
     * policies apply, asked directly when a first attempt decides whether a policy is needed at all.
     */
    static boolean retries(RetrySettings s, AttemptOutcome outcome) {
        return outcome.retryable() && s.retries(outcome.status(), outcome.errorTypes(), outcome.exitCode());
    }

    private static RetryPolicy<AttemptOutcome> build(RetrySettings s) {
        // Only outcomes are retried. An exceptional completion means the workflow closed or cannot start
        // workers: retrying would fail the same way, so it passes straight through.
        RetryPolicyBuilder<AttemptOutcome> b = RetryPolicy.<AttemptOutcome>builder()
                .handleIf((outcome, failure) -> failure == null && outcome != null && retries(s, outcome))
                .withMaxAttempts(s.maxAttempts());
        if (!s.delay().isZero()) {
            if (s.multiplier() == 1.0 || s.delay().equals(s.maxDelay())) {
                b.withDelay(s.delay());
            } else {
                b.withBackoff(s.delay(), s.maxDelay(), s.multiplier());
            }
        }
        if (s.jitter() > 0 && !s.delay().isZero()) {
            b.withJitter(s.jitter());
        }
        b.onRetry(e -> {
            AttemptOutcome last = e.getLastResult();
            log.info("retrying after attempt {} of {} {}: {}", e.getAttemptCount(), s.maxAttempts(),
                    last.status().label(), last.error().map(err -> err.summary()).orElse(""));
        });
        return b.build();
    }
}
