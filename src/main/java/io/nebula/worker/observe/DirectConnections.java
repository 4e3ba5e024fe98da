package io.nebula.worker.observe;

import java.net.Proxy;
import java.net.Socket;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SchemePortResolver;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.io.HttpClientConnectionOperator;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;

/**
 * An Apache HttpClient connection pool whose sockets connect straight to the address they are
 * given (the destination, or an HTTP proxy that the client's route planner chose): a plain {@code
 * new Socket()} would follow the JVM's SOCKS settings ({@code socksProxyHost}, the default proxy
 * selector). {@code http.request} (which plans no proxy, since one would hide the real destination
 * from its guard) and the span exporter's sender both build their pools from it.
 */
public final class DirectConnections extends PoolingHttpClientConnectionManagerBuilder {
    @Override
    protected HttpClientConnectionOperator createConnectionOperator(
            SchemePortResolver schemePortResolver, DnsResolver dnsResolver, TlsSocketStrategy tlsSocketStrategy) {
        return new DefaultHttpClientConnectionOperator(
                proxy -> new Socket(Proxy.NO_PROXY),
                schemePortResolver,
                dnsResolver,
                name -> "https".equalsIgnoreCase(name) ? tlsSocketStrategy : null);
    }
}
