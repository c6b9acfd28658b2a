import BusKit
import BusProtocol
import Foundation
import Logging
import ZeroMQ

/// A short-lived client connection to the bus for one command.
struct SuiteClient {
    let context = ZMQContext()
    let bus: BusConnection
    let timeout: Duration

    init(_ options: BusOptions) throws {
        var logger = Logger(label: "tradectl")
        logger.logLevel = .error
        bus = try BusConnection(
            configuration: .init(endpoints: try options.endpoints(), identity: "tradectl:\(getpid()):\(SystemIDGenerator().hex(bytes: 4))"),
            context: context, logger: logger)
        timeout = .seconds(options.timeout)
        bus.start()
    }

    func call<Reply: Decodable>(service: String, type: String, key: String? = nil, body: some Encodable, reply: Reply.Type) async throws(ServiceError) -> Reply {
        try await bus.call(service: service, type: type, key: key, body: body, replyType: reply, timeout: timeout, attempts: 1)
    }

    func close() {
        bus.stop()
        context.terminate()
    }
}

/// An error reply printed as `error CODE (reason): message`, exiting non-zero.
struct PrintedError: Error, CustomStringConvertible {
    let error: ServiceError
    var description: String { "error \(error.code.rawValue) (\(error.reason)): \(error.message)" }
}

/// JSON for people: pretty, stable key order.
func prettyJSON(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
}
