import BusKit
import BusProtocol
import Foundation
import TradingModel

/// Section `codec`: the JSON of the hot messages, Foundation's coders against the byte-level
/// fast path (issue 13 step 6), per call in this process — no suite, no sockets. Prints the
/// best of three rounds of `BENCH_CODEC_ITERATIONS` (20,000) calls each; never a pass/fail.
enum CodecBench {
    static func run() async throws {
        let iterations = Int(ProcessInfo.processInfo.environment["BENCH_CODEC_ITERATIONS"] ?? "") ?? 20_000
        print("\n== codec: JSON of the hot messages, ns per call (best of 3 × \(iterations))")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let decoder = JSONDecoder()
        var header = Header(
            id: "6f1c0d2e9a7b4c3d9e8f7a6b", type: "risk.authorize", service: "risk-service", key: "acct-1",
            ts: 1_764_650_000_123_456_789, traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            deadline: 1_764_650_015_123_456_789)
        header.partition = 17
        header.epoch = 3
        let headerJSON = try encoder.encode(header)
        let record = JournalRecord(
            seq: 41, fact: Fact(id: "fill:sim:t-5", account: "acct-1", payload: .fillRecorded(FillRecorded(
                clientOrderId: "c-9", venueOrderId: "v-77", tradeId: "t-5", symbol: "ETH/USDT", side: .buy,
                qty: ExactDecimal("0.01")!, price: ExactDecimal("2525.5")!, fee: ExactDecimal("0.002525")!, feeAsset: "USDT",
                ts: 1_764_650_000_000_001_500))),
            partition: 7, epoch: 2, ts: 1_764_650_000_000_003_000)
        let recordJSON = try encoder.encode(record)
        let ack = AppendAck(status: "committed", seqs: [42], order: OrderView(
            clientOrderId: "c-9", account: "acct-1", symbol: "ETH/USDT", side: .buy, type: .market, qty: ExactDecimal("0.01")!,
            price: ExactDecimal("2550.75")!, state: .filled, filledQty: ExactDecimal("0.01")!, avgPrice: ExactDecimal("2525.5")!,
            venueOrderId: "v-77"))
        let ackJSON = try encoder.encode(ack)
        let rows: [(String, () throws -> Void, () throws -> Void)] = [
            ("Header decode", { _ = try decoder.decode(Header.self, from: headerJSON) },
             { _ = try WireCodec.decodeMessage(header: headerJSON, body: Data()) }),
            ("Header encode", { _ = try encoder.encode(header) }, { _ = WireCodec.encode(header) }),
            ("JournalRecord (fill) decode", { _ = try decoder.decode(JournalRecord.self, from: recordJSON) },
             { _ = try WireCodec.decode(JournalRecord.self, from: recordJSON) }),
            ("AppendAck (with order) decode", { _ = try decoder.decode(AppendAck.self, from: ackJSON) },
             { _ = try WireCodec.decode(AppendAck.self, from: ackJSON) }),
            ("AppendAck (with order) encode", { _ = try encoder.encode(ack) }, { _ = WireCodec.encode(ack) }),
        ]
        print("  message                        Foundation      fast path")
        for (name, foundation, fast) in rows {
            let slow = try best(iterations, foundation), quick = try best(iterations, fast)
            print("  \(name.padding(toLength: 30, withPad: " ", startingAt: 0))  \(String(format: "%9.0f", slow))   \(String(format: "%9.0f", quick))   (×\(String(format: "%.1f", slow / max(quick, 1))))")
        }
    }

    /// The fastest of three rounds, in nanoseconds per call.
    private static func best(_ iterations: Int, _ body: () throws -> Void) throws -> Double {
        var fastest = Double.infinity
        for _ in 0..<3 {
            let start = ContinuousClock.now
            for _ in 0..<iterations { try body() }
            let elapsed = ContinuousClock.now - start
            let nanos = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            fastest = min(fastest, nanos / Double(iterations))
        }
        return fastest
    }
}
