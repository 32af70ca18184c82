package org.amused4j.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TokenizerWriterTest {
    @TempDir
    Path dir;

    @Test
    void byteLevelTokenizerWithoutMergesSpellsWordsLetterByLetter() {
        TokenizerWriter.write(dir, List.of(), "!");
        ClipTokenizer tok = ClipTokenizer.load(dir);
        assertThat(tok.eosId()).isEqualTo(513).isGreaterThan(tok.bosId());
        assertThat(tok.padId()).isEqualTo('!' - 33); // printable bytes start at '!' = id 0
        int[] ids = tok.encode("ab");
        assertThat(ids).hasSize(77);
        assertThat(ids[0]).isEqualTo(tok.bosId());
        assertThat(ids[1]).isEqualTo('a' - 33);
        assertThat(ids[2]).isEqualTo(256 + 'b' - 33); // last letter carries </w>
        assertThat(ids[3]).isEqualTo(tok.eosId());
        assertThat(ids[4]).isEqualTo(tok.padId());
    }

    @Test
    void mergesBecomeVocabularyEntriesInMergeOrder() {
        TokenizerWriter.write(dir, List.<String[]>of(new String[] {"r", "e"}, new String[] {"re", "d</w>"}), "!");
        ClipTokenizer tok = ClipTokenizer.load(dir);
        assertThat(tok.encode("red")[1]).isEqualTo(513); // 512 = "re", 513 = "red</w>"
        assertThat(tok.encode("red")[2]).isEqualTo(tok.eosId());
        assertThat(tok.eosId()).isEqualTo(515);
    }
}
