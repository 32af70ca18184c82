package org.amused4j.io;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.amused4j.tensor.AmusedException;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads JSON config files ({@code config.json}, {@code scheduler_config.json}, ...) into records.
 *
 * <h2>Convention for config records</h2>
 * Each model package declares its own record with one component per key it uses:
 * <ul>
 *   <li>Name every component with {@code @JsonProperty("snake_case_key")}.</li>
 *   <li><b>Required keys</b>: {@code @JsonProperty(value = "hidden_size", required = true)}, with a primitive or
 *       any other type. A file without the key is rejected with an {@link AmusedException} naming the file and
 *       the key. A required key may still be JSON {@code null} (e.g. {@code "vq_embed_dim": null}) when the
 *       component type is a reference type; a JSON {@code null} for a primitive is rejected.</li>
 *   <li><b>Optional keys</b>: a boxed or reference type ({@code Integer}, {@code Boolean}, {@code List<Integer>})
 *       that Jackson leaves {@code null} when the key is absent, and a compact constructor that replaces
 *       {@code null} with the default, so the rest of the code never sees {@code null}:
 *       <pre>{@code
 * record SchedulerConfig(@JsonProperty(value = "mask_token_id", required = true) int maskTokenId,
 *                        @JsonProperty("masking_schedule") String maskingSchedule) {
 *     SchedulerConfig {
 *         if (maskingSchedule == null) maskingSchedule = "cosine";
 *     }
 * }}</pre>
 *       Do not use primitives for optional keys: an absent key would silently become 0 / false.</li>
 *   <li>Unknown keys (including diffusers' {@code _class_name}, {@code _diffusers_version}, ...) are ignored,
 *       so records need no {@code @JsonIgnoreProperties}.</li>
 *   <li>Validation of values (ranges, allowed strings) belongs in the compact constructor; throw
 *       {@link IllegalArgumentException} (or an {@link AmusedException}), which {@link #read} reports as an
 *       {@link AmusedException} naming the file.</li>
 *   <li>Numbers and booleans must be JSON numbers and booleans: a quoted {@code "768"} or a fractional value for
 *       an integer is rejected naming the key.</li>
 * </ul>
 */
public final class Configs {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // A quoted "768" or a 768.5 where an integer belongs is a broken file, not something to round.
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private Configs() {
    }

    /**
     * Reads {@code file} into {@code recordType} following the convention above.
     *
     * @throws AmusedException naming the file and the problem: missing/unreadable file, malformed JSON,
     *                         not a JSON object, a missing required key, a value of the wrong type, or a
     *                         value the record's constructor rejects
     */
    public static <T extends Record> T read(Path file, Class<T> recordType) {
        JsonNode tree = tree(file);
        for (RecordComponent c : recordType.getRecordComponents()) {
            JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
            if (p == null) {
                continue;
            }
            if (p.required() && !tree.has(p.value())) {
                throw new AmusedException(file + ": missing required key '" + p.value() + "'");
            }
            if (c.getType().isPrimitive() && tree.path(p.value()).isNull()) {
                throw new AmusedException(file + ": key '" + p.value() + "' is null, expected a "
                        + (c.getType() == boolean.class ? "boolean" : "number"));
            }
        }
        try {
            return MAPPER.treeToValue(tree, recordType);
        } catch (JsonMappingException e) {
            throw new AmusedException(file + ": " + describe(e), e);
        } catch (JsonProcessingException e) {
            throw new AmusedException(file + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The JSON object in {@code file}.
     *
     * @throws AmusedException naming the file when it is missing, unreadable, malformed or not an object
     */
    public static JsonNode tree(Path file) {
        if (Files.isDirectory(file)) {
            throw new AmusedException(file + ": is a directory, expected a JSON file");
        }
        JsonNode tree;
        try (InputStream in = Files.newInputStream(file)) {
            tree = MAPPER.readTree(in);
        } catch (NoSuchFileException e) {
            throw new AmusedException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new AmusedException(file + ": permission denied");
        } catch (JsonProcessingException e) {
            throw new AmusedException(file + ": malformed JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot read (" + e + ")", e);
        }
        if (tree == null || !tree.isObject()) {
            throw new AmusedException(file + ": expected a JSON object");
        }
        return tree;
    }

    /** "key 'a.b': problem", or the constructor's own message when a record's constructor rejected a value. */
    private static String describe(JsonMappingException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException || cause instanceof AmusedException) {
            return cause.getMessage();
        }
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                key.append(key.isEmpty() ? "" : ".").append(r.getFieldName());
            } else {
                key.append('[').append(r.getIndex()).append(']');
            }
        }
        return (key.isEmpty() ? "" : "key '" + key + "': ") + e.getOriginalMessage();
    }
}
