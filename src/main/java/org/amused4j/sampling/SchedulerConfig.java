package org.amused4j.sampling;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.amused4j.io.Configs;
import org.amused4j.tensor.AmusedException;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code scheduler/scheduler_config.json}: the mask token id and the masking schedule (diffusers' default "cosine"
 * when the key is absent). Other keys ({@code _class_name}, {@code _diffusers_version}) are ignored.
 */
public record SchedulerConfig(int maskTokenId, MaskSchedule maskingSchedule) {

    public SchedulerConfig {
        Objects.requireNonNull(maskingSchedule, "maskingSchedule");
        if (maskTokenId < 0) {
            throw new AmusedException("scheduler config: mask_token_id " + maskTokenId + " is negative");
        }
    }

    private record Json(@JsonProperty("mask_token_id") Integer maskTokenId,
                        @JsonProperty("masking_schedule") String maskingSchedule) {
    }

    public static SchedulerConfig read(Path file) {
        Json json = Configs.read(file, Json.class);
        if (json.maskTokenId() == null) {
            throw new AmusedException(file + ": missing required key 'mask_token_id'");
        }
        MaskSchedule schedule;
        try {
            schedule = json.maskingSchedule() == null ? MaskSchedule.COSINE
                    : MaskSchedule.fromConfigName(json.maskingSchedule());
        } catch (AmusedException e) {
            throw new AmusedException(file + ": " + e.getMessage(), e);
        }
        return new SchedulerConfig(json.maskTokenId(), schedule);
    }
}
