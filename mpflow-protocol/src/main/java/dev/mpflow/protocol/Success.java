package dev.mpflow.protocol;

import java.io.IOException;
import java.util.Objects;

/**
 * The attempt returned a value.
 *
 * @param value the serialized value, opaque to the protocol
 * @param stdout what the attempt printed to standard output
 * @param stderr what the attempt printed to standard error
 */
public record Success(byte[] value, Captured stdout, Captured stderr) {
    public Success {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    public byte[] encode() {
        return new Payload.Writer().bytes(value).captured(stdout).captured(stderr).toByteArray();
    }

    public static Success decode(byte[] payload) throws IOException {
        Payload.Reader r = new Payload.Reader(payload);
        return new Success(r.bytes(), r.captured(), r.captured());
    }
}
