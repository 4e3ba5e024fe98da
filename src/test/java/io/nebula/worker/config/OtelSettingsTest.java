package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code [otel]} section: off by default, set by the standard {@code OTEL_*} variables over the
 * file, checked with errors that name the key, and headers (credentials) never echoed.
 */
class OtelSettingsTest {
    @TempDir
    Path dir;

    @Test
    void tracingIsOffWithoutAnEndpoint() {
        WorkerConfig.Otel o = new ConfigFixture(dir)
                .load(null, Map.of(), FlagOverrides.none())
                .tracing()
                .otel();

        assertThat(o).isEqualTo(WorkerConfig.Otel.OFF);
        assertThat(o.enabled()).isFalse();
    }

    @Test
    void theStandardVariablesOverrideTheFile() {
        String toml = """
                [otel]
                exporter_otlp_endpoint = "http://collector.file:4318"
                service_name = "from-file"
                traces_sampler = "traceidratio"
                traces_sampler_arg = "0.5"
                bsp_max_queue_size = 100
                """;
        WorkerConfig.Otel o = new ConfigFixture(dir)
                .load(
                        toml,
                        Map.of(
                                "OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector.env:4318/",
                                "OTEL_SERVICE_NAME", "billing-workers",
                                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod, team=a%2Cb",
                                "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=s3cr3t",
                                "OTEL_TRACES_SAMPLER_ARG", "0.25",
                                "OTEL_BSP_SCHEDULE_DELAY", "250",
                                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "64"),
                        FlagOverrides.none())
                .tracing()
                .otel();

        assertThat(o.enabled()).isTrue();
        assertThat(o.endpoint()).isEqualTo("https://collector.env:4318/");
        assertThat(o.serviceName()).isEqualTo("billing-workers");
        assertThat(o.resourceAttributes())
                .containsExactlyInAnyOrderEntriesOf(Map.of("deployment.environment", "prod", "team", "a,b"));
        assertThat(o.headers()).containsExactlyEntriesOf(Map.of("x-api-key", "s3cr3t"));
        assertThat(o.sampler()).isEqualTo("traceidratio");
        assertThat(o.samplerRatio()).isEqualTo(0.25);
        assertThat(o.maxQueueSize()).isEqualTo(100);
        assertThat(o.maxExportBatchSize()).isEqualTo(64);
        assertThat(o.scheduleDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(o.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void anExportBatchLargerThanTheQueueIsAnErrorOnlyWhenItWasSet() {
        WorkerConfig.Otel small = new ConfigFixture(dir)
                .load("[otel]\nbsp_max_queue_size = 100\n", Map.of(), FlagOverrides.none())
                .tracing()
                .otel();
        assertThat(small.maxExportBatchSize()).isEqualTo(512);

        ConfigException e = catchThrowableOfType(
                ConfigException.class,
                () -> new ConfigFixture(dir)
                        .load(
                                "[otel]\nbsp_max_queue_size = 100\n",
                                Map.of("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "200"),
                                FlagOverrides.none()));
        assertThat(e.key()).isEqualTo("otel.bsp_max_export_batch_size");
        assertThat(e.getMessage())
                .contains("OTEL_BSP_MAX_EXPORT_BATCH_SIZE")
                .contains("200")
                .contains("otel.bsp_max_queue_size (100");
    }

    @Test
    void anUnknownSamplerOrProtocolNamesTheVariableAndWhatIsAllowed() {
        ConfigException sampler = catchThrowableOfType(
                ConfigException.class,
                () -> new ConfigFixture(dir)
                        .load(null, Map.of("OTEL_TRACES_SAMPLER", "sometimes"), FlagOverrides.none()));
        assertThat(sampler.key()).isEqualTo("otel.traces_sampler");
        assertThat(sampler.getMessage()).contains("OTEL_TRACES_SAMPLER").contains("parentbased_traceidratio");

        ConfigException grpc = catchThrowableOfType(
                ConfigException.class,
                () -> new ConfigFixture(dir)
                        .load(null, Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), FlagOverrides.none()));
        assertThat(grpc.key()).isEqualTo("otel.exporter_otlp_protocol");
        assertThat(grpc.getMessage()).contains("http/protobuf");
    }

    @Test
    void aMalformedEndpointOrHeaderIsRefusedAndTheHeaderNotEchoed() {
        ConfigException endpoint = catchThrowableOfType(
                ConfigException.class,
                () -> new ConfigFixture(dir)
                        .load("[otel]\nexporter_otlp_endpoint = \"collector:4318\"\n", Map.of(), FlagOverrides.none()));
        assertThat(endpoint.getMessage())
                .contains("otel.exporter_otlp_endpoint")
                .contains("line 2");

        ConfigException headers = catchThrowableOfType(
                ConfigException.class,
                () -> new ConfigFixture(dir)
                        .load(null, Map.of("OTEL_EXPORTER_OTLP_HEADERS", "Bearer t0ps3cret"), FlagOverrides.none()));
        assertThat(headers.key()).isEqualTo("otel.exporter_otlp_headers");
        assertThat(headers.getMessage()).doesNotContain("t0ps3cret").contains("key=value");
    }
}
