import Glibc
import Synchronization

/// Free loopback TCP ports for tests, so every test runs on its own ports.
public enum FreePorts {
    /// Every port handed out in this process, never handed out again: suites running at
    /// once pick their blocks before any of them binds, so "free a moment ago" alone let two
    /// suites share ports now and then (one suite's services then talked to the other's
    /// venue: a SIGSTOP that froze nothing, a venue that never answered).
    private static let handedOut = Mutex<Set<Int>>([])

    /// A base port such that `base…base+count-1` were all free a moment ago and none was
    /// handed out before in this process.
    public static func block(of count: Int) -> Int {
        for _ in 0..<200 {
            // Below Linux's ephemeral range (32768–60999): an outgoing connection cannot take the
            // port between this check and the service's bind.
            let base = Int.random(in: 10_000...32_000)
            let ports = Set(base..<base + count)
            let claimed = handedOut.withLock { taken -> Bool in
                guard taken.isDisjoint(with: ports) else { return false }
                taken.formUnion(ports)
                return true
            }
            guard claimed else { continue }
            if ports.allSatisfy(isFree) { return base }
        }
        preconditionFailure("no block of \(count) free ports found")
    }

    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return withLoopbackAddress(port: port) { bind(fd, $0, $1) } == 0
    }

    /// Calls `body` with the address 127.0.0.1:`port` and its length (for bind or connect).
    public static func withLoopbackAddress<T>(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
