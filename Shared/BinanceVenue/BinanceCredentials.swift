import Foundation

/// A Binance API key and its secret. Neither is ever printed: `description` and
/// `debugDescription` show only the key's last four characters, so a credential that ends
/// up in a log line, a span or an error message gives nothing away.
public struct BinanceCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The API key, sent in the `X-MBX-APIKEY` header.
    public let apiKey: String
    /// The secret that signs requests; never sent.
    let secret: String

    /// Creates credentials.
    public init(apiKey: String, secret: String) {
        self.apiKey = apiKey
        self.secret = secret
    }

    public var description: String { "BinanceCredentials(key: …\(apiKey.suffix(4)))" }
    public var debugDescription: String { description }

    /// Why a key file cannot be used.
    public enum KeyFileError: Error, Equatable, CustomStringConvertible {
        case unreadable(path: String)
        /// Group or others may read or write it: it must be mode 0600 (or stricter).
        case tooOpen(path: String, mode: String)
        /// Not two non-empty lines: the API key, then the secret.
        case malformed(path: String)

        public var description: String {
            switch self {
            case .unreadable(let path): "the key file \(path) cannot be read"
            case .tooOpen(let path, let mode): "the key file \(path) has mode \(mode); it must be 0600 (readable by its owner only)"
            case .malformed(let path): "the key file \(path) must hold two lines: the API key, then the secret"
            }
        }
    }

    /// Reads a key file: the API key on the first line, the secret on the second, mode 0600.
    public static func load(keyFile path: String) throws(KeyFileError) -> BinanceCredentials {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unreadable(path: path) }
        guard info.st_mode & 0o077 == 0 else { throw .tooOpen(path: path, mode: String(info.st_mode & 0o777, radix: 8)) }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path)
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count == 2 else { throw .malformed(path: path) }
        return BinanceCredentials(apiKey: lines[0], secret: lines[1])
    }
}
