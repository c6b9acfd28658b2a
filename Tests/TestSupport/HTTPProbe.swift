import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A plain HTTP GET against a service's ops endpoint (what Prometheus and the
/// docker healthcheck do), for tests.
public enum HTTPProbe {
    /// The status and body of `GET http://127.0.0.1:port/path`, or nil if nothing answered.
    public static func get(port: Int, path: String) async -> (status: Int, body: String)? {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (data, response) = try? await URLSession.shared.data(for: request),
              let http = response as? HTTPURLResponse else { return nil }
        return (http.statusCode, String(decoding: data, as: UTF8.self))
    }

    /// The value of the first sample of `metric` whose labels contain every `labels` pair, from Prometheus text.
    public static func sample(_ text: String, metric: String, labels: [String: String] = [:]) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(metric + "{") || line.hasPrefix(metric + " ") {
            let matches = labels.allSatisfy { line.contains("\($0.key)=\"\($0.value)\"") }
            guard matches, let value = line.split(separator: " ").last else { continue }
            if let int = Int(value) { return int }
            if let decimal = Decimal(string: String(value)) { return NSDecimalNumber(decimal: decimal).intValue }
        }
        return nil
    }
}
