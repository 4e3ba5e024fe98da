package io.nebula.worker.action.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nebula.worker.action.ActionException;
import io.nebula.worker.action.ActionTestHarness;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code http.request} against a JDK HTTP server on 127.0.0.1. Loopback is internal, so these
 * tests allow private networks, except where the refusal itself is under test.
 */
class HttpRequestActionTest {
    static final String SECRET = "sk-live-4242424242";

    private HttpServer server;
    private String base;
    private final Map<String, String> seenHeaders = new ConcurrentHashMap<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final java.util.concurrent.CyclicBarrier pair = new java.util.concurrent.CyclicBarrier(2);
    private final java.util.concurrent.atomic.AtomicInteger busyCalls = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger hangingCalls =
            new java.util.concurrent.atomic.AtomicInteger();
    private final ActionTestHarness allowed = ActionTestHarness.of(
                    new HttpRequestAction(HttpActionOptions.defaults().withAllowPrivateNetworks(true)))
            .executionId(42)
            .nodeId("charge");
    private final ActionTestHarness guarded = ActionTestHarness.of(new HttpRequestAction(HttpActionOptions.defaults()));

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/json", ex -> {
            seenHeaders.put(
                    "idempotency-key", String.valueOf(ex.getRequestHeaders().getFirst("Idempotency-Key")));
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            respond(ex, 200, "application/json", "{\"ok\": true, \"echo\": " + (body.isEmpty() ? "null" : body) + "}");
        });
        server.createContext("/text", ex -> respond(ex, 200, "text/plain", "plain words"));
        server.createContext("/big-header", ex -> {
            ex.getResponseHeaders().add("X-Big", "v".repeat(20_000));
            respond(ex, 200, "text/plain", "big");
        });
        server.createContext("/pair", ex -> {
            try {
                pair.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException(e);
            }
            respond(ex, 200, "text/plain", "both here");
        });
        server.createContext(
                "/port",
                ex -> respond(
                        ex,
                        200,
                        "text/plain",
                        String.valueOf(ex.getRemoteAddress().getPort())));
        server.createContext("/busy", ex -> {
            busyCalls.incrementAndGet();
            respond(ex, 503, "text/plain", "try later");
        });
        server.createContext("/slow-down", ex -> respond(ex, 429, "text/plain", "too many"));
        server.createContext("/missing", ex -> respond(ex, 404, "text/plain", "no such thing"));
        server.createContext("/huge", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, 0); // chunked: the length is not announced
            try (OutputStream out = ex.getResponseBody()) {
                byte[] chunk = new byte[8192];
                for (int i = 0; i < 1000; i++) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // the client hung up at the cap, as it should
            }
        });
        server.createContext("/hang", ex -> {
            hangingCalls.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(ex, 200, "text/plain", "late");
        });
        server.createContext("/to-metadata", ex -> {
            ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/to-json", ex -> {
            ex.getResponseHeaders().add("Location", "/json");
            ex.sendResponseHeaders(303, -1);
            ex.close();
        });
        server.createContext("/echo-secret", ex -> {
            String auth = String.valueOf(ex.getRequestHeaders().getFirst("X-Api-Key"));
            respond(ex, 500, "application/json", "{\"error\": \"bad key " + auth + "\", \"hint\": \"" + SECRET + "\"}");
        });
        server.createContext("/drip", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 600 && release.getCount() > 0; i++) {
                    out.write('x');
                    out.flush();
                    release.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            } catch (IOException | InterruptedException e) {
                // the client gave up, as it should
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void runQuietly(String params) {
        try {
            allowed.run(params);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String params(String path, String extra) {
        return "{\"url\": \"" + base + path + "\"" + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    @Test
    void aJsonResponseIsParsedAndTheIdempotencyKeyIsSent() throws Exception {
        JsonNode out = allowed.run(params("/json", "\"method\": \"POST\", \"body\": {\"amount\": 5}"));

        assertThat(out.get("status").asInt()).isEqualTo(200);
        assertThat(out.get("headers").get("content-type").asString()).isEqualTo("application/json");
        assertThat(out.get("body").toString()).isEqualTo("{\"ok\":true,\"echo\":{\"amount\":5}}");
        assertThat(seenHeaders).containsEntry("idempotency-key", "42:charge");
    }

    @Test
    void aResponseHeaderLineOfTwentyThousandCharactersIsRead() throws Exception {
        JsonNode out = allowed.run(params("/big-header", ""));

        assertThat(out.get("headers").get("x-big").asString()).hasSize(20_000);
    }

    @Test
    void aPortOutOfRangeFailsPermanentlyWithoutQuotingTheUrlsSecrets() throws Exception {
        ActionException e = allowed.failure("{\"url\": \"http://admin:" + SECRET + "@127.0.0.1:70000/x\"}");

        assertThat(e.kind()).isEqualTo(ActionException.Kind.PERMANENT);
        assertThat(e.getMessage()).contains("is not a valid request").doesNotContain(SECRET);
    }

    @Test
    void aTextResponseIsKeptAsText() throws Exception {
        assertThat(allowed.run(params("/text", "")).get("body").asString()).isEqualTo("plain words");
    }

    @Test
    void redirectsAreFollowedAndA303BecomesAGet() throws Exception {
        JsonNode out = allowed.run(params("/to-json", "\"method\": \"POST\", \"body\": \"ignored\""));

        assertThat(out.get("body").get("echo").isNull()).isTrue();
    }

    @Test
    void serverErrorsAndTooManyRequestsAreRetryable() throws Exception {
        ActionException busy = allowed.failure(params("/busy", ""));
        ActionException slow = allowed.failure(params("/slow-down", ""));

        assertThat(busyCalls.get())
                .as("the worker retries, the client does not")
                .isEqualTo(1);
        assertThat(busy.isRetryable()).isTrue();
        assertThat(busy.getMessage()).isEqualTo("HTTP 503 from " + base + "/busy (9-byte body of text/plain)");
        assertThat(slow.isRetryable()).isTrue();
        assertThat(slow.getMessage()).startsWith("HTTP 429 ");
    }

    @Test
    void otherClientErrorsArePermanent() throws Exception {
        ActionException e = allowed.failure(params("/missing", ""));

        assertThat(e.kind()).isEqualTo(ActionException.Kind.PERMANENT);
        assertThat(e.getMessage()).isEqualTo("HTTP 404 from " + base + "/missing (13-byte body of text/plain)");
    }

    @Test
    void aBodyPastTheCapIsAbortedWithAPermanentError() throws Exception {
        var capped = ActionTestHarness.of(new HttpRequestAction(
                HttpActionOptions.defaults().withAllowPrivateNetworks(true).withMaxResponseBytes(64 * 1024)));

        ActionException e = capped.failure(params("/huge", ""));

        assertThat(e.kind()).isEqualTo(ActionException.Kind.PERMANENT);
        assertThat(e.getMessage()).startsWith("response body exceeds the 65536-byte cap");
    }

    @Test
    void aJsonBodyOfMoreValuesThanTheLimitFailsPermanentlyBeforeItIsParsed() throws Exception {
        // {"ok": true, "echo": {"amount": 5}}: two objects, a boolean and a number.
        String echo = "\"method\": \"POST\", \"body\": {\"amount\": 5}";
        var atFour = ActionTestHarness.of(new HttpRequestAction(
                HttpActionOptions.defaults().withAllowPrivateNetworks(true).withMaxBodyValues(4)));
        var atThree = ActionTestHarness.of(new HttpRequestAction(
                HttpActionOptions.defaults().withAllowPrivateNetworks(true).withMaxBodyValues(3)));

        assertThat(atFour.run(params("/json", echo))
                        .get("body")
                        .get("echo")
                        .get("amount")
                        .asInt())
                .isEqualTo(5);
        ActionException e = atThree.failure(params("/json", echo));
        assertThat(e.kind()).isEqualTo(ActionException.Kind.PERMANENT);
        assertThat(e.getMessage()).isEqualTo("response body holds more than 3 JSON values (limits.execution_values)");
        // A text body is not counted.
        assertThat(atThree.run(params("/text", "")).get("body").asString()).isEqualTo("plain words");
        // Within the response's bound, but more than what its execution can still take.
        var full = ActionTestHarness.of(
                        new HttpRequestAction(HttpActionOptions.defaults().withAllowPrivateNetworks(true)))
                .values(new io.nebula.worker.action.ValueBudget() {
                    @Override
                    public boolean claim(long values) {
                        return values <= 3;
                    }

                    @Override
                    public long limit() {
                        return 10;
                    }
                });
        assertThat(full.failure(params("/json", echo)).getMessage())
                .isEqualTo("response body holds 4 JSON values, more than its execution can take beside what it holds"
                        + " and what the nodes running with it receive (limit 10, limits.execution_values)");
    }

    @Test
    void aUrlWithoutAHostThatCanBeUsedIsRefusedShowingWhatWasWritten() throws Exception {
        ActionException e = allowed.failure("{\"url\": \"http://127.1/x?token=abc\"}");

        assertThat(e.kind()).isEqualTo(ActionException.Kind.PERMANENT);
        assertThat(e.getMessage())
                .contains("url: has no host name or address that can be used (an address is written in full, such as"
                        + " 127.0.0.1): 'http://127.1/x?token=***'");
        assertThat(allowed.failure("{\"url\": \"http://my_service:8080/x\"}").getMessage())
                .contains("url: has no host name or address that can be used (a host name holds letters, digits, '-'"
                        + " and '.', not '_'): 'http://my_service:8080/x'");
    }

    @Test
    void aRequestThatTakesTooLongTimesOutRetryably() throws Exception {
        ActionException e = allowed.failure(params("/hang", "\"timeout_seconds\": 0.3"));

        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).isEqualTo("HTTP GET " + base + "/hang timed out after 300 ms");
    }

    @Test
    void internalDestinationsAreRefusedByDefault() throws Exception {
        for (String host : new String[] {
            "127.0.0.1",
            "10.0.0.1",
            "169.254.169.254",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "[::ffff:a9fe:a9fe]",
            "100.64.0.1",
            "192.168.1.1",
            "172.16.0.1",
            "[fd00::1]",
            "[fe80::1]",
            "0.0.0.0",
            "localhost"
        }) {
            ActionException e = guarded.failure("{\"url\": \"http://" + host + ":9/\"}");
            assertThat(e.kind()).as(host).isEqualTo(ActionException.Kind.PERMANENT);
            assertThat(e.getMessage())
                    .as(host)
                    .startsWith("refused to connect to ")
                    .contains(" is a");
        }
    }

    @Test
    void aRedirectToAnInternalAddressIsRefused() throws Exception {
        // The first hop (loopback) must be reachable for the redirect to be seen at all, so this
        // guard admits exactly that one server and nothing else internal: the redirect target is
        // still judged by the default rules.
        var firstHopOnly = new HttpRequestAction(
                HttpActionOptions.defaults(),
                url -> url.getHost().equals("127.0.0.1")
                        && url.getPort() == server.getAddress().getPort());

        ActionException e = ActionTestHarness.of(firstHopOnly).failure(params("/to-metadata", ""));

        assertThat(e.kind()).isEqualTo(ActionException.Kind.PERMANENT);
        assertThat(e.getMessage())
                .isEqualTo(
                        "refused to connect to 169.254.169.254: 169.254.169.254 is a link-local address "
                                + "(169.254.0.0/16, cloud metadata) (set http.allow_private_networks to allow internal destinations)");
    }

    @Test
    void aHeaderValueThatHTTPCannotCarryFailsWithoutQuotingIt() throws Exception {
        ActionException newline =
                allowed.failure(params("/json", "\"headers\": {\"Authorization\": \"Bearer " + SECRET + "\\n\"}"));
        ActionException wide =
                allowed.failure(params("/json", "\"headers\": {\"X-Api-Key\": \"" + SECRET + "\u2603\"}"));

        assertThat(newline.kind()).isEqualTo(ActionException.Kind.PERMANENT);
        assertThat(newline.getMessage())
                .contains("the value of 'Authorization' contains a line break at position 26")
                .doesNotContain(SECRET);
        assertThat(wide.getMessage())
                .contains("the value of 'X-Api-Key' contains a character above U+00FF at position 19")
                .doesNotContain(SECRET);
    }

    @Test
    void headerNamesAndConstantValuesAreCheckedWhenTheWorkflowIsValidated() {
        List<String> problems = allowed.validate("{\"url\": \"https://api.example/\", \"headers\": {"
                + "\"X Bad\": \"v\", \"Transfer-Encoding\": \"chunked\", \"Authorization\": \"Bearer " + SECRET
                + "\\r\\n\","
                + " \"X-Later\": \"${{ input.token }}\"}}");

        assertThat(problems)
                .containsExactly(
                        "headers: 'X Bad' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)",
                        "headers: 'Transfer-Encoding' is set by the HTTP client and cannot be given",
                        "headers: the value of 'Authorization' contains a line break at position 26 (a value read"
                                + " with its trailing newline?)");
        assertThat(String.join("\n", problems)).doesNotContain(SECRET);
    }

    @Test
    void errorsNameTheDestinationWithoutItsSecretsAndNeverQuoteTheBody() throws Exception {
        ActionException e = allowed.failure("{\"url\": \"" + base + "/echo-secret?token=" + SECRET + "&page=2\","
                + " \"headers\": {\"X-Api-Key\": \"" + SECRET + "\"}}");

        assertThat(e.getMessage())
                .isEqualTo(
                        "HTTP 500 from " + base + "/echo-secret?token=***&page=*** (69-byte body of application/json)")
                .doesNotContain(SECRET);
    }

    @Test
    void userInfoInTheUrlNeverReachesAMessage() throws Exception {
        ActionException e = allowed.failure("{\"url\": \"http://admin:" + SECRET + "@127.0.0.1:"
                + server.getAddress().getPort() + "/busy\"}");

        assertThat(e.getMessage())
                .as("the request was sent (without its user info) and answered")
                .startsWith("HTTP 503 from ")
                .doesNotContain(SECRET)
                .doesNotContain("admin:");
    }

    @Test
    void theJvmsProxySelectorIsNotFollowed() throws Exception {
        // A "SOCKS proxy" that accepts and never answers: a call through it would time out.
        try (java.net.ServerSocket proxy = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            var fresh = ActionTestHarness.of(
                    new HttpRequestAction(HttpActionOptions.defaults().withAllowPrivateNetworks(true)));
            java.net.ProxySelector previous = java.net.ProxySelector.getDefault();
            // Unlike socksProxyHost, a selector is consulted for loopback destinations too.
            java.net.ProxySelector.setDefault(new java.net.ProxySelector() {
                @Override
                public List<java.net.Proxy> select(URI uri) {
                    return List.of(new java.net.Proxy(java.net.Proxy.Type.SOCKS, proxy.getLocalSocketAddress()));
                }

                @Override
                public void connectFailed(URI uri, java.net.SocketAddress sa, IOException ioe) {}
            });
            JsonNode out;
            try {
                out = fresh.run(params("/text", "\"timeout_seconds\": 5"));
            } finally {
                java.net.ProxySelector.setDefault(previous);
            }

            assertThat(out.get("body").asString()).isEqualTo("plain words");
        }
    }

    @Test
    void aServerThatDripsItsBodyIsCutOffAtTheRequestTimeout() throws Exception {
        ActionException e = allowed.failure(params("/drip", "\"timeout_seconds\": 0.5"));

        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).isEqualTo("reading the response from " + base + "/drip timed out after 500 ms");
    }

    @Test
    void aFinishedCallLeavesNoDeadlineTimerBehind() throws Exception {
        int before = HttpRequestAction.pendingDeadlines();

        allowed.run(params("/text", "\"timeout_seconds\": 30"));
        allowed.failure(params("/busy", ""));

        assertThat(HttpRequestAction.pendingDeadlines()).isEqualTo(before);
    }

    @Test
    void callsToOneServerShareAKeptAliveConnectionAndAnAbandonedBodyDropsOnlyItsOwn() throws Exception {
        var capped = ActionTestHarness.of(new HttpRequestAction(
                HttpActionOptions.defaults().withAllowPrivateNetworks(true).withMaxResponseBytes(64 * 1024)));

        String first = capped.run(params("/port", "")).get("body").asString();
        String second = capped.run(params("/port", "")).get("body").asString();
        capped.failure(params("/huge", ""));
        String afterAbandoned = capped.run(params("/port", "")).get("body").asString();

        assertThat(second)
                .as("the second call reuses the first one's connection")
                .isEqualTo(first);
        assertThat(afterAbandoned)
                .as("the abandoned body's connection (the pool's only one) was dropped, not read out")
                .isNotEqualTo(first);
    }

    @Test
    void anIdempotentRequestIsResentOnceWhenItsKeptAliveConnectionWasClosedButAPostIsNot() throws Exception {
        try (KeepAliveThenHangUp api = new KeepAliveThenHangUp()) {
            String url = "http://127.0.0.1:" + api.port() + "/x";

            assertThat(allowed.run("{\"url\": \"" + url + "\"}").get("body").asString())
                    .isEqualTo("ok");
            assertThat(allowed.run("{\"url\": \"" + url + "\"}").get("body").asString())
                    .as("the GET sent on the closed connection is sent again on a new one")
                    .isEqualTo("ok");
            assertThat(api.requests()).containsExactly("GET", "GET", "GET");

            ActionException e =
                    allowed.failure("{\"url\": \"" + url + "\", \"method\": \"POST\", \"body\": {\"n\": 1}}");

            assertThat(e.isRetryable()).isTrue();
            assertThat(e.getMessage()).startsWith("HTTP POST " + url + " failed: ");
            assertThat(api.requests())
                    .as("the POST whose connection closed was not sent again")
                    .containsExactly("GET", "GET", "GET", "POST");
            assertThat(allowed.run("{\"url\": \"" + url + "\", \"method\": \"POST\", \"body\": {\"n\": 2}}")
                            .get("status")
                            .asInt())
                    .isEqualTo(200);
        }
    }

    @Test
    void anInterruptStopsACallThatWaitsForItsResponseAndNothingIsSentAgain() throws Exception {
        // Two kept-alive connections in the pool, so a request sent again would find one at once.
        Thread[] warm = {
            Thread.ofVirtual().start(() -> runQuietly(params("/pair", ""))),
            Thread.ofVirtual().start(() -> runQuietly(params("/pair", "")))
        };
        for (Thread t : warm) {
            t.join();
        }

        java.util.concurrent.atomic.AtomicReference<Throwable> outcome =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                allowed.run(params("/hang", "\"timeout_seconds\": 60"));
                outcome.set(new AssertionError("the call returned"));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        org.awaitility.Awaitility.await().until(() -> hangingCalls.get() == 1);

        caller.interrupt();

        caller.join(java.time.Duration.ofSeconds(10));
        assertThat(caller.isAlive()).isFalse();
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(hangingCalls.get())
                .as("the interrupted request was not sent again")
                .isEqualTo(1);
        assertThat(HttpRequestAction.pendingDeadlines()).isZero();
    }

    @Test
    void httpsChecksTheCertificateAndTheHostNameItWasIssuedFor(@TempDir java.nio.file.Path dir) throws Exception {
        // A certificate for 127.0.0.1 only, made by the JDK's keytool.
        java.nio.file.Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(
                        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        "EC",
                        "-dname",
                        "CN=nebula-test",
                        "-ext",
                        "SAN=ip:127.0.0.1",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        String said = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(said).isZero();
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        var keyManagers = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        keyManagers.init(keys, "changeit".toCharArray());
        javax.net.ssl.SSLContext serverTls = javax.net.ssl.SSLContext.getInstance("TLS");
        serverTls.init(keyManagers.getKeyManagers(), null, null);
        var trust = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        trust.init(keys);
        javax.net.ssl.SSLContext clientTls = javax.net.ssl.SSLContext.getInstance("TLS");
        clientTls.init(null, trust.getTrustManagers(), null);

        com.sun.net.httpserver.HttpsServer https =
                com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(serverTls));
        https.createContext("/secure", ex -> respond(ex, 200, "text/plain", "over tls"));
        https.start();
        try {
            int port = https.getAddress().getPort();
            HttpActionOptions options = HttpActionOptions.defaults().withAllowPrivateNetworks(true);
            var trusting = ActionTestHarness.of(new HttpRequestAction(options, clientTls));

            JsonNode out = trusting.run("{\"url\": \"https://127.0.0.1:" + port + "/secure\"}");
            ActionException otherName = trusting.failure("{\"url\": \"https://localhost:" + port + "/secure\"}");
            ActionException untrusted = ActionTestHarness.of(new HttpRequestAction(options))
                    .failure("{\"url\": \"https://127.0.0.1:" + port + "/secure\"}");

            assertThat(out.get("body").asString()).isEqualTo("over tls");
            assertThat(otherName.getMessage())
                    .as("the certificate names 127.0.0.1, not localhost")
                    .startsWith("HTTP GET https://localhost:" + port + "/secure failed: ")
                    .contains("No name matching localhost");
            assertThat(untrusted.getMessage())
                    .as("the JVM's default trust store does not hold the test's certificate")
                    .startsWith("HTTP GET https://127.0.0.1:" + port + "/secure failed: ")
                    .contains("SSLHandshakeException");
        } finally {
            https.stop(0);
        }
    }

    @Test
    void aRedirectToAnotherOriginKeepsOnlyHarmlessHeaders() throws Exception {
        HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Map<String, String> arrived = new ConcurrentHashMap<>();
        other.createContext("/landing", ex -> {
            ex.getRequestHeaders().forEach((k, v) -> arrived.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
            respond(ex, 200, "text/plain", "landed");
        });
        other.start();
        try {
            String target = "http://127.0.0.1:" + other.getAddress().getPort() + "/landing";
            server.createContext("/away", ex -> {
                ex.getResponseHeaders().add("Location", target);
                ex.sendResponseHeaders(302, -1);
                ex.close();
            });

            JsonNode out = allowed.run(params(
                    "/away",
                    "\"headers\": {\"Authorization\": \"Bearer a\", \"X-Api-Key\": \"k\", \"Proxy-Authorization\": \"p\","
                            + " \"Cookie\": \"c=1\", \"Accept\": \"text/plain\"}"));

            assertThat(out.get("body").asString()).isEqualTo("landed");
            assertThat(arrived)
                    .containsEntry("accept", "text/plain")
                    .containsEntry("idempotency-key", "42:charge")
                    .doesNotContainKeys("authorization", "x-api-key", "proxy-authorization", "cookie");
        } finally {
            other.stop(0);
        }
    }

    @Test
    void redirectsThatWouldLeakAreRefused() throws Exception {
        URI https = URI.create("https://api.example/pay");
        URI other = URI.create("https://elsewhere.example/pay");

        assertThat(HttpRequestAction.redirectRefusal(https, URI.create("http://api.example/pay"), 302, false))
                .isEqualTo("refused redirect from https://api.example/pay to http://api.example/pay: it leaves https"
                        + " for http");
        assertThat(HttpRequestAction.redirectRefusal(https, other, 307, true))
                .isEqualTo("refused HTTP 307 redirect to https://elsewhere.example/pay: it would send the request body"
                        + " to another origin");
        assertThat(HttpRequestAction.redirectRefusal(https, other, 308, false)).isNull();
        assertThat(HttpRequestAction.redirectRefusal(https, URI.create("https://api.example/v2"), 307, true))
                .isNull();
    }

    @Test
    void theClientConnectsToTheAddressThatWasCheckedEvenWhenDnsAnswersDifferentlyLater() throws Exception {
        assertThat(DestinationResolver.active())
                .as("the resolver provider is installed")
                .isTrue();
        // "Public" for this test: 127.0.0.2, where the checked server listens. The attacker's
        // second answer, 127.0.0.1, stays internal; a server listens there too, to see whether
        // anything arrives.
        int port = server.getAddress().getPort();
        HttpServer checkedServer = HttpServer.create(new InetSocketAddress("127.0.0.2", port), 0);
        java.util.concurrent.atomic.AtomicInteger internalHits = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext("/rebind", ex -> {
            internalHits.incrementAndGet();
            respond(ex, 200, "text/plain", "internal");
        });
        checkedServer.createContext("/rebind", ex -> respond(ex, 200, "text/plain", "checked"));
        checkedServer.start();
        String host = "rebind-" + System.nanoTime() + ".nebula.test";
        // The check sees the first answer; any later lookup (the client's, when it connects) would
        // get the second. No lookup of this name went through the JVM's cache before the client's.
        java.util.concurrent.atomic.AtomicInteger laterAnswers = new java.util.concurrent.atomic.AtomicInteger();
        DestinationResolver.answersForTests(name -> {
            if (!name.equals(host)) {
                return null;
            }
            laterAnswers.incrementAndGet();
            return List.of(address(name, 1));
        });
        var action = new HttpRequestAction(
                HttpActionOptions.defaults(),
                url -> false,
                a -> a.getHostAddress().equals("127.0.0.2") ? null : DestinationGuard.internalReason(a),
                name -> new java.net.InetAddress[] {address(name, 2)});
        try {
            JsonNode out = ActionTestHarness.of(action).run("{\"url\": \"http://" + host + ":" + port + "/rebind\"}");

            assertThat(out.get("body").asString()).isEqualTo("checked");
            assertThat(internalHits.get()).isZero();
            assertThat(laterAnswers.get())
                    .as("the pinned name was never resolved again")
                    .isZero();
        } finally {
            DestinationResolver.answersForTests(null);
            checkedServer.stop(0);
        }
    }

    private static java.net.InetAddress address(String name, int last) {
        try {
            return java.net.InetAddress.getByAddress(name, new byte[] {127, 0, 0, (byte) last});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A raw HTTP/1.1 server: on each connection it answers the first request with a kept-alive
     * {@code 200 ok}, then reads the next request and closes the connection without answering, as a
     * server does that drops an idle connection just as a request arrives on it. It records the
     * method of every request it read.
     */
    private static final class KeepAliveThenHangUp implements AutoCloseable {
        private final java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        private final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Thread acceptor = Thread.ofVirtual().start(this::accept);

        KeepAliveThenHangUp() throws IOException {}

        int port() {
            return socket.getLocalPort();
        }

        List<String> requests() {
            return requests;
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    java.net.Socket s = socket.accept();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(java.net.Socket s) {
            try (s) {
                var in = new java.io.BufferedInputStream(s.getInputStream());
                readRequest(in);
                s.getOutputStream()
                        .write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
                                .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                readRequest(in);
            } catch (IOException e) {
                // the client went away first
            }
        }

        /** Reads one request's head and its body (by Content-Length), recording its method. */
        private void readRequest(java.io.InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                head.append((char) c);
                if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                    break;
                }
            }
            if (c == -1) {
                throw new java.io.EOFException();
            }
            requests.add(head.substring(0, head.indexOf(" ")));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                    .matcher(head);
            if (m.find()) {
                in.readNBytes(Integer.parseInt(m.group(1)));
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            acceptor.interrupt();
        }
    }
}
