package org.amused4j.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}, which the reference CLIP text cleaning applies (twice) to every prompt.
 *
 * <p>Follows CPython's algorithm: character references are found with the pattern
 * {@code &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)}; numeric references map through the
 * HTML5 rules (the Windows-1252 remapping of 0x80–0x9F, U+FFFD for 0, surrogates and out-of-range values,
 * nothing for the forbidden control and non-character code points); named references use the complete
 * HTML5 table ({@code html5-entities.tsv}), including the legacy names recognised without a semicolon and
 * the longest-prefix rule ({@code &notit;} becomes {@code ¬it;}). Unknown names are left as they are.
 */
final class HtmlUnescape {
    private static final Pattern CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /** HTML5's replacements for numeric references 0x80–0x9F (Windows-1252 where it defines a character). */
    private static final String C1_REPLACEMENTS = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021"
            + "\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014"
            + "\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

    private static final Map<String, String> NAMED = loadNamed();

    private HtmlUnescape() {
    }

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replace(String ref) {
        if (ref.charAt(0) == '#') {
            return numeric(ref);
        }
        String whole = NAMED.get(ref);
        if (whole != null) {
            return whole;
        }
        for (int len = ref.length() - 1; len > 1; len--) {
            String prefix = NAMED.get(ref.substring(0, len));
            if (prefix != null) {
                return prefix + ref.substring(len);
            }
        }
        return "&" + ref;
    }

    private static String numeric(String ref) {
        boolean hex = ref.length() > 1 && (ref.charAt(1) == 'x' || ref.charAt(1) == 'X');
        String digits = ref.substring(hex ? 2 : 1);
        if (digits.endsWith(";")) {
            digits = digits.substring(0, digits.length() - 1);
        }
        // Any value past U+10FFFF behaves the same, so saturate instead of parsing arbitrarily long numbers.
        long value = 0;
        for (int i = 0; i < digits.length() && value <= 0x10FFFF; i++) {
            value = value * (hex ? 16 : 10) + Character.digit(digits.charAt(i), hex ? 16 : 10);
        }
        if (value == 0) {
            return "\ufffd";
        }
        if (value == 0x0D) {
            return "\r";
        }
        if (value >= 0x80 && value <= 0x9F) {
            return String.valueOf(C1_REPLACEMENTS.charAt((int) value - 0x80));
        }
        if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) {
            return "\ufffd";
        }
        int cp = (int) value;
        if (isForbidden(cp)) {
            return "";
        }
        return Character.toString(cp);
    }

    /** Control characters and non-characters that a numeric reference may not produce. */
    private static boolean isForbidden(int cp) {
        return (cp >= 0x1 && cp <= 0x8) || cp == 0xB || (cp >= 0xE && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F)
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }

    private static Map<String, String> loadNamed() {
        Map<String, String> map = new HashMap<>();
        try (InputStream in = HtmlUnescape.class.getResourceAsStream("html5-entities.tsv")) {
            if (in == null) {
                throw new IllegalStateException("html5-entities.tsv missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder();
                for (String hex : line.substring(tab + 1).split(" ")) {
                    value.appendCodePoint(Integer.parseInt(hex, 16));
                }
                map.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(map);
    }
}
