import Foundation

extension WireCodec {
    /// The most bytes a reply body may take: the message limit less room for the reply's
    /// header (a header is well under 1 KiB; 4 KiB leaves room for a long traceparent and key).
    public static let maxReplyBodyBytes = maxMessageBytes - 4 * 1024

    /// Encodes the largest page of `items` (a prefix, in order) whose body stays within
    /// `maxBytes`, whatever the items hold. `page` builds the reply from the prefix it is
    /// given and whether items are left over (so it can set its next cursor).
    ///
    /// Every reply that lists rows goes through here: a receiver refuses any message over
    /// `maxMessageBytes`, and a reply paged by row count alone grows past that once rows
    /// are large or many (a journal of a few hundred orders did, and every restart then
    /// stalled on its first `journal.read`). An item that is too large on its own still
    /// goes out alone; the reply guard then turns it into `reply_too_large` for the caller.
    public static func encodePage<Item: Encodable, Page: Encodable>(
        _ items: some Collection<Item>, maxBytes: Int = maxReplyBodyBytes,
        _ page: (_ prefix: [Item], _ more: Bool) -> Page
    ) -> (body: Data, count: Int) {
        let items = Array(items)
        // The envelope (an empty page with a cursor) plus each item and a comma between two.
        let envelope = encode(page([], !items.isEmpty)).count + cursorRoom
        var used = envelope
        var count = 0
        for item in items {
            let size = encode(item).count + (count == 0 ? 0 : 1)
            guard used + size <= maxBytes else { break }
            used += size
            count += 1
        }
        count = max(count, min(1, items.count))
        // The estimate allowed for the cursor; check the real page and shrink if it is over.
        while true {
            let body = encode(page(Array(items.prefix(count)), count < items.count))
            if body.count <= maxBytes || count <= 1 { return (body, count) }
            count -= 1
        }
    }

    /// Bytes allowed for a page's cursor beyond what the empty page's own cursor took.
    private static let cursorRoom = 64
}
