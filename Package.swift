// swift-tools-version:6.1
import PackageDescription

/// Breakwater: an order-safety suite. Shared libraries by concept, one folder per
/// service (a library with the logic + a thin executable), tests per component.
let package = Package(
    name: "Breakwater",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bus", targets: ["bus"]),
        .executable(name: "order-gateway", targets: ["order-gateway"]),
        .executable(name: "risk-service", targets: ["risk-service"]),
        .executable(name: "reconciler", targets: ["reconciler"]),
        .executable(name: "persistence-writer", targets: ["persistence-writer"]),
        .executable(name: "venue-sim", targets: ["venue-sim"]),
        .executable(name: "tradectl", targets: ["tradectl"]),
        .executable(name: "breakwater-bench", targets: ["breakwater-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // MARK: Shared libraries
        .systemLibrary(
            name: "CZeroMQ",
            path: "Shared/CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], path: "Shared/ZeroMQ"),
        .target(name: "BusProtocol", path: "Shared/BusProtocol"),
        .target(name: "TradingModel", dependencies: ["BusProtocol"], path: "Shared/TradingModel"),
        .target(
            name: "BusKit",
            dependencies: [
                "ZeroMQ", "BusProtocol", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Shared/BusKit"
        ),
        .target(
            name: "VenueKit",
            dependencies: ["BusKit", "TradingModel"],
            path: "Shared/VenueKit"
        ),
        // Binance Spot's REST wire (signing, error codes, JSON shapes): spoken by venue-sim's
        // Binance front and by the live adapter.
        .target(
            name: "BinanceWire",
            dependencies: ["TradingModel", "VenueKit", .product(name: "Crypto", package: "swift-crypto")],
            path: "Shared/BinanceWire"
        ),
        .target(
            name: "BinanceVenue",
            dependencies: [
                "BinanceWire", "VenueKit", "TradingModel", "BusKit", "ServiceRuntime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Shared/BinanceVenue"
        ),
        .target(
            name: "Observability",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Observability"
        ),
        .target(
            name: "ServiceRuntime",
            dependencies: [
                "BusKit", "TradingModel", "Observability",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Shared/ServiceRuntime"
        ),

        // MARK: Services (logic library + thin executable)
        .target(name: "BusBroker", dependencies: ["BusKit", "ServiceRuntime", "Observability"], path: "Services/Bus/BusBroker"),
        .executableTarget(name: "bus", dependencies: ["BusBroker", "ServiceRuntime"], path: "Services/Bus/Main"),

        .target(
            name: "PersistenceWriter",
            dependencies: ["BusKit", "TradingModel", "ServiceRuntime", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Services/PersistenceWriter/PersistenceWriter"
        ),
        .executableTarget(
            name: "persistence-writer",
            dependencies: ["PersistenceWriter", "ServiceRuntime"],
            path: "Services/PersistenceWriter/Main"
        ),

        .target(name: "RiskService", dependencies: ["BusKit", "TradingModel", "VenueKit", "ServiceRuntime"], path: "Services/RiskService/RiskService"),
        .executableTarget(name: "risk-service", dependencies: ["RiskService", "ServiceRuntime"], path: "Services/RiskService/Main"),

        .target(
            name: "OrderGateway",
            dependencies: ["BusKit", "TradingModel", "VenueKit", "BinanceVenue", "ServiceRuntime"],
            path: "Services/OrderGateway/OrderGateway"
        ),
        .executableTarget(name: "order-gateway", dependencies: ["OrderGateway", "ServiceRuntime"], path: "Services/OrderGateway/Main"),

        .target(
            name: "Reconciler",
            dependencies: ["BusKit", "TradingModel", "VenueKit", "BinanceVenue", "ServiceRuntime"],
            path: "Services/Reconciler/Reconciler"
        ),
        .executableTarget(name: "reconciler", dependencies: ["Reconciler", "BinanceVenue", "ServiceRuntime"], path: "Services/Reconciler/Main"),

        .target(
            name: "VenueSim",
            dependencies: [
                "BusKit", "TradingModel", "VenueKit", "ServiceRuntime", "BinanceWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            path: "Services/VenueSim/VenueSim"),
        .executableTarget(name: "venue-sim", dependencies: ["VenueSim", "ServiceRuntime"], path: "Services/VenueSim/Main"),

        .target(
            name: "Tradectl",
            dependencies: [
                "BusKit", "TradingModel", "ServiceRuntime", "Observability", "VenueKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Services/Tradectl/Tradectl"
        ),
        .executableTarget(name: "tradectl", dependencies: ["Tradectl"], path: "Services/Tradectl/Main"),

        .executableTarget(
            name: "breakwater-bench",
            dependencies: [
                "BusKit", "TradingModel", "Tradectl", "PersistenceWriter",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Services/Bench"
        ),

        // MARK: Tests
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], path: "Tests/ZeroMQTests"),
        .testTarget(name: "TradingModelTests", dependencies: ["TradingModel"], path: "Tests/TradingModelTests"),
        .testTarget(name: "BusKitTests", dependencies: ["BusKit", "TradingModel", "TestSupport", "VenueKit"], path: "Tests/BusKitTests"),
        .target(name: "TestSupport", dependencies: ["BusKit"], path: "Tests/TestSupport"),
        .testTarget(name: "BusBrokerTests", dependencies: ["BusBroker", "BusKit", "ServiceRuntime", "TestSupport"], path: "Tests/BusBrokerTests"),
        .testTarget(name: "PersistenceWriterTests", dependencies: ["PersistenceWriter", "TradingModel"], path: "Tests/PersistenceWriterTests"),
        .testTarget(name: "IntegrationTests", dependencies: [
                "BusKit", "TradingModel", "Tradectl", "TestSupport", "VenueKit", "BinanceVenue", "BinanceWire",
                .product(name: "GRDB", package: "GRDB.swift"),
                "ServiceRuntime",
            ],
            path: "Tests/IntegrationTests"),
        .testTarget(name: "ObservabilityTests", dependencies: ["Observability"], path: "Tests/ObservabilityTests"),
        .testTarget(
            name: "BinanceVenueTests",
            dependencies: ["BinanceVenue", "BinanceWire", "VenueKit", "TradingModel", "ServiceRuntime"],
            path: "Tests/BinanceVenueTests"),
        .testTarget(name: "VenueSimTests", dependencies: ["VenueSim", "VenueKit", "TradingModel"], path: "Tests/VenueSimTests"),
        .testTarget(
            name: "OrderGatewayTests",
            dependencies: ["OrderGateway", "BusKit", "VenueKit", "TradingModel", "ServiceRuntime", .product(name: "Logging", package: "swift-log")],
            path: "Tests/OrderGatewayTests"),
        .testTarget(name: "RiskServiceTests", dependencies: ["RiskService", "PersistenceWriter", "ServiceRuntime", "TradingModel", "BusKit", "TestSupport", "VenueKit"], path: "Tests/RiskServiceTests"),
        .testTarget(name: "ReconcilerTests", dependencies: ["Reconciler", "TradingModel", "VenueKit", "VenueSim", "ServiceRuntime"], path: "Tests/ReconcilerTests"),
        .testTarget(
            name: "ServiceRuntimeTests",
            dependencies: ["ServiceRuntime", "BusKit", "TradingModel", "Observability", .product(name: "Logging", package: "swift-log")],
            path: "Tests/ServiceRuntimeTests"),
    ],
    swiftLanguageModes: [.v6]
)
