package dev.mpflow.cli.workflow;

/** Builds the field paths used in messages: {@code retry.delay}, {@code agents[1].command}. */
final class FieldPaths {
    private FieldPaths() {
    }

    /** The path of field {@code key} of the mapping at {@code parent} (empty for the top level). */
    static String member(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    /** The path of item {@code index} of the list at {@code parent}. */
    static String element(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
