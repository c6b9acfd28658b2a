import Glibc

/// Reads the risk-service's own CPU time and resident memory from /proc (Linux), for the
/// system-health triggers. Nil where /proc cannot be read (the triggers then stay quiet).
enum ProcessSampler {
    /// One sample of this process at `now` (unix nanoseconds).
    static func read(now: Int64) -> SystemHealthTrigger.Sample? {
        guard let stat = contents("/proc/self/stat"), let statm = contents("/proc/self/statm") else { return nil }
        // Fields after the command name (which may hold spaces, so split after its closing paren).
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); utime and stime are fields 14 and 15.
        guard fields.count > 12, let utime = Int64(fields[11]), let stime = Int64(fields[12]) else { return nil }
        let memory = statm.split(separator: " ")
        guard memory.count > 1, let residentPages = Int64(memory[1]) else { return nil }
        let ticksPerSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))
        guard ticksPerSecond > 0, pageSize > 0 else { return nil }
        return SystemHealthTrigger.Sample(
            at: now, cpuNanos: (utime + stime) * (1_000_000_000 / ticksPerSecond), rssBytes: residentPages * pageSize)
    }

    private static func contents(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 4_096)
        let count = fread(&buffer, 1, buffer.count - 1, file)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
