import ArgumentParser
import BusKit
import Foundation
import Observability
import ZeroMQ

/// `tradectl tap`: the live bus, one line per forwarded message, filtered, secrets redacted.
struct TapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tap",
        abstract: "Show live bus traffic from the tap endpoint (bus port + 3), one line per message.",
        discussion: "Lines: time (UTC), kind (request/reply), type, account, from → to, router depth, trace id, message id.")

    @OptionGroup var bus: BusOptions

    @Option(help: "Only messages whose type starts with this (e.g. order. or risk.authorize).")
    var type: String?

    @Option(help: "Only messages addressed to, or sent by, this service.")
    var service: String?

    @Option(help: "Only messages for this account.")
    var account: String?

    @Option(help: "Only messages of this trace (trace id or traceparent).")
    var trace: String?

    @Option(help: "Exit after printing this many lines (0: run until Ctrl-C).")
    var count = 0

    @Option(help: "Exit after this many seconds without a matching message (0: never).")
    var idleSeconds = 0

    func validate() throws {
        guard count >= 0, idleSeconds >= 0 else { throw ValidationError("--count and --idle-seconds must be ≥ 0") }
        if let trace, TraceContextPattern.traceId(of: trace).count != 32 {
            throw ValidationError("--trace must be a 32-hex trace id or a traceparent")
        }
    }

    func run() async throws {
        let filter = TapFilter(type: type, service: service, account: account, trace: trace)
        let endpoints = try bus.endpoints()
        let context = ZMQContext()
        let loop = SocketLoop(name: "tradectl-tap")
        let (records, continuation) = AsyncStream.makeStream(of: TapEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        // The tap topic is the message type: a type filter is also the subscription prefix.
        let socket = try ZMQSocket(context: context, type: .sub, options: [.subscribe(type ?? ""), .receiveHighWaterMark(100_000)] + endpoints.clientOptions)
        try socket.connect(endpoints.tap)
        _ = loop.register(socket, name: "tap") { frames in
            if let record = TapRecordView(frames: frames) { continuation.yield(.record(record)) }
        }
        loop.start()
        defer {
            loop.stop()
            context.terminate()
        }
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    continuation.yield(.second)
                }
            }
            await printMatching(records, filter: filter)
            group.cancelAll()
        }
    }

    /// What the printing loop wakes up for: a tapped message, or a second passing (idle limit).
    enum TapEvent: Sendable {
        case record(TapRecordView)
        case second
    }

    private func printMatching(_ events: AsyncStream<TapEvent>, filter: TapFilter) async {
        var printed = 0
        var idle = 0
        var accounts = ReplyAccounts(limit: 100_000)
        for await event in events {
            switch event {
            case .second:
                idle += 1
                if idleSeconds > 0 && idle >= idleSeconds { return }
            case .record(var record):
                // Replies carry no key: they take their request's account, so --account shows both.
                accounts.fill(&record)
                guard filter.matches(record) else { continue }
                // Unbuffered: a viewer piping into grep sees each line as it happens.
                FileHandle.standardOutput.write(Data((record.line() + "\n").utf8))
                printed += 1
                idle = 0
                if count > 0 && printed >= count { return }
            }
        }
    }
}
