package org.amused4j.pipeline;

import org.amused4j.tensor.AmusedException;

import java.util.Collections;
import java.util.List;

/**
 * The prompts of one request and their negative prompts. A single negative prompt is broadcast to every
 * prompt (diffusers fails on that); an empty list means "" for each prompt, diffusers' default.
 */
public record Prompts(List<String> prompts, List<String> negativePrompts) {

    public Prompts {
        if (prompts == null || prompts.isEmpty()) {
            throw new AmusedException("at least one prompt is needed");
        }
        prompts = List.copyOf(prompts);
        if (negativePrompts == null || negativePrompts.isEmpty()) {
            negativePrompts = Collections.nCopies(prompts.size(), "");
        } else if (negativePrompts.size() == 1 && prompts.size() > 1) {
            negativePrompts = Collections.nCopies(prompts.size(), negativePrompts.getFirst());
        } else if (negativePrompts.size() != prompts.size()) {
            throw new AmusedException(negativePrompts.size() + " negative prompts for " + prompts.size()
                    + " prompts: give one, or one per prompt");
        }
        negativePrompts = List.copyOf(negativePrompts);
    }

    public static Prompts of(String prompt) {
        return new Prompts(List.of(prompt), List.of());
    }

    public static Prompts of(String prompt, String negativePrompt) {
        return new Prompts(List.of(prompt), negativePrompt == null ? List.of() : List.of(negativePrompt));
    }

    public int size() {
        return prompts.size();
    }
}
