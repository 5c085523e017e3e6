package dev.mpflow.cli.output;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How a result's value is written out. Text, numbers and booleans are themselves. A {@code byte[]} (a command's
 * output that is not UTF-8) has no text of its own: for machines (JSON lines, CSV) it is its bytes in base64, with
 * {@value #BASE64} in the field {@code resultEncoding} beside it, so that nothing is lost; for people (tables,
 * {@code mpflow show}) it is the text with each invalid byte replaced by U+FFFD and a note of its size, such as
 * {@code (12 bytes, not UTF-8)}.
 */
public final class ResultValues {
    /** The {@code resultEncoding} of a result written as base64. */
    public static final String BASE64 = "base64";

    private ResultValues() {
    }

    /** The value of the {@code result} field: strings, numbers and booleans as themselves, bytes in base64. */
    static Object machineValue(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        return value.toString();
    }

    /** The value of the {@code resultEncoding} field: {@value #BASE64} for bytes, {@code null} otherwise. */
    static String encoding(Object value) {
        return value instanceof byte[] ? BASE64 : null;
    }

    /** The value as people read it. */
    public static String humanText(Object value) {
        return value instanceof byte[] bytes ? humanText(bytes) : String.valueOf(value);
    }

    /** Bytes as text, each invalid byte replaced, with a note of how many bytes there were. */
    public static String humanText(byte[] bytes) {
        String size = bytes.length + (bytes.length == 1 ? " byte" : " bytes");
        return new String(bytes, StandardCharsets.UTF_8) + " (" + size + (isUtf8(bytes) ? ")" : ", not UTF-8)");
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
