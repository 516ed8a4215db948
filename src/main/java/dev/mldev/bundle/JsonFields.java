package dev.mldev.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One JSON object's fields by type. An absent or null field reads as null, or as 0 and false for numbers and
 * flags (as databind reads them); a field of the wrong type throws IllegalArgumentException naming its path.
 */
record JsonFields(String path, Map<?, ?> values) {
    String text(String name) {
        return get(name, String.class, "a string");
    }

    int integer(String name) {
        Number n = get(name, Number.class, "a whole number");
        if (n != null && n.doubleValue() != n.intValue()) {
            throw wrong(name, "a whole number", n);
        }
        return n == null ? 0 : n.intValue();
    }

    double decimal(String name) {
        Number n = get(name, Number.class, "a number");
        return n == null ? 0 : n.doubleValue();
    }

    boolean bool(String name) {
        Boolean b = get(name, Boolean.class, "true or false");
        return b != null && b;
    }

    JsonFields object(String name) {
        Map<?, ?> map = get(name, Map.class, "an object");
        return map == null ? null : new JsonFields(path + name + ".", map);
    }

    List<JsonFields> objects(String name) {
        List<?> list = get(name, List.class, "an array of objects");
        if (list == null) {
            return null;
        }
        List<JsonFields> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                throw wrong(name + "[" + i + "]", "an object", list.get(i));
            }
            out.add(new JsonFields(path + name + "[" + i + "].", map));
        }
        return out;
    }

    List<String> texts(String name) {
        List<?> list = get(name, List.class, "an array of strings");
        if (list != null && !list.stream().allMatch(String.class::isInstance)) {
            throw wrong(name, "an array of strings", list);
        }
        return list == null ? null : list.stream().map(String.class::cast).toList();
    }

    List<Long> integers(String name) {
        List<Number> numbers = numbers(name, "whole numbers");
        if (numbers != null && numbers.stream().anyMatch(n -> n.doubleValue() != n.longValue())) {
            throw wrong(name, "an array of whole numbers", numbers);
        }
        return numbers == null ? null : numbers.stream().map(Number::longValue).toList();
    }

    List<Double> decimals(String name) {
        List<Number> numbers = numbers(name, "numbers");
        return numbers == null
                ? null
                : numbers.stream().map(Number::doubleValue).toList();
    }

    private List<Number> numbers(String name, String what) {
        List<?> list = get(name, List.class, "an array of " + what);
        if (list == null) {
            return null;
        }
        List<Number> out = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof Number n)) {
                throw wrong(name, "an array of " + what, list);
            }
            out.add(n);
        }
        return out;
    }

    private <T> T get(String name, Class<T> type, String what) {
        Object value = values.get(name);
        if (value != null && !type.isInstance(value)) {
            throw wrong(name, what, value);
        }
        return type.cast(value);
    }

    private IllegalArgumentException wrong(String name, String what, Object value) {
        String shown = value instanceof String text ? "\"" + text + "\"" : String.valueOf(value);
        return new IllegalArgumentException(path + name + " must be " + what + ", not "
                + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown));
    }
}
