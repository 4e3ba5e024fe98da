package io.nebula.worker.action.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class DestinationGuardTest {
    private static String reason(String literal) throws Exception {
        return DestinationGuard.internalReason(InetAddress.getByName(literal));
    }

    @Test
    void internalIpv4RangesAreRecognised() throws Exception {
        assertThat(reason("127.0.0.1")).isEqualTo("a loopback address");
        assertThat(reason("10.1.2.3")).isEqualTo("a private address");
        assertThat(reason("172.31.255.255")).isEqualTo("a private address");
        assertThat(reason("192.168.0.10")).isEqualTo("a private address");
        assertThat(reason("100.127.0.1")).startsWith("a carrier-grade NAT address");
        assertThat(reason("169.254.169.254")).startsWith("a link-local address");
        assertThat(reason("168.63.129.16")).startsWith("Azure's platform address");
        assertThat(reason("::ffff:168.63.129.16")).contains("Azure's platform address");
        assertThat(reason("0.0.0.0")).startsWith("an unspecified address");
        assertThat(reason("224.0.0.1")).isEqualTo("a multicast address");
        assertThat(reason("255.255.255.255")).isEqualTo("a reserved or broadcast address");
    }

    @Test
    void publicIpv4AddressesPass() throws Exception {
        assertThat(reason("93.184.216.34")).isNull();
        assertThat(reason("172.32.0.1")).isNull();
        assertThat(reason("100.128.0.1")).isNull();
        assertThat(reason("8.8.8.8")).isNull();
        assertThat(reason("168.63.129.17")).isNull();
    }

    @Test
    void ipv6FormsAreRecognisedIncludingEmbeddedIpv4() throws Exception {
        assertThat(reason("::1")).isEqualTo("a loopback address (::1)");
        assertThat(reason("::")).isEqualTo("an unspecified address (::)");
        assertThat(reason("fc00::1")).startsWith("a unique-local address");
        assertThat(reason("fe80::1")).startsWith("a link-local address");
        assertThat(reason("ff02::1")).isEqualTo("a multicast address");
        // Java folds ::ffff:a.b.c.d into an IPv4 address; both paths must refuse it.
        assertThat(reason("::ffff:127.0.0.1")).isEqualTo("a loopback address");
        assertThat(reason("::127.0.0.1")).isEqualTo("an IPv4-compatible IPv6 address of a loopback address");
        assertThat(reason("64:ff9b::a9fe:a9fe")).startsWith("a NAT64 address of a link-local address");
        assertThat(reason("2002:0a00:0001::1")).isEqualTo("a 6to4 address of a private address");
        assertThat(reason("2606:4700::1111")).isNull();
    }

    @Test
    void theRawIpv4MappedFormIsJudgedByItsIpv4Part() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 1;
        assertThat(DestinationGuard.internalReason(java.net.Inet6Address.getByAddress(null, mapped, -1)))
                .isEqualTo("an IPv4-mapped IPv6 address of a private address");
    }

    @Test
    void rangesThatHideOrTranslateAddressesAreRefused() throws Exception {
        assertThat(reason("64:ff9b:1::a00:1")).isEqualTo("a local-use NAT64 address (64:ff9b:1::/48)");
        assertThat(reason("2001:0:4136:e378:8000:63bf:3fff:fdd2")).isEqualTo("a Teredo address (2001::/32)");
        assertThat(reason("::ffff:0:7f00:1")).isEqualTo("an IPv4-translated IPv6 address of a loopback address");
        assertThat(reason("::ffff:0:a9fe:a9fe")).startsWith("an IPv4-translated IPv6 address of a link-local");
        assertThat(reason("2001:db8::1")).startsWith("a documentation address");
        assertThat(reason("100::1")).startsWith("a discard-only address");
        assertThat(reason("192.0.2.10")).isEqualTo("a documentation address");
        // Outside those ranges stays public.
        assertThat(reason("2001:4860:4860::8888")).isNull();
        assertThat(reason("64:ff9b::808:808")).isNull();
    }

    @Test
    void theWorkersOwnAddressesAreRefusedEvenWhenPublic() throws Exception {
        java.util.List<InetAddress> own =
                java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                        .flatMap(java.net.NetworkInterface::inetAddresses)
                        .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                        .toList();
        org.junit.jupiter.api.Assumptions.assumeFalse(own.isEmpty(), "this host has no address besides loopback");

        for (InetAddress a : own) {
            String r = DestinationGuard.internalReason(a);
            assertThat(r).as(a.toString()).isNotNull();
        }
    }

    @Test
    void aPublicAddressIsRefusedWhenItIsOneOfTheHostsOwn() throws Exception {
        InetAddress mine = InetAddress.getByName("93.184.216.34");

        assertThat(DestinationGuard.internalReason(mine, java.util.Set.of(mine)))
                .isEqualTo("an address of this worker's own host");
        assertThat(DestinationGuard.internalReason(mine, java.util.Set.of())).isNull();
    }
}
