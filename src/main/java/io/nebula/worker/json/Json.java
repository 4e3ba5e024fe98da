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

    /**
     * Jackson's defaults, but writing documents nested up to {@value #VIEW_DEPTH} levels: views that
     * embed stored values (an execution's input, its node outputs), each of which may itself be
     * nested up to the 500 levels every JSON the worker reads or writes alone is held to.
     */
    public static final JsonMapper VIEWS = JsonMapper.builder(tools.jackson.core.json.JsonFactory.builder()
                    .streamWriteConstraints(tools.jackson.core.StreamWriteConstraints.builder()
                            .maxNestingDepth(Json.VIEW_DEPTH)
                            .build())
                    .build())
            .build();

    /** How deep a view may nest: a stored value's 500 levels and the view's own around it. */
    public static final int VIEW_DEPTH = 1_000;

    /** Jackson's defaults, writing indented output (pages and reports meant for people). */
    public static final JsonMapper INDENTED =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Json() {}
}
