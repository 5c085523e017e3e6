package dev.mpflow;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * When a run stops early because tasks fail, like GNU parallel's {@code --halt}. By default it never does: a task
 * that fails for good does not stop the others.
 *
 * <p>When the policy triggers, no new task starts. {@link When#SOON} lets running attempts finish; {@link When#NOW}
 * stops them at once. Tasks that do not finish end as {@link TaskStatus#CANCELLED}. Immutable.
 *
 * <p>A share ({@code fail=10%}) is judged at every final result, success or failure, two ways. When the run's
 * total is known, it halts once that share of all its tasks has failed, as GNU parallel does ({@code fail=10%} of
 * 30 tasks: at the 3rd failure). And from the {@value #MIN_RESULTS_FOR_SHARE}th result on, total known or not, it
 * halts once that share of the results so far are failures (2 failures among the first 10 results are 20%), so
 * that a stream of unknown length stops early too, while one early failure alone is not taken for 100%.
 * Cancelled results count for neither.
 */
public final class HaltPolicy {
    /** How running attempts are treated once the policy triggers. */
    public enum When {
        /** Never halt. */
        NEVER,
        /** Start nothing new; let running attempts finish. */
        SOON,
        /** Start nothing new and stop running attempts at once. */
        NOW
    }

    private static final HaltPolicy NEVER = new HaltPolicy(When.NEVER, 0, 0);
    /**
     * The share of the results so far is judged once this many results are in, so that one early failure is not
     * "100%". A run whose total is known is judged against that total before (see the class comment).
     */
    public static final int MIN_RESULTS_FOR_SHARE = 10;

    private final When when;
    private final int failures;
    private final double share;

    private HaltPolicy(When when, int failures, double share) {
        this.when = when;
        this.failures = failures;
        this.share = share;
    }

    /** Never halts: the default. */
    public static HaltPolicy never() {
        return NEVER;
    }

    /** Halts once {@code count} tasks have failed for good. */
    public static HaltPolicy afterFailures(When when, int count) {
        requireHalting(when);
        if (count < 1) {
            throw new IllegalArgumentException("halt failure count must be at least 1, was " + count);
        }
        return new HaltPolicy(when, count, 0);
    }

    /**
     * Halts once this share (0 to 1, exclusive of 0) of the run's tasks have failed, when their number is known, or
     * of the results so far, from the {@value #MIN_RESULTS_FOR_SHARE}th result on: see the class comment.
     */
    public static HaltPolicy afterFailureShare(When when, double share) {
        requireHalting(when);
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("halt failure share must be above 0 and at most 1, was " + share);
        }
        return new HaltPolicy(when, 0, share);
    }

    /**
     * Reads GNU parallel's notation: {@code never}, {@code soon,fail=N}, {@code now,fail=N}, or with a share,
     * {@code soon,fail=10%}.
     *
     * @throws IllegalArgumentException naming what is wrong and what is allowed
     */
    public static HaltPolicy parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("never")) {
            return NEVER;
        }
        String[] parts = t.split(",", 2);
        When when = switch (parts[0]) {
            case "soon" -> When.SOON;
            case "now" -> When.NOW;
            default -> null;
        };
        if (when == null || parts.length != 2 || !parts[1].startsWith("fail=")) {
            throw new IllegalArgumentException("\"" + text + "\" is not a halt policy: use never, soon,fail=N, "
                    + "now,fail=N or a share such as now,fail=10%");
        }
        String value = parts[1].substring("fail=".length());
        // ASCII digits only: Java's parsers would read other scripts' digits too.
        if (value.matches("[0-9]+(?:\\.[0-9]+)?%")) {
            BigDecimal percent = new BigDecimal(value.substring(0, value.length() - 1));
            if (percent.signum() <= 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0) {
                throw new IllegalArgumentException("\"" + text + "\" is not a halt policy: a share of failures must "
                        + "be above 0% and at most 100%, was " + value);
            }
            return afterFailureShare(when, percent.doubleValue() / 100.0);
        }
        if (value.matches("[0-9]+")) {
            BigInteger count = new BigInteger(value);
            if (count.signum() <= 0 || count.bitLength() > 31) {
                throw new IllegalArgumentException("\"" + text + "\" is not a halt policy: a count of failures must "
                        + "be from 1 to " + Integer.MAX_VALUE + ", was " + value);
            }
            return afterFailures(when, count.intValueExact());
        }
        throw new IllegalArgumentException("\"" + text + "\" is not a halt policy: fail= takes a whole number "
                + "or a percentage, such as fail=1 or fail=10%");
    }

    private static void requireHalting(When when) {
        Objects.requireNonNull(when, "when");
        if (when == When.NEVER) {
            throw new IllegalArgumentException("use HaltPolicy.never() for a policy that never halts");
        }
    }

    public When when() {
        return when;
    }

    /**
     * Whether the run halts after {@code failed} failures among {@code finished} results (cancelled ones left out)
     * of a run whose total is not known.
     */
    public boolean triggers(long failed, long finished) {
        return triggers(failed, finished, OptionalLong.empty());
    }

    /**
     * Whether the run halts after {@code failed} failures among {@code finished} results (cancelled ones left out)
     * of a run of {@code total} tasks, when that is known. Meant to be asked at every final result.
     */
    public boolean triggers(long failed, long finished, OptionalLong total) {
        Objects.requireNonNull(total, "total");
        if (when == When.NEVER || failed == 0) {
            return false;
        }
        if (failures > 0) {
            return failed >= failures;
        }
        if (total.isPresent() && isShareOf(failed, total.getAsLong())) {
            return true;
        }
        return finished >= MIN_RESULTS_FOR_SHARE && isShareOf(failed, finished);
    }

    /** {@code failed >= share * of}, without the rounding of 0.1 * 30 (3.0000000000000004) deciding it. */
    private boolean isShareOf(long failed, long of) {
        return failed >= share * of * (1 - 1e-12);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HaltPolicy h && h.when == when && h.failures == failures && h.share == share;
    }

    @Override
    public int hashCode() {
        return Objects.hash(when, failures, share);
    }

    /** In the notation {@link #parse} reads. */
    @Override
    public String toString() {
        if (when == When.NEVER) {
            return "never";
        }
        String fail = failures > 0 ? Integer.toString(failures) : (share * 100 == Math.rint(share * 100)
                ? Long.toString(Math.round(share * 100)) : Double.toString(share * 100)) + "%";
        return when.name().toLowerCase(Locale.ROOT) + ",fail=" + fail;
    }
}
