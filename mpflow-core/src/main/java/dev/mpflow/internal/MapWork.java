package dev.mpflow.internal;

import dev.mpflow.MapFunction;
import java.util.ArrayList;
import java.util.List;

/** A {@code map}'s function; each attempt applies it to a chunk of elements and returns their results in order. */
public final class MapWork extends Work {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("rawtypes")
    private final MapFunction function;

    public MapWork(MapFunction<?, ?> function) {
        this.function = function;
    }

    @Override
    @SuppressWarnings("unchecked")
    public byte[] execute(String task, byte[] argument, long maxResultBytes) throws Exception {
        List<Object> elements = ValueCodec.decodeList(argument);
        List<Object> results = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            try {
                results.add(function.apply(elements.get(i)));
            } catch (Exception | Error e) {
                throw new ElementFailedException(i, e);
            }
        }
        return encoded(task, maxResultBytes, () -> ValueCodec.encodeList(results, maxResultBytes));
    }

    /** Carries the index in its chunk of the element whose failure is its cause; unwrapped before reporting. */
    public static final class ElementFailedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int index;

        ElementFailedException(int index, Throwable cause) {
            super(cause);
            this.index = index;
        }

        /** Its index within the chunk. */
        public int index() {
            return index;
        }
    }
}
