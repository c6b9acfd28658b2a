/// The account of recently tapped requests by message id, so a reply (which has no
/// key) can be shown and filtered under its request's account. Bounded: the oldest
/// ids are forgotten first.
struct ReplyAccounts {
    private let limit: Int
    private var accountByRequest: [String: String] = [:]
    private var order: [String] = []
    private var head = 0

    /// Remembers at most `limit` requests.
    init(limit: Int) {
        self.limit = limit
    }

    /// Remembers a request's account, or gives a reply its request's account.
    mutating func fill(_ record: inout TapRecordView) {
        if let replyTo = record.header.replyTo {
            if record.header.key == nil { record.header.key = accountByRequest[replyTo] }
            return
        }
        guard let key = record.header.key else { return }
        accountByRequest[record.header.id] = key
        order.append(record.header.id)
        if order.count - head > limit {
            accountByRequest[order[head]] = nil
            head += 1
            if head > limit {
                order.removeFirst(head)
                head = 0
            }
        }
    }
}
