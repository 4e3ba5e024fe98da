package io.nebula.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The tracing scenario's servers in their own process: reachable, counting, and their CPU readable. */
class LoopbackServersTest {
    @Test
    void theChildServesTheApiAndTheTraceSinkAndReportsWhatItReceived() throws Exception {
        try (LoopbackServers servers = LoopbackServers.start();
                HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> item = client.send(
                    HttpRequest.newBuilder(URI.create(servers.apiUrl()))
                            .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            client.send(
                    HttpRequest.newBuilder(URI.create(servers.apiUrl())).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> export = client.send(
                    HttpRequest.newBuilder(URI.create(servers.traceEndpoint() + "/v1/traces"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[123]))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(item.statusCode()).isEqualTo(200);
            assertThat(item.body()).isEqualTo("{\"id\":42,\"ok\":true}");
            assertThat(export.statusCode()).isEqualTo(200);
            assertThat(servers.counts()).containsExactly(1, 123, 2, 1);
            assertThat(servers.cpuMicros()).isPositive();
        }
    }
}
