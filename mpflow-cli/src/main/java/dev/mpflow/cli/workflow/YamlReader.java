package dev.mpflow.cli.workflow;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a workflow file into a tree of {@link YamlNode}s, walking the token stream of Jackson's YAML parser once
 * and recording the line of every key and value. Reports malformed YAML with the parser's line and reason, and
 * what Jackson accepts but a workflow file must not contain: duplicate keys, aliases, several documents.
 */
final class YamlReader {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private final YAMLParser parser;
    private final WorkflowSource source;

    private YamlReader(YAMLParser parser, WorkflowSource source) {
        this.parser = parser;
        this.source = source;
    }

    /** Reads the file; its top level must be a mapping. */
    static YamlNode.Mapping read(WorkflowSource source) throws WorkflowFileException {
        if (Files.isDirectory(source.given())) {
            throw source.error(0, "", "is a directory, not a workflow file");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(source.content()))
                    .toString();
        } catch (NoSuchFileException e) {
            throw source.error(0, "", "file not found", e);
        } catch (AccessDeniedException e) {
            throw source.error(0, "", "permission denied", e);
        } catch (CharacterCodingException e) {
            throw source.error(0, "", "not UTF-8 text", e);
        } catch (IOException e) {
            throw source.error(0, "", "cannot read: " + e.getMessage(), e);
        }
        try (YAMLParser parser = FACTORY.createParser(text)) {
            return new YamlReader(parser, source).document();
        } catch (JsonProcessingException e) {
            throw malformed(source, e);
        } catch (IOException e) {
            throw source.error(0, "", "cannot read: " + e.getMessage(), e);
        }
    }

    private YamlNode.Mapping document() throws IOException, WorkflowFileException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw source.error(0, "", "empty workflow file");
        }
        YamlNode root = value(first, "");
        if (root instanceof YamlNode.Scalar s && s.isNull()) {
            throw source.error(0, "", "empty workflow file");
        }
        if (parser.nextToken() != null) {
            throw source.error(line(), "", "more than one YAML document; a workflow file holds exactly one");
        }
        if (!(root instanceof YamlNode.Mapping mapping)) {
            throw source.error(root.line(), "",
                    "a workflow file must be a mapping of fields such as name, agents and tasks, was "
                            + root.describe());
        }
        return mapping;
    }

    private YamlNode value(JsonToken token, String path) throws IOException, WorkflowFileException {
        int line = line();
        if (parser.isCurrentAlias()) {
            throw source.error(line, path, "YAML aliases (*" + parser.getText() + ") are not supported");
        }
        return switch (token) {
            case START_OBJECT -> mapping(line, path);
            case START_ARRAY -> sequence(line, path);
            case VALUE_STRING, VALUE_EMBEDDED_OBJECT ->
                    new YamlNode.Scalar(line, YamlNode.Kind.STRING, parser.getText(), null);
            case VALUE_NUMBER_INT -> new YamlNode.Scalar(line, YamlNode.Kind.INTEGER, parser.getText(), number());
            case VALUE_NUMBER_FLOAT -> new YamlNode.Scalar(line, YamlNode.Kind.DECIMAL, parser.getText(), number());
            case VALUE_TRUE, VALUE_FALSE -> new YamlNode.Scalar(line, YamlNode.Kind.BOOLEAN, parser.getText(),
                    token == JsonToken.VALUE_TRUE);
            case VALUE_NULL -> new YamlNode.Scalar(line, YamlNode.Kind.NULL, "", null);
            default -> throw source.error(line, path, "unexpected YAML content: " + token);
        };
    }

    private YamlNode.Mapping mapping(int line, String path) throws IOException, WorkflowFileException {
        Map<String, YamlNode.Member> members = new LinkedHashMap<>();
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            int keyLine = line();
            YamlNode.Member earlier = members.get(key);
            if (earlier != null) {
                throw source.error(keyLine, path,
                        "duplicate field '" + key + "' (first at line " + earlier.keyLine() + ")");
            }
            YamlNode value = value(parser.nextToken(), FieldPaths.member(path, key));
            members.put(key, new YamlNode.Member(key, keyLine, value));
        }
        if (token != JsonToken.END_OBJECT) {
            throw source.error(line(), path, "unexpected YAML content: " + token);
        }
        return new YamlNode.Mapping(line, members);
    }

    private YamlNode.Sequence sequence(int line, String path) throws IOException, WorkflowFileException {
        List<YamlNode> items = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw source.error(line(), path, "unexpected end of YAML");
            }
            items.add(value(token, FieldPaths.element(path, items.size())));
        }
        return new YamlNode.Sequence(line, items);
    }

    private Number number() {
        try {
            return parser.getNumberValue();
        } catch (IOException | RuntimeException e) {
            return null; // such as .inf or .nan: kept as text, rejected where a number is needed
        }
    }

    private int line() {
        JsonLocation location = parser.currentTokenLocation();
        return location == null ? 0 : location.getLineNr();
    }

    /** Turns a parser error into one line: where the parser stopped and its short reason. */
    private static WorkflowFileException malformed(WorkflowSource source, JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException yaml && yaml.getProblem() != null) {
                Mark problemMark = yaml.getProblemMark();
                Mark contextMark = yaml.getContextMark();
                int line = problemMark != null ? problemMark.getLine() + 1 : 0;
                StringBuilder reason = new StringBuilder(yaml.getProblem().strip());
                if (yaml.getContext() != null) {
                    reason.append(" (").append(yaml.getContext().strip());
                    if (contextMark != null && contextMark.getLine() + 1 != line) {
                        reason.append(" started at line ").append(contextMark.getLine() + 1);
                    }
                    reason.append(')');
                }
                return source.error(line, "", "malformed YAML: " + reason, e);
            }
        }
        JsonLocation location = e.getLocation();
        int line = location == null ? 0 : Math.max(location.getLineNr(), 0);
        String reason = e.getOriginalMessage() == null ? e.getClass().getSimpleName()
                : e.getOriginalMessage().lines().findFirst().orElse("").strip();
        return source.error(line, "", "malformed YAML: " + reason, e);
    }
}
