package org.amused4j.text;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import static org.assertj.core.api.Assertions.assertThat;

class ClipTokenizerProperties {
    private final ClipTokenizer tokenizer = TokenizerFolders.first();

    @Property(tries = 300)
    void everyStringGivesAFullRowFramedByBosAndEos(@ForAll String prompt) {
        ClipTokenizer.Encoding enc = tokenizer.tokenize(prompt);
        int[] ids = enc.ids();
        assertThat(ids).hasSize(tokenizer.maxLength());
        assertThat(ids[0]).isEqualTo(tokenizer.bosId());
        int eosAt = 1 + Math.min(enc.contentTokens(), tokenizer.maxLength() - 2);
        assertThat(ids[eosAt]).isEqualTo(tokenizer.eosId());
        for (int i = eosAt + 1; i < ids.length; i++) {
            assertThat(ids[i]).isEqualTo(tokenizer.padId());
        }
    }

    @Property(tries = 200)
    void leadingAndTrailingWhitespaceDoesNotMatter(@ForAll String prompt) {
        assertThat(tokenizer.encode(" \t" + prompt + "\n ")).containsExactly(tokenizer.encode(prompt));
    }
}
