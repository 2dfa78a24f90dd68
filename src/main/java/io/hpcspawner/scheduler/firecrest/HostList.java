package io.hpcspawner.scheduler.firecrest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The first host of a Slurm compressed host list as FirecREST passes it in {@code JobModel.nodes}:
 * {@code nid[001-003,007],login01} starts with nid001. Commas inside brackets do not separate
 * hosts, zero padding is kept, each bracket group contributes its first number
 * ({@code r[3-4]n[07,09]} is r3n07). The empty string and the placeholders Slurm writes for pending
 * jobs ({@code None assigned}, {@code (null)}) mean no host. Nothing is expanded: the service only
 * needs the node a single-node server runs on.
 */
final class HostList {

    private HostList() {
    }

    /** The first host; empty for "no host" and for a malformed list. */
    static Optional<String> first(String hostList) {
        try {
            List<String> items = items(hostList);
            if (items.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(firstOf(items.get(0)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean none(String s) {
        return s.isEmpty() || s.equalsIgnoreCase("None assigned") || s.equalsIgnoreCase("None") || s.equals("(null)");
    }

    /** Splits at commas outside brackets; throws on unbalanced brackets or an empty name anywhere in the list. */
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

    /** One host name pattern with each bracket group replaced by its first number. */
    private static String firstOf(String item) {
        StringBuilder host = new StringBuilder();
        int i = 0;
        while (i < item.length()) {
            int open = item.indexOf('[', i);
            if (open < 0) {
                host.append(item, i, item.length());
                break;
            }
            host.append(item, i, open);
            int close = item.indexOf(']', open);
            host.append(firstNumber(item.substring(open + 1, close)));
            i = close + 1;
        }
        return host.toString();
    }

    /** {@code 001-003,007} starts with 001: the number as written. Every range of the group must be well formed. */
    private static String firstNumber(String group) {
        String first = null;
        for (String range : group.split(",", -1)) {
            String[] ends = range.trim().split("-", -1);
            if (ends.length > 2 || !ends[0].matches("\\d{1,18}") || ends.length == 2 && !ends[1].matches("\\d{1,18}")
                    || ends.length == 2 && Long.parseLong(ends[1]) < Long.parseLong(ends[0])) {
                throw new IllegalArgumentException("bad range [" + group + "] in host list");
            }
            first = first == null ? ends[0] : first;
        }
        return first;
    }
}
