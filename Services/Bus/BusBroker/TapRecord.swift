import Foundation

/// What the tap publishes for each forwarded message: the header as sent, and the hop.
struct TapRecord {
    var header: Data
    var from: String
    var to: String
    var kind: String
    var ts: Int64

    /// The hop metadata frame, JSON: `{"from","to","kind","ts","depth"}`.
    func hopFrame(depth: Int) -> Data {
        struct Hop: Encodable {
            var from: String, to: String, kind: String, ts: Int64, depth: Int
        }
        return (try? JSONEncoder().encode(Hop(from: from, to: to, kind: kind, ts: ts, depth: depth))) ?? Data("{}".utf8)
    }
}
