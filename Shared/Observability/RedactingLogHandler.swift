import Logging

/// A swift-log handler that redacts secrets from the message, the metadata keys'
/// values and the source before passing the line on to `upstream` (S1).
///
/// A metadata value under a secret-looking key (`api_key`, `password`) is replaced
/// whole; every other value and the message are run through the `Redactor`.
public struct RedactingLogHandler: LogHandler {
    private var upstream: any LogHandler
    private let redactor: Redactor

    /// Wraps `upstream`; `redactor` is usually `Redactor.shared`.
    public init(upstream: any LogHandler, redactor: Redactor = .shared) {
        self.upstream = upstream
        self.redactor = redactor
    }

    /// The handler's own metadata (redacted as it is set).
    public var metadata: Logger.Metadata {
        get { upstream.metadata }
        set { upstream.metadata = redact(newValue) }
    }

    /// The minimum level passed on.
    public var logLevel: Logger.Level {
        get { upstream.logLevel }
        set { upstream.logLevel = newValue }
    }

    /// Reads or sets one metadata value of the handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { upstream[metadataKey: key] }
        set { upstream[metadataKey: key] = Redactor.isSecretName(key) ? newValue.map { _ in .string(Redactor.mask) } : newValue.map(redact) }
    }

    /// Redacts, then logs through `upstream`.
    public func log(event: LogEvent) {
        var event = event
        event.message = "\(redactor.redact(event.message.description))"
        event.metadata = event.metadata.map(redact)
        upstream.log(event: event)
    }

    private func redact(_ metadata: Logger.Metadata) -> Logger.Metadata {
        var result = Logger.Metadata()
        for (key, value) in metadata {
            result[key] = Redactor.isSecretName(key) ? .string(Redactor.mask) : redact(value)
        }
        return result
    }

    private func redact(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): return .string(redactor.redact(text))
        case .stringConvertible(let convertible): return .string(redactor.redact(convertible.description))
        case .dictionary(let dictionary): return .dictionary(redact(dictionary))
        case .array(let values): return .array(values.map(redact))
        }
    }
}
