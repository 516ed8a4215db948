package dev.mldev.fake;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of Google's list filter syntax (AIP-160) the Vertex AI list calls take and mldev sends: comparisons
 * {@code FIELD = VALUE} and {@code FIELD != VALUE} joined by {@code AND}, a value quoted ("...", with \" and \\
 * escapes) or a bare word. Fields are {@code labels.KEY} and the resource's own fields named in {@code fields};
 * any other field, an operator outside these or a syntax error is INVALID_ARGUMENT, as Vertex answers.
 */
final class FakeFilter {
    private record Term(String field, boolean equal, String value) {}

    private final List<Term> terms;

    private FakeFilter(List<Term> terms) {
        this.terms = terms;
    }

    /** Parses {@code filter}; {@code fields} are the plain fields the resource can be filtered on. */
    static FakeFilter parse(String filter, Set<String> fields) {
        List<Term> terms = new ArrayList<>();
        if (filter == null || filter.isBlank()) {
            return new FakeFilter(terms);
        }
        Lexer in = new Lexer(filter);
        do {
            String field = in.word();
            if (!(field.startsWith("labels.") && field.length() > "labels.".length()) && !fields.contains(field)) {
                throw invalid(filter, "unknown field '" + field + "'");
            }
            String op = in.operator();
            String value = in.value();
            terms.add(new Term(field, op.equals("="), value));
        } while (in.and());
        if (!in.atEnd()) {
            throw invalid(filter, "unexpected text at offset " + in.at);
        }
        return new FakeFilter(terms);
    }

    /** Whether a resource whose fields (labels as {@code labels.KEY}) have these values matches. */
    boolean matches(Map<String, String> values) {
        for (Term term : terms) {
            boolean same = term.value.equals(values.get(term.field));
            if (same != term.equal) {
                return false;
            }
        }
        return true;
    }

    static Map<String, String> labels(Map<String, String> labels) {
        Map<String, String> values = new java.util.HashMap<>();
        labels.forEach((k, v) -> values.put("labels." + k, v));
        return values;
    }

    private static io.grpc.StatusRuntimeException invalid(String filter, String why) {
        return Status.INVALID_ARGUMENT
                .withDescription("Invalid filter \"" + filter + "\": " + why + ".")
                .asRuntimeException();
    }

    private static final class Lexer {
        final String text;
        int at;

        Lexer(String text) {
            this.text = text;
        }

        void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        boolean atEnd() {
            skipSpace();
            return at == text.length();
        }

        String word() {
            skipSpace();
            int start = at;
            while (at < text.length()
                    && (Character.isLetterOrDigit(text.charAt(at)) || "._-".indexOf(text.charAt(at)) >= 0)) {
                at++;
            }
            if (start == at) {
                throw invalid(text, "expected a field at offset " + start);
            }
            return text.substring(start, at);
        }

        String operator() {
            skipSpace();
            for (String op : List.of("!=", "=")) {
                if (text.startsWith(op, at)) {
                    at += op.length();
                    return op;
                }
            }
            throw invalid(text, "expected = or != at offset " + at);
        }

        String value() {
            skipSpace();
            if (at < text.length() && text.charAt(at) == '"') {
                StringBuilder value = new StringBuilder();
                for (at++; at < text.length(); at++) {
                    char c = text.charAt(at);
                    if (c == '\\' && at + 1 < text.length()) {
                        value.append(text.charAt(++at));
                    } else if (c == '"') {
                        at++;
                        return value.toString();
                    } else {
                        value.append(c);
                    }
                }
                throw invalid(text, "unterminated string");
            }
            return word();
        }

        boolean and() {
            skipSpace();
            if (text.startsWith("AND", at) && at + 3 < text.length() && Character.isWhitespace(text.charAt(at + 3))) {
                at += 3;
                return true;
            }
            return false;
        }
    }
}
