package org.amused4j.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The optimizer's parameter groups as {@code train_amused.py} builds them: every parameter whose name
 * contains one of {@link #NO_DECAY_SUBSTRINGS} goes to a group without weight decay, all others to a
 * group with {@code adam_weight_decay}; the text encoder, when trained, is one more group with decay
 * for all of its parameters (no name filter there).
 */
public final class ParameterGroups {
    /** Substring (not suffix) matches on the full parameter name, as in the script (spec 09 §5, trap 43). */
    public static final List<String> NO_DECAY_SUBSTRINGS =
            List.of("bias", "layer_norm.weight", "mlm_ln.weight", "embeddings.weight");

    /** Parameters that share a weight decay. */
    public record Group(List<Parameter> parameters, double weightDecay) {
        public Group {
            parameters = List.copyOf(parameters);
        }
    }

    private final List<Group> groups;

    private ParameterGroups(List<Group> groups) {
        this.groups = List.copyOf(groups);
    }

    /** The script's split of one model: decayed parameters first, then the no-decay ones (decay 0). */
    public static ParameterGroups splitByName(List<Parameter> parameters, double weightDecay) {
        List<Parameter> decay = new ArrayList<>();
        List<Parameter> noDecay = new ArrayList<>();
        for (Parameter p : parameters) {
            (isExemptFromDecay(p.name()) ? noDecay : decay).add(p);
        }
        return new ParameterGroups(List.of(new Group(decay, weightDecay), new Group(noDecay, 0.0)));
    }

    /** A copy with one more group (the text encoder's parameters when it is trained). */
    public ParameterGroups with(List<Parameter> parameters, double weightDecay) {
        List<Group> more = new ArrayList<>(groups);
        more.add(new Group(parameters, weightDecay));
        return new ParameterGroups(more);
    }

    public static boolean isExemptFromDecay(String parameterName) {
        return NO_DECAY_SUBSTRINGS.stream().anyMatch(parameterName::contains);
    }

    public List<Group> groups() {
        return groups;
    }

    /** Every parameter of every group, in group order. */
    public List<Parameter> all() {
        return groups.stream().flatMap(g -> g.parameters().stream()).toList();
    }

    public void zeroGrad() {
        all().forEach(Parameter::zeroGrad);
    }
}
