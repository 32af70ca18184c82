package org.amused4j.vq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.amused4j.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes float32 tensors as a safetensors file (spec 02 §1), to build deliberately broken model files in tests. */
final class SafeTensorsTestWriter {
    private SafeTensorsTestWriter() {
    }

    static void writeF32(Path file, Map<String, Tensor> tensors) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode entry = header.putObject(e.getKey());
            entry.put("dtype", "F32");
            entry.set("shape", json.valueToTree(e.getValue().shape()));
            long bytes = 4L * e.getValue().size();
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        StringBuilder text = new StringBuilder(json.writeValueAsString(header));
        while (text.length() % 8 != 0) {
            text.append(' ');
        }
        byte[] headerBytes = text.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + headerBytes.length + offset))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerBytes.length).put(headerBytes);
        for (Tensor t : tensors.values()) {
            for (float v : t.data()) {
                out.putFloat(v);
            }
        }
        Files.write(file, out.array());
    }
}
