package io.hpcspawner.scheduler.firecrest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Expands Slurm's compressed host lists: {@code nid[001-003,007],login01} is nid001, nid002,
 * nid003, nid007, login01. Commas inside brackets do not separate hosts, zero padding is kept,
 * several bracket groups in one name multiply ({@code r[1-2]n[1-2]}). The empty string and the
 * placeholders Slurm writes for pending jobs ({@code None assigned}, {@code (null)}) mean no host.
 */
final class HostList {

    /** Refuses expansions larger than this: a host list is not a way to allocate memory. */
    static final int MAX_HOSTS = 100_000;

    private HostList() {
    }

    /** Every host, in order. Throws {@link IllegalArgumentException} on a malformed list. */
    static List<String> expand(String hostList) {
        List<String> hosts = new ArrayList<>();
        for (String item : items(hostList)) {
            List<String> expanded = List.of("");
            for (Part part : parse(item)) {
                List<String> next = new ArrayList<>();
                for (String prefix : expanded) {
                    for (String value : part.values()) {
                        next.add(prefix + value);
                        if (hosts.size() + next.size() > MAX_HOSTS) {
                            throw new IllegalArgumentException("host list expands to more than " + MAX_HOSTS + " hosts");
                        }
                    }
                }
                expanded = next;
            }
            hosts.addAll(expanded);
        }
        return hosts;
    }

    /** The first host without expanding the rest; empty for "no host" and for a malformed list. */
    static Optional<String> first(String hostList) {
        try {
            List<String> items = items(hostList);
            if (items.isEmpty()) {
                return Optional.empty();
            }
            StringBuilder host = new StringBuilder();
            for (Part part : parse(items.get(0))) {
                host.append(part.first());
            }
            return Optional.of(host.toString());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean none(String s) {
        return s.isEmpty() || s.equalsIgnoreCase("None assigned") || s.equalsIgnoreCase("None") || s.equals("(null)");
    }

    /** Splits at commas outside brackets. */
    private static List<String> items(String hostList) {
        String s = hostList == null ? "" : hostList.trim();
        List<String> items = new ArrayList<>();
        if (none(s)) {
            return items;
        }
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                add(items, s.substring(start, i));
                start = i + 1;
            }
            if (depth < 0 || depth > 1) {
                throw new IllegalArgumentException("unbalanced brackets in host list: " + s);
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("unbalanced brackets in host list: " + s);
        }
        add(items, s.substring(start));
        return items;
    }

    private static void add(List<String> items, String item) {
        String t = item.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty name in host list");
        }
        items.add(t);
    }

    /** One host name pattern as literal text and bracket groups. */
    private static List<Part> parse(String item) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < item.length()) {
            int open = item.indexOf('[', i);
            if (open < 0) {
                parts.add(new Literal(item.substring(i)));
                break;
            }
            if (open > i) {
                parts.add(new Literal(item.substring(i, open)));
            }
            int close = item.indexOf(']', open);
            parts.add(Ranges.parse(item.substring(open + 1, close)));
            i = close + 1;
        }
        return parts;
    }

    private sealed interface Part permits Literal, Ranges {
        String first();

        List<String> values();
    }

    private record Literal(String text) implements Part {
        @Override
        public String first() {
            return text;
        }

        @Override
        public List<String> values() {
            return List.of(text);
        }
    }

    /** {@code 001-003,007}: numbers keep the width of the range's lower bound as written. */
    private record Ranges(List<long[]> ranges, List<Integer> widths) implements Part {

        static Ranges parse(String text) {
            List<long[]> ranges = new ArrayList<>();
            List<Integer> widths = new ArrayList<>();
            for (String r : text.split(",", -1)) {
                String[] ends = r.trim().split("-", -1);
                if (ends.length > 2 || !ends[0].matches("\\d{1,18}") || ends.length == 2 && !ends[1].matches("\\d{1,18}")) {
                    throw new IllegalArgumentException("bad range [" + text + "] in host list");
                }
                long lo = Long.parseLong(ends[0]);
                long hi = ends.length == 2 ? Long.parseLong(ends[1]) : lo;
                if (hi < lo || hi - lo >= MAX_HOSTS) {
                    throw new IllegalArgumentException("bad range [" + text + "] in host list");
                }
                ranges.add(new long[] {lo, hi});
                widths.add(ends[0].length());
            }
            return new Ranges(ranges, widths);
        }

        @Override
        public String first() {
            return format(ranges.get(0)[0], widths.get(0));
        }

        @Override
        public List<String> values() {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                for (long n = ranges.get(i)[0]; n <= ranges.get(i)[1]; n++) {
                    values.add(format(n, widths.get(i)));
                }
            }
            return values;
        }

        private static String format(long n, int width) {
            String digits = Long.toString(n);
            return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
        }
    }
}
