import Glibc

/// Free loopback TCP ports for tests, so every test runs on its own ports.
public enum FreePorts {
    /// A base port such that `base…base+count-1` were all free a moment ago.
    public static func block(of count: Int) -> Int {
        for _ in 0..<200 {
            // Below Linux's ephemeral range (32768–60999): an outgoing connection cannot take the
            // port between this check and the service's bind.
            let base = Int.random(in: 10_000...32_000)
            if (base..<base + count).allSatisfy(isFree) { return base }
        }
        preconditionFailure("no block of \(count) free ports found")
    }

    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc == 0
    }
}
