package dev.mpflow;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Values that must never be written out: tokens, passwords, anything a user marks secret. A workflow given secrets
 * ({@link MultiProcessWorkflow.Builder#secrets(Secrets)}) replaces each of them with {@value #MASK} in everything
 * it reports: results, events (and so the store), and its log lines. Its tasks and agents still get the real
 * values: only what comes out is masked.
 *
 * <p>A secret has at least {@value #MIN_LENGTH} characters: a shorter one hides nothing worth hiding, and masking
 * it would garble every line it happens to occur in. Immutable and thread-safe.
 */
public final class Secrets {
    /** What each secret is replaced with. */
    public static final String MASK = "***";
    /** The fewest characters a secret may have. */
    public static final int MIN_LENGTH = 4;
    /** No secrets: masking changes nothing. */
    public static final Secrets NONE = new Secrets(List.of());

    private static final byte[] MASK_BYTES = MASK.getBytes(StandardCharsets.UTF_8);

    /** Longest first, so that a secret containing another is masked whole. */
    private final List<String> values;
    private final List<byte[]> valueBytes;

    private Secrets(List<String> values) {
        this.values = values;
        List<byte[]> bytes = new ArrayList<>(values.size());
        values.forEach(v -> bytes.add(v.getBytes(StandardCharsets.UTF_8)));
        this.valueBytes = List.copyOf(bytes);
    }

    /**
     * These values as secrets; duplicates count once.
     *
     * @throws IllegalArgumentException when a value is shorter than {@value #MIN_LENGTH} characters (the message
     *     gives its length, never the value)
     */
    public static Secrets of(Collection<String> values) {
        Objects.requireNonNull(values, "values");
        Set<String> distinct = new LinkedHashSet<>();
        for (String v : values) {
            Objects.requireNonNull(v, "values must not contain null");
            if (v.length() < MIN_LENGTH) {
                throw new IllegalArgumentException("a secret must have at least " + MIN_LENGTH
                        + " characters, this one has " + v.length());
            }
            distinct.add(v);
        }
        if (distinct.isEmpty()) {
            return NONE;
        }
        List<String> sorted = new ArrayList<>(distinct);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        return new Secrets(List.copyOf(sorted));
    }

    /** These values as secrets, as {@link #of(Collection)}. */
    public static Secrets of(String... values) {
        return of(Arrays.asList(values));
    }

    /** These secrets and {@code other}'s. */
    public Secrets and(Secrets other) {
        Objects.requireNonNull(other, "other");
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        List<String> all = new ArrayList<>(values);
        all.addAll(other.values);
        return of(all);
    }

    /** Whether there is no secret at all. */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** How many distinct secrets there are. */
    public int size() {
        return values.size();
    }

    /** {@code text} with every secret in it replaced by {@value #MASK}; the same instance when it holds none. */
    public String mask(String text) {
        if (text == null || text.isEmpty() || values.isEmpty()) {
            return text;
        }
        String masked = text;
        for (String v : values) {
            masked = masked.replace(v, MASK);
        }
        return masked;
    }

    /**
     * {@code bytes} with the UTF-8 bytes of every secret replaced by those of {@value #MASK}; the same array when
     * it holds none.
     */
    public byte[] mask(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || values.isEmpty()) {
            return bytes;
        }
        byte[] masked = bytes;
        for (byte[] v : valueBytes) {
            masked = replace(masked, v);
        }
        return masked;
    }

    private static byte[] replace(byte[] bytes, byte[] secret) {
        int at = indexOf(bytes, secret, 0);
        if (at < 0) {
            return bytes;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        int from = 0;
        while (at >= 0) {
            out.write(bytes, from, at - from);
            out.write(MASK_BYTES, 0, MASK_BYTES.length);
            from = at + secret.length;
            at = indexOf(bytes, secret, from);
        }
        out.write(bytes, from, bytes.length - from);
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, byte[] secret, int from) {
        int last = bytes.length - secret.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < secret.length; j++) {
                if (bytes[i + j] != secret[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The number of secrets, never their values. */
    @Override
    public String toString() {
        return "Secrets[" + values.size() + "]";
    }
}
