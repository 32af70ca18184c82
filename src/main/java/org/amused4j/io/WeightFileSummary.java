package org.amused4j.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a safetensors file holds, from its header alone (for {@code amused4j info}).
 *
 * @param tensorCount       tensors in the file
 * @param parameterCount    elements of all tensors
 * @param tensorsByDtype    how many tensors have each dtype
 * @param parametersByDtype how many elements are stored in each dtype
 * @param tensorBytes       bytes the tensors occupy in the data section
 * @param fileBytes         size of the whole file
 */
public record WeightFileSummary(Path file, int tensorCount, long parameterCount,
                                SortedMap<DType, Integer> tensorsByDtype, SortedMap<DType, Long> parametersByDtype,
                                long tensorBytes, long fileBytes, Map<String, String> metadata) {

    public WeightFileSummary {
        tensorsByDtype = Collections.unmodifiableSortedMap(new TreeMap<>(tensorsByDtype));
        parametersByDtype = Collections.unmodifiableSortedMap(new TreeMap<>(parametersByDtype));
        metadata = Map.copyOf(metadata);
    }

    /**
     * Reads the header of {@code file}.
     *
     * @throws org.amused4j.tensor.AmusedException when it is not a valid safetensors file
     */
    public static WeightFileSummary of(Path file) {
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<DType, Integer> tensors = new EnumMap<>(DType.class);
            Map<DType, Long> params = new EnumMap<>(DType.class);
            long bytes = 0;
            for (String name : st.names()) {
                TensorInfo info = st.info(name);
                tensors.merge(info.dtype(), 1, Integer::sum);
                params.merge(info.dtype(), info.numel(), Long::sum);
                bytes += info.end() - info.begin();
            }
            long total = params.values().stream().mapToLong(Long::longValue).sum();
            return new WeightFileSummary(file, st.names().size(), total, new TreeMap<>(tensors),
                    new TreeMap<>(params), bytes, st.fileSize(), st.metadata());
        }
    }

    /** One line, e.g. {@code 474 tensors, 603,537,664 parameters (F32: 474 tensors), 2.41 GB}. */
    public String describe() {
        StringBuilder dtypes = new StringBuilder();
        tensorsByDtype.forEach((dtype, n) -> dtypes.append(dtypes.isEmpty() ? "" : ", ")
                .append(dtype).append(": ").append(n).append(n == 1 ? " tensor" : " tensors"));
        return String.format(Locale.ROOT, "%d tensors, %,d parameters (%s), %s", tensorCount, parameterCount,
                dtypes, humanBytes(fileBytes));
    }

    static String humanBytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int unit = -1;
        while (v >= 1000 && unit < units.length - 1) {
            v /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[unit]);
    }
}
