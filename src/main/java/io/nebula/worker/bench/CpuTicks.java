package io.nebula.worker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The machine's CPU time by kind, from the first line of {@code /proc/stat}: sampled at the start
 * and the end of a benchmark it tells how busy the machine was and how much time the hypervisor
 * gave to other guests (steal). On a virtual machine steal is the usual reason why the same
 * commit measures differently on two machines of one kind, so the report prints it next to the
 * figures. Reads nothing where {@code /proc/stat} is missing.
 *
 * @param user user time, including nice
 * @param system system, irq and softirq time
 * @param idle idle and iowait time
 * @param steal time the hypervisor ran other guests while this one wanted to run
 */
record CpuTicks(long user, long system, long idle, long steal) {

    static CpuTicks now() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long user = Long.parseLong(f[1]) + Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]);
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            return new CpuTicks(user, system, idle, steal);
        } catch (IOException | RuntimeException e) {
            return new CpuTicks(-1, -1, -1, -1);
        }
    }

    /** Busy and steal time between {@code this} and {@code later}, as percentages of all time. */
    Map<String, Object> until(CpuTicks later) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (user < 0 || later.user < 0) {
            m.put("cpu_busy_percent", "unknown");
            m.put("cpu_steal_percent", "unknown");
            return m;
        }
        long busy = (later.user - user) + (later.system - system);
        long st = later.steal - steal;
        long total = busy + (later.idle - idle) + st;
        m.put("cpu_busy_percent", total == 0 ? 0 : MeteredStore.round(100.0 * busy / total, 1));
        m.put("cpu_steal_percent", total == 0 ? 0 : MeteredStore.round(100.0 * st / total, 1));
        return m;
    }
}
