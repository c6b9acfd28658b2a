import Foundation
import Synchronization

/// Removes secrets (API keys, secrets, passwords, tokens, signatures) from text
/// before it reaches a log line, a trace or the bus tap (S1).
///
/// Three rules, applied in order:
/// 1. literal secrets: values registered with `addSecret` (ServiceMain registers every
///    environment variable whose name looks secret) are replaced wherever they occur;
/// 2. by field name: in `name=value`, `name: value` and JSON `"name":"value"`, the value
///    of a field whose name contains secret/password/passwd/token/signature/credential/
///    passphrase/authorization or names an API, access, private or signing key is replaced;
/// 3. by value pattern: JWTs, `Bearer …` tokens, PEM private keys.
/// The replacement is `[REDACTED]`. Redaction can over-redact (a field named
/// `token_count`), never under-redact a listed name.
public final class Redactor: Sendable {
    /// The process-wide redactor the log handler and the tap use.
    public static let shared = Redactor()
    /// What a secret is replaced with.
    public static let mask = "[REDACTED]"

    private let secrets = Mutex<[String]>([])

    /// An empty redactor (tests); services use `shared`.
    public init() {}

    /// Whether a field or variable name marks its value as secret.
    public static func isSecretName(_ name: some StringProtocol) -> Bool {
        let lowered = name.lowercased()
        let words = [
            "secret", "password", "passwd", "token", "signature", "credential", "passphrase", "authorization",
            "apikey", "api_key", "api-key", "access_key", "private_key", "privatekey", "signing_key",
        ]
        return words.contains(where: { lowered.contains($0) })
    }

    /// Registers a literal secret (at least 4 characters; shorter ones would mask too much).
    public func addSecret(_ value: String) {
        guard value.count >= 4 else { return }
        secrets.withLock { if !$0.contains(value) { $0.append(value) } }
    }

    /// Registers the values of every variable whose name looks secret (`BW_VENUE_API_SECRET`).
    public func addSecrets(fromEnvironment environment: [String: String]) {
        for (name, value) in environment where Self.isSecretName(name) { addSecret(value) }
    }

    /// `text` with every secret replaced by `[REDACTED]`.
    public func redact(_ text: String) -> String {
        let secrets = secrets.withLock { $0 }
        guard Self.mayHoldSecret(text) || secrets.contains(where: { text.contains($0) }) else { return text }
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.mask)
        }
        result = Self.redactFields(result)
        result = Self.redactPatterns(result)
        return result
    }

    /// UTF-8 JSON or text (a tap header) with every secret replaced; unchanged bytes when clean.
    public func redact(_ data: Data) -> Data {
        let text = String(decoding: data, as: UTF8.self)
        let redacted = redact(text)
        return redacted == text ? data : Data(redacted.utf8)
    }

    /// Words whose absence proves rules 2 and 3 cannot match (the cheap path for clean text).
    private static let triggers = [
        "secret", "password", "passwd", "token", "signature", "credential", "passphrase", "authorization",
        "apikey", "api_key", "api-key", "access_key", "private_key", "privatekey", "signing_key",
        "eyj", "bearer", "-----begin",
    ]

    private static let triggerBytes: [[UInt8]] = triggers.map { Array($0.utf8) }

    /// An ASCII case-insensitive byte scan: called on every span and log line, so it must
    /// not allocate a lowered copy or go through Foundation's locale-aware search.
    private static func mayHoldSecret(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in triggerBytes.contains { containsIgnoringASCIICase(bytes, lowercaseNeedle: $0) } }
    }

    static func containsIgnoringASCIICase(_ haystack: UnsafeBufferPointer<UInt8>, lowercaseNeedle needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return false }
        func lower(_ byte: UInt8) -> UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte }
        var start = 0
        outer: while start <= haystack.count - needle.count {
            defer { start += 1 }
            guard lower(haystack[start]) == first else { continue }
            for offset in 1..<needle.count where lower(haystack[start + offset]) != needle[offset] { continue outer }
            return true
        }
        return false
    }

    /// Whether `redact` would change `text`.
    public func containsSecret(_ text: String) -> Bool { redact(text) != text }

    nonisolated(unsafe) private static let fieldPattern =
        /(?i)("?([A-Za-z0-9_.\-]*(?:key|secret|password|passwd|token|signature|credential|passphrase|authorization)[A-Za-z0-9_.\-]*)"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,;&}\]"]+)/
    nonisolated(unsafe) private static let valuePatterns: [Regex<Substring>] = [
        /eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}/,
        /(?i)bearer\s+[A-Za-z0-9._~+\/\-]+=*/,
        /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/,
    ]

    private static func redactFields(_ text: String) -> String {
        text.replacing(fieldPattern) { match in
            let value = match.output.3
            let quoted = value.hasPrefix("\"")
            guard isSecretName(match.output.2) else {
                // A harmless field may still hold `token=…` inside its quoted value.
                guard quoted, value.count > 2 else { return String(match.output.0) }
                return String(match.output.1) + "\"" + redactFields(String(value.dropFirst().dropLast())) + "\""
            }
            return String(match.output.1) + (quoted ? "\"\(mask)\"" : mask)
        }
    }

    private static func redactPatterns(_ text: String) -> String {
        var result = text
        for pattern in valuePatterns { result = result.replacing(pattern, with: mask) }
        return result
    }
}
