package org.amused4j.text;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The reference CLIP prompt cleaning (OpenAI's {@code simple_tokenizer.py} with {@code ftfy.fix_text} as the
 * identity): {@code html.unescape} twice, strip, collapse whitespace runs to one space, strip, lower-case.
 *
 * <p>Two Python whitespace notions meet here and both are reproduced: {@code str.strip()} removes
 * {@code str.isspace()} characters, which include the separators U+001C–U+001F, while the collapse uses the
 * {@code regex} module's {@code \s} (Unicode White_Space, without U+001C–U+001F) — the same set as Java's
 * {@code \s} under {@link Pattern#UNICODE_CHARACTER_CLASS}. {@code toLowerCase(Locale.ROOT)} applies the
 * same full Unicode mapping as Python's {@code str.lower()}, final sigma and {@code İ → i̇} included; checked
 * over every code point against CPython 3.11, the only differences are 27 capital letters new in Unicode 16
 * (which Java 25 knows and Python 3.11 does not).
 */
final class TextCleaner {
    private static final Pattern WHITESPACE_RUN = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    /** Leading or trailing characters for which Python's {@code str.isspace()} is true. */
    private static final Pattern PYTHON_STRIP =
            Pattern.compile("\\A[\\s\\x1C-\\x1F]+|[\\s\\x1C-\\x1F]+\\z", Pattern.UNICODE_CHARACTER_CLASS);

    private TextCleaner() {
    }

    static String clean(String text) {
        String s = pythonStrip(HtmlUnescape.unescape(HtmlUnescape.unescape(text)));
        s = pythonStrip(WHITESPACE_RUN.matcher(s).replaceAll(" "));
        return s.toLowerCase(Locale.ROOT);
    }

    private static String pythonStrip(String s) {
        return PYTHON_STRIP.matcher(s).replaceAll("");
    }
}
