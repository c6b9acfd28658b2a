/// The payload JSON of the facts a batch journaled, by seq: what the writer stored is
/// what it publishes, without encoding each fact a second time.
///
/// Facts of the request being applied are pending until its savepoint is released
/// (`keepPending`) or rolled back (`dropPending`). Used on the writer's thread only.
final class StoredPayloads: @unchecked Sendable {
    private var kept: [Int64: String] = [:]
    private var pending: [(Int64, String)] = []

    /// Every kept payload, by seq.
    var bySeq: [Int64: String] { kept }

    /// Notes the payload of a fact journaled by the request being applied.
    func add(seq: Int64, _ payloadJSON: String) {
        pending.append((seq, payloadJSON))
    }

    /// The request's savepoint was released: its payloads will be published.
    func keepPending() {
        for (seq, json) in pending { kept[seq] = json }
        pending.removeAll(keepingCapacity: true)
    }

    /// The request was rolled back: its payloads never existed.
    func dropPending() {
        pending.removeAll(keepingCapacity: true)
    }
}
