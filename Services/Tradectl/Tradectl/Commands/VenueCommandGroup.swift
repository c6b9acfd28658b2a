import ArgumentParser
import BusKit
import Foundation
import Logging
import ServiceRuntime
import TradingModel
import VenueKit
import ZeroMQ

/// `tradectl venue faults …`: sets the paper venue's fault injection at runtime.
struct VenueCommandGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "venue", abstract: "Talk to the paper venue.", subcommands: [Faults.self])

    struct Faults: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the venue's faults (rates are fractions in [0, 1]); prints the faults in force.")
        @Option(help: "The venue host.") var venueHost = "127.0.0.1"
        @Option(help: "The venue RPC port (stream: +1).") var venuePort = 5570
        @Option(help: "This operator's key file (default: BW_BUS_KEY_FILE, else data/keys/operator.key if present); venue-sim's public key is in it. Without one, only BW_INSECURE_BUS=true talks to a plain-text venue.")
        var keyFile = ProcessInfo.processInfo.environment["BW_BUS_KEY_FILE"] ?? ""
        @Option(help: "Fraction of fill messages dropped.") var dropFills = "0"
        @Option(help: "Fraction of order-update messages dropped.") var dropOrders = "0"
        @Option(help: "Fraction of fill and order messages sent twice.") var duplicate = "0"
        @Option(help: "Delay of fill and order messages, ms.") var streamDelayMs = 0
        @Option(help: "Delay of every reply, ms.") var ackDelayMs = 0
        @Option(help: "Fraction of place requests never answered.") var ackTimeout = "0"
        @Option(help: "Fraction of new orders rejected.") var reject = "0"
        @Option(help: "Silence the stream for this many seconds.") var disconnectSeconds: Int?
        @Option(name: .customLong("binance-ban-seconds"), help: "Binance front: answer every request 418 (an IP ban) for this many seconds (0 lifts it).")
        var binanceBanSeconds: Int?
        @Option(name: .customLong("binance-429-seconds"), help: "Binance front: answer every request 429 (rate limited) for this many seconds (0 lifts it).")
        var binanceRateLimitSeconds: Int?
        @Option(name: .customLong("binance-timeout-after-execution"), help: "Binance front: fraction of new orders executed but answered -1007 (outcome unknown).")
        var binanceTimeoutAfterExecution = "0"
        @Option(name: .customLong("binance-5xx-after-execution"), help: "Binance front: fraction of new orders executed but answered HTTP 503.")
        var binanceServerErrorAfterExecution = "0"
        @Option(name: .customLong("binance-clock-skew-ms"), help: "Binance front: how far its clock is off from ours, ms (±3600000; signed calls are checked against it).")
        var binanceClockSkewMs = 0
        @Flag(name: .customLong("binance-stream-silent"), help: "Binance front: keep its WebSocket connections open but send nothing on them.")
        var binanceStreamSilent = false
        @Flag(name: .customLong("binance-stream-terminated"), help: "Binance front: end every user data stream subscription (eventStreamTerminated), now and as soon as made.")
        var binanceStreamTerminated = false
        @Option(help: "Basis points every price moves per market step, -1000…1000 (negative: a crash).") var marketTrendBps = 0
        @Flag(help: "Make the venue-sim process exit at once (its book is on disk).") var crash = false
        @Flag(help: "Hold every place unplaced and unanswered until faults are set without it (then they are placed, late).") var holdPlaces = false

        func run() async throws {
            var faults = VenueFaults()
            faults.dropFills = try fraction(dropFills, "--drop-fills")
            faults.dropOrders = try fraction(dropOrders, "--drop-orders")
            faults.duplicate = try fraction(duplicate, "--duplicate")
            faults.ackTimeout = try fraction(ackTimeout, "--ack-timeout")
            faults.reject = try fraction(reject, "--reject")
            faults.streamDelayMillis = streamDelayMs
            faults.ackDelayMillis = ackDelayMs
            faults.disconnectSeconds = disconnectSeconds
            faults.binanceBanSeconds = binanceBanSeconds
            faults.binanceRateLimitSeconds = binanceRateLimitSeconds
            faults.binanceTimeoutAfterExecution = try fraction(binanceTimeoutAfterExecution, "--binance-timeout-after-execution")
            faults.binanceServerErrorAfterExecution = try fraction(binanceServerErrorAfterExecution, "--binance-5xx-after-execution")
            faults.binanceClockSkewMillis = binanceClockSkewMs
            faults.binanceStreamSilent = binanceStreamSilent
            faults.binanceStreamTerminated = binanceStreamTerminated
            faults.crash = crash ? true : nil
            faults.holdPlaces = holdPlaces
            faults.marketTrendBps = marketTrendBps
            var logger = Logger(label: "tradectl")
            logger.logLevel = .error
            let context = ZMQContext()
            let credentials = try BusOptions.withKeyRule(keyFile) { try $0.venueCredentials() }
            let venue = try PaperVenueClient(
                venue: VenueEndpoints(host: venueHost, port: venuePort, credentials: credentials), subscribe: [],
                context: context, logger: logger, timeout: .seconds(5))
            defer {
                venue.stop()
                context.terminate()
            }
            if crash {
                _ = try? await venue.setFaults(faults)
                print("crash requested")
                return
            }
            do {
                print(prettyJSON(try await venue.setFaults(faults)))
            } catch {
                throw PrintedError(error: error.serviceError)
            }
        }

        private func fraction(_ text: String, _ name: String) throws -> ExactDecimal {
            guard let value = ExactDecimal(text) else { throw ValidationError("\(name) must be a decimal fraction, got '\(text)'") }
            return value
        }
    }
}
