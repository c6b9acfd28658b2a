import Foundation
import ZeroMQ

// breakwater-bench [SECTION…]: figures from the real processes, printed next to each
// other from one run on one machine — never a pass/fail. Sections: orders, risk, writer, peer, codec, curve (default: all).
// Knobs are environment variables, listed in docs/benchmarks.md.

let sections: [String: () async throws -> Void] = [
    "orders": OrderBench.run,
    "risk": RiskBench.run,
    "writer": WriterBench.run,
    "peer": PeerBench.run,
    "codec": CodecBench.run,
    "curve": OrderBench.runCurve,
]
let order = ["orders", "risk", "writer", "peer", "codec", "curve"]
// A section's helper process: this binary re-executed with a subcommand.
if CommandLine.arguments.dropFirst().first == WriterBenchProducer.subcommand {
    try await WriterBenchProducer.run(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}
let asked = Array(CommandLine.arguments.dropFirst())
let chosen = asked.isEmpty ? order : asked
for name in chosen where sections[name] == nil {
    FileHandle.standardError.write(Data("breakwater-bench: unknown section '\(name)'; known: \(order.joined(separator: ", "))\n".utf8))
    exit(2)
}
print("breakwater-bench — machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, libzmq \(ZMQContext.version)")
for name in chosen {
    try await sections[name]!()
}
