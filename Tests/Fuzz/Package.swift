// swift-tools-version:6.1
import PackageDescription

/// libFuzzer targets on the decoders that read untrusted bytes (issue 14 item 5). A package
/// of its own, so the main build never sees the fuzzer flags; the shared sources are the
/// project's own, through symlinks. Built and run by `make fuzz` (docs/reliability.md):
///     swift build --package-path Tests/Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
let package = Package(
    name: "BreakwaterFuzz",
    targets: [
        .target(name: "BusProtocol", path: "Sources/BusProtocol"),
        .target(name: "TradingModel", dependencies: ["BusProtocol"], path: "Sources/TradingModel"),
        .target(name: "FuzzDriver", path: "Sources/FuzzDriver"),
        .executableTarget(name: "fuzz-decimal", dependencies: ["TradingModel", "FuzzDriver"], path: "Sources/fuzz-decimal"),
        .executableTarget(name: "fuzz-header", dependencies: ["BusProtocol", "FuzzDriver"], path: "Sources/fuzz-header"),
        .executableTarget(name: "fuzz-order-submit", dependencies: ["TradingModel", "FuzzDriver"], path: "Sources/fuzz-order-submit"),
    ]
)
