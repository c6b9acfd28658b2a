import BusProtocol
import Foundation

extension BusConnection {
    /// Sends a request and waits for its reply. After `timeout` without a reply the
    /// SAME request (same id) is sent again: `attempts` sends in all, each waited on for
    /// the full `timeout`, however busy the machine (receivers treat a repeated id as a
    /// repeat). UNAVAILABLE (no worker yet) is retried with backoff for up to
    /// `timeout × attempts`; if the retries then get no reply, that UNAVAILABLE reply is
    /// returned (what the service said), not TIMEOUT. The returned message may be an
    /// `error` reply.
    ///
    /// `sent`, when given, is called once, right after the first send is handed to the
    /// socket loop (before any reply): callers that must keep several requests in order
    /// on the wire without waiting for each answer start the next one then.
    public func request(
        service: String, type: String, key: String? = nil, body: Data,
        traceparent: String? = nil, timeout: Duration = .seconds(5), attempts: Int = 3,
        sent: (@Sendable () -> Void)? = nil
    ) async throws(ServiceError) -> Message {
        var header = makeHeader(type: type, service: service, key: key, traceparent: traceparent)
        header.deadline = WallClock.nowNanos() + timeout.wholeNanoseconds * Int64(attempts)
        return try await send(header: header, body: body, timeout: timeout, attempts: attempts, sent: sent)
    }

    /// `request`, decoding a successful reply's body or throwing the error it carries.
    public func call<Reply: Decodable>(
        service: String, type: String, key: String? = nil, body: some Encodable, replyType: Reply.Type,
        traceparent: String? = nil, timeout: Duration = .seconds(5), attempts: Int = 3,
        sent: (@Sendable () -> Void)? = nil
    ) async throws(ServiceError) -> Reply {
        let reply = try await request(
            service: service, type: type, key: key, body: WireCodec.encode(body),
            traceparent: traceparent, timeout: timeout, attempts: attempts, sent: sent)
        return try reply.decodeReply(Reply.self)
    }

    /// Sends a request with a header the caller built (its id is the idempotency key).
    /// `sent` as in `request`.
    public func send(
        header: Header, body: Data, timeout: Duration, attempts: Int, sent: (@Sendable () -> Void)? = nil
    ) async throws(ServiceError) -> Message {
        guard pending.expect(header.id) else {
            throw ServiceError(.overloaded, reason: "too_many_pending", "too many requests waiting for replies", retryAfterMs: 50)
        }
        defer { pending.close(header.id) }
        let frames = [Data(), WireCodec.encode(header), body]
        let clock = ContinuousClock()
        let refusalsUntil = clock.now.advanced(by: timeout * attempts)
        var backoff: Duration = .milliseconds(20)
        var unanswered = 0
        var unavailable: Message?
        // Attempts are counted, not timed: a loaded machine that wakes the waiter late must
        // not cost the caller its resend (a deadline-based loop did, now and then).
        var announce = sent
        while unanswered < attempts {
            sendRPC(frames)
            announce?()
            announce = nil
            guard let reply = await waitForReply(id: header.id, timeout: timeout) else {
                unanswered += 1
                continue
            }
            guard reply.header.isError, reply.errorBody().code == .unavailable, clock.now + backoff < refusalsUntil else {
                return reply
            }
            unavailable = reply
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .milliseconds(500))
        }
        if let unavailable { return unavailable }
        throw ServiceError(.timeout, reason: "no_reply", "\(header.type) to \(header.service ?? "?") got no reply after \(unanswered) attempt(s)")
    }

    /// Waits for the reply to `id` for at most `timeout`: one continuation, resumed by the
    /// reply or by the loop tick that sees its deadline pass (see `PendingReplies.expire`),
    /// so a timeout fires up to one tick (`Configuration.tickInterval`) late, never early.
    private func waitForReply(id: String, timeout: Duration) async -> Message? {
        await pending.wait(id, until: ContinuousClock.now.advanced(by: timeout))
    }
}
