package io.nebula.worker.json;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mappers the worker shares, one per configuration in use. A Jackson 3 mapper is
 * immutable and safe to share between threads, so every package that reads or writes plain JSON
 * uses {@link #MAPPER} instead of building its own. Depends on nothing of ours, so every layer may
 * use it. (Definition files are read with their own mapper, which differs: see {@code
 * workflow.DefinitionReader}.)
 */
public final class Json {
    /** Jackson's defaults. */
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** Jackson's defaults, writing indented output (pages and reports meant for people). */
    public static final JsonMapper INDENTED =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Json() {}
}
