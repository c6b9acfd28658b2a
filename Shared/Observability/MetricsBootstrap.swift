import Metrics
import Prometheus
import Synchronization

/// Installs the Prometheus backend for swift-metrics, once per process.
///
/// Every `Counter`, `Timer`, `Recorder` and `Gauge` created through swift-metrics
/// afterwards lands in `registry`, which `/metrics` renders in the Prometheus text
/// format. Label names follow the house style in Prometheus spelling
/// (`bw_messages_handled_total`), dimensions are bounded (service, type, outcome).
public enum MetricsBootstrap {
    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The registry in use, installing it on first call (later calls return the same one).
    @discardableResult
    public static func prometheus() -> PrometheusCollectorRegistry {
        installed.withLock { current in
            if let current { return current }
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.defaultDurationHistogramBuckets = [
                .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                .seconds(1), .seconds(2), .seconds(5),
            ]
            // Sizes (batches, depths) are counts, not seconds.
            factory.valueHistogramBuckets[MetricNames.writerBatchSize] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
            MetricsSystem.bootstrap(factory)
            current = registry
            return registry
        }
    }

    /// The current metrics in the Prometheus text exposition format.
    public static func render() -> [UInt8] {
        prometheus().emitToBuffer()
    }
}
