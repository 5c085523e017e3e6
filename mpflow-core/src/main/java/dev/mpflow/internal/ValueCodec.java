package dev.mpflow.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.StreamCorruptedException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes the values that travel between coordinator and workers: a tag byte, then the value. The plain values
 * most tasks return ({@code null}, {@link String}, {@link Integer}, {@link Long}, {@link Double},
 * {@link Boolean}, {@code byte[]}) get a compact encoding of their own, several times cheaper than Java
 * serialization in both time and bytes; anything else is Java-serialized, so that every serializable value travels
 * with its exact class. Chunks of a {@code map} are lists of such values.
 *
 * <p>Thread-safe (stateless).
 */
public final class ValueCodec {
    private static final byte NULL = 0;
    private static final byte STRING = 1;
    private static final byte INT = 2;
    private static final byte LONG = 3;
    private static final byte DOUBLE = 4;
    private static final byte BOOLEAN = 5;
    private static final byte BYTES = 6;
    private static final byte SERIALIZED = 7;

    private ValueCodec() {
    }

    /** Thrown when an encoded value would pass its size limit; carries no stack trace, as it is expected. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException() {
            super("value too large");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /**
     * Encodes one value.
     *
     * @throws TooLargeException when the value itself, as {@link #valueSize} measures it (without the codec's tag
     *     and length), would be larger than {@code limit} bytes
     * @throws IOException when the value (or something it holds) cannot be serialized, as
     *     {@link java.io.NotSerializableException} names the class
     */
    public static byte[] encode(Object value, long limit) throws IOException {
        byte[] small = encodePlain(value);
        if (small != null) {
            if (valueSize(small) > limit) {
                throw new TooLargeException();
            }
            return small;
        }
        // The tag is the codec's, not the value's.
        Limited bytes = new Limited(saturatedAdd(limit, 1), 256);
        try {
            bytes.write(SERIALIZED);
            serializeInto(bytes, value);
        } catch (TooLarge e) {
            throw new TooLargeException();
        }
        return bytes.toByteArray();
    }

    /**
     * The size in bytes of the value an encoding holds, without the codec's own bytes (its tag, a length): the
     * UTF-8 bytes of a {@link String}, the bytes of a {@code byte[]}, 4 for an {@link Integer}, 8 for a
     * {@link Long} or {@link Double}, 1 for a {@link Boolean}, 0 for {@code null}, and the Java-serialized form of
     * anything else.
     */
    public static long valueSize(byte[] encoded) {
        if (encoded.length == 0) {
            return 0;
        }
        return switch (encoded[0]) {
            // A tag and an int length, then the bytes.
            case STRING, BYTES -> Math.max(0, encoded.length - 5);
            default -> encoded.length - 1;
        };
    }

    /** Decodes a value written by {@link #encode}. */
    public static Object decode(byte[] bytes) throws IOException, ClassNotFoundException {
        if (bytes.length == 0) {
            throw new StreamCorruptedException("empty value");
        }
        if (bytes[0] == SERIALIZED) {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
                return in.readObject();
            }
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        return readPlain(in, in.readByte());
    }

