package org.amused4j.text;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Expected values are what CPython 3.11's html.unescape and the reference cleaning return for the same input. */
class TextCleanerTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            &amp;                     | &
            &amp                      | &
            &ampx                     | &x
            &notit;                   | \u00acit;
            &notin;                   | \u2209
            &lt;3                     | <3
            a&b                       | a&b
            &#39;                     | '
            &#x27;                    | '
            &#X41;                    | A
            &#0;                      | \ufffd
            &#128;                    | \u20ac
            &#x81;                    | \u0081
            &#xD800;                  | \ufffd
            &#1114112;                | \ufffd
            &#99999999999999999999;   | \ufffd
            &nbsp;x                   | \u00a0x
            &nbspx                    | \u00a0x
            &NotANamedThing;          | &NotANamedThing;
            &amp;lt;                  | &lt;
            &&amp;                    | &&
            &#;                       | &#;
            &#x;                      | &#x;
            &copy2024                 | \u00a92024
            &acE;                     | \u223e\u0333
            &fjlig;                   | fj
            &;                        | &;
            &aa;                      | &aa;
            &ThickSpace;              | "\u205f\u200a"
            caf&eacute;               | caf\u00e9
            &#65&#66                  | AB
            """)
    void unescapesLikePython(String input, String expected) {
        assertThat(HtmlUnescape.unescape(input)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "&#1;x&#xFFFE;&#x10FFFF;" | x
            "&#13;"                   | "\r"
            """)
    void numericReferencesToForbiddenCodePointsVanish(String input, String expected) {
        assertThat(HtmlUnescape.unescape(input)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "ΟΔΟΣ and ΣΑΣ."               | "οδος and σας."
            "İstanbul"                    | "i\u0307stanbul"
            "  x\u3000\u00a0y\t\n"        | "x y"
            "&amp;amp; A&lt;B"            | "& a<b"
            "\u01c5ungla \ufb03 Ω K"      | "\u01c6ungla \ufb03 ω k"
            "\u0391\u03a3\u0301 "         | "\u03b1\u03c2\u0301"
            "\u001c a \u001c"             | "a"
            "a\u001cb"                    | "a\u001cb"
            """)
    void cleansLikeTheReference(String input, String expected) {
        // The last two: str.strip() removes U+001C at the ends, the regex \s collapse leaves it inside.
        assertThat(TextCleaner.clean(input)).isEqualTo(expected);
    }
}
