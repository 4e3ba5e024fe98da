package io.nebula.worker.config;

/** A typed setting value together with the layer and place it came from. */
record SourcedValue(Object value, Source source) {}
