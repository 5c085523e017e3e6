package dev.mpflow.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.NotSerializableException;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueCodecTest {
    record Point(int x, String label) implements Serializable {
    }

    private static Object roundTrip(Object value) throws Exception {
        return ValueCodec.decode(ValueCodec.encode(value, Long.MAX_VALUE));
    }

    @Test
    void plainValuesKeepTheirValueAndClass() throws Exception {
        for (Object v : List.of("", "ünïcødé ✓ 日本 \uD83D\uDE00", Integer.MIN_VALUE, 7, Long.MAX_VALUE, -0.5, Double.NaN,
                true, false)) {
            Object back = roundTrip(v);
            assertThat(back).isEqualTo(v).hasSameClassAs(v);
        }
        assertThat(roundTrip(null)).isNull();
        assertThat((byte[]) roundTrip(new byte[] {0, (byte) 0xff, 3})).containsExactly(0, 0xff, 3);
    }

    private static long sizeOf(Object value) throws Exception {
        return ValueCodec.valueSize(ValueCodec.encode(value, Long.MAX_VALUE));
    }

    @Test
    void theSizeOfAValueLeavesOutTheCodecsOwnBytes() throws Exception {
        assertThat(sizeOf("a")).isEqualTo(1);
        assertThat(sizeOf("hello")).isEqualTo(5);
        assertThat(sizeOf("")).isZero();
        assertThat(sizeOf("é✓")).isEqualTo(5);
        assertThat(sizeOf(new byte[] {0, (byte) 0xff, 3})).isEqualTo(3);
        assertThat(sizeOf(new byte[0])).isZero();
        assertThat(sizeOf(7)).isEqualTo(4);
        assertThat(sizeOf(7L)).isEqualTo(8);
        assertThat(sizeOf(0.5)).isEqualTo(8);
        assertThat(sizeOf(true)).isEqualTo(1);
        assertThat(sizeOf(null)).isZero();
        // Anything else: its Java-serialized form.
        Point p = new Point(1, "x");
        java.io.ByteArrayOutputStream serialized = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(serialized)) {
            out.writeObject(p);
        }
        assertThat(sizeOf(p)).isEqualTo(serialized.size());
    }

    @Test
    void plainValuesAreSmallerThanJavaSerializationMakesThem() throws Exception {
        assertThat(ValueCodec.encode(42, 100)).hasSize(5);
        assertThat(ValueCodec.encode(42L, 100)).hasSize(9);
        assertThat(ValueCodec.encode("abc", 100)).hasSize(8);
    }

    @Test
    void anyOtherSerializableValueTravelsWithItsExactClass() throws Exception {
        assertThat(roundTrip(new Point(3, "p"))).isEqualTo(new Point(3, "p"));
        assertThat(roundTrip(new BigDecimal("1.50"))).isEqualTo(new BigDecimal("1.50"));
        LinkedList<Integer> linked = new LinkedList<>(List.of(1, 2));
        assertThat(roundTrip(linked)).isInstanceOf(LinkedList.class).isEqualTo(linked);
        assertThat(roundTrip(List.of("a"))).isEqualTo(List.of("a"));
    }

    @Test
    void aValueThatCannotBeSerializedNamesItsClass() {
        assertThatThrownBy(() -> ValueCodec.encode(new Object(), Long.MAX_VALUE))
                .isInstanceOf(NotSerializableException.class).hasMessage("java.lang.Object");
    }

    @Test
    void theSizeLimitHoldsForEveryKindOfValue() throws Exception {
        assertThatThrownBy(() -> ValueCodec.encode("x".repeat(100), 50)).isInstanceOf(ValueCodec.TooLargeException.class);
        assertThatThrownBy(() -> ValueCodec.encode(new ArrayList<>(List.of("x".repeat(100))), 50))
                .isInstanceOf(ValueCodec.TooLargeException.class);
        assertThatThrownBy(() -> ValueCodec.encodeList(List.of("x".repeat(100)), 50))
                .isInstanceOf(ValueCodec.TooLargeException.class);
        assertThat(ValueCodec.encode("x".repeat(100), 105)).hasSize(105);
    }

    @Test
    void theSizeLimitMeasuresTheValueWithoutTheCodecsOwnBytes() throws Exception {
        assertThat(ValueCodec.encode("y".repeat(100), 100)).hasSize(105);
        assertThatThrownBy(() -> ValueCodec.encode("y".repeat(101), 100)).isInstanceOf(ValueCodec.TooLargeException.class);
        assertThat(ValueCodec.encode("é".repeat(50), 100)).hasSize(105);
        assertThatThrownBy(() -> ValueCodec.encode("é".repeat(51), 100)).isInstanceOf(ValueCodec.TooLargeException.class);
        assertThat(ValueCodec.encode(new byte[100], 100)).hasSize(105);
        assertThatThrownBy(() -> ValueCodec.encode(new byte[101], 100)).isInstanceOf(ValueCodec.TooLargeException.class);
        assertThat(ValueCodec.encode(7L, 8)).hasSize(9);
        assertThatThrownBy(() -> ValueCodec.encode(7L, 7)).isInstanceOf(ValueCodec.TooLargeException.class);
        assertThat(ValueCodec.encode(null, 1)).hasSize(1);

        Point p = new Point(4, "four");
        long serialized = ValueCodec.valueSize(ValueCodec.encode(p, Long.MAX_VALUE));
        assertThat(ValueCodec.encode(p, serialized)).hasSize((int) serialized + 1);
        assertThatThrownBy(() -> ValueCodec.encode(p, serialized - 1)).isInstanceOf(ValueCodec.TooLargeException.class);

        // A list's limit holds for its values together: 3 + 4 + 2 + 8 bytes.
        List<Object> values = Arrays.asList("abc", 1, null, new byte[2], 5L);
        assertThat(ValueCodec.decodeList(ValueCodec.encodeList(values, 17))).hasSize(5);
        assertThatThrownBy(() -> ValueCodec.encodeList(values, 16)).isInstanceOf(ValueCodec.TooLargeException.class);
        long pointInList = serialized;
        assertThat(ValueCodec.decodeList(ValueCodec.encodeList(List.of(p), pointInList))).containsExactly(p);
        assertThatThrownBy(() -> ValueCodec.encodeList(List.of(p), pointInList - 1))
                .isInstanceOf(ValueCodec.TooLargeException.class);
    }

    @Test
    void listsMixPlainAndSerializedValues() throws Exception {
        List<Object> values = Arrays.asList(1, null, "two", 3L, new Point(4, "four"), new byte[] {5});
        List<Object> back = ValueCodec.decodeList(ValueCodec.encodeList(values, Long.MAX_VALUE));
        assertThat(back).hasSize(6);
        assertThat(back.subList(0, 5)).containsExactly(1, null, "two", 3L, new Point(4, "four"));
        assertThat((byte[]) back.get(5)).containsExactly(5);
    }

    @Test
    void garbageIsACorruptStreamNotAWrongValue() {
        assertThatThrownBy(() -> ValueCodec.decode(new byte[0])).isInstanceOf(StreamCorruptedException.class);
        assertThatThrownBy(() -> ValueCodec.decode(new byte[] {42})).isInstanceOf(StreamCorruptedException.class)
                .hasMessage("unknown value tag 42");
        assertThatThrownBy(() -> ValueCodec.decode(new byte[] {1, 0, 0, 0, 9, 'a'}))
                .isInstanceOf(StreamCorruptedException.class).hasMessage("invalid value length 9");
    }
}