    /**
     * Encodes a list of values, each as {@link #encode} would (a value that is not plain is Java-serialized on its
     * own), so that one frame carries a whole chunk.
     *
     * @throws TooLargeException when the values together, each as {@link #valueSize} measures it, would be larger
     *     than {@code limit} bytes
     */
    public static byte[] encodeList(List<?> values, long limit) throws IOException {
        // The count, and each value's tag and length, are the codec's bytes: the limit is raised by them as they go.
        Limited bytes = new Limited(saturatedAdd(limit, 4), 16 + values.size() * 6);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeInt(values.size());
            for (Object v : values) {
                bytes.allow(headerSize(v));
                if (!writePlain(out, v)) {
                    ByteArrayOutputStream one = new ByteArrayOutputStream(256);
                    serializeInto(one, v);
                    out.writeByte(SERIALIZED);
                    out.writeInt(one.size());
                    one.writeTo(out);
                }
            }
        } catch (TooLarge e) {
            throw new TooLargeException();
        }
        return bytes.toByteArray();
    }

    /** Decodes a list written by {@link #encodeList}. */
    public static List<Object> decodeList(byte[] bytes) throws IOException, ClassNotFoundException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int n = in.readInt();
        if (n < 0 || n > bytes.length) {
            throw new StreamCorruptedException("invalid list length " + n);
        }
        List<Object> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte tag = in.readByte();
            if (tag == SERIALIZED) {
                byte[] one = new byte[in.readInt()];
                in.readFully(one);
                try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(one))) {
                    values.add(o.readObject());
                }
            } else {
                values.add(readPlain(in, tag));
            }
        }
        return values;
    }

    private static void serializeInto(ByteArrayOutputStream bytes, Object value) throws IOException {
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
    }

    /** The encoding of a plain value, or null when {@code value} is not one. */
    private static byte[] encodePlain(Object value) {
        if (value == null) {
            return new byte[] {NULL};
        }
        if (value instanceof Integer i) {
            int v = i;
            return new byte[] {INT, (byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
        if (value instanceof String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            byte[] b = new byte[5 + utf8.length];
            b[0] = STRING;
            putInt(b, 1, utf8.length);
            System.arraycopy(utf8, 0, b, 5, utf8.length);
            return b;
        }
        if (value instanceof Long || value instanceof Double || value instanceof Boolean || value instanceof byte[]) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(16);
            try {
                writePlain(new DataOutputStream(bytes), value);
            } catch (IOException e) {
                throw new AssertionError("in-memory stream", e);
            }
            return bytes.toByteArray();
        }
        return null;
    }

    private static boolean writePlain(DataOutputStream out, Object value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            out.writeByte(STRING);
            out.writeInt(utf8.length);
            out.write(utf8);
        } else if (value instanceof Integer i) {
            out.writeByte(INT);
            out.writeInt(i);
        } else if (value instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (value instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeDouble(d);
        } else if (value instanceof Boolean b) {
            out.writeByte(BOOLEAN);
            out.writeBoolean(b);
        } else if (value instanceof byte[] b) {
            out.writeByte(BYTES);
            out.writeInt(b.length);
            out.write(b);
        } else {
            return false;
        }
        return true;
    }

    private static Object readPlain(DataInputStream in, byte tag) throws IOException {
        switch (tag) {
            case NULL:
                return null;
            case STRING: {
                byte[] utf8 = new byte[checkedLength(in)];
                in.readFully(utf8);
                return new String(utf8, StandardCharsets.UTF_8);
            }
            case INT:
                return in.readInt();
            case LONG:
                return in.readLong();
            case DOUBLE:
                return in.readDouble();
            case BOOLEAN:
                return in.readBoolean();
            case BYTES: {
                byte[] b = new byte[checkedLength(in)];
                in.readFully(b);
                return b;
            }
            default:
                throw new StreamCorruptedException("unknown value tag " + tag);
        }
    }

    private static int checkedLength(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new StreamCorruptedException("invalid value length " + n);
        }
        return n;
    }

    /** The codec's bytes before a value in a list: its tag, and for text, bytes and serialized values a length. */
    private static int headerSize(Object v) {
        return v == null || v instanceof Integer || v instanceof Long || v instanceof Double || v instanceof Boolean
                ? 1 : 5;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < a ? Long.MAX_VALUE : sum;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** Collects bytes up to a limit, and fails the moment it is passed rather than growing on. */
    private static final class Limited extends ByteArrayOutputStream {
        private long limit;

        Limited(long limit, int initial) {
            super((int) Math.max(16, Math.min(initial, Math.min(limit, 1 << 20))));
            this.limit = limit;
        }

        /** Raises the limit by {@code more} bytes that are the codec's own. */
        void allow(long more) {
            limit = saturatedAdd(limit, more);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + (long) len > limit) {
                throw new TooLarge();
            }
            super.write(b, off, len);
        }

        @Override
        public void write(int b) {
            if (count + 1L > limit) {
                throw new TooLarge();
            }
            super.write(b);
        }
    }

    /** Unchecked carrier out of {@link ByteArrayOutputStream#write}, turned into a {@link TooLargeException}. */
    private static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super(null, null, false, false);
        }
    }
}
